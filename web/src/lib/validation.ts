import * as z from "zod/mini";
import {
  normaliseRecoveryCode,
  normaliseTotpCode,
  parseSecondFactor,
  RECOVERY_PATTERN,
  TOTP_PATTERN,
} from "./codes";

// Mirrors of the API's input rules, so most mistakes are caught before a
// round trip. The API stays the authority: its BAD_USER_INPUT errors land on
// the same fields (see lib/form.ts). zod/mini: the same validator as zod,
// tree-shakeable (full zod alone was 23 KiB of the initial gzip bundle).

/** The API publishes its password limits (publicSettings); these are for before it answers. */
export interface PasswordLimits {
  min: number;
  max: number;
}
export const DEFAULT_PASSWORD_LIMITS: PasswordLimits = { min: 8, max: 128 };
export const PASSWORD_MAX = DEFAULT_PASSWORD_LIMITS.max;
export const EMAIL_MAX = 255;
export const SEARCH_MAX = 100;
export const NAME_MAX = 255;
export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 255;

const email = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, "E-mail is required."),
    z.maxLength(EMAIL_MAX, `E-mail must be at most ${EMAIL_MAX} characters.`),
    z.email("Enter a valid e-mail address."),
  );

const newPassword = ({ min, max }: PasswordLimits) =>
  z
    .string()
    .check(
      z.minLength(min, `Password must be at least ${min} characters.`),
      z.maxLength(max, `Password must be at most ${max} characters.`),
    );

export const passwordHint = ({ min, max }: PasswordLimits) =>
  `${min}–${max} characters; a long passphrase is best.`;

/** Optional text: empty input means "no value" (null). */
const optionalText = (max: number, label: string) =>
  z.pipe(
    z.string().check(z.trim(), z.maxLength(max, `${label} must be at most ${max} characters.`)),
    z.transform((v: string) => (v === "" ? null : v)),
  );

/** Unchecked boxes are absent from FormData: absent means false. */
const checkbox = z.pipe(
  z.optional(z.string()),
  z.transform((v: string | undefined) => v === "on"),
);

const mustMatch = <T extends { confirmPassword: string }>(key: keyof T) =>
  z.refine<T>((v) => v[key] === v.confirmPassword, {
    message: "Passwords do not match.",
    path: ["confirmPassword"],
  });

export const loginSchema = z.object({
  email,
  // Login only checks presence: old passwords may predate today's policy.
  password: z
    .string()
    .check(
      z.minLength(1, "Password is required."),
      z.maxLength(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters.`),
    ),
  rememberMe: checkbox,
});

export const signupSchema = (limits: PasswordLimits) =>
  z
    .object({
      email,
      fullName: optionalText(NAME_MAX, "Full name"),
      password: newPassword(limits),
      confirmPassword: z.string(),
    })
    .check(mustMatch<{ password: string; confirmPassword: string }>("password"));

export const recoverPasswordSchema = z.object({ email });

export const resetPasswordSchema = (limits: PasswordLimits) =>
  z
    .object({ newPassword: newPassword(limits), confirmPassword: z.string() })
    .check(mustMatch<{ newPassword: string; confirmPassword: string }>("newPassword"));

export const changePasswordSchema = (limits: PasswordLimits) =>
  z
    .object({
      currentPassword: z.string().check(z.minLength(1, "Current password is required.")),
      newPassword: newPassword(limits),
      confirmPassword: z.string(),
      keepCurrentSession: checkbox,
    })
    .check(
      mustMatch<{ newPassword: string; confirmPassword: string }>("newPassword"),
      z.refine((v) => v.currentPassword === "" || v.currentPassword !== v.newPassword, {
        message: "The new password must differ from the current one.",
        path: ["newPassword"],
      }),
    );

export const updateMeSchema = z.object({ fullName: optionalText(NAME_MAX, "Full name") });

export const itemSchema = z.object({
  title: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, "Title is required."),
      z.maxLength(TITLE_MAX, `Title must be at most ${TITLE_MAX} characters.`),
    ),
  description: optionalText(DESCRIPTION_MAX, "Description"),
});

export const testEmailSchema = z.object({ to: email });

export const createUserSchema = z.object({
  email,
  fullName: optionalText(NAME_MAX, "Full name"),
  isSuperuser: checkbox,
  isActive: checkbox,
});

export const updateUserSchema = ({ min, max }: PasswordLimits) =>
  z.object({
    email,
    fullName: optionalText(NAME_MAX, "Full name"),
    // Empty means "keep the current password".
    password: z.pipe(
      z
        .string()
        .check(
          z.refine(
            (v) => v === "" || (v.length >= min && v.length <= max),
            `Password must be ${min}–${max} characters.`,
          ),
        ),
      z.transform((v: string) => (v === "" ? null : v)),
    ),
    isSuperuser: checkbox,
    isActive: checkbox,
  });

/** The 6 digits of an authenticator app ("123 456" is fine). */
export const totpCode = z.pipe(
  z
    .string()
    .check(
      z.refine(
        (v) => TOTP_PATTERN.test(normaliseTotpCode(v)),
        "Enter the 6-digit code from your authenticator app.",
      ),
    ),
  z.transform(normaliseTotpCode),
);

/** A one-time recovery code (`xxxxx-xxxxx`; spaces, capitals and a missing dash are fine). */
export const recoveryCode = z.pipe(
  z
    .string()
    .check(
      z.refine(
        (v) => RECOVERY_PATTERN.test(normaliseRecoveryCode(v)),
        "Enter a recovery code like abcde-12345.",
      ),
    ),
  z.transform(normaliseRecoveryCode),
);

/** Either (turning MFA off): the app's code or a recovery code, in canonical form. */
const anySecondFactor = z.pipe(
  z
    .string()
    .check(
      z.refine(
        (v) => parseSecondFactor(v) !== null,
        "Enter the 6-digit code from your app, or a recovery code.",
      ),
    ),
  z.transform((v: string) => parseSecondFactor(v)?.code ?? v),
);

const currentPassword = z.string().check(z.minLength(1, "Your password is required."));

export const mfaLoginSchema = z.object({ code: totpCode });
export const mfaRecoveryLoginSchema = z.object({ code: recoveryCode });
export const passwordOnlySchema = z.object({ password: currentPassword });
export const enrolCodeSchema = z.object({ code: totpCode });
export const regenerateCodesSchema = z.object({ password: currentPassword, code: totpCode });
export const disableMfaSchema = z.object({ password: currentPassword, code: anySecondFactor });
export const resendVerificationSchema = z.object({ email });

/** The e-mail change dialog; the code only when the account has MFA on. */
export const emailChangeSchema = (withCode: boolean) =>
  z.object({
    newEmail: email,
    password: currentPassword,
    code: withCode ? totpCode : z.optional(z.string()),
  });
