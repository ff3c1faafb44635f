import { type FocusEvent, type FormEvent, useRef, useState } from "react";
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

/** An error said for the whole form (not one field), with the request id for support. */
export interface FormError {
  message: string;
  requestId?: string;
}

export type ServerErrorOutcome =
  | { kind: "field"; field: string; message: string }
  | { kind: "form"; message: string; requestId?: string }
  | { kind: "handled" };

/**
 * Where an error from the API goes: on the field it names (if this form has
 * it), nowhere if the global UNAUTHENTICATED handler already took over, else
 * beside the form that sent it (with the request id when there is one).
 */
export function routeServerError(error: unknown, fields: readonly string[]): ServerErrorOutcome {
  if (error instanceof ApiError && (error.sessionEnded || error.handledGlobally)) {
    return { kind: "handled" };
  }
  const field = fieldOf(error, fields);
  if (field !== undefined && error instanceof ApiError) {
    return { kind: "field", field, message: error.message };
  }
  return { kind: "form", ...describeError(error) };
}

/**
 * Which errors to show after the user leaves a field, types in one, or
 * submits: a field speaks up once the user has left it (or tried to submit),
 * never while they are still typing a first answer; an error already shown
 * updates as they type and goes as soon as the value is right. Server errors
 * stay until their field is edited.
 */
export function visibleErrors(
  all: FieldErrors,
  shown: FieldErrors,
  server: FieldErrors,
  event: { kind: "blur"; field: string } | { kind: "input"; field: string } | { kind: "submit" },
  touched: ReadonlySet<string>,
): FieldErrors {
  const next: FieldErrors = {};
  for (const [field, message] of Object.entries(all)) {
    const show =
      event.kind === "submit" ||
      field in shown ||
      (event.kind === "blur" && (field === event.field || touched.has(field)));
    if (show) next[field] = message;
  }
  for (const [field, message] of Object.entries(server)) {
    if (event.kind !== "submit" && field !== event.field && !(field in next)) {
      next[field] = message;
    }
  }
  return next;
}

export interface ZodForm {
  errors: FieldErrors;
  formError: FormError | null;
  submitting: boolean;
  /** Spread onto the <form>. */
  props: {
    noValidate: true;
    onSubmit: (event: FormEvent<HTMLFormElement>) => void;
    onBlur: (event: FocusEvent<HTMLFormElement>) => void;
    onInput: (event: FormEvent<HTMLFormElement>) => void;
  };
}

function nameOf(target: EventTarget | null): string | undefined {
  return target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement
    ? target.name || undefined
    : undefined;
}

/**
 * Uncontrolled form + zod: no per-keystroke state and no form library in the
 * bundle. Client-side and server field errors share one display; an error
 * that belongs to no field is kept for the form to show beside itself.
 */
export function useZodForm<S extends z.ZodMiniType>(
  schema: S,
  fields: readonly string[],
  onValid: (values: z.output<S>, form: HTMLFormElement) => Promise<void>,
): ZodForm {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<FormError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const touched = useRef(new Set<string>());
  const server = useRef<FieldErrors>({});
  // A second submit while the first is in flight must not send twice, even
  // before React has re-rendered the disabled button.
  const inFlight = useRef(false);

  const focusField = (form: HTMLFormElement, name: string | undefined) => {
    if (!name) return;
    const el = form.elements.namedItem(name);
    if (el instanceof HTMLElement) el.focus();
  };

  const recheck = (form: HTMLFormElement, event: Parameters<typeof visibleErrors>[3]) => {
    if (event.kind !== "submit" && event.field in server.current) {
      const { [event.field]: _edited, ...rest } = server.current;
      server.current = rest;
    }
    const result = validate(schema, readForm(form));
    const all = result.ok ? {} : result.errors;
    setErrors((shown) => visibleErrors(all, shown, server.current, event, touched.current));
    return result;
  };

  const onBlur = (event: FocusEvent<HTMLFormElement>) => {
    const field = nameOf(event.target);
    if (!field || !fields.includes(field)) return;
    // Leaving a field for its own show/hide toggle is not leaving it.
    const next = event.relatedTarget;
    if (next instanceof HTMLElement && next.dataset.toggleFor === field) return;
    // Tabbing through a field not yet answered is not a mistake: an empty
    // field speaks up on submit (or once it has shown an error).
    const empty = "value" in event.target && event.target.value === "";
    if (empty && !(field in errors)) return;
    touched.current.add(field);
    recheck(event.currentTarget, { kind: "blur", field });
  };

  const onInput = (event: FormEvent<HTMLFormElement>) => {
    const field = nameOf(event.target);
    if (!field || !fields.includes(field)) return;
    recheck(event.currentTarget, { kind: "input", field });
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (inFlight.current) return;
    const form = event.currentTarget;
    server.current = {};
    const result = recheck(form, { kind: "submit" });
    if (!result.ok) {
      setFormError(null);
      focusField(
        form,
        fields.find((f) => f in result.errors),
      );
      return;
    }
    setFormError(null);
    setSubmitting(true);
    inFlight.current = true;
    onValid(result.data, form)
      .catch((error: unknown) => {
        const outcome = routeServerError(error, fields);
        if (outcome.kind === "field") {
          server.current = { [outcome.field]: outcome.message };
          setErrors({ [outcome.field]: outcome.message });
          focusField(form, outcome.field);
        } else if (outcome.kind === "form") {
          setFormError(
            outcome.requestId
              ? { message: outcome.message, requestId: outcome.requestId }
              : { message: outcome.message },
          );
        }
      })
      .finally(() => {
        inFlight.current = false;
        setSubmitting(false);
      });
  };

  return {
    errors,
    formError,
    submitting,
    props: { noValidate: true, onSubmit, onBlur, onInput },
  };
}
