import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { graphql } from "../../gql";
import { signedOut } from "../../lib/auth";
import { execute } from "../../lib/graphql-client";
import { ConfirmDialog } from "../Common/Modal";
import { useToast } from "../Common/Toasts";

const DeleteMeMutation = graphql(`
  mutation DeleteMe {
    deleteMe {
      message
    }
  }
`);

export function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const remove = useMutation({
    mutationFn: () => execute(DeleteMeMutation),
    onSuccess: async () => {
      signedOut(); // the API ended every session of the account; the other tabs follow
      queryClient.clear();
      toast.success("Your account and its items were deleted.");
      await navigate({ to: "/login" });
    },
  });
  return (
    <section aria-labelledby="danger-heading" className="settings-card danger-zone">
      <h2 id="danger-heading">Danger zone</h2>
      <p>Delete your account and all of its items. This cannot be undone.</p>
      <button
        type="button"
        className="danger"
        onClick={() => {
          remove.reset();
          setOpen(true);
        }}
      >
        Delete account
      </button>
      <ConfirmDialog
        open={open}
        title="Delete account"
        message="All your data will be permanently deleted. Are you sure?"
        confirmLabel="Delete my account"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => setOpen(false)}
      />
    </section>
  );
}
