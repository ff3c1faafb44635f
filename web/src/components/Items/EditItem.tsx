import { useMutation, useQueryClient } from "@tanstack/react-query";
import { graphql } from "../../gql";
import { execute } from "../../lib/graphql-client";
import { itemSchema } from "../../lib/validation";
import { FormDialog } from "../Common/FormDialog";
import { useToast } from "../Common/Toasts";
import { ITEM_FIELDS, ItemFormFields, type ItemValues } from "./ItemFormFields";
import { ITEMS_KEY } from "./keys";

const UpdateItemMutation = graphql(`
  mutation UpdateItem($id: UUID!, $input: UpdateItemInput!) {
    updateItem(id: $id, input: $input) {
      id
    }
  }
`);

export type EditableItem = ItemValues & { id: string };

/** The list's one edit dialog, open while `item` is set (see ItemsList). */
export function EditItem({ item, onClose }: { item: EditableItem | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const update = useMutation({
    mutationFn: ({ id, input }: { id: string; input: ItemValues }) =>
      execute(UpdateItemMutation, { id, input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ITEMS_KEY }),
  });
  return (
    <FormDialog
      open={item !== null}
      title="Edit item"
      onClose={onClose}
      schema={itemSchema}
      fields={ITEM_FIELDS}
      onSubmit={async (input) => {
        if (!item) return;
        await update.mutateAsync({ id: item.id, input });
        toast.success("Item updated.");
      }}
    >
      {(form) => <ItemFormFields form={form} item={item ?? undefined} />}
    </FormDialog>
  );
}
