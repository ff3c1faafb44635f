import type { QueryClient } from "@tanstack/react-query";
import { createRootRouteWithContext, Outlet, redirect } from "@tanstack/react-router";
import { NotFound } from "../components/Common/NotFound";
import { RouteError } from "../components/Common/RouteError";
import { isLoggedIn } from "../lib/auth";

export interface RouterContext {
  queryClient: QueryClient;
}

export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
  errorComponent: RouteError,
});

/**
 * For the pages of someone who is not signed in (log in, sign up, recovery,
 * reset): a signed-in user has no business there and goes home (or where a
 * login link was taking them).
 */
export function redirectIfSignedIn(to = "/"): void {
  if (isLoggedIn()) throw redirect({ href: to });
}
