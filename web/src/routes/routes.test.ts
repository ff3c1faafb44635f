import { describe, expect, it } from "vitest";
import { pageCount } from "../components/Common/Pagination";
import { ApiError } from "../lib/errors";
import { shouldRetry } from "../router";
import { pageSearch, parsePage } from "./items";
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
  it("counts pages, at least one", () => {
    expect(pageCount(0, 10)).toBe(1);
    expect(pageCount(10, 10)).toBe(1);
    expect(pageCount(11, 10)).toBe(2);
  });
});

describe("shouldRetry", () => {
  it("retries network failures only, twice", () => {
    expect(shouldRetry(0, new ApiError("NETWORK", "x"))).toBe(true);
    expect(shouldRetry(2, new ApiError("NETWORK", "x"))).toBe(false);
    expect(shouldRetry(0, new ApiError("FORBIDDEN", "x"))).toBe(false);
    expect(shouldRetry(0, new Error("x"))).toBe(false);
  });
});
