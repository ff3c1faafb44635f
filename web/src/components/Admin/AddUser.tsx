import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { createUserSchema } from "../../lib/validation";
import { Modal } from "../Common/Modal";
import { useToast } from "../Common/Toasts";
import { AUDIT_KEY, CreateUserMutation, USERS_KEY } from "./queries";
import { UserFormFields, type UserValues } from "./UserForm";

export function AddUser() {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const create = useMutation({
    mutationFn: (input: UserValues) => execute(CreateUserMutation, { input }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: USERS_KEY }),
        queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
      ]),
  });
  const form = useZodForm(
    createUserSchema,
    ["email", "fullName"],
    async (values) => {
      await create.mutateAsync(values);
      toast.success("User created. They will receive an e-mail to set a password.");
      setOpen(false);
    },
    toast.error,
  );
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Add user
      </button>
      <Modal open={open} title="Add user" onClose={() => setOpen(false)}>
        <form onSubmit={form.onSubmit} noValidate>
          <UserFormFields form={form} withPassword={false} />
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
