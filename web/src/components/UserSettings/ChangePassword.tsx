import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { graphql } from "../../gql";
import { clearSession } from "../../lib/auth";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { changePasswordSchema, PASSWORD_MAX, PASSWORD_MIN } from "../../lib/validation";
import { Field } from "../Common/Field";
import { useToast } from "../Common/Toasts";

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      message
    }
  }
`);

export function ChangePassword() {
  const toast = useToast();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useZodForm(
    changePasswordSchema,
    ["currentPassword", "newPassword", "confirmPassword"],
    async ({ currentPassword, newPassword }) => {
      await execute(ChangePasswordMutation, { input: { currentPassword, newPassword } });
      // A password change revokes every token issued before it, this one
      // included: log in again rather than wait for the next request to fail.
      clearSession();
      queryClient.clear();
      await navigate({ to: "/login", search: { reason: "password-changed" } });
    },
    toast.error,
  );
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <form onSubmit={form.onSubmit} noValidate>
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          error={form.errors.currentPassword}
        />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          hint={`${PASSWORD_MIN}–${PASSWORD_MAX} characters; a long passphrase is best.`}
          error={form.errors.newPassword}
        />
        <Field
          label="Confirm new password"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          error={form.errors.confirmPassword}
        />
        <button type="submit" aria-busy={form.submitting} disabled={form.submitting}>
          Change password
        </button>
      </form>
    </section>
  );
}
