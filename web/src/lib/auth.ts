// Where the access token lives, and the one reaction to losing it.
//
// The token is kept in sessionStorage (see docs/spa.md for why): it survives a
// reload of the tab, dies with the tab, is never sent automatically by the
// browser (so no CSRF), and only same-origin script can read it, which the
// CSP (script-src 'self', no inline script) keeps to our own bundle.

const STORAGE_KEY = "rampart.session";

export interface Session {
  accessToken: string;
  /** Epoch milliseconds after which the API will refuse the token. */
  expiresAt: number;
}

type Listener = () => void;
const listeners = new Set<Listener>();

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled: the session lives in memory only
  }
}

let memory: Session | null = null;
let cached: Session | null | undefined;

function parse(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.accessToken === "string" && typeof value.expiresAt === "number") {
      return { accessToken: value.accessToken, expiresAt: value.expiresAt };
    }
  } catch {
    // fall through: a corrupt entry is no session
  }
  return null;
}

export function getSession(now: number = Date.now()): Session | null {
  if (cached === undefined) {
    const store = storage();
    cached = store ? parse(store.getItem(STORAGE_KEY)) : memory;
  }
  if (cached && cached.expiresAt <= now) return null;
  return cached;
}

export function getAccessToken(): string | null {
  return getSession()?.accessToken ?? null;
}

export function isLoggedIn(): boolean {
  return getSession() !== null;
}

export function setSession(session: Session): void {
  cached = session;
  const store = storage();
  if (store) store.setItem(STORAGE_KEY, JSON.stringify(session));
  else memory = session;
  unauthenticatedHandled = false;
  emit();
}

export function clearSession(): void {
  cached = null;
  memory = null;
  storage()?.removeItem(STORAGE_KEY);
  emit();
}

/** Tests and other tabs: forget the cached copy and re-read storage. */
export function reloadSession(): void {
  cached = undefined;
  emit();
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  for (const listener of listeners) listener();
}

// ---------------------------------------------------------------------------
// The single global UNAUTHENTICATED handler. Several queries in flight can all
// fail with UNAUTHENTICATED at once; the user must be sent to log in exactly
// once, so the handler latches until the next successful login.

let onUnauthenticated: (() => void) | null = null;
let unauthenticatedHandled = false;

export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/** Called by the GraphQL client whenever the API rejects our token. Returns true the first time. */
export function handleUnauthenticated(): boolean {
  if (unauthenticatedHandled) return false;
  unauthenticatedHandled = true;
  clearSession();
  onUnauthenticated?.();
  return true;
}
