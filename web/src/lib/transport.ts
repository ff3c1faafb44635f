import type { TypedDocumentString } from "../gql/graphql";
import {
  ApiError,
  errorFromStatus,
  type GraphQLErrorShape,
  OUTAGE_MESSAGE,
  parseRetryAfter,
  pickError,
} from "./errors";

// The bare transport: one POST, one typed answer or one ApiError. It knows
// nothing of sessions; graphql-client.ts (bearer token, refresh, retry) and
// auth.ts (the refresh call itself) are built on it, so neither imports the
// other's transport logic and auth.ts can refresh without going in circles.

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
 * POSTs one operation as JSON (the API refuses anything else: no CSRF
 * "simple requests", no batching), with `token` as the bearer when given.
 *
 * `credentials: "same-origin"`: the browser attaches the HttpOnly refresh
 * cookie, which only the API's refreshSession and logout read (and only on
 * such JSON POSTs); the SPA never sees it. The request never leaves our
 * origin (connect-src 'self'), so no third party gets it either.
 */
export async function send<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables | undefined,
  token: string | null,
): Promise<TResult> {
  const query = document.toString();
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
      credentials: "same-origin",
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
  if (body?.errors && body.errors.length > 0) throw pickError(body.errors, fromHeaders);
  if (!response.ok || !body) throw errorFromStatus(response.status, fromHeaders);
  if (body.data == null) throw new ApiError("INTERNAL", "The server sent no data.");
  return body.data;
}
