/** Every cached page of items: mutations invalidate them all (totals shift pages). */
export const ITEMS_KEY = ["items"] as const;
