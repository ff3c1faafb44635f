import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { graphql } from "../../gql";
import { meQuery, useAuth } from "../../hooks/useAuth";
import { usePasswordLimits } from "../../hooks/usePasswordLimits";
import { execute } from "../../lib/graphql-client";
import { updateUserSchema } from "../../lib/validation";
import { FormDialog } from "../Common/FormDialog";
import { useToast } from "../Common/Toasts";
import { AUDIT_KEY, USERS_KEY } from "./keys";
import { UserFormFields, type UserValues } from "./UserFormFields";
import { UserSessions } from "./UserSessions";

const UpdateUserMutation = graphql(`
  mutation UpdateUser($id: UUID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
    }
  }
`);

type UpdateInput = UserValues & { password: string | null };

export type EditableUser = UserValues & { id: string };

/** The list's one edit dialog, open while `user` is set (see UsersPage). */
export function EditUser({ user, onClose }: { user: EditableUser | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const { user: me } = useAuth();
  const limits = usePasswordLimits();
  const schema = useMemo(() => updateUserSchema(limits), [limits]);
  const update = useMutation({
    mutationFn: ({ id, values: { password, ...rest } }: { id: string; values: UpdateInput }) =>
      execute(UpdateUserMutation, {
        id,
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
    <FormDialog
      open={user !== null}
      title="Edit user"
      onClose={onClose}
      schema={schema}
      fields={["email", "fullName", "password"]}
      onSubmit={async (values) => {
        if (!user) return;
        await update.mutateAsync({ id: user.id, values });
        toast.success("User updated.");
      }}
    >
      {(form) => (
        <>
          <UserFormFields form={form} user={user ?? undefined} passwordLimits={limits} />
          {user ? <UserSessions user={user} isSelf={user.id === me?.id} /> : null}
        </>
      )}
    </FormDialog>
  );
}
