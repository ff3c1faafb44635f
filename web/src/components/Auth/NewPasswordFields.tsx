import { usePasswordLimits } from "../../hooks/usePasswordLimits";
import type { ZodForm } from "../../lib/form";
import { passwordHint } from "../../lib/validation";
import { PasswordField } from "../Common/Field";

/**
 * A new password and its confirmation, with the API's published limits in
 * the hint. The confirmation is always the `confirmPassword` field.
 */
export function NewPasswordFields({
  form,
  name = "newPassword",
  label = "New password",
  confirmLabel = "Confirm password",
}: {
  form: ZodForm;
  name?: string;
  label?: string;
  confirmLabel?: string;
}) {
  const limits = usePasswordLimits();
  return (
    <>
      <PasswordField
        label={label}
        name={name}
        autoComplete="new-password"
        required
        hint={passwordHint(limits)}
        error={form.errors[name]}
      />
      <PasswordField
        label={confirmLabel}
        name="confirmPassword"
        autoComplete="new-password"
        required
        error={form.errors.confirmPassword}
      />
    </>
  );
}
