import { type InputHTMLAttributes, type ReactNode, useId, useState } from "react";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string | undefined;
  /** Says "(optional)" in the label; required fields are the norm and say nothing. */
  optional?: boolean;
  /** Something to place inside the input's box, after it (the password toggle). */
  addon?: (inputId: string) => ReactNode;
}

/**
 * A labelled input whose hint and error are both tied to it
 * (aria-describedby names only what is rendered). Label, input and messages
 * are siblings: the input's accessible name is the label alone.
 */
export function Field({ label, name, error, hint, optional, addon, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ");
  const control = (
    <input
      id={id}
      name={name}
      aria-invalid={error ? true : undefined}
      aria-describedby={describedBy || undefined}
      {...input}
    />
  );
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {optional ? <span className="optional"> (optional)</span> : null}
      </label>
      {addon ? (
        <div className="with-addon">
          {control}
          {addon(id)}
        </div>
      ) : (
        control
      )}
      {hint ? (
        <small id={hintId} className="field-hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={errorId} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}

type PasswordFieldProps = Omit<FieldProps, "type" | "addon">;

/** A password input the user can reveal to check what they typed. */
export function PasswordField({ label, name, ...rest }: PasswordFieldProps) {
  const [shown, setShown] = useState(false);
  return (
    <Field
      {...rest}
      label={label}
      name={name}
      type={shown ? "text" : "password"}
      // Browsers must not offer to spell-check or capitalise a revealed password.
      autoCapitalize="off"
      spellCheck={false}
      addon={(inputId) => (
        <button
          type="button"
          className="reveal"
          aria-controls={inputId}
          // Not "Show <label>": the toggle must not answer to the field's own label.
          aria-label={shown ? "Hide password" : "Show password"}
          data-toggle-for={name}
          onClick={() => setShown((s) => !s)}
        >
          {shown ? "Hide" : "Show"}
        </button>
      )}
    />
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
