// Tells the other tabs of this browser that the user logged in or out. The
// messages carry no token and nothing secret: a tab that hears "login" asks
// the API for its own access token through the shared refresh cookie, and a
// tab that hears "logout" forgets its token.
//
// BroadcastChannel where the browser has it; otherwise the `storage` event,
// which every other same-origin tab receives when localStorage changes (the
// key is written and removed at once, so nothing lingers there).

export type AuthMessage = { type: "login" } | { type: "logout" };

export interface TabChannel {
  post(message: AuthMessage): void;
  close(): void;
}

export const CHANNEL_NAME = "rampart.auth";
export const STORAGE_KEY = "rampart.auth-event";

function parse(data: unknown): AuthMessage | null {
  if (typeof data !== "object" || data === null) return null;
  const type = (data as { type?: unknown }).type;
  return type === "login" || type === "logout" ? { type } : null;
}

interface TabEnvironment {
  BroadcastChannel?: typeof BroadcastChannel | undefined;
  localStorage?: Storage | undefined;
  addEventListener?: Window["addEventListener"] | undefined;
  removeEventListener?: Window["removeEventListener"] | undefined;
}

function localStorageOf(env: TabEnvironment): Storage | undefined {
  try {
    return env.localStorage;
  } catch {
    return undefined; // storage disabled: no fallback channel
  }
}

export function openTabChannel(
  onMessage: (message: AuthMessage) => void,
  env: TabEnvironment = globalThis as TabEnvironment,
): TabChannel {
  if (typeof env.BroadcastChannel === "function") {
    const channel = new env.BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = (event: MessageEvent) => {
      const message = parse(event.data);
      if (message) onMessage(message);
    };
    return {
      post: (message) => channel.postMessage(message),
      close: () => channel.close(),
    };
  }

  const store = localStorageOf(env);
  const onStorage = (event: StorageEvent) => {
    if (event.key !== STORAGE_KEY || !event.newValue) return;
    try {
      const message = parse(JSON.parse(event.newValue));
      if (message) onMessage(message);
    } catch {
      // not ours, or corrupt: ignore
    }
  };
  env.addEventListener?.("storage", onStorage);
  let sequence = 0;
  return {
    post: (message) => {
      if (!store) return;
      try {
        // A changing value: writing the same string twice fires no event.
        store.setItem(
          STORAGE_KEY,
          JSON.stringify({ ...message, n: `${Date.now()}-${sequence++}` }),
        );
        store.removeItem(STORAGE_KEY);
      } catch {
        // quota or disabled storage: the other tabs find out at their next request
      }
    },
    close: () => env.removeEventListener?.("storage", onStorage),
  };
}
