import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import { isOutage } from "../../lib/errors";
import { execute } from "../../lib/graphql-client";
import { ErrorMessage } from "../Common/ErrorMessage";
import { ConfirmDialog } from "../Common/Modal";
import { ListSkeleton } from "../Common/PagedTable";
import { useToast } from "../Common/Toasts";
import { describeClient, formatWhen, SessionList, type SessionRow } from "../Sessions/SessionList";
import { SESSIONS_KEY } from "./keys";

const SessionsQuery = graphql(`
  query MySessions {
    sessions {
      ...SessionFields
    }
  }
`);

const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: UUID!) {
    revokeSession(id: $id) {
      message
    }
  }
`);

const LogoutOthersMutation = graphql(`
  mutation LogoutOtherSessions {
    logoutEverywhere(keepCurrent: true) {
      message
    }
  }
`);

/**
 * Settings → Sessions: this device, the others (browser, system, address,
 * last use), log out one of them or all of them. Logging out this device is
 * the header's Log out.
 */
export function Sessions() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const sessions = useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: async () => (await execute(SessionsQuery)).sessions,
    meta: { inlineError: true },
  });
  const [revoking, setRevoking] = useState<SessionRow | null>(null);
  const [revokingOthers, setRevokingOthers] = useState(false);
  const revoke = useMutation({
    mutationFn: (id: string) => execute(RevokeSessionMutation, { id }),
    onSuccess: () => {
      toast.success("That session was logged out.");
      closeRevoke();
      return queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
  });
  const revokeOthers = useMutation({
    mutationFn: () => execute(LogoutOthersMutation),
    onSuccess: () => {
      toast.success("Your other sessions were logged out.");
      closeOthers();
      return queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
  });
  const closeRevoke = () => {
    revoke.reset();
    setRevoking(null);
  };
  const closeOthers = () => {
    revokeOthers.reset();
    setRevokingOthers(false);
  };

  const current = sessions.data?.filter((s) => s.current) ?? [];
  const others = sessions.data?.filter((s) => !s.current) ?? [];
  return (
    <section aria-labelledby="sessions-heading" className="settings-card" data-testid="sessions">
      <h2 id="sessions-heading">Sessions</h2>
      <p>Where you are logged in. Log out anything you don't recognise.</p>
      {sessions.isPending ? (
        <ListSkeleton label="Loading your sessions…" rows={2} />
      ) : sessions.isError && isOutage(sessions.error) ? (
        // An outage is said once, app-wide, with its own Retry (ConnectionNotice).
        <p className="list-unavailable">Your sessions could not be loaded.</p>
      ) : sessions.isError ? (
        <ErrorMessage error={sessions.error}>
          <button type="button" className="secondary" onClick={() => void sessions.refetch()}>
            Retry
          </button>
        </ErrorMessage>
      ) : (
        <>
          <h3>This device</h3>
          <SessionList sessions={current} label="This device" />
          <h3>Other devices</h3>
          {others.length === 0 ? (
            <p data-testid="no-other-sessions">You are not logged in anywhere else.</p>
          ) : (
            <>
              <SessionList
                sessions={others}
                label="Other devices"
                action={(session) => (
                  <button
                    type="button"
                    className="secondary outline"
                    aria-label={`Log out ${describeClient(session)}, last used ${formatWhen(session.lastUsedAt)}`}
                    onClick={() => setRevoking(session)}
                  >
                    Log out
                  </button>
                )}
              />
              <button type="button" className="danger" onClick={() => setRevokingOthers(true)}>
                Log out all other sessions
              </button>
            </>
          )}
        </>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Log out session"
        message={`Log out ${revoking ? describeClient(revoking) : ""}? Whoever uses it will have to log in again.`}
        confirmLabel="Log out"
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={closeRevoke}
      />
      <ConfirmDialog
        open={revokingOthers}
        title="Log out all other sessions"
        message={`Log out ${others.length === 1 ? "the other session" : `all ${others.length} other sessions`}? This device stays logged in.`}
        confirmLabel="Log out all other sessions"
        busy={revokeOthers.isPending}
        error={revokeOthers.error}
        onConfirm={() => revokeOthers.mutate()}
        onClose={closeOthers}
      />
    </section>
  );
}
