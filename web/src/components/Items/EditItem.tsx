import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { itemSchema } from "../../lib/validation";
import { Modal } from "../Common/Modal";
import { useToast } from "../Common/Toasts";
import { ItemFormFields, type ItemValues } from "./ItemForm";
import { ITEMS_KEY, UpdateItemMutation } from "./queries";

export function EditItem({ item }: { item: ItemValues & { id: string } }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const update = useMutation({
    mutationFn: (input: ItemValues) => execute(UpdateItemMutation, { id: item.id, input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ITEMS_KEY }),
  });
  const form = useZodForm(
    itemSchema,
    ["title", "description"],
    async (values) => {
      await update.mutateAsync(values);
      toast.success("Item updated.");
      setOpen(false);
    },
    toast.error,
  );
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
      <Modal open={open} title="Edit item" onClose={() => setOpen(false)}>
        <form onSubmit={form.onSubmit} noValidate>
          <ItemFormFields form={form} item={item} />
          <footer>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" aria-busy={form.submitting} disabled={form.submitting}>
              Save
            </button>
          </footer>
        </form>
      </Modal>
    </>
  );
}
