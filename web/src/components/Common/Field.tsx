import { type InputHTMLAttributes, useId } from "react";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string;
}

/** A labelled input whose error is announced and tied to it (aria-describedby). */
export function Field({ label, name, error, hint, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ");
  // Label, input and message are siblings: the input's accessible name is the
  // label alone; the message is its description.
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {error ? (
        <small id={errorId} className="field-error">
          {error}
        </small>
      ) : hint ? (
        <small id={hintId}>{hint}</small>
      ) : null}
    </div>
  );
}

interface CheckboxProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
}

export function Checkbox({ label, name, ...input }: CheckboxProps) {
  const id = useId();
  return (
    <label htmlFor={id}>
      <input id={id} type="checkbox" name={name} {...input} />
      {label}
    </label>
  );
}
