import { Field } from "../Common/Field";

/**
 * The 6-digit code of an authenticator app: the numeric keypad on phones,
 * and the browser's or the OS's one-time-code autofill. Spaces and dashes
 * are allowed in what is typed (see lib/codes.ts), so no maxLength of 6.
 */
export function TotpCodeField({
  name = "code",
  label = "Authentication code",
  error,
  hint,
}: {
  name?: string;
  label?: string;
  error: string | undefined;
  hint?: string;
}) {
  return (
    <Field
      label={label}
      name={name}
      inputMode="numeric"
      autoComplete="one-time-code"
      autoCapitalize="off"
      spellCheck={false}
      maxLength={12}
      required
      error={error}
      hint={hint}
    />
  );
}

/** A one-time recovery code (`xxxxx-xxxxx`), never autofilled or corrected. */
export function RecoveryCodeField({
  name = "code",
  label = "Recovery code",
  error,
  hint,
}: {
  name?: string;
  label?: string;
  error: string | undefined;
  hint?: string;
}) {
  return (
    <Field
      label={label}
      name={name}
      autoComplete="off"
      autoCapitalize="off"
      autoCorrect="off"
      spellCheck={false}
      maxLength={24}
      required
      error={error}
      hint={hint}
    />
  );
}
