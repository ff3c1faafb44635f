import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { meQuery } from "../../hooks/useAuth";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { updateUserSchema } from "../../lib/validation";
import { Modal } from "../Common/Modal";
import { useToast } from "../Common/Toasts";
import { AUDIT_KEY, UpdateUserMutation, USERS_KEY } from "./queries";
import type { UserValues } from "./UserForm";
import { UserFormFields } from "./UserForm";

type UpdateInput = UserValues & { password: string | null };

export function EditUser({ user }: { user: UserValues & { id: string } }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const update = useMutation({
    mutationFn: ({ password, ...rest }: UpdateInput) =>
      execute(UpdateUserMutation, {
        id: user.id,
        // Omit the password unless one was typed: null would mean "clear it".
        input: password ? { ...rest, password } : rest,
      }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: USERS_KEY }),
        queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
        queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
      ]),
  });
  const form = useZodForm(
    updateUserSchema,
    ["email", "fullName", "password"],
    async (values) => {
      await update.mutateAsync(values);
      toast.success("User updated.");
      setOpen(false);
    },
    toast.error,
  );
  return (
    <>
      <button
        type="button"
        className="secondary outline"
        aria-label={`Edit ${user.email}`}
        onClick={() => setOpen(true)}
      >
        Edit
      </button>
      <Modal open={open} title="Edit user" onClose={() => setOpen(false)}>
        <form onSubmit={form.onSubmit} noValidate>
          <UserFormFields form={form} user={user} withPassword />
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
