import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";
import { graphql } from "../../gql";
import { usePasswordLimits } from "../../hooks/usePasswordLimits";
import { clearSession } from "../../lib/auth";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { changePasswordSchema } from "../../lib/validation";
import { NewPasswordFields } from "../Auth/NewPasswordFields";
import { PasswordField } from "../Common/Field";
import { Form, SubmitButton } from "../Common/Form";

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      message
    }
  }
`);

export function ChangePassword() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const limits = usePasswordLimits();
  const schema = useMemo(() => changePasswordSchema(limits), [limits]);
  const form = useZodForm(
    schema,
    ["currentPassword", "newPassword", "confirmPassword"],
    async ({ currentPassword, newPassword }) => {
      await execute(ChangePasswordMutation, { input: { currentPassword, newPassword } });
      // A password change revokes every token issued before it, this one
      // included: log in again rather than wait for the next request to fail.
      clearSession();
      queryClient.clear();
      await navigate({ to: "/login", search: { reason: "password-changed" } });
    },
  );
  return (
    <section aria-labelledby="password-heading" className="settings-card">
      <h2 id="password-heading">Change password</h2>
      <Form form={form} actions={<SubmitButton form={form}>Change password</SubmitButton>}>
        <PasswordField
          label="Current password"
          name="currentPassword"
          autoComplete="current-password"
          required
          error={form.errors.currentPassword}
        />
        <NewPasswordFields form={form} confirmLabel="Confirm new password" />
      </Form>
    </section>
  );
}
