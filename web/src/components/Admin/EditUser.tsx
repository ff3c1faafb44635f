import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { graphql } from "../../gql";
import { meQuery } from "../../hooks/useAuth";
import { usePasswordLimits } from "../../hooks/usePasswordLimits";
import { execute } from "../../lib/graphql-client";
import { updateUserSchema } from "../../lib/validation";
import { FormDialog } from "../Common/FormDialog";
import { useToast } from "../Common/Toasts";
import { AUDIT_KEY, USERS_KEY } from "./keys";
import { UserFormFields, type UserValues } from "./UserFormFields";

const UpdateUserMutation = graphql(`
  mutation UpdateUser($id: UUID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
    }
  }
`);

type UpdateInput = UserValues & { password: string | null };

export function EditUser({ user }: { user: UserValues & { id: string } }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const limits = usePasswordLimits();
  const schema = useMemo(() => updateUserSchema(limits), [limits]);
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
      <FormDialog
        open={open}
        title="Edit user"
        onClose={() => setOpen(false)}
        schema={schema}
        fields={["email", "fullName", "password"]}
        onSubmit={async (values) => {
          await update.mutateAsync(values);
          toast.success("User updated.");
        }}
      >
        {(form) => <UserFormFields form={form} user={user} passwordLimits={limits} />}
      </FormDialog>
    </>
  );
}
