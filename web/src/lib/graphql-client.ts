import type { TypedDocumentString } from "../gql/graphql";
import { getAccessToken, handleUnauthenticated } from "./auth";
import {
  ApiError,
  errorFromStatus,
  type GraphQLErrorShape,
  OFFLINE_MESSAGE,
  OUTAGE_MESSAGE,
  parseRetryAfter,
  pickError,
} from "./errors";

// The API is same-origin: Traefik (production), Vite's proxy (development) and
// the e2e nginx all route /graphql to it, so the CSP can keep connect-src 'self'.
export const GRAPHQL_ENDPOINT = "/graphql";

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorShape[];
}

const OPERATION_NAME = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

export function operationNameOf(document: string): string | undefined {
  return OPERATION_NAME.exec(document)?.[1];
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

let fetchImpl: FetchLike = (input, init) => globalThis.fetch(input, init);

/** Unit tests swap the transport. */
export function setFetch(impl: FetchLike): void {
  fetchImpl = impl;
}

/**
 * Runs one typed operation. POST with a JSON body only: the API refuses
 * anything else (CSRF "simple requests"), and no batching.
 * Throws ApiError; an UNAUTHENTICATED answer to a request that carried a
 * token also triggers the global "log in again" handler.
 *
 * A browser that knows it is offline fails at once (OFFLINE) instead of
 * waiting: a write the user saw fail must never run later behind their back.
 */
export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  if (globalThis.navigator?.onLine === false) throw new ApiError("OFFLINE", OFFLINE_MESSAGE);
  const query = document.toString();
  const token = getAccessToken();
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  };
  if (token) headers.Authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await fetchImpl(GRAPHQL_ENDPOINT, {
      method: "POST",
      headers,
      body: JSON.stringify({
        query,
        variables: variables ?? {},
        operationName: operationNameOf(query),
      }),
      credentials: "omit", // nothing ambient: the bearer token is the only credential
      cache: "no-store",
    });
  } catch {
    throw new ApiError("NETWORK", OUTAGE_MESSAGE);
  }

  let body: GraphQLResponse<TResult> | undefined;
  try {
    body = (await response.json()) as GraphQLResponse<TResult>;
  } catch {
    body = undefined;
  }

  const requestId = response.headers.get("x-request-id") ?? undefined;
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  const fromHeaders = {
    ...(requestId ? { requestId } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
  let error: ApiError | undefined;
  if (body?.errors && body.errors.length > 0) error = pickError(body.errors, fromHeaders);
  else if (!response.ok || !body) error = errorFromStatus(response.status, fromHeaders);

  if (error) {
    if (error.code === "UNAUTHENTICATED" && token) {
      // The session is over (expired, revoked, user deleted): one global reaction.
      error.sessionEnded = true;
      handleUnauthenticated();
    }
    throw error;
  }
  if (body?.data == null) throw new ApiError("INTERNAL", "The server sent no data.");
  return body.data;
}
