import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { createRouter } from "@tanstack/react-router";
import { NotFound } from "./components/Common/NotFound";
import { RouteError } from "./components/Common/RouteError";
import { reportError, toastOutsideReact } from "./components/Common/Toasts";
import { setAuthHandlers } from "./lib/auth";
import { clearOutage, reportOutage } from "./lib/connection";
import { ApiError, isOutage, setMfaEnrolmentHandler } from "./lib/errors";
import { adminAuditRoute, adminEmailRoute, adminRoute, adminUsersRoute } from "./routes/admin";
import { dashboardRoute } from "./routes/dashboard";
import { confirmEmailRoute, verifyEmailRoute } from "./routes/email-links";
import { itemsRoute } from "./routes/items";
import { loginRoute, safeRedirect } from "./routes/login";
import { recoverPasswordRoute } from "./routes/recover-password";
import { resetPasswordRoute, setPasswordRoute } from "./routes/reset-password";
import { rootRoute } from "./routes/root";
import { settingsProfileRoute, settingsRoute, settingsSecurityRoute } from "./routes/settings";
import { signedInRoute } from "./routes/signed-in";
import { signupRoute } from "./routes/signup";

// Routes are declared in code (createRoute in each routes/ file) rather than
// generated from file names: the tree is this one expression, guards are
// plain beforeLoad functions, and the build needs no router plugin.
export const routeTree = rootRoute.addChildren([
  loginRoute,
  signupRoute,
  recoverPasswordRoute,
  resetPasswordRoute,
  setPasswordRoute,
  verifyEmailRoute,
  confirmEmailRoute,
  signedInRoute.addChildren([
    dashboardRoute,
    itemsRoute,
    settingsRoute.addChildren([settingsProfileRoute, settingsSecurityRoute]),
    adminRoute.addChildren([adminUsersRoute, adminAuditRoute, adminEmailRoute]),
  ]),
]);

/**
 * Retry only what a retry can fix: a request that got no answer or found the
 * server away, once (a restarting API is back within a second or two), not
 * a refusal.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.code === "NETWORK" || error.code === "UNAVAILABLE") &&
    failureCount < 1
  );
}

declare module "@tanstack/react-query" {
  interface Register {
    queryMeta: {
      /** The component shows this query's errors where its data would be: no toast. */
      inlineError?: boolean;
    };
  }
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        // An outage is said once, app-wide (ConnectionNotice), however many
        // queries ran into it; other query failures are said where the data
        // would be, or as a toast when nothing on the page shows them.
        if (isOutage(error)) reportOutage(error);
        else if (!query.meta?.inlineError) reportError(toastOutsideReact(), error);
      },
      onSuccess: () => clearOutage(),
    }),
    mutationCache: new MutationCache({ onSuccess: () => clearOutage() }),
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false },
      // "always": a write is sent now or fails now (offline is refused in
      // graphql-client.ts). The default would pause it while offline and send
      // it whenever the connection returned, long after the user saw a
      // spinner and perhaps gave up or changed their mind.
      mutations: { retry: false, networkMode: "always" },
    },
  });
}

export function createAppRouter(queryClient: QueryClient) {
  const router = createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: false,
    scrollRestoration: true,
    defaultErrorComponent: RouteError,
    defaultNotFoundComponent: NotFound,
  });
  // The pages of someone not signed in, which a login elsewhere moves on from.
  const guestPages = new Set(["/login", "/signup", "/recover-password"]);
  setAuthHandlers({
    // The one global reaction to a session that ended (lib/auth latches it so
    // it runs once however many requests found out).
    onSessionEnded: () => {
      queryClient.clear();
      const here = router.state.location;
      if (here.pathname === "/login") return;
      void router.navigate({
        to: "/login",
        search: { redirect: here.href, reason: "expired" },
        replace: true,
      });
    },
    onSignedOutElsewhere: () => {
      queryClient.clear();
      if (router.state.location.pathname === "/login") return;
      void router.navigate({ to: "/login", search: { reason: "signed-out" }, replace: true });
    },
    onSignedInElsewhere: () => {
      const here = router.state.location;
      if (!guestPages.has(here.pathname)) return;
      const target = (here.search as { redirect?: unknown }).redirect;
      void router.navigate({ href: safeRedirect(target), replace: true });
    },
    // Another user's (or another login's) session now: nothing cached may carry over.
    onSessionChanged: () => void queryClient.resetQueries(),
  });
  // A superuser without MFA where the server requires it: whatever asked
  // (an admin list, a dialog's Save), the answer is to set MFA up.
  setMfaEnrolmentHandler(() => {
    if (router.state.location.pathname === "/settings/security") return;
    void queryClient.invalidateQueries({ queryKey: ["me"] });
    void router.navigate({ to: "/settings/security", search: { reason: "mfa-required" } });
  });
  return router;
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
