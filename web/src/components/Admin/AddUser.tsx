import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import { execute } from "../../lib/graphql-client";
import { createUserSchema } from "../../lib/validation";
import { FormDialog } from "../Common/FormDialog";
import { useToast } from "../Common/Toasts";
import { AUDIT_KEY, USERS_KEY } from "./keys";
import { UserFormFields, type UserValues } from "./UserFormFields";

const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
    }
  }
`);

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
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Add user
      </button>
      <FormDialog
        open={open}
        title="Add user"
        onClose={() => setOpen(false)}
        schema={createUserSchema}
        fields={["email", "fullName"]}
        onSubmit={async (values) => {
          await create.mutateAsync(values);
          toast.success("User created. They will receive an e-mail to set a password.");
        }}
      >
        {(form) => <UserFormFields form={form} />}
      </FormDialog>
    </>
  );
}
