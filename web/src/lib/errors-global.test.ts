import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loginFailure } from "../components/Auth/loginFlow";
import { reportError } from "../components/Common/Toasts";
import { graphql } from "../gql";
import { resetAuthForTests } from "./auth";
import { ApiError, setMfaEnrolmentHandler, toApiError } from "./errors";
import { routeServerError } from "./form";
import { execute, setFetch } from "./graphql-client";

const Doc = graphql(`
  query MfaGuardForTest {
    publicSettings {
      mfaRequiredForSuperusers
    }
  }
`);

function json(body: unknown) {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

beforeEach(resetAuthForTests);
afterEach(() => setMfaEnrolmentHandler(null));

describe("the issue-14 error codes", () => {
  it("are known codes, not INTERNAL", () => {
    for (const code of ["EMAIL_NOT_VERIFIED", "MFA_ENROLMENT_REQUIRED"]) {
      expect(toApiError({ message: "m", extensions: { code } }).code).toBe(code);
    }
  });
});

describe("MFA_ENROLMENT_REQUIRED", () => {
  it("goes to the one global handler, and no form or toast says it again", async () => {
    const handler = vi.fn();
    setMfaEnrolmentHandler(handler);
    setFetch(async () =>
      json({
        errors: [{ message: "Set up MFA first", extensions: { code: "MFA_ENROLMENT_REQUIRED" } }],
      }),
    );
    const error = await execute(Doc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
    expect((error as ApiError).handledGlobally).toBe(true);
    expect(routeServerError(error, ["code"])).toEqual({ kind: "handled" });
    const toast = { error: vi.fn() };
    reportError(toast, error);
    expect(toast.error).not.toHaveBeenCalled();
  });
  it("leaves every other error to the page", async () => {
    const handler = vi.fn();
    setMfaEnrolmentHandler(handler);
    setFetch(async () => json({ errors: [{ message: "No", extensions: { code: "FORBIDDEN" } }] }));
    const error = await execute(Doc).catch((e: unknown) => e);
    expect(handler).not.toHaveBeenCalled();
    expect((error as ApiError).handledGlobally).toBe(false);
    expect(routeServerError(error, [])).toMatchObject({ kind: "form", message: "No" });
  });
});

describe("loginFailure", () => {
  it("sends an ended challenge back to the password step, an unverified address to its notice", () => {
    expect(loginFailure(new ApiError("UNAUTHENTICATED", "challenge expired"))).toBe("restart");
    expect(loginFailure(new ApiError("EMAIL_NOT_VERIFIED", "verify"))).toBe("verify-email");
    expect(loginFailure(new ApiError("BAD_USER_INPUT", "wrong code", { field: "code" }))).toBe(
      "show",
    );
    expect(loginFailure(new ApiError("RATE_LIMITED", "slow down", { retryAfter: 30 }))).toBe(
      "show",
    );
    expect(loginFailure(new Error("x"))).toBe("show");
  });
});
