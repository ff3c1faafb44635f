import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import { isOutage } from "../../lib/errors";
import { execute } from "../../lib/graphql-client";
import { ErrorMessage } from "../Common/ErrorMessage";
import { ConfirmDialog } from "../Common/Modal";
import { ListSkeleton } from "../Common/PagedTable";
import { useToast } from "../Common/Toasts";
import { SessionList } from "../Sessions/SessionList";
import { AUDIT_KEY, USER_SESSIONS_KEY } from "./keys";

const UserSessionsQuery = graphql(`
  query UserSessions($userId: UUID!) {
    userSessions(userId: $userId) {
      ...SessionFields
    }
  }
`);

const RevokeUserSessionsMutation = graphql(`
  mutation RevokeUserSessions($userId: UUID!) {
    revokeUserSessions(userId: $userId) {
      message
    }
  }
`);

/**
 * A user's sessions in the superuser's edit dialog, and "Log out
 * everywhere" (audited by the API): for a lost laptop or a suspected leak.
 */
export function UserSessions({
  user,
  isSelf,
}: {
  user: { id: string; email: string };
  isSelf: boolean;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const key = [...USER_SESSIONS_KEY, user.id];
  const sessions = useQuery({
    queryKey: key,
    queryFn: async () => (await execute(UserSessionsQuery, { userId: user.id })).userSessions,
    meta: { inlineError: true },
  });
  const revokeAll = useMutation({
    mutationFn: () => execute(RevokeUserSessionsMutation, { userId: user.id }),
    onSuccess: () => {
      toast.success(`${user.email} was logged out everywhere.`);
      close();
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: key }),
        queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
      ]);
    },
  });
  const close = () => {
    revokeAll.reset();
    setConfirming(false);
  };
  const count = sessions.data?.length ?? 0;
  return (
    <section aria-labelledby="user-sessions-heading" data-testid="user-sessions">
      <h3 id="user-sessions-heading">Sessions</h3>
      {sessions.isPending ? (
        <ListSkeleton label="Loading sessions…" rows={1} />
      ) : sessions.isError && isOutage(sessions.error) ? (
        <p className="list-unavailable">The sessions could not be loaded.</p>
      ) : sessions.isError ? (
        <ErrorMessage error={sessions.error}>
          <button type="button" className="secondary" onClick={() => void sessions.refetch()}>
            Retry
          </button>
        </ErrorMessage>
      ) : count === 0 ? (
        <p data-testid="no-user-sessions">Not logged in anywhere.</p>
      ) : (
        <>
          <SessionList sessions={sessions.data} label={`Sessions of ${user.email}`} />
          <button type="button" className="danger outline" onClick={() => setConfirming(true)}>
            Log out everywhere
          </button>
        </>
      )}
      <ConfirmDialog
        open={confirming}
        title="Log out everywhere"
        message={
          isSelf
            ? "End all of your sessions, this one included? You will have to log in again."
            : `End all ${count === 1 ? "" : `${count} `}sessions of ${user.email}? They will have to log in again on every device.`
        }
        confirmLabel="Log out everywhere"
        busy={revokeAll.isPending}
        error={revokeAll.error}
        onConfirm={() => revokeAll.mutate()}
        onClose={close}
      />
    </section>
  );
}
