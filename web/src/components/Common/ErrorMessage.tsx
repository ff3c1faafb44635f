import type { ReactNode } from "react";
import { describeError } from "../../lib/errors";
import type { FormError } from "../../lib/form";

/** A failure said where it happened (a form, a dialog, a list), with the request id for support. */
export function ErrorMessage({
  error,
  children,
}: {
  /** An error to describe, or an already described one. */
  error: unknown;
  /** Something to offer next to it (a Retry button). */
  children?: ReactNode;
}) {
  const { message, requestId } = isDescribed(error) ? error : describeError(error);
  return (
    <div className="error-message" role="alert">
      <p>{message}</p>
      {requestId ? (
        <p>
          <small>
            Request id: <code data-testid="request-id">{requestId}</code>
          </small>
        </p>
      ) : null}
      {children}
    </div>
  );
}

function isDescribed(error: unknown): error is FormError {
  return (
    typeof error === "object" &&
    error !== null &&
    !(error instanceof Error) &&
    typeof (error as FormError).message === "string"
  );
}
