// What the app knows about its link to the server, for the one notice that
// says so: the browser's own online/offline state, and the last outage a
// query ran into (cleared by the next answer that got through). Mutations do
// not report here: the form or dialog that sent one says what happened.
import type { ApiError } from "./errors";

export interface ConnectionState {
  online: boolean;
  outage: ApiError | null;
}

type Listener = () => void;
const listeners = new Set<Listener>();

let state: ConnectionState = {
  online: globalThis.navigator?.onLine !== false,
  outage: null,
};

function set(next: Partial<ConnectionState>): void {
  const merged = { ...state, ...next };
  if (merged.online === state.online && merged.outage === state.outage) return;
  state = merged;
  for (const listener of listeners) listener();
}

export function getConnection(): ConnectionState {
  return state;
}

export function subscribeConnection(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportOutage(error: ApiError): void {
  set({ outage: error });
}

export function clearOutage(): void {
  if (state.outage) set({ outage: null });
}

/** Follows the browser's online/offline events; returns the unsubscribe. */
export function watchBrowserConnection(target: Window = window): () => void {
  const update = () => set({ online: target.navigator.onLine });
  target.addEventListener("online", update);
  target.addEventListener("offline", update);
  update();
  return () => {
    target.removeEventListener("online", update);
    target.removeEventListener("offline", update);
  };
}
