import type { ReactNode } from "react";
import type { ZodForm } from "../../lib/form";
import { ErrorMessage } from "./ErrorMessage";

/**
 * A form wired to useZodForm. An error that belongs to no field is said
 * inside the form, just above its buttons (`actions`), where the user looks
 * after pressing one.
 */
export function Form({
  form,
  children,
  actions,
  className,
}: {
  form: ZodForm;
  children: ReactNode;
  actions: ReactNode;
  className?: string;
}) {
  return (
    <form {...form.props} className={className}>
      {children}
      {form.formError ? <ErrorMessage error={form.formError} /> : null}
      {actions}
    </form>
  );
}

/** The submit button: busy and disabled while the form is being sent. */
export function SubmitButton({ form, children }: { form: ZodForm; children: ReactNode }) {
  return (
    <button type="submit" aria-busy={form.submitting} disabled={form.submitting}>
      {children}
    </button>
  );
}
