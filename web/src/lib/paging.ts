// Paged lists keep their place in the address bar (?page=, ?size=), so a
// reload, the back button and a shared link all show the same rows.

export const PAGE_SIZES = [10, 20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 10;

export interface PageSearch {
  page?: number;
  size?: number;
}

/** `?page=` from the address bar: a positive integer, else 1. */
export function parsePage(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}

/** `?size=`: one of the offered sizes, else the default. */
export function parsePageSize(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : DEFAULT_PAGE_SIZE;
}

/** Search params of a paged list; defaults stay out of the URL. */
export function pageSearch(search: Record<string, unknown>): PageSearch {
  const page = parsePage(search.page);
  const size = parsePageSize(search.size);
  return {
    ...(page > 1 ? { page } : {}),
    ...(size !== DEFAULT_PAGE_SIZE ? { size } : {}),
  };
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export interface Noun {
  one: string;
  other: string;
}

export function countOf(n: number, noun: Noun): string {
  return `${n} ${n === 1 ? noun.one : noun.other}`;
}
