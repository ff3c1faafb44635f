import { createRoute, type ErrorComponentProps, Link, redirect } from "@tanstack/react-router";
import { AdminLayout } from "../components/Admin/AdminLayout";
import { AuditRoute } from "../components/Admin/AuditPage";
import { EmailRoute } from "../components/Admin/EmailPage";
import { UsersRoute } from "../components/Admin/UsersPage";
import { PageHeader } from "../components/Common/Page";
import { RouteError } from "../components/Common/RouteError";
import { meQuery, publicSettingsQuery } from "../hooks/useAuth";
import { pageSearch } from "../lib/paging";
import { signedInRoute } from "./signed-in";

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
  getParentRoute: () => signedInRoute,
  path: "/admin",
  beforeLoad: async ({ context }) => {
    // Both at once: one round trip before the page, not two in a row.
    const [me, settings] = await Promise.all([
      context.queryClient.ensureQueryData(meQuery),
      // A settings query that fails leaves the decision below to the API's
      // answer (MFA_ENROLMENT_REQUIRED, handled globally).
      context.queryClient.ensureQueryData(publicSettingsQuery).catch(() => null),
    ]);
    if (!me.isSuperuser) throw new AccessDeniedError();
    // With MFA_REQUIRED_FOR_SUPERUSERS the API refuses every admin operation
    // (MFA_ENROLMENT_REQUIRED) until this superuser has MFA: send them to
    // set it up first rather than to a page of refusals.
    if (settings?.mfaRequiredForSuperusers && !me.mfaEnabled) {
      throw redirect({ to: "/settings/security", search: { reason: "mfa-required" } });
    }
  },
  // Not a superuser: access denied. Anything else (the guard's own request
  // failed): the error page, whose Try again runs the guard again.
  errorComponent: (props: ErrorComponentProps) =>
    props.error instanceof AccessDeniedError ? <AccessDenied /> : <RouteError {...props} />,
  // Not lazy-loaded: the admin screens are under 3 KiB compressed, and a
  // separate chunk per level made the first visit wait for two downloads in
  // a row before the users query could even start.
  component: AdminLayout,
});

function AccessDenied() {
  return (
    <section data-testid="access-denied">
      <PageHeader title="Access denied" lead="This area is for administrators only." />
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
  component: UsersRoute,
});

export const adminAuditRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: "/audit",
  validateSearch: pageSearch,
  component: AuditRoute,
});

export const adminEmailRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: "/email",
  component: EmailRoute,
});
