import { useMutation, useQueryClient } from "@tanstack/react-query";
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

/** The list's one delete confirmation, open while `item` is set (see ItemsList). */
export function DeleteItem({
  item,
  onClose,
}: {
  item: { id: string; title: string } | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation({
    mutationFn: (id: string) => execute(DeleteItemMutation, { id }),
    onSuccess: () => {
      toast.success("Item deleted.");
      close();
      return queryClient.invalidateQueries({ queryKey: ITEMS_KEY });
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={item !== null}
      title="Delete item"
      message={`Delete “${item?.title ?? ""}”? This cannot be undone.`}
      confirmLabel="Delete"
      busy={remove.isPending}
      error={remove.error}
      onConfirm={() => item && remove.mutate(item.id)}
      onClose={close}
    />
  );
}
