import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { execute } from "../../lib/graphql-client";
import { ConfirmDialog } from "../Common/Modal";
import { reportError, useToast } from "../Common/Toasts";
import { AUDIT_KEY, DeleteUserMutation, USERS_KEY } from "./queries";

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
    onError: (error) => reportError(toast, error),
  });
  return (
    <>
      <button
        type="button"
        className="danger outline"
        aria-label={`Delete ${email}`}
        onClick={() => setOpen(true)}
      >
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title="Delete user"
        message={`Delete ${email} and all of their items? This cannot be undone.`}
        confirmLabel="Delete"
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
