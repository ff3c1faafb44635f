import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import { execute } from "../../lib/graphql-client";
import { itemSchema } from "../../lib/validation";
import { FormDialog } from "../Common/FormDialog";
import { useToast } from "../Common/Toasts";
import { ITEM_FIELDS, ItemFormFields, type ItemValues } from "./ItemFormFields";
import { ITEMS_KEY } from "./keys";

const CreateItemMutation = graphql(`
  mutation CreateItem($input: CreateItemInput!) {
    createItem(input: $input) {
      id
    }
  }
`);

export function AddItem() {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const create = useMutation({
    mutationFn: (input: ItemValues) => execute(CreateItemMutation, { input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ITEMS_KEY }),
  });
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Add item
      </button>
      <FormDialog
        open={open}
        title="Add item"
        onClose={() => setOpen(false)}
        schema={itemSchema}
        fields={ITEM_FIELDS}
        onSubmit={async (values) => {
          await create.mutateAsync(values);
          toast.success("Item created.");
        }}
      >
        {(form) => <ItemFormFields form={form} />}
      </FormDialog>
    </>
  );
}
