import { QueryCache, QueryClient } from "@tanstack/react-query";
import { createRouter } from "@tanstack/react-router";
import { reportError, toastOutsideReact } from "./components/Common/Toasts";
import { setUnauthenticatedHandler } from "./lib/auth";
import { ApiError } from "./lib/errors";
import { rootRoute } from "./routes/__root";
import { layoutRoute } from "./routes/_layout";
import { adminAuditRoute, adminRoute, adminUsersRoute } from "./routes/admin";
import { dashboardRoute } from "./routes/dashboard";
import { itemsRoute } from "./routes/items";
import { loginRoute } from "./routes/login";
import { recoverPasswordRoute } from "./routes/recover-password";
import { resetPasswordRoute } from "./routes/reset-password";
import { settingsRoute } from "./routes/settings";
import { signupRoute } from "./routes/signup";

export const routeTree = rootRoute.addChildren([
  loginRoute,
  signupRoute,
  recoverPasswordRoute,
  resetPasswordRoute,
  layoutRoute.addChildren([
    dashboardRoute,
    itemsRoute,
    settingsRoute,
    adminRoute.addChildren([adminUsersRoute, adminAuditRoute]),
  ]),
]);

/** Retry only what a retry can fix: the network, not a refusal. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  return error instanceof ApiError && error.code === "NETWORK" && failureCount < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        // Query failures surface once, here, as a toast; mutations report
        // through their forms (field errors) instead.
        reportError(toastOutsideReact(), error);
      },
    }),
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

export function createAppRouter(queryClient: QueryClient) {
  const router = createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: false,
    scrollRestoration: true,
  });
  // The one global reaction to UNAUTHENTICATED (lib/auth latches it so it runs once).
  setUnauthenticatedHandler(() => {
    queryClient.clear();
    const here = router.state.location;
    if (here.pathname === "/login") return;
    void router.navigate({
      to: "/login",
      search: { redirect: here.href, reason: "expired" },
      replace: true,
    });
  });
  return router;
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
