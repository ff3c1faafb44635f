// One representation of every failure the API can report, so the UI can
// decide in one place what goes on a field, what is said inside the form or
// dialog that caused it, what is an outage and what sends the user back to
// log in.

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "CONFLICT",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "UNAVAILABLE",
  "INTERNAL",
  // The password (and code) were right, but the address is not verified yet
  // and the server requires it (REQUIRE_EMAIL_VERIFICATION).
  "EMAIL_NOT_VERIFIED",
  // A superuser without MFA asked for a superuser-only operation while
  // MFA_REQUIRED_FOR_SUPERUSERS is on: enrol first.
  "MFA_ENROLMENT_REQUIRED",
] as const;

/** The API's codes, plus two of the browser's own: no answer at all, and no network. */
export type ErrorCode = (typeof ERROR_CODES)[number] | "NETWORK" | "OFFLINE";

export interface GraphQLErrorShape {
  message?: unknown;
  extensions?: Record<string, unknown> | null;
}

interface ErrorExtra {
  field?: string;
  retryAfter?: number;
  requestId?: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  /** camelCase input field the API blames (BAD_USER_INPUT, CONFLICT). */
  readonly field: string | undefined;
  /** Seconds to wait before retrying (RATE_LIMITED, UNAVAILABLE). */
  readonly retryAfter: number | undefined;
  /** Correlates with the API's log line (INTERNAL). */
  readonly requestId: string | undefined;
  /** Set when this error ended the session; the global handler already reacted. */
  sessionEnded = false;
  /** Set when a global handler already reacted otherwise (sent the user to enrol in MFA). */
  handledGlobally = false;

  constructor(code: ErrorCode, message: string, extra: ErrorExtra = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = extra.field;
    this.retryAfter = extra.retryAfter;
    this.requestId = extra.requestId;
  }
}

export const OUTAGE_MESSAGE = "We can't reach the server right now.";
export const OFFLINE_MESSAGE = "You're offline. Nothing was sent.";

/**
 * The server is away, whatever said so: a proxy's 502/503/504, the API's own
 * UNAVAILABLE, a request that got no answer, or a browser with no network.
 * One message covers them all; a code would only confuse.
 */
export function isOutage(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    (error.code === "UNAVAILABLE" || error.code === "NETWORK" || error.code === "OFFLINE")
  );
}

function isKnownCode(code: unknown): code is (typeof ERROR_CODES)[number] {
  return typeof code === "string" && (ERROR_CODES as readonly string[]).includes(code);
}

/** Converts one GraphQL error object into an ApiError; unknown codes become INTERNAL. */
export function toApiError(error: GraphQLErrorShape, fallback: ErrorExtra = {}): ApiError {
  const ext = error.extensions ?? {};
  const code = isKnownCode(ext.code) ? ext.code : "INTERNAL";
  const message =
    typeof error.message === "string" && error.message.length > 0
      ? error.message
      : "Something went wrong.";
  const retryAfter = typeof ext.retryAfter === "number" ? ext.retryAfter : fallback.retryAfter;
  // The response's x-request-id helps support only when the server failed.
  const requestId =
    typeof ext.requestId === "string"
      ? ext.requestId
      : code === "INTERNAL"
        ? fallback.requestId
        : undefined;
  return new ApiError(code, message, {
    ...(typeof ext.field === "string" ? { field: ext.field } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  });
}

/**
 * Picks the error that matters most from a GraphQL `errors` array: an
 * UNAUTHENTICATED error wins (it ends the session), then the first one.
 * `fallback` carries what the HTTP answer said (Retry-After, request id).
 */
export function pickError(
  errors: readonly GraphQLErrorShape[],
  fallback: ErrorExtra = {},
): ApiError {
  const mapped = errors.map((e) => toApiError(e, fallback));
  return (
    mapped.find((e) => e.code === "UNAUTHENTICATED") ??
    mapped[0] ??
    new ApiError("INTERNAL", "Something went wrong.")
  );
}

/** `Retry-After` in seconds, from either of its forms (delta-seconds or an HTTP date). */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Maps an HTTP status without a GraphQL body (a proxy's answer, 413 from nginx). */
export function errorFromStatus(status: number, extra: ErrorExtra = {}): ApiError {
  const { requestId, retryAfter } = extra;
  const wait = retryAfter !== undefined ? { retryAfter } : {};
  if (status === 413) {
    return new ApiError("PAYLOAD_TOO_LARGE", "The request is too large.", {
      ...(requestId ? { requestId } : {}),
    });
  }
  if (status === 429) return new ApiError("RATE_LIMITED", "Too many requests.", wait);
  if (status === 401) return new ApiError("UNAUTHENTICATED", "Your session has ended.");
  if (status === 502 || status === 503 || status === 504) {
    return new ApiError("UNAVAILABLE", OUTAGE_MESSAGE, wait);
  }
  return new ApiError("INTERNAL", `Something went wrong on the server (HTTP ${status}).`, {
    ...(requestId ? { requestId } : {}),
  });
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}

/** The words shown for an error: the message, the wait, the request id for support. */
export function describeError(error: unknown): { message: string; requestId?: string } {
  if (!(error instanceof ApiError)) return { message: "Something went wrong." };
  let message = error.message;
  if (error.code === "OFFLINE") message = OFFLINE_MESSAGE;
  else if (error.code === "NETWORK" || error.code === "UNAVAILABLE") message = OUTAGE_MESSAGE;
  if (
    (error.code === "RATE_LIMITED" || error.code === "UNAVAILABLE") &&
    error.retryAfter !== undefined &&
    !/try again/i.test(message)
  ) {
    message = `${message} Try again in ${waitText(error.retryAfter)}.`;
  } else if (error.code === "RATE_LIMITED" && !/try again/i.test(message)) {
    message = `${message} Try again later.`;
  }
  return error.requestId ? { message, requestId: error.requestId } : { message };
}

/**
 * The field an error belongs on, if the form has that field. Anything else
 * (no field, or a field this form does not show) is said for the whole form.
 */
export function fieldOf(error: unknown, fields: readonly string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code !== "BAD_USER_INPUT" && error.code !== "CONFLICT") return undefined;
  return error.field !== undefined && fields.includes(error.field) ? error.field : undefined;
}

// ---------------------------------------------------------------------------
// Errors one handler answers for the whole app, wherever they come from (a
// query, a form, a guard): MFA_ENROLMENT_REQUIRED sends the user to
// Settings → Security, as UNAUTHENTICATED sends them to log in (lib/auth.ts).

type GlobalErrorHandler = (error: ApiError) => void;

let onMfaEnrolmentRequired: GlobalErrorHandler | null = null;

/** The router installs where an MFA_ENROLMENT_REQUIRED error sends the user. */
export function setMfaEnrolmentHandler(handler: GlobalErrorHandler | null): void {
  onMfaEnrolmentRequired = handler;
}

/**
 * Gives a failed request's error to its global handler, if it has one, and
 * marks it handled so no form or toast says it a second time.
 */
export function handleGlobally(error: unknown): void {
  if (!(error instanceof ApiError) || error.code !== "MFA_ENROLMENT_REQUIRED") return;
  error.handledGlobally = true;
  onMfaEnrolmentRequired?.(error);
}
