import { type FormEvent, useState } from "react";
import type * as z from "zod/mini";
import { ApiError, describeError, fieldOf } from "./errors";

export type FieldErrors = Record<string, string>;

export type Validation<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Reads a form's fields as strings (unchecked checkboxes are absent). */
export function readForm(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of new FormData(form)) {
    if (typeof value === "string") values[key] = value;
  }
  return values;
}

/** Validates raw form values; the first message per field wins. */
export function validate<S extends z.ZodMiniType>(
  schema: S,
  raw: unknown,
): Validation<z.output<S>> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join(".") || "form";
    if (!(key in errors)) errors[key] = issue.message;
  }
  return { ok: false, errors };
}

export type ServerErrorOutcome =
  | { kind: "field"; field: string; message: string }
  | { kind: "toast"; message: string; requestId?: string }
  | { kind: "handled" };

/**
 * Where an error from the API goes: on the field it names (if this form has
 * it), nowhere if the global UNAUTHENTICATED handler already took over, else
 * a toast (with the request id when there is one).
 */
export function routeServerError(error: unknown, fields: readonly string[]): ServerErrorOutcome {
  if (error instanceof ApiError && error.sessionEnded) return { kind: "handled" };
  const field = fieldOf(error, fields);
  if (field !== undefined && error instanceof ApiError) {
    return { kind: "field", field, message: error.message };
  }
  return { kind: "toast", ...describeError(error) };
}

export interface ZodForm {
  errors: FieldErrors;
  submitting: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
}

/**
 * Uncontrolled form + zod: no per-keystroke state and no form library in the
 * bundle. Client-side errors and server field errors share one display.
 */
export function useZodForm<S extends z.ZodMiniType>(
  schema: S,
  fields: readonly string[],
  onValid: (values: z.output<S>, form: HTMLFormElement) => Promise<void>,
  onToast: (message: string, requestId?: string) => void,
): ZodForm {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitting, setSubmitting] = useState(false);

  const focusField = (form: HTMLFormElement, name: string | undefined) => {
    if (!name) return;
    const el = form.elements.namedItem(name);
    if (el instanceof HTMLElement) el.focus();
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting) return;
    const form = event.currentTarget;
    const result = validate(schema, readForm(form));
    if (!result.ok) {
      setErrors(result.errors);
      focusField(
        form,
        fields.find((f) => f in result.errors),
      );
      return;
    }
    setErrors({});
    setSubmitting(true);
    onValid(result.data, form)
      .catch((error: unknown) => {
        const outcome = routeServerError(error, fields);
        if (outcome.kind === "field") {
          setErrors({ [outcome.field]: outcome.message });
          focusField(form, outcome.field);
        } else if (outcome.kind === "toast") {
          onToast(outcome.message, outcome.requestId);
        }
      })
      .finally(() => setSubmitting(false));
  };

  return { errors, submitting, onSubmit };
}
