import { useMutation, useQueryClient } from "@tanstack/react-query";
import { graphql } from "../../gql";
import { meQuery } from "../../hooks/useAuth";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { updateMeSchema } from "../../lib/validation";
import { Field } from "../Common/Field";
import { Form, SubmitButton } from "../Common/Form";
import { useToast } from "../Common/Toasts";

const UpdateMeMutation = graphql(`
  mutation UpdateMe($input: UpdateMeInput!) {
    updateMe(input: $input) {
      id
      email
      fullName
    }
  }
`);

export function UserInformation({ email, fullName }: { email: string; fullName: string | null }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const update = useMutation({
    mutationFn: (input: { fullName: string | null }) => execute(UpdateMeMutation, { input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
  });
  const form = useZodForm(updateMeSchema, ["fullName"], async (values) => {
    await update.mutateAsync(values);
    toast.success("Profile updated.");
  });
  return (
    <section aria-labelledby="profile-heading" className="settings-card">
      <h2 id="profile-heading">Profile</h2>
      <Form form={form} actions={<SubmitButton form={form}>Save profile</SubmitButton>}>
        <Field
          label="Full name"
          name="fullName"
          autoComplete="name"
          optional
          defaultValue={fullName ?? ""}
          error={form.errors.fullName}
        />
      </Form>
      {/* The address changes with the password and a link to the new one
          (requestEmailChange); the screen for it is the SPA's issue 14 work. */}
      <p data-testid="profile-email">E-mail: {email}</p>
    </section>
  );
}
