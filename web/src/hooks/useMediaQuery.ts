import { useSyncExternalStore } from "react";

/** Whether a CSS media query matches now, following changes (false where there is no matchMedia). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = globalThis.matchMedia?.(query);
      list?.addEventListener("change", onChange);
      return () => list?.removeEventListener("change", onChange);
    },
    () => globalThis.matchMedia?.(query).matches ?? false,
    () => false,
  );
}

/** Below this width tables turn into cards and the navigation into a menu (styles.css agrees). */
export const NARROW = "(max-width: 47.99rem)";
