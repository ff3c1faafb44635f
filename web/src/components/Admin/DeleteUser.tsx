import { useMutation, useQueryClient } from "@tanstack/react-query";
import { graphql } from "../../gql";
import { execute } from "../../lib/graphql-client";
import { ConfirmDialog } from "../Common/Modal";
import { useToast } from "../Common/Toasts";
import { AUDIT_KEY, USERS_KEY } from "./keys";

const DeleteUserMutation = graphql(`
  mutation DeleteUser($id: UUID!) {
    deleteUser(id: $id)
  }
`);

/** The list's one delete confirmation, open while `user` is set (see UsersPage). */
export function DeleteUser({
  user,
  onClose,
}: {
  user: { id: string; email: string } | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation({
    mutationFn: (id: string) => execute(DeleteUserMutation, { id }),
    onSuccess: () => {
      toast.success("User deleted.");
      close();
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: USERS_KEY }),
        queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
      ]);
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={user !== null}
      title="Delete user"
      message={`Delete ${user?.email ?? ""} and all of their items? This cannot be undone.`}
      confirmLabel="Delete"
      busy={remove.isPending}
      error={remove.error}
      onConfirm={() => user && remove.mutate(user.id)}
      onClose={close}
    />
  );
}
