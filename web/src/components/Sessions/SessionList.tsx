import type { ReactNode } from "react";
import { graphql } from "../../gql";
import type { SessionFieldsFragment } from "../../gql/graphql";

// What a session row shows, for the viewer's own sessions (settings) and a
// superuser's view of a user's (the edit dialog).
export const SessionFields = graphql(`
  fragment SessionFields on Session {
    id
    current
    createdAt
    lastUsedAt
    expiresAt
    rememberMe
    mfaUsed
    browser
    os
    device
    ip
    lastIp
  }
`);

export type SessionRow = SessionFieldsFragment;

const dateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "short",
});

export function formatWhen(value: string): string {
  return dateFormat.format(new Date(value));
}

function when(value: string): ReactNode {
  return <time dateTime={value}>{formatWhen(value)}</time>;
}

/** "Firefox on Ubuntu", from the API's parse of the user agent; vague rather than wrong. */
export function describeClient(session: Pick<SessionRow, "browser" | "os" | "device">): string {
  const browser = session.browser?.trim() || "Unknown browser";
  const os = session.os?.trim();
  const device = session.device?.trim();
  const on = [os, device && device !== "Other" ? device : null].filter(Boolean).join(", ");
  return on ? `${browser} on ${on}` : browser;
}

export function SessionList({
  sessions,
  label,
  action,
}: {
  sessions: SessionRow[];
  label: string;
  /** A per-row control (the "Log out" button), or nothing. */
  action?: (session: SessionRow) => ReactNode;
}) {
  return (
    <ul className="session-list" aria-label={label}>
      {sessions.map((session) => {
        const ip = session.lastIp ?? session.ip;
        return (
          <li key={session.id} className="session-item" data-testid="session-row">
            <div>
              <p>
                <strong>{describeClient(session)}</strong>
                {session.current ? <span className="badge">This device</span> : null}
                {session.mfaUsed ? <span className="badge">Second factor</span> : null}
              </p>
              <p className="session-meta">
                Last used {when(session.lastUsedAt)}
                {ip ? <> from {ip}</> : null}
              </p>
              <p className="session-meta">
                Logged in {when(session.createdAt)}
                {session.rememberMe ? (
                  <> · remembered until {when(session.expiresAt)}</>
                ) : (
                  <> · ends when the browser closes</>
                )}
              </p>
            </div>
            {action?.(session)}
          </li>
        );
      })}
    </ul>
  );
}
