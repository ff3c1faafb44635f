import { useMutation, useQueryClient } from "@tanstack/react-query";
import { graphql } from "../../gql";
import { execute } from "../../lib/graphql-client";
import { ConfirmDialog } from "../Common/Modal";
import { useToast } from "../Common/Toasts";
import { AUDIT_KEY, USER_SESSIONS_KEY, USERS_KEY } from "./keys";

const ResetUserMfaMutation = graphql(`
  mutation ResetUserMfa($userId: UUID!) {
    resetUserMfa(userId: $userId) {
      message
    }
  }
`);

/**
 * The list's one "Reset MFA" confirmation, open while `user` is set: for a
 * user who lost their phone and their recovery codes. The API audits it,
 * e-mails the user and ends their sessions.
 */
export function ResetMfa({
  user,
  onClose,
}: {
  user: { id: string; email: string } | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const reset = useMutation({
    mutationFn: (userId: string) => execute(ResetUserMfaMutation, { userId }),
    onSuccess: () => {
      toast.success("Two-factor authentication was reset. The user was told by e-mail.");
      close();
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: USERS_KEY }),
        queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
        queryClient.invalidateQueries({ queryKey: USER_SESSIONS_KEY }),
      ]);
    },
  });
  const close = () => {
    reset.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={user !== null}
      title="Reset two-factor authentication"
      message={`Turn off two-factor authentication for ${user?.email ?? ""}? They can log in with the password alone until they set it up again; their sessions end and they are told by e-mail.`}
      confirmLabel="Reset MFA"
      busy={reset.isPending}
      error={reset.error}
      onConfirm={() => user && reset.mutate(user.id)}
      onClose={close}
    />
  );
}
