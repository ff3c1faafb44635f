import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  clearSession,
  getAccessToken,
  getSession,
  handleUnauthenticated,
  isLoggedIn,
  reloadSession,
  setSession,
  setUnauthenticatedHandler,
  subscribe,
} from "./auth";

beforeEach(() => {
  sessionStorage.clear();
  clearSession();
  reloadSession();
});

describe("session storage", () => {
  it("stores the session in sessionStorage, not localStorage", () => {
    setSession({ accessToken: "t1", expiresAt: Date.now() + 60_000 });
    expect(getAccessToken()).toBe("t1");
    expect(sessionStorage.getItem("rampart.session")).toContain("t1");
    expect(JSON.stringify({ ...localStorage })).not.toContain("t1");
  });

  it("survives a reload of the tab", () => {
    setSession({ accessToken: "t2", expiresAt: Date.now() + 60_000 });
    reloadSession();
    expect(isLoggedIn()).toBe(true);
  });

  it("treats an expired token as logged out", () => {
    setSession({ accessToken: "old", expiresAt: Date.now() + 1000 });
    expect(getSession(Date.now() + 2000)).toBeNull();
  });

  it("ignores corrupt storage", () => {
    sessionStorage.setItem("rampart.session", "{not json");
    reloadSession();
    expect(isLoggedIn()).toBe(false);
    sessionStorage.setItem("rampart.session", JSON.stringify({ accessToken: 5 }));
    reloadSession();
    expect(isLoggedIn()).toBe(false);
  });

  it("notifies subscribers on login and logout", () => {
    const listener = vi.fn();
    const unsubscribe = subscribe(listener);
    setSession({ accessToken: "t3", expiresAt: Date.now() + 60_000 });
    clearSession();
    unsubscribe();
    setSession({ accessToken: "t4", expiresAt: Date.now() + 60_000 });
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe("global UNAUTHENTICATED handler", () => {
  it("clears the session and runs the handler once until the next login", () => {
    const handler = vi.fn();
    setUnauthenticatedHandler(handler);
    setSession({ accessToken: "t", expiresAt: Date.now() + 60_000 });
    expect(handleUnauthenticated()).toBe(true);
    expect(handleUnauthenticated()).toBe(false);
    expect(handleUnauthenticated()).toBe(false);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(isLoggedIn()).toBe(false);
    setSession({ accessToken: "t", expiresAt: Date.now() + 60_000 });
    expect(handleUnauthenticated()).toBe(true);
    expect(handler).toHaveBeenCalledTimes(2);
  });
});
