import { describe, expect, it } from "vitest";
import {
  ApiError,
  describeError,
  errorFromStatus,
  fieldOf,
  isOutage,
  parseRetryAfter,
  pickError,
  toApiError,
} from "./errors";

describe("toApiError", () => {
  it("keeps the code, field, retry-after and request id", () => {
    const e = toApiError({
      message: "E-mail already registered",
      extensions: { code: "CONFLICT", field: "email" },
    });
    expect(e.code).toBe("CONFLICT");
    expect(e.field).toBe("email");
    const r = toApiError({
      message: "Slow down",
      extensions: { code: "RATE_LIMITED", retryAfter: 7 },
    });
    expect(r.retryAfter).toBe(7);
    const i = toApiError({
      message: "Internal error",
      extensions: { code: "INTERNAL", requestId: "req-1" },
    });
    expect(i.requestId).toBe("req-1");
  });

  it("treats unknown or missing codes as INTERNAL with a generic message", () => {
    expect(toApiError({ message: "x", extensions: { code: "WHATEVER" } }).code).toBe("INTERNAL");
    const e = toApiError({});
    expect(e.code).toBe("INTERNAL");
    expect(e.message).toBe("Something went wrong.");
  });

  it("ignores extension values of the wrong type", () => {
    const e = toApiError({
      message: "m",
      extensions: { code: "BAD_USER_INPUT", field: 3, retryAfter: "9" },
    });
    expect(e.field).toBeUndefined();
    expect(e.retryAfter).toBeUndefined();
  });
});

describe("pickError", () => {
  it("prefers UNAUTHENTICATED over earlier errors", () => {
    const e = pickError([
      { message: "not found", extensions: { code: "NOT_FOUND" } },
      { message: "expired", extensions: { code: "UNAUTHENTICATED" } },
    ]);
    expect(e.code).toBe("UNAUTHENTICATED");
  });
  it("otherwise takes the first", () => {
    expect(pickError([{ message: "a", extensions: { code: "FORBIDDEN" } }]).code).toBe("FORBIDDEN");
    expect(pickError([]).code).toBe("INTERNAL");
  });
});

describe("errorFromStatus", () => {
  it("maps proxy statuses", () => {
    expect(errorFromStatus(413).code).toBe("PAYLOAD_TOO_LARGE");
    expect(errorFromStatus(429, { retryAfter: 3 }).retryAfter).toBe(3);
    expect(errorFromStatus(401).code).toBe("UNAUTHENTICATED");
    const e = errorFromStatus(500, { requestId: "abc" });
    expect(e.code).toBe("INTERNAL");
    expect(e.requestId).toBe("abc");
  });
  it("reads a gateway's 502, 503 and 504 as the server being away", () => {
    for (const status of [502, 503, 504]) {
      const e = errorFromStatus(status);
      expect(e.code).toBe("UNAVAILABLE");
      expect(isOutage(e)).toBe(true);
      expect(describeError(e).message).not.toMatch(/\d{3}/);
    }
    expect(errorFromStatus(503, { retryAfter: 20 }).retryAfter).toBe(20);
  });
});

describe("outages", () => {
  it("network failures, UNAVAILABLE and 5xx gateways read as one message", () => {
    const messages = new Set(
      [
        new ApiError("NETWORK", "Failed to fetch"),
        toApiError({ message: "db down", extensions: { code: "UNAVAILABLE" } }),
        errorFromStatus(502),
        errorFromStatus(504),
      ].map((e) => describeError(e).message),
    );
    expect([...messages]).toEqual(["We can't reach the server right now."]);
    expect(isOutage(new ApiError("INTERNAL", "x"))).toBe(false);
  });
  it("says offline as offline", () => {
    expect(describeError(new ApiError("OFFLINE", "x")).message).toMatch(/offline/);
  });
  it("takes the wait from Retry-After when the body has none", () => {
    const e = pickError([{ message: "busy", extensions: { code: "UNAVAILABLE" } }], {
      retryAfter: 30,
    });
    expect(describeError(e).message).toBe(
      "We can't reach the server right now. Try again in 30 s.",
    );
  });
  it("parses both forms of Retry-After", () => {
    expect(parseRetryAfter("120")).toBe(120);
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(parseRetryAfter("Tue, 01 Dec 2026 10:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe("describeError", () => {
  it("adds the wait to rate limits and passes the request id", () => {
    expect(
      describeError(new ApiError("RATE_LIMITED", "Too many attempts.", { retryAfter: 30 })),
    ).toEqual({
      message: "Too many attempts. Try again in 30 s.",
    });
    expect(describeError(new ApiError("INTERNAL", "Internal error", { requestId: "r-9" }))).toEqual(
      {
        message: "Internal error",
        requestId: "r-9",
      },
    );
  });
  it("does not repeat a wait the API's message already states", () => {
    const e = new ApiError("RATE_LIMITED", "Too many attempts. Try again in 4 seconds.", {
      retryAfter: 4,
    });
    expect(describeError(e).message).toBe("Too many attempts. Try again in 4 seconds.");
  });
  it("hides anything that is not an ApiError", () => {
    expect(describeError(new TypeError("x is undefined"))).toEqual({
      message: "Something went wrong.",
    });
  });
  it("explains network failures", () => {
    expect(describeError(new ApiError("NETWORK", "x")).message).toMatch(/can't reach the server/);
  });
});

describe("fieldOf", () => {
  it("returns the field only for input errors on fields the form has", () => {
    const bad = new ApiError("BAD_USER_INPUT", "too short", { field: "newPassword" });
    expect(fieldOf(bad, ["newPassword"])).toBe("newPassword");
    expect(fieldOf(bad, ["email"])).toBeUndefined();
    expect(fieldOf(new ApiError("CONFLICT", "taken", { field: "email" }), ["email"])).toBe("email");
    expect(fieldOf(new ApiError("FORBIDDEN", "no", { field: "email" }), ["email"])).toBeUndefined();
    expect(fieldOf(new Error("x"), ["email"])).toBeUndefined();
  });
});
