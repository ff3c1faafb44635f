import { z } from "zod";

// Mirrors of the API's input rules, so most mistakes are caught before a
// round trip. The API stays the authority: its BAD_USER_INPUT errors land on
// the same fields (see lib/form.ts).

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const EMAIL_MAX = 255;
export const NAME_MAX = 255;
export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 255;

const email = z
  .string()
  .trim()
  .min(1, "E-mail is required.")
  .max(EMAIL_MAX, `E-mail must be at most ${EMAIL_MAX} characters.`)
  .pipe(z.email("Enter a valid e-mail address."));

const newPassword = z
  .string()
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters.`);

/** Optional text: empty input means "no value". */
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters.`)
    .transform((v) => (v === "" ? null : v));

export const loginSchema = z.object({
  email,
  // Login only checks presence: old passwords may predate today's policy.
  password: z
    .string()
    .min(1, "Password is required.")
    .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters.`),
});

const confirmed = (password: string, confirmation: string, ctx: z.RefinementCtx) => {
  if (password !== confirmation) {
    ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "Passwords do not match." });
  }
};

export const signupSchema = z
  .object({
    email,
    fullName: optionalText(NAME_MAX, "Full name"),
    password: newPassword,
    confirmPassword: z.string(),
  })
  .superRefine((v, ctx) => confirmed(v.password, v.confirmPassword, ctx));

export const recoverPasswordSchema = z.object({ email });

export const resetPasswordSchema = z
  .object({ newPassword, confirmPassword: z.string() })
  .superRefine((v, ctx) => confirmed(v.newPassword, v.confirmPassword, ctx));

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Current password is required."),
    newPassword,
    confirmPassword: z.string(),
  })
  .superRefine((v, ctx) => {
    confirmed(v.newPassword, v.confirmPassword, ctx);
    if (v.currentPassword !== "" && v.currentPassword === v.newPassword) {
      ctx.addIssue({
        code: "custom",
        path: ["newPassword"],
        message: "The new password must differ from the current one.",
      });
    }
  });

export const updateMeSchema = z.object({ email, fullName: optionalText(NAME_MAX, "Full name") });

export const itemSchema = z.object({
  title: z
    .string()
    .trim()
    .min(1, "Title is required.")
    .max(TITLE_MAX, `Title must be at most ${TITLE_MAX} characters.`),
  description: optionalText(DESCRIPTION_MAX, "Description"),
});

// Unchecked boxes are absent from FormData: absent means false.
const checkbox = z
  .string()
  .default("")
  .transform((v) => v === "on");

export const createUserSchema = z.object({
  email,
  fullName: optionalText(NAME_MAX, "Full name"),
  isSuperuser: checkbox,
  isActive: checkbox,
});

export const updateUserSchema = z.object({
  email,
  fullName: optionalText(NAME_MAX, "Full name"),
  // Empty means "keep the current password".
  password: z
    .string()
    .refine(
      (v) => v === "" || (v.length >= PASSWORD_MIN && v.length <= PASSWORD_MAX),
      `Password must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters.`,
    )
    .transform((v) => (v === "" ? null : v)),
  isSuperuser: checkbox,
  isActive: checkbox,
});
