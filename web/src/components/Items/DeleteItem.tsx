import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import { execute } from "../../lib/graphql-client";
import { ConfirmDialog } from "../Common/Modal";
import { useToast } from "../Common/Toasts";
import { ITEMS_KEY } from "./keys";

const DeleteItemMutation = graphql(`
  mutation DeleteItem($id: UUID!) {
    deleteItem(id: $id)
  }
`);

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
  });
  return (
    <>
      <button
        type="button"
        className="danger outline"
        aria-label={`Delete ${title}`}
        onClick={() => {
          remove.reset();
          setOpen(true);
        }}
      >
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title="Delete item"
        message={`Delete “${title}”? This cannot be undone.`}
        confirmLabel="Delete"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
