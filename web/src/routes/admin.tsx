import { createRoute, Link, lazyRouteComponent } from "@tanstack/react-router";
import { meQuery } from "../hooks/useAuth";
import { layoutRoute } from "./_layout";
import { pageSearch } from "./items";

export class AccessDeniedError extends Error {
  constructor() {
    super("Access denied");
    this.name = "AccessDeniedError";
  }
}

// Guarded by route, not only hidden from the menu: a normal user who types
// /admin gets "access denied" before any admin query is sent. (The API
// refuses those queries anyway; this is for the user, not for security.)
export const adminRoute = createRoute({
  getParentRoute: () => layoutRoute,
  path: "/admin",
  beforeLoad: async ({ context }) => {
    const me = await context.queryClient.ensureQueryData(meQuery);
    if (!me.isSuperuser) throw new AccessDeniedError();
  },
  errorComponent: AccessDenied,
  // The admin screens load on first visit: most sessions never open them.
  component: lazyRouteComponent(() => import("./admin.pages"), "AdminLayout"),
});

function AccessDenied({ error }: { error: unknown }) {
  if (!(error instanceof AccessDeniedError)) {
    return <p role="alert">The admin area could not be loaded.</p>;
  }
  return (
    <section data-testid="access-denied">
      <h1>Access denied</h1>
      <p>This area is for administrators only.</p>
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </section>
  );
}

export const adminUsersRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: "/",
  validateSearch: pageSearch,
  component: lazyRouteComponent(() => import("./admin.pages"), "UsersPage"),
});

export const adminAuditRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: "/audit",
  validateSearch: pageSearch,
  component: lazyRouteComponent(() => import("./admin.pages"), "AuditPage"),
});
