import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { execute } from "../../lib/graphql-client";
import { ConfirmDialog } from "../Common/Modal";
import { reportError, useToast } from "../Common/Toasts";
import { DeleteItemMutation, ITEMS_KEY } from "./queries";

export function DeleteItem({ id, title }: { id: string; title: string }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation({
    mutationFn: () => execute(DeleteItemMutation, { id }),
    onSuccess: () => {
      toast.success("Item deleted.");
      setOpen(false);
      return queryClient.invalidateQueries({ queryKey: ITEMS_KEY });
    },
    onError: (error) => reportError(toast, error),
  });
  return (
    <>
      <button
        type="button"
        className="danger outline"
        aria-label={`Delete ${title}`}
        onClick={() => setOpen(true)}
      >
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title="Delete item"
        message={`Delete “${title}”? This cannot be undone.`}
        confirmLabel="Delete"
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
