import { beforeEach, describe, expect, it } from "vitest";
import { applyTheme, loadTheme, saveTheme } from "./theme";

beforeEach(() => {
  localStorage.clear();
  document.documentElement.removeAttribute("data-theme");
});

describe("theme", () => {
  it("defaults to system and follows the OS (no data-theme)", () => {
    expect(loadTheme()).toBe("system");
    applyTheme("system");
    expect(document.documentElement.hasAttribute("data-theme")).toBe(false);
  });
  it("remembers an explicit choice and applies it", () => {
    saveTheme("dark");
    expect(loadTheme()).toBe("dark");
    expect(document.documentElement.getAttribute("data-theme")).toBe("dark");
    saveTheme("system");
    expect(document.documentElement.hasAttribute("data-theme")).toBe(false);
  });
  it("ignores garbage in storage", () => {
    localStorage.setItem("rampart.theme", "neon");
    expect(loadTheme()).toBe("system");
  });
});
