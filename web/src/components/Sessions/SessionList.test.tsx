import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { SessionList, type SessionRow } from "./SessionList";

afterEach(cleanup);

function session(overrides: Partial<SessionRow>): SessionRow {
  return {
    id: "s",
    current: false,
    createdAt: "2026-12-01T10:00:00Z",
    lastUsedAt: "2026-12-01T11:00:00Z",
    expiresAt: "2026-12-31T10:00:00Z",
    rememberMe: true,
    mfaUsed: false,
    browser: "Firefox 132",
    os: "Linux",
    device: "Desktop",
    ip: "192.0.2.1",
    lastIp: null,
    ...overrides,
  };
}

describe("SessionList", () => {
  it("marks the sessions whose sign-in passed a second factor, and only those", () => {
    render(
      <SessionList
        label="Sessions"
        sessions={[
          session({ id: "with", current: true, mfaUsed: true }),
          session({ id: "without", browser: "Chrome 131" }),
        ]}
      />,
    );
    const rows = screen.getAllByTestId("session-row");
    expect(rows).toHaveLength(2);
    const [withCode, passwordOnly] = rows as [HTMLElement, HTMLElement];
    expect(within(withCode).getByText("Second factor")).toBeTruthy();
    expect(within(withCode).getByText("This device")).toBeTruthy();
    expect(within(passwordOnly).queryByText("Second factor")).toBeNull();
    expect(within(passwordOnly).getByText(/Chrome 131 on Linux, Desktop/)).toBeTruthy();
  });
});
