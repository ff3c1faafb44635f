// One representation of every failure the API can report, so the UI can
// decide in one place what goes on a field, what becomes a toast and what
// sends the user back to log in.

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "CONFLICT",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number] | "NETWORK";

export interface GraphQLErrorShape {
  message?: unknown;
  extensions?: Record<string, unknown> | null;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  /** camelCase input field the API blames (BAD_USER_INPUT, CONFLICT). */
  readonly field: string | undefined;
  /** Seconds to wait before retrying (RATE_LIMITED). */
  readonly retryAfter: number | undefined;
  /** Correlates with the API's log line (INTERNAL). */
  readonly requestId: string | undefined;
  /** Set when this error ended the session; the global handler already reacted. */
  sessionEnded = false;

  constructor(
    code: ErrorCode,
    message: string,
    extra: { field?: string; retryAfter?: number; requestId?: string } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = extra.field;
    this.retryAfter = extra.retryAfter;
    this.requestId = extra.requestId;
  }
}

function isKnownCode(code: unknown): code is (typeof ERROR_CODES)[number] {
  return typeof code === "string" && (ERROR_CODES as readonly string[]).includes(code);
}

/** Converts one GraphQL error object into an ApiError; unknown codes become INTERNAL. */
export function toApiError(error: GraphQLErrorShape): ApiError {
  const ext = error.extensions ?? {};
  const code = isKnownCode(ext.code) ? ext.code : "INTERNAL";
  const message =
    typeof error.message === "string" && error.message.length > 0
      ? error.message
      : "Something went wrong.";
  return new ApiError(code, message, {
    ...(typeof ext.field === "string" ? { field: ext.field } : {}),
    ...(typeof ext.retryAfter === "number" ? { retryAfter: ext.retryAfter } : {}),
    ...(typeof ext.requestId === "string" ? { requestId: ext.requestId } : {}),
  });
}

/**
 * Picks the error that matters most from a GraphQL `errors` array: an
 * UNAUTHENTICATED error wins (it ends the session), then the first one.
 */
export function pickError(errors: readonly GraphQLErrorShape[]): ApiError {
  const mapped = errors.map(toApiError);
  return (
    mapped.find((e) => e.code === "UNAUTHENTICATED") ??
    mapped[0] ??
    new ApiError("INTERNAL", "Something went wrong.")
  );
}

/** Maps an HTTP status without a GraphQL body (proxy errors, 413 from nginx). */
export function errorFromStatus(status: number, requestId?: string): ApiError {
  const extra = requestId ? { requestId } : {};
  if (status === 413) return new ApiError("PAYLOAD_TOO_LARGE", "The request is too large.", extra);
  if (status === 429) return new ApiError("RATE_LIMITED", "Too many requests. Try again later.");
  if (status === 401) return new ApiError("UNAUTHENTICATED", "Your session has ended.");
  return new ApiError("INTERNAL", `The server answered ${status}.`, extra);
}

/** The text a toast shows: the message, the wait for rate limits, the request id for support. */
export function describeError(error: unknown): { message: string; requestId?: string } {
  if (error instanceof ApiError) {
    let message = error.message;
    if (
      error.code === "RATE_LIMITED" &&
      error.retryAfter !== undefined &&
      !/try again/i.test(message)
    ) {
      message = `${message} Try again in ${error.retryAfter} s.`;
    }
    if (error.code === "NETWORK") message = "Cannot reach the server. Check your connection.";
    return error.requestId ? { message, requestId: error.requestId } : { message };
  }
  return { message: "Something went wrong." };
}

/**
 * The field an error belongs on, if the form has that field. Anything else
 * (no field, or a field this form does not show) is a toast.
 */
export function fieldOf(error: unknown, fields: readonly string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code !== "BAD_USER_INPUT" && error.code !== "CONFLICT") return undefined;
  return error.field !== undefined && fields.includes(error.field) ? error.field : undefined;
}
