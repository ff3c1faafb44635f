import { describe, expect, it } from "vitest";
import { ApiError } from "../lib/errors";
import { countOf, pageCount, pageSearch, parsePage } from "../lib/paging";
import { shouldRetry } from "../router";
import { safeRedirect } from "./login";

describe("safeRedirect", () => {
  it("allows only same-app paths", () => {
    expect(safeRedirect("/items?page=2")).toBe("/items?page=2");
    expect(safeRedirect("//evil.example/")).toBe("/");
    expect(safeRedirect("/\\evil.example")).toBe("/");
    expect(safeRedirect("https://evil.example/")).toBe("/");
    expect(safeRedirect(undefined)).toBe("/");
  });
});

describe("pagination", () => {
  it("parses ?page= defensively", () => {
    expect(parsePage("3")).toBe(3);
    expect(parsePage("0")).toBe(1);
    expect(parsePage("-2")).toBe(1);
    expect(parsePage("1.5")).toBe(1);
    expect(parsePage("abc")).toBe(1);
    expect(pageSearch({ page: "1" })).toEqual({});
    expect(pageSearch({ page: 4 })).toEqual({ page: 4 });
  });
  it("offers a few page sizes; anything else is the default", () => {
    expect(pageSearch({ size: "20" })).toEqual({ size: 20 });
    expect(pageSearch({ size: 10 })).toEqual({});
    expect(pageSearch({ size: "7", page: "2" })).toEqual({ page: 2 });
    expect(pageSearch({ size: "1000" })).toEqual({});
  });
  it("counts with the right noun", () => {
    const noun = { one: "item", other: "items" };
    expect(countOf(1, noun)).toBe("1 item");
    expect(countOf(0, noun)).toBe("0 items");
  });
  it("counts pages, at least one", () => {
    expect(pageCount(0, 10)).toBe(1);
    expect(pageCount(10, 10)).toBe(1);
    expect(pageCount(11, 10)).toBe(2);
  });
});

describe("shouldRetry", () => {
  it("retries a missing answer or an away server once, never a refusal", () => {
    expect(shouldRetry(0, new ApiError("NETWORK", "x"))).toBe(true);
    expect(shouldRetry(0, new ApiError("UNAVAILABLE", "x"))).toBe(true);
    expect(shouldRetry(1, new ApiError("NETWORK", "x"))).toBe(false);
    expect(shouldRetry(0, new ApiError("OFFLINE", "x"))).toBe(false);
    expect(shouldRetry(0, new ApiError("FORBIDDEN", "x"))).toBe(false);
    expect(shouldRetry(0, new Error("x"))).toBe(false);
  });
});
