import type { TypedDocumentString } from "../gql/graphql";
import { endSession, freshToken, tokenAfterRejection } from "./auth";
import { ApiError, handleGlobally, OFFLINE_MESSAGE } from "./errors";
import { send } from "./transport";

export { GRAPHQL_ENDPOINT, operationNameOf, setFetch } from "./transport";

function isUnauthenticated(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === "UNAUTHENTICATED";
}

/**
 * Runs one typed operation with the session's access token (see
 * transport.ts for the request itself). Throws ApiError.
 *
 * - A token about to expire is refreshed first (lib/auth.ts).
 * - An UNAUTHENTICATED answer to a request that carried a token gets one
 *   retry with a refreshed token: the token may have been refused because
 *   it expired in flight or its session was rotated. Requests refused
 *   together share one refresh. If the refresh is refused too, the session
 *   is over: one global reaction (lib/auth.ts endSession) and the error is
 *   marked `sessionEnded` so nobody says it a second time. The retry is safe
 *   for mutations: a refused token means nothing ran.
 * - A failed login (no token sent) is an ordinary error.
 *
 * A browser that knows it is offline fails at once (OFFLINE) instead of
 * waiting: a write the user saw fail must never run later behind their back.
 */
export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  try {
    return await executeWithSession(document, variables as TVariables);
  } catch (error) {
    handleGlobally(error);
    throw error;
  }
}

async function executeWithSession<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  if (globalThis.navigator?.onLine === false) throw new ApiError("OFFLINE", OFFLINE_MESSAGE);
  const token = await freshToken();
  try {
    return await send(document, variables, token);
  } catch (error) {
    if (!isUnauthenticated(error) || !token) throw error;
    const retryWith = await tokenAfterRejection(token);
    if (!retryWith) {
      error.sessionEnded = true;
      endSession();
      throw error;
    }
    try {
      return await send(document, variables, retryWith);
    } catch (again) {
      if (isUnauthenticated(again)) {
        // A fresh token refused at once: the user was deactivated or deleted.
        again.sessionEnded = true;
        endSession();
      }
      throw again;
    }
  }
}
