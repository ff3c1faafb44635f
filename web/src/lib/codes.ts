// The codes a person types for the second factor: the 6 digits of an
// authenticator app (RFC 6238) and the one-time recovery codes
// (`xxxxx-xxxxx`). People paste them with spaces ("123 456"), dashes or
// capitals, or type a recovery code without its dash; what reaches the API is
// one canonical form, so a wrong code is a wrong code and never a typo in
// the layout. The API stays the authority on what is valid.

/** An authenticator code: exactly six digits once spaces and dashes are gone. */
export const TOTP_PATTERN = /^\d{6}$/;

/** A recovery code as the API issues it: two groups of five, lowercase, no ambiguous letters. */
export const RECOVERY_PATTERN = /^[a-z0-9]{5}-[a-z0-9]{5}$/;

/** "123 456", "123-456", " 123456 " → "123456". Anything else is returned stripped, to be refused. */
export function normaliseTotpCode(raw: string): string {
  return raw.replace(/[\s-]/g, "");
}

/** " ABCDE fghij ", "abcdefghij", "abcde-fghij" → "abcde-fghij". */
export function normaliseRecoveryCode(raw: string): string {
  const compact = raw.replace(/[\s-]/g, "").toLowerCase();
  return compact.length === 10 ? `${compact.slice(0, 5)}-${compact.slice(5)}` : compact;
}

export type SecondFactor = { kind: "totp"; code: string } | { kind: "recovery"; code: string };

/**
 * One field that takes either (turning MFA off): digits only means the app's
 * code, anything else a recovery code. Null when it is neither.
 */
export function parseSecondFactor(raw: string): SecondFactor | null {
  const totp = normaliseTotpCode(raw);
  if (TOTP_PATTERN.test(totp)) return { kind: "totp", code: totp };
  const recovery = normaliseRecoveryCode(raw);
  if (RECOVERY_PATTERN.test(recovery)) return { kind: "recovery", code: recovery };
  return null;
}

/** The base32 secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return (
    secret
      .replace(/\s/g, "")
      .match(/.{1,4}/g)
      ?.join(" ") ?? ""
  );
}

/** The recovery codes as a text file to keep (download or copy). */
export function recoveryCodesText(
  codes: readonly string[],
  account: string,
  now = new Date(),
): string {
  return [
    `Rampart recovery codes for ${account}`,
    `Generated ${now.toISOString().slice(0, 10)}. Each code works once.`,
    "Keep them somewhere safe, away from your password.",
    "",
    ...codes,
    "",
  ].join("\n");
}
