import { beforeEach, describe, expect, it, vi } from "vitest";
import { graphql } from "../gql";
import { isLoggedIn, resetAuthForTests, setAuthHandlers, setSession } from "./auth";
import { ApiError } from "./errors";
import { execute, operationNameOf, setFetch } from "./graphql-client";

const Doc = graphql(`
  query PublicSettingsForTest {
    publicSettings {
      signupEnabled
    }
  }
`);

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

const session = (accessToken: string) => ({
  accessToken,
  expiresAt: Date.now() + 60_000,
  lifetime: 60_000,
  sessionId: "s1",
});

beforeEach(() => {
  resetAuthForTests();
});

describe("execute", () => {
  it("POSTs JSON with the operation name and the bearer token", async () => {
    setSession(session("tok"));
    const fetch = vi.fn(async () => json({ data: { publicSettings: { signupEnabled: true } } }));
    setFetch(fetch);
    const data = await execute(Doc);
    expect(data.publicSettings.signupEnabled).toBe(true);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/graphql");
    expect(init.method).toBe("POST");
    const headers = init.headers as Record<string, string>;
    expect(headers["Content-Type"]).toBe("application/json");
    expect(headers.Authorization).toBe("Bearer tok");
    const body = JSON.parse(init.body as string);
    expect(body.operationName).toBe("PublicSettingsForTest");
    expect(body.query).toContain("publicSettings");
    // The refresh cookie rides along (only refreshSession and logout read it); same origin only.
    expect(init.credentials).toBe("same-origin");
  });

  it("sends no Authorization header when logged out", async () => {
    const fetch = vi.fn(async () => json({ data: { publicSettings: { signupEnabled: false } } }));
    setFetch(fetch);
    await execute(Doc);
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect((init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it("throws a typed error with the field", async () => {
    setFetch(async () =>
      json({
        data: null,
        errors: [
          { message: "Title too long", extensions: { code: "BAD_USER_INPUT", field: "title" } },
        ],
      }),
    );
    const error = await execute(Doc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).field).toBe("title");
  });

  it("ends the session once when several requests are refused", async () => {
    const handler = vi.fn();
    setAuthHandlers({ onSessionEnded: handler });
    setSession(session("revoked"));
    setFetch(async () =>
      json({ errors: [{ message: "Not logged in", extensions: { code: "UNAUTHENTICATED" } }] }),
    );
    const results = await Promise.allSettled([execute(Doc), execute(Doc), execute(Doc)]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(isLoggedIn()).toBe(false);
    const reason = (results[0] as PromiseRejectedResult).reason as ApiError;
    expect(reason.sessionEnded).toBe(true);
  });

  it("does not treat a failed login (no token) as an ended session", async () => {
    const handler = vi.fn();
    setAuthHandlers({ onSessionEnded: handler });
    setFetch(async () =>
      json({
        errors: [
          { message: "Incorrect e-mail or password", extensions: { code: "UNAUTHENTICATED" } },
        ],
      }),
    );
    const error = (await execute(Doc).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.sessionEnded).toBe(false);
    expect(handler).not.toHaveBeenCalled();
  });

  it("maps a body-less 413 and a network failure", async () => {
    setFetch(async () => new Response("<html>too large</html>", { status: 413 }));
    expect(((await execute(Doc).catch((e: unknown) => e)) as ApiError).code).toBe(
      "PAYLOAD_TOO_LARGE",
    );
    setFetch(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(((await execute(Doc).catch((e: unknown) => e)) as ApiError).code).toBe("NETWORK");
  });
});

describe("outages and offline", () => {
  it("reads a gateway's 502 and a 503 with Retry-After as UNAVAILABLE", async () => {
    setFetch(async () => new Response("<html>Bad Gateway</html>", { status: 502 }));
    expect(((await execute(Doc).catch((e: unknown) => e)) as ApiError).code).toBe("UNAVAILABLE");
    setFetch(
      async () =>
        new Response(
          JSON.stringify({
            errors: [{ message: "Database unavailable", extensions: { code: "UNAVAILABLE" } }],
          }),
          { status: 503, headers: { "Content-Type": "application/json", "Retry-After": "12" } },
        ),
    );
    const e = (await execute(Doc).catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.retryAfter).toBe(12);
  });

  it("takes a 429's wait from Retry-After", async () => {
    setFetch(async () => new Response("", { status: 429, headers: { "Retry-After": "40" } }));
    const e = (await execute(Doc).catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe("RATE_LIMITED");
    expect(e.retryAfter).toBe(40);
  });

  it("refuses at once, without a request, when the browser is offline", async () => {
    const fetch = vi.fn(async () => json({ data: {} }));
    setFetch(fetch);
    vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    const e = (await execute(Doc).catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe("OFFLINE");
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("operationNameOf", () => {
  it("reads the name of queries and mutations", () => {
    expect(operationNameOf("mutation Login($input: LoginInput!) { login }")).toBe("Login");
    expect(operationNameOf("  query Me { me { id } }")).toBe("Me");
    expect(operationNameOf("{ me { id } }")).toBeUndefined();
  });
});
