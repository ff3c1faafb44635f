import type { ZodForm } from "../../lib/form";
import { type PasswordLimits, passwordHint } from "../../lib/validation";
import { Checkbox, Field, PasswordField } from "../Common/Field";

export interface UserValues {
  email: string;
  fullName: string | null;
  isActive: boolean;
  isSuperuser: boolean;
}

export function UserFormFields({
  form,
  user,
  passwordLimits,
}: {
  form: ZodForm;
  user?: UserValues;
  /** Offer to set a new password (editing), within these limits. */
  passwordLimits?: PasswordLimits;
}) {
  return (
    <>
      <Field
        label="E-mail"
        name="email"
        type="email"
        required
        autoComplete="off"
        defaultValue={user?.email ?? ""}
        error={form.errors.email}
      />
      <Field
        label="Full name"
        name="fullName"
        autoComplete="off"
        optional
        defaultValue={user?.fullName ?? ""}
        error={form.errors.fullName}
      />
      {passwordLimits ? (
        <PasswordField
          label="New password"
          name="password"
          autoComplete="new-password"
          hint={`Leave empty to keep the current password. ${passwordHint(passwordLimits)}`}
          error={form.errors.password}
        />
      ) : (
        <p className="muted">
          <small>The user gets an e-mail with a link to choose a password.</small>
        </p>
      )}
      <fieldset>
        <legend>Access</legend>
        <Checkbox
          label="Superuser"
          name="isSuperuser"
          defaultChecked={user?.isSuperuser ?? false}
        />
        <Checkbox label="Active" name="isActive" defaultChecked={user?.isActive ?? true} />
      </fieldset>
    </>
  );
}
