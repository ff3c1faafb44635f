import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useId, useMemo } from "react";
import { graphql } from "../../gql";
import { usePasswordLimits } from "../../hooks/usePasswordLimits";
import { refresh, signedOut } from "../../lib/auth";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { changePasswordSchema } from "../../lib/validation";
import { NewPasswordFields } from "../Auth/NewPasswordFields";
import { Checkbox, PasswordField } from "../Common/Field";
import { Form, SubmitButton } from "../Common/Form";
import { useToast } from "../Common/Toasts";
import { SESSIONS_KEY } from "./keys";

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
  const toast = useToast();
  const keepHint = useId();
  const form = useZodForm(
    schema,
    ["currentPassword", "newPassword", "confirmPassword"],
    async ({ currentPassword, newPassword, keepCurrentSession }, element) => {
      await execute(ChangePasswordMutation, {
        input: { currentPassword, newPassword, keepCurrentSession },
      });
      if (keepCurrentSession) {
        // Every other session is revoked; this one stays. A new access token
        // now rather than a refused request later, should the change also
        // have retired the tokens issued before it.
        await refresh().catch(() => undefined);
        element.reset();
        toast.success("Password changed. Your other sessions were logged out.");
        await queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
        return;
      }
      // The change revoked every session, this one included: log in again
      // (and so do the other tabs) rather than wait for a request to fail.
      signedOut();
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
        <div className="field">
          <Checkbox
            label="Keep me logged in on this device"
            name="keepCurrentSession"
            defaultChecked
            aria-describedby={keepHint}
          />
          <small id={keepHint} className="field-hint">
            Your other sessions are logged out either way.
          </small>
        </div>
      </Form>
    </section>
  );
}
