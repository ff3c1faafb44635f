import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { graphql } from "../gql";
import {
  endSession,
  freshToken,
  getAccessToken,
  getStatus,
  HINT_KEY,
  isLoggedIn,
  logOut,
  refresh,
  resetAuthForTests,
  restoreSession,
  type Session,
  setAuthHandlers,
  setSession,
  signedIn,
  startTabSync,
  tokenAfterRejection,
} from "./auth";
import type { ApiError } from "./errors";
import { execute, setFetch } from "./graphql-client";
import type { AuthMessage, TabChannel } from "./tab-sync";

const Doc = graphql(`
  query PublicSettingsForAuthTest {
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

const refused = () =>
  json({ errors: [{ message: "Not logged in", extensions: { code: "UNAUTHENTICATED" } }] });
const ok = () => json({ data: { publicSettings: { signupEnabled: true } } });
const token = (accessToken: string, expiresIn = 900, sessionId = "s1") =>
  json({ data: { refreshSession: { accessToken, expiresIn, sessionId } } });

interface Sent {
  operation: string;
  authorization: string | undefined;
  credentials: RequestCredentials | undefined;
}

/**
 * A fake API: `answer` decides per request (operation name, bearer). Every
 * request is recorded; a refresh can be held open to make requests overlap.
 */
function fakeApi(answer: (sent: Sent) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  setFetch(async (_url, init) => {
    const body = JSON.parse(init.body as string) as { operationName: string };
    const request: Sent = {
      operation: body.operationName,
      authorization: (init.headers as Record<string, string>).Authorization,
      credentials: init.credentials,
    };
    sent.push(request);
    return answer(request);
  });
  return {
    sent,
    count: (operation: string) => sent.filter((s) => s.operation === operation).length,
  };
}

function session(accessToken: string, lifetime = 60_000, sessionId = "s1"): Session {
  return { accessToken, expiresAt: Date.now() + lifetime, lifetime, sessionId };
}

beforeEach(() => {
  resetAuthForTests();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("where the access token lives", () => {
  it("in memory only: nothing in sessionStorage or localStorage", () => {
    signedIn(session("secret-token"));
    expect(getAccessToken()).toBe("secret-token");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("secret-token");
    expect(JSON.stringify({ ...localStorage })).not.toContain("secret-token");
  });

  it("refreshSession carries no bearer: the HttpOnly cookie is its credential", async () => {
    const api = fakeApi(() => token("t2"));
    setSession(session("t1"));
    await refresh();
    expect(api.sent).toEqual([
      { operation: "RefreshSession", authorization: undefined, credentials: "same-origin" },
    ]);
    expect(getAccessToken()).toBe("t2");
  });
});

describe("single-flight refresh", () => {
  it("requests refused together share one refresh, then each retries with the new token", async () => {
    let releaseRefresh: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      releaseRefresh = resolve;
    });
    const api = fakeApi(async ({ operation, authorization }) => {
      if (operation === "RefreshSession") {
        await held;
        return token("new");
      }
      return authorization === "Bearer new" ? ok() : refused();
    });
    setSession(session("old"));
    const requests = Array.from({ length: 5 }, () => execute(Doc));
    await vi.waitFor(() => expect(api.count("RefreshSession")).toBe(1));
    releaseRefresh();
    const results = await Promise.all(requests);
    expect(results.every((r) => r.publicSettings.signupEnabled)).toBe(true);
    expect(api.count("RefreshSession")).toBe(1);
    // 5 refused, 5 retried with the refreshed token
    const retries = api.sent.filter((s) => s.authorization === "Bearer new");
    expect(retries).toHaveLength(5);
  });

  it("a token about to expire is refreshed once before concurrent requests are sent", async () => {
    const api = fakeApi(({ operation, authorization }) => {
      if (operation === "RefreshSession") return token("fresh");
      return authorization === "Bearer fresh" ? ok() : refused();
    });
    setSession(session("stale", 1_000)); // inside the 5 s send margin
    await Promise.all([execute(Doc), execute(Doc), execute(Doc)]);
    expect(api.count("RefreshSession")).toBe(1);
    expect(api.sent.filter((s) => s.authorization === "Bearer stale")).toHaveLength(0);
  });

  it("a request refused after another already refreshed reuses that token", async () => {
    const api = fakeApi(() => token("unwanted"));
    setSession(session("second")); // the session moved on while a slow request carried "first"
    expect(await tokenAfterRejection("first")).toBe("second");
    expect(api.sent).toHaveLength(0);
    // the current token refused: that one needs a refresh
    expect(await tokenAfterRejection("second")).toBe("unwanted");
    expect(api.count("RefreshSession")).toBe(1);
  });

  it("serialises refreshes across tabs with the Web Locks API when present", async () => {
    const request = vi.fn((_name: string, run: () => Promise<unknown>) => run());
    vi.stubGlobal("navigator", { ...navigator, onLine: true, locks: { request } });
    try {
      fakeApi(() => token("locked"));
      await refresh();
      expect(request).toHaveBeenCalledTimes(1);
      expect(request.mock.calls[0]?.[0]).toBe("rampart.refresh");
      expect(getAccessToken()).toBe("locked");
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("retry once after UNAUTHENTICATED", () => {
  it("retries exactly once; refused again, the session ends (once) and nothing loops", async () => {
    const ended = vi.fn();
    setAuthHandlers({ onSessionEnded: ended });
    const api = fakeApi(({ operation }) =>
      operation === "RefreshSession" ? token("t2") : refused(),
    );
    setSession(session("t1"));
    const error = (await execute(Doc).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.sessionEnded).toBe(true);
    expect(api.sent.map((s) => s.operation)).toEqual([
      "PublicSettingsForAuthTest",
      "RefreshSession",
      "PublicSettingsForAuthTest",
      // the server is told too: no live refresh cookie behind the notice
      "Logout",
    ]);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(isLoggedIn()).toBe(false);
  });

  it("a refused refresh ends the session once for all the requests that found out", async () => {
    const ended = vi.fn();
    setAuthHandlers({ onSessionEnded: ended });
    const api = fakeApi(() => refused());
    setSession(session("revoked"));
    const results = await Promise.allSettled([execute(Doc), execute(Doc), execute(Doc)]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    for (const r of results) {
      expect(((r as PromiseRejectedResult).reason as ApiError).sessionEnded).toBe(true);
    }
    expect(api.count("RefreshSession")).toBe(1);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(getStatus()).toBe("signed-out");
    // and the latch re-arms at the next login
    signedIn(session("again"));
    endSession();
    expect(ended).toHaveBeenCalledTimes(2);
  });

  it("an outage during the refresh keeps the session and says outage, not 'ended'", async () => {
    const ended = vi.fn();
    setAuthHandlers({ onSessionEnded: ended });
    fakeApi(({ operation }) =>
      operation === "RefreshSession" ? new Response("Bad Gateway", { status: 502 }) : refused(),
    );
    setSession(session("t1"));
    const error = (await execute(Doc).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.sessionEnded).toBe(false);
    expect(ended).not.toHaveBeenCalled();
    expect(isLoggedIn()).toBe(true);
  });

  it("no retry for a request sent without a token (a wrong password at login)", async () => {
    const api = fakeApi(() => refused());
    const error = (await execute(Doc).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.sessionEnded).toBe(false);
    expect(api.sent).toHaveLength(1);
  });
});

describe("silent refresh and restore", () => {
  it("refreshes shortly before the token expires, without a request asking", async () => {
    vi.useFakeTimers();
    const api = fakeApi(() => token("next", 60));
    setSession(session("first", 60_000));
    await vi.advanceTimersByTimeAsync(44_000);
    expect(api.count("RefreshSession")).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000); // a quarter of the lifetime ahead: at 45 s
    expect(api.count("RefreshSession")).toBe(1);
    expect(getAccessToken()).toBe("next");
    await vi.advanceTimersByTimeAsync(46_000); // and again for the new token
    expect(api.count("RefreshSession")).toBe(2);
  });

  it("a silent refresh the API refuses ends the session with the one notice", async () => {
    vi.useFakeTimers();
    const ended = vi.fn();
    setAuthHandlers({ onSessionEnded: ended });
    fakeApi(() => refused());
    setSession(session("doomed", 60_000));
    await vi.advanceTimersByTimeAsync(46_000);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(isLoggedIn()).toBe(false);
  });

  it("restores a session from the cookie on load, and a visitor without one is signed out quietly", async () => {
    const ended = vi.fn();
    setAuthHandlers({ onSessionEnded: ended });
    localStorage.setItem(HINT_KEY, "1"); // an earlier login in this browser
    fakeApi(() => token("restored"));
    const restoring = restoreSession();
    expect(getStatus()).toBe("restoring");
    await restoring;
    expect(getStatus()).toBe("signed-in");
    expect(await freshToken()).toBe("restored");

    resetAuthForTests();
    setAuthHandlers({ onSessionEnded: ended });
    localStorage.setItem(HINT_KEY, "1"); // a stale flag: the cookie is gone
    fakeApi(() => refused());
    await restoreSession();
    expect(getStatus()).toBe("signed-out");
    expect(ended).not.toHaveBeenCalled();
    expect(localStorage.getItem(HINT_KEY)).toBeNull();
  });

  it("a browser that never had a session sends no refresh at all on load", async () => {
    const api = fakeApi(() => refused());
    await restoreSession();
    expect(getStatus()).toBe("signed-out");
    expect(api.sent).toHaveLength(0);
    // a login leaves the flag (not a credential) for the next load and the other tabs
    signedIn(session("t1"));
    expect(localStorage.getItem(HINT_KEY)).toBe("1");
    fakeApi(() => json({ data: { logout: { message: "Logged out." } } }));
    await logOut();
    expect(localStorage.getItem(HINT_KEY)).toBeNull();
  });

  it("restore during an outage rejects with it; the session stays unknown until a retry", async () => {
    localStorage.setItem(HINT_KEY, "1");
    const api = fakeApi(() => new Response("", { status: 503 }));
    const error = (await restoreSession().catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("UNAVAILABLE");
    expect(getStatus()).toBe("restoring"); // neither the login page nor the app is the truth
    fakeApi(() => token("back"));
    await restoreSession();
    expect(getStatus()).toBe("signed-in");
    expect(api.sent).toHaveLength(1);
  });
});

function fakeTabs() {
  const posted: AuthMessage[] = [];
  let deliver: (message: AuthMessage) => void = () => {};
  const open = (onMessage: (message: AuthMessage) => void): TabChannel => {
    deliver = onMessage;
    return { post: (m) => posted.push(m), close: () => {} };
  };
  return { posted, open, deliver: (m: AuthMessage) => deliver(m) };
}

describe("logout and the other tabs", () => {
  it("logout revokes on the server with the bearer, then tells the other tabs", async () => {
    const tabs = fakeTabs();
    startTabSync(tabs.open);
    const api = fakeApi(() => json({ data: { logout: { message: "Logged out." } } }));
    signedIn(session("t1"));
    expect(tabs.posted).toEqual([{ type: "login" }]);
    await logOut();
    expect(api.sent).toEqual([
      { operation: "Logout", authorization: "Bearer t1", credentials: "same-origin" },
    ]);
    expect(isLoggedIn()).toBe(false);
    expect(tabs.posted).toEqual([{ type: "login" }, { type: "logout" }]);
  });

  it("an expired token is not sent with logout (the cookie names the session)", async () => {
    const api = fakeApi(() => json({ data: { logout: { message: "Logged out." } } }));
    setSession(session("t1", 60_000));
    await logOut(Date.now() + 120_000);
    expect(api.sent[0]?.authorization).toBeUndefined();
  });

  it("a logout that cannot reach the server keeps the user signed in", async () => {
    const tabs = fakeTabs();
    startTabSync(tabs.open);
    setFetch(async () => {
      throw new TypeError("Failed to fetch");
    });
    setSession(session("t1"));
    const error = (await logOut().catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("NETWORK");
    expect(isLoggedIn()).toBe(true);
    expect(tabs.posted).toEqual([]);
  });

  it("a session already over still logs out here (UNAUTHENTICATED is what logout wants)", async () => {
    fakeApi(() => refused());
    setSession(session("t1"));
    await logOut();
    expect(isLoggedIn()).toBe(false);
  });

  it("a logout in another tab signs this tab out at once, once", () => {
    const tabs = fakeTabs();
    const elsewhere = vi.fn();
    const ended = vi.fn();
    setAuthHandlers({ onSignedOutElsewhere: elsewhere, onSessionEnded: ended });
    startTabSync(tabs.open);
    setSession(session("t1"));
    tabs.deliver({ type: "logout" });
    tabs.deliver({ type: "logout" });
    expect(isLoggedIn()).toBe(false);
    expect(getAccessToken()).toBeNull();
    expect(elsewhere).toHaveBeenCalledTimes(1);
    expect(ended).not.toHaveBeenCalled(); // not "your session has ended": the user chose it
  });

  it("a login in another tab is picked up through the shared cookie", async () => {
    const tabs = fakeTabs();
    const signedInElsewhere = vi.fn();
    setAuthHandlers({ onSignedInElsewhere: signedInElsewhere });
    startTabSync(tabs.open);
    const api = fakeApi(() => token("mine", 900, "s9"));
    tabs.deliver({ type: "login" });
    await vi.waitFor(() => expect(isLoggedIn()).toBe(true));
    expect(api.count("RefreshSession")).toBe(1);
    expect(getAccessToken()).toBe("mine");
    expect(signedInElsewhere).toHaveBeenCalledTimes(1);
  });

  it("a signed-in tab that learns of another session drops what it cached", async () => {
    const tabs = fakeTabs();
    const changed = vi.fn();
    setAuthHandlers({ onSessionChanged: changed });
    startTabSync(tabs.open);
    setSession(session("t1", 60_000, "s1"));
    fakeApi(() => token("t2", 900, "s2"));
    tabs.deliver({ type: "login" });
    await vi.waitFor(() => expect(getAccessToken()).toBe("t2"));
    expect(changed).toHaveBeenCalledTimes(1);
  });
});
