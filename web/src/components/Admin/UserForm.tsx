import type { ZodForm } from "../../lib/form";
import { Checkbox, Field } from "../Common/Field";

export interface UserValues {
  email: string;
  fullName: string | null;
  isActive: boolean;
  isSuperuser: boolean;
}

export function UserFormFields({
  form,
  user,
  withPassword,
}: {
  form: ZodForm;
  user?: UserValues;
  withPassword: boolean;
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
        defaultValue={user?.fullName ?? ""}
        error={form.errors.fullName}
      />
      {withPassword ? (
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="Leave empty to keep the current password."
          error={form.errors.password}
        />
      ) : (
        <p>
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
