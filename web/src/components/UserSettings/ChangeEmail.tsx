import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { graphql } from "../../gql";
import { meQuery } from "../../hooks/useAuth";
import { execute } from "../../lib/graphql-client";
import { emailChangeSchema } from "../../lib/validation";
import { TotpCodeField } from "../Auth/CodeField";
import { Field, PasswordField } from "../Common/Field";
import { FormDialog } from "../Common/FormDialog";
import { useToast } from "../Common/Toasts";

const RequestEmailChangeMutation = graphql(`
  mutation RequestEmailChange($input: RequestEmailChangeInput!) {
    requestEmailChange(input: $input) {
      message
    }
  }
`);

/**
 * Starts an address change: the new address, the password (and the app's
 * code with MFA on). The API e-mails a link to the new address and a notice
 * to the old one; the address changes when the link is opened.
 */
export function ChangeEmail({
  open,
  withCode,
  onClose,
  onRequested,
}: {
  open: boolean;
  withCode: boolean;
  onClose: () => void;
  onRequested: (newEmail: string) => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const schema = useMemo(() => emailChangeSchema(withCode), [withCode]);
  const request = useMutation({
    mutationFn: (input: { newEmail: string; password: string; code?: string | null }) =>
      execute(RequestEmailChangeMutation, { input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
  });
  return (
    <FormDialog
      open={open}
      title="Change e-mail"
      onClose={onClose}
      schema={schema}
      fields={withCode ? ["newEmail", "password", "code"] : ["newEmail", "password"]}
      submitLabel="Send link"
      onSubmit={async ({ newEmail, password, code }) => {
        await request.mutateAsync(
          withCode && code ? { newEmail, password, code } : { newEmail, password },
        );
        onRequested(newEmail);
        toast.success(`Check your new inbox: we sent a link to ${newEmail}.`);
      }}
    >
      {(form) => (
        <>
          <p>We send a link to the new address; the change happens when you open it.</p>
          <Field
            label="New e-mail"
            name="newEmail"
            type="email"
            autoComplete="email"
            required
            error={form.errors.newEmail}
          />
          <PasswordField
            label="Your password"
            name="password"
            autoComplete="current-password"
            required
            error={form.errors.password}
          />
          {withCode ? <TotpCodeField label="Code from your app" error={form.errors.code} /> : null}
        </>
      )}
    </FormDialog>
  );
}
