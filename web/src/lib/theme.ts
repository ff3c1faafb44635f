// Appearance: light, dark, or follow the system. Remembered in localStorage
// (it is a preference, not a secret). Applied through Pico's data-theme
// attribute; with no attribute Pico follows prefers-color-scheme.

export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

const KEY = "rampart.theme";

export function loadTheme(): Theme {
  try {
    const value = globalThis.localStorage?.getItem(KEY);
    return (THEMES as readonly string[]).includes(value ?? "") ? (value as Theme) : "system";
  } catch {
    return "system";
  }
}

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
}

export function saveTheme(theme: Theme): void {
  try {
    globalThis.localStorage?.setItem(KEY, theme);
  } catch {
    // private mode without storage: the choice lasts for this page only
  }
  applyTheme(theme);
}
