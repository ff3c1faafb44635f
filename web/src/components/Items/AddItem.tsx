import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { itemSchema } from "../../lib/validation";
import { Modal } from "../Common/Modal";
import { useToast } from "../Common/Toasts";
import { ItemFormFields } from "./ItemForm";
import { CreateItemMutation, ITEMS_KEY } from "./queries";

export function AddItem() {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const create = useMutation({
    mutationFn: (input: { title: string; description: string | null }) =>
      execute(CreateItemMutation, { input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ITEMS_KEY }),
  });
  const form = useZodForm(
    itemSchema,
    ["title", "description"],
    async (values) => {
      await create.mutateAsync(values);
      toast.success("Item created.");
      setOpen(false);
    },
    toast.error,
  );
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Add item
      </button>
      <Modal open={open} title="Add item" onClose={() => setOpen(false)}>
        <form onSubmit={form.onSubmit} noValidate>
          <ItemFormFields form={form} />
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
