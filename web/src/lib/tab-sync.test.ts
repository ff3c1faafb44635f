import { describe, expect, it, vi } from "vitest";
import { type AuthMessage, openTabChannel, STORAGE_KEY } from "./tab-sync";

describe("tab sync over BroadcastChannel", () => {
  it("delivers login and logout to the other tabs, not to the sender", async () => {
    const inA: AuthMessage[] = [];
    const inB: AuthMessage[] = [];
    const a = openTabChannel((m) => inA.push(m));
    const b = openTabChannel((m) => inB.push(m));
    try {
      a.post({ type: "login" });
      a.post({ type: "logout" });
      await vi.waitFor(() => expect(inB).toEqual([{ type: "login" }, { type: "logout" }]));
      expect(inA).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("ignores anything that is not one of ours", async () => {
    const received: AuthMessage[] = [];
    const tab = openTabChannel((m) => received.push(m));
    const stranger = new BroadcastChannel("rampart.auth");
    try {
      stranger.postMessage({ type: "steal", token: "x" });
      stranger.postMessage("logout");
      stranger.postMessage({ type: "logout" });
      await vi.waitFor(() => expect(received).toEqual([{ type: "logout" }]));
    } finally {
      tab.close();
      stranger.close();
    }
  });
});

describe("tab sync without BroadcastChannel (the storage event)", () => {
  function storageTab() {
    const target = new EventTarget();
    const received: AuthMessage[] = [];
    const written: (string | null)[] = [];
    const store = {
      setItem: (key: string, value: string) => {
        if (key === STORAGE_KEY) written.push(value);
      },
      removeItem: () => written.push(null),
    } as unknown as Storage;
    const channel = openTabChannel((m) => received.push(m), {
      BroadcastChannel: undefined,
      localStorage: store,
      addEventListener: target.addEventListener.bind(target) as Window["addEventListener"],
      removeEventListener: target.removeEventListener.bind(target) as Window["removeEventListener"],
    });
    return { target, received, written, channel };
  }

  it("writes the message and removes it at once; other tabs hear the write", () => {
    const sender = storageTab();
    const receiver = storageTab();
    sender.channel.post({ type: "logout" });
    const [value, removed] = sender.written;
    expect(removed).toBeNull(); // nothing lingers in localStorage
    expect(value).not.toContain("token");
    // What the browser does in every other tab:
    receiver.target.dispatchEvent(
      new StorageEvent("storage", { key: STORAGE_KEY, newValue: value ?? null }),
    );
    receiver.target.dispatchEvent(
      new StorageEvent("storage", { key: STORAGE_KEY, newValue: null }),
    );
    receiver.target.dispatchEvent(
      new StorageEvent("storage", { key: "theme", newValue: '{"type":"logout"}' }),
    );
    expect(receiver.received).toEqual([{ type: "logout" }]);
  });

  it("two logouts in a row are two events (the value changes)", () => {
    const sender = storageTab();
    sender.channel.post({ type: "logout" });
    sender.channel.post({ type: "logout" });
    const values = sender.written.filter((v) => v !== null);
    expect(new Set(values).size).toBe(2);
  });

  it("stops listening when closed", () => {
    const receiver = storageTab();
    receiver.channel.close();
    receiver.target.dispatchEvent(
      new StorageEvent("storage", { key: STORAGE_KEY, newValue: '{"type":"logout"}' }),
    );
    expect(receiver.received).toEqual([]);
  });
});
