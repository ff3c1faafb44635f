import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
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

export function EditItem({ item }: { item: ItemValues & { id: string } }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const update = useMutation({
    mutationFn: (input: ItemValues) => execute(UpdateItemMutation, { id: item.id, input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ITEMS_KEY }),
  });
  return (
    <>
      <button
        type="button"
        className="secondary outline"
        aria-label={`Edit ${item.title}`}
        onClick={() => setOpen(true)}
      >
        Edit
      </button>
      <FormDialog
        open={open}
        title="Edit item"
        onClose={() => setOpen(false)}
        schema={itemSchema}
        fields={ITEM_FIELDS}
        onSubmit={async (values) => {
          await update.mutateAsync(values);
          toast.success("Item updated.");
        }}
      >
        {(form) => <ItemFormFields form={form} item={item} />}
      </FormDialog>
    </>
  );
}
