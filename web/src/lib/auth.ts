// The session as this tab sees it: the access token (memory only), its
// silent refresh, the one reaction to losing it, and the other tabs.
//
// The access token lives in a module variable and nowhere else: no
// sessionStorage, no localStorage, so no script that runs later (an extension
// page, an XSS that the CSP somehow let through after the fact) finds one at
// rest. What survives a reload or opens a new tab is the refresh token, in an
// HttpOnly cookie set by the API that script cannot read at all; `refresh()`
// trades it for a new access token (rotating it) through `refreshSession`.
// See docs/spa.md, "Tokens".

import { graphql } from "../gql";
import { ApiError } from "./errors";
import { type AuthMessage, openTabChannel, type TabChannel } from "./tab-sync";
import { send } from "./transport";

export interface Session {
  accessToken: string;
  /** Epoch milliseconds (this browser's clock) after which the API refuses the token. */
  expiresAt: number;
  /** Milliseconds the token was issued for: when to refresh it. */
  lifetime: number;
  sessionId: string;
}

/** "restoring": the first refresh after load has not answered yet (the splash shows). */
export type AuthStatus = "restoring" | "signed-in" | "signed-out";

const RefreshSessionMutation = graphql(`
  mutation RefreshSession {
    refreshSession {
      accessToken
      expiresIn
      sessionId
    }
  }
`);

const LogoutMutation = graphql(`
  mutation Logout {
    logout {
      message
    }
  }
`);

/** A token closer than this to its expiry is refreshed before it is sent. */
const SEND_MARGIN_MS = 5_000;
/** Silent refresh runs this long before expiry (a quarter of short lifetimes). */
const REFRESH_AHEAD_MS = 60_000;
/** After a silent refresh that found the server away, try again this soon. */
const RETRY_AFTER_OUTAGE_MS = 15_000;

let session: Session | null = null;
let status: AuthStatus = "restoring";
let securityNotice: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

type Listener = () => void;
const listeners = new Set<Listener>();

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  for (const listener of listeners) listener();
}

// ---------------------------------------------------------------------------
// "This browser may have a session": a flag, not a credential, in
// localStorage (shared by the tabs, kept across restarts like a remembered
// cookie). Without it the start-up refresh is skipped: a visitor who never
// signed in here sees the login page at once, with no round trip and no
// splash, and sends the API nothing. A stale flag costs one refused refresh,
// which clears it; a missing flag with a live cookie (storage cleared by
// hand) means logging in again.

export const HINT_KEY = "rampart.has-session";

function hintStore(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

function setHint(on: boolean): void {
  try {
    if (on) hintStore()?.setItem(HINT_KEY, "1");
    else hintStore()?.removeItem(HINT_KEY);
  } catch {
    // storage full or disabled: the next load just asks the API
  }
}

/** Whether a start-up refresh is worth sending. Storage disabled: always ask. */
function mayHaveSession(): boolean {
  const store = hintStore();
  if (!store) return true;
  try {
    return store.getItem(HINT_KEY) === "1";
  } catch {
    return true;
  }
}

export function getStatus(): AuthStatus {
  return status;
}

export function getSession(): Session | null {
  return session;
}

export function getAccessToken(): string | null {
  return session?.accessToken ?? null;
}

/** Signed in as far as this tab knows (an expired token is refreshed on the next request). */
export function isLoggedIn(): boolean {
  return status === "signed-in";
}

/**
 * Builds a session from the API's answer. The expiry is counted on this
 * browser's clock from `expiresIn`, not read from `expiresAt`: a computer
 * whose clock is off by minutes would otherwise refresh too late (or loop).
 */
export function sessionFrom(
  token: { accessToken: string; expiresIn: number; sessionId: string },
  now: number = Date.now(),
): Session {
  const lifetime = Math.max(1, token.expiresIn) * 1000;
  return {
    accessToken: token.accessToken,
    expiresAt: now + lifetime,
    lifetime,
    sessionId: token.sessionId,
  };
}

// ---------------------------------------------------------------------------
// Handlers the router installs (navigation and the query cache live there).

export interface AuthHandlers {
  /** The session ended under us (revoked, expired): say so once, go to login. */
  onSessionEnded?: () => void;
  /** Another tab logged out. */
  onSignedOutElsewhere?: () => void;
  /** This tab became signed in through another tab's login. */
  onSignedInElsewhere?: () => void;
  /** The refresh cookie now names another session (a login in another tab): drop cached data. */
  onSessionChanged?: () => void;
}

let handlers: AuthHandlers = {};

export function setAuthHandlers(next: AuthHandlers): void {
  handlers = next;
}

// ---------------------------------------------------------------------------
// Setting and clearing.

let endedHandled = false;

export function setSession(next: Session): void {
  const previous = session;
  session = next;
  status = "signed-in";
  setHint(true);
  endedHandled = false;
  schedule(next);
  emit();
  if (previous && previous.sessionId !== next.sessionId) handlers.onSessionChanged?.();
}

/** Forgets the session in this tab only (the API and the other tabs are told elsewhere). */
export function clearSession(): void {
  session = null;
  status = "signed-out";
  clearTimeout(timer);
  timer = undefined;
  emit();
}

/**
 * The session is over (the API refused both the token and the refresh
 * cookie). Several requests can find that out at once; the user is told
 * once, and the latch re-arms at the next login. Returns true the first time.
 */
export function endSession(): boolean {
  if (endedHandled) return false;
  endedHandled = true;
  setHint(false);
  clearSession();
  // Make sure the server agrees (usually it already does: a revoked session
  // is why we are here). Otherwise a token refused for another reason would
  // leave a live refresh cookie behind this "session ended" notice, and the
  // next reload would quietly sign the user back in.
  void send(LogoutMutation, {}, null).catch(() => undefined);
  handlers.onSessionEnded?.();
  return true;
}

// ---------------------------------------------------------------------------
// Refresh: one at a time in this tab (single-flight) and across tabs.

let inflight: Promise<Session | null> | null = null;

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Every tab shares one refresh cookie, and the API rotates it on each use:
 * two tabs presenting the same cookie at once would look like a stolen,
 * replayed token and end the session. The Web Locks API serialises refreshes
 * across the browser's tabs; the second waits and presents the rotated
 * cookie. Browsers without it (old Safari) refresh unlocked.
 */
function withRefreshLock<T>(run: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  return locks ? locks.request("rampart.refresh", run) : run();
}

async function requestRefresh(): Promise<Session | null> {
  try {
    const { refreshSession } = await send(RefreshSessionMutation, {}, null);
    const next = sessionFrom(refreshSession);
    setSession(next);
    return next;
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") return null;
    throw error; // an outage or a throttle: the session may well be alive
  }
}

/**
 * Trades the refresh cookie for a new access token. Concurrent callers share
 * one request. Resolves null when the API says there is no session (no
 * cookie, revoked, expired): a tab that was signed in then ends its session
 * (once, with the notice); any other tab is simply signed out. Rejects with
 * the ApiError of an outage, keeping the session.
 */
export function refresh(): Promise<Session | null> {
  inflight ??= withRefreshLock(requestRefresh)
    .then((next) => {
      if (!next) {
        setHint(false);
        if (status === "signed-in") endSession();
        else clearSession();
      }
      return next;
    })
    .finally(() => {
      inflight = null;
    });
  return inflight;
}

/**
 * The token to send now: the current one, or a new one first when it is
 * about to expire (a laptop that slept past the silent refresh). Null when
 * signed out. Rejects like `refresh()`; an ended session rejects with an
 * UNAUTHENTICATED ApiError marked `sessionEnded`.
 */
export async function freshToken(now: number = Date.now()): Promise<string | null> {
  if (!session) return inflight ? ((await inflight)?.accessToken ?? null) : null;
  if (session.expiresAt - now > SEND_MARGIN_MS) return session.accessToken;
  const next = await refresh();
  if (next) return next.accessToken;
  throw sessionEndedError();
}

/**
 * After the API refused `rejected`: the token to retry with, or null when
 * the session is over. If another request already refreshed meanwhile, its
 * token is used and no second refresh is sent.
 */
export async function tokenAfterRejection(rejected: string): Promise<string | null> {
  if (session && session.accessToken !== rejected) return session.accessToken;
  return (await refresh())?.accessToken ?? null;
}

export function sessionEndedError(): ApiError {
  const error = new ApiError("UNAUTHENTICATED", "Your session has ended. Please log in again.");
  error.sessionEnded = true;
  return error;
}

function schedule(current: Session): void {
  clearTimeout(timer);
  const ahead = Math.min(REFRESH_AHEAD_MS, current.lifetime / 4);
  const delay = Math.max(0, current.expiresAt - ahead - Date.now());
  timer = setTimeout(() => void silentRefresh(current), delay);
}

async function silentRefresh(current: Session): Promise<void> {
  if (session !== current) return; // replaced meanwhile
  try {
    await refresh(); // null: refresh() already ended the session, with the notice
  } catch {
    // The server is away: try again soon, while the token may still be good.
    if (session === current) {
      clearTimeout(timer);
      timer = setTimeout(() => void silentRefresh(current), RETRY_AFTER_OUTAGE_MS);
    }
  }
}

/**
 * Runs at start-up, before any route renders (the splash shows while it
 * runs): a reload or a new tab is signed in again through the refresh
 * cookie, and a visitor with no cookie is simply signed out. When the server
 * cannot answer, it rejects with that ApiError and the status stays
 * "restoring": whether this browser has a session is unknown, and neither the
 * login page nor the app would be the truth (the splash offers a retry).
 */
export async function restoreSession(): Promise<void> {
  if (status === "signed-in") return;
  if (!mayHaveSession()) {
    clearSession();
    return;
  }
  status = "restoring";
  emit();
  await refresh();
}

// ---------------------------------------------------------------------------
// Login, logout and the other tabs.

let channel: TabChannel | null = null;

/** After a login in this tab: keep the token, tell the other tabs. */
export function signedIn(next: Session, notice: string | null = null): void {
  securityNotice = notice;
  setSession(next);
  channel?.post({ type: "login" });
}

/**
 * Ends the session on the server (the API revokes it and clears the cookie),
 * then here and in every other tab. The bearer goes along only while it is
 * valid; the cookie names the session either way. An outage rejects and
 * changes nothing: the user must not believe they are signed out of a
 * shared computer while the session lives on. An UNAUTHENTICATED answer
 * means the session was already over, which is what logging out wants.
 */
export async function logOut(now: number = Date.now()): Promise<void> {
  const token = session && session.expiresAt - now > SEND_MARGIN_MS ? session.accessToken : null;
  try {
    await send(LogoutMutation, {}, token);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "UNAUTHENTICATED")) throw error;
  }
  signedOut();
}

/** The session is gone server-side (logout, password change): forget it here and in other tabs. */
export function signedOut(): void {
  securityNotice = null;
  setHint(false);
  clearSession();
  channel?.post({ type: "logout" });
}

async function onTabMessage(message: AuthMessage): Promise<void> {
  if (message.type === "logout") {
    if (status === "signed-out") return;
    securityNotice = null;
    clearSession();
    handlers.onSignedOutElsewhere?.();
    return;
  }
  // Another tab logged in: the shared cookie names a session now. A tab that
  // was signed out picks it up; a signed-in tab learns whether it changed.
  const wasSignedIn = status === "signed-in";
  try {
    const next = await refresh();
    if (next && !wasSignedIn) handlers.onSignedInElsewhere?.();
  } catch {
    // The server is away; the next request will try again.
  }
}

/** Listens to the other tabs; returns the stop function. */
export function startTabSync(open: typeof openTabChannel = openTabChannel): () => void {
  channel?.close();
  const opened = open((message) => void onTabMessage(message));
  channel = opened;
  return () => {
    opened.close();
    if (channel === opened) channel = null;
  };
}

// ---------------------------------------------------------------------------
// The security notice of a login (a stolen refresh token was caught).

export function getSecurityNotice(): string | null {
  return securityNotice;
}

export function dismissSecurityNotice(): void {
  securityNotice = null;
  emit();
}

/** Tests: back to the state of a fresh page. */
export function resetAuthForTests(): void {
  clearTimeout(timer);
  timer = undefined;
  session = null;
  status = "signed-out";
  securityNotice = null;
  endedHandled = false;
  inflight = null;
  handlers = {};
  channel?.close();
  channel = null;
  setHint(false);
}
