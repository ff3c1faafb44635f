import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
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

export function DeleteUser({ id, email }: { id: string; email: string }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation({
    mutationFn: () => execute(DeleteUserMutation, { id }),
    onSuccess: () => {
      toast.success("User deleted.");
      setOpen(false);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: USERS_KEY }),
        queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
      ]);
    },
  });
  return (
    <>
      <button
        type="button"
        className="danger outline"
        aria-label={`Delete ${email}`}
        onClick={() => {
          remove.reset();
          setOpen(true);
        }}
      >
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title="Delete user"
        message={`Delete ${email} and all of their items? This cannot be undone.`}
        confirmLabel="Delete"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
