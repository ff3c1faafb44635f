import { ApiError } from "../../lib/errors";

/**
 * What a failed login step means for the page:
 * - "restart": the second step's challenge expired, was used or is unknown
 *   (UNAUTHENTICATED); only the password step can issue a new one;
 * - "verify-email": password (and code) were right but the address is not
 *   verified and the server requires it;
 * - "show": anything else is said where it belongs (a wrong code on its
 *   field, a throttle beside the form), as for every other form.
 */
export function loginFailure(error: unknown): "restart" | "verify-email" | "show" {
  if (!(error instanceof ApiError)) return "show";
  if (error.code === "EMAIL_NOT_VERIFIED") return "verify-email";
  if (error.code === "UNAUTHENTICATED") return "restart";
  return "show";
}

export const CHALLENGE_ENDED =
  "That sign-in took too long or was already used. Enter your password again.";
