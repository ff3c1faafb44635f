import { createRoute, Link, Outlet } from "@tanstack/react-router";
import { PageHeader } from "../components/Common/Page";
import { ListSkeleton } from "../components/Common/PagedTable";
import { Appearance } from "../components/UserSettings/Appearance";
import { ChangePassword } from "../components/UserSettings/ChangePassword";
import { DeleteAccount } from "../components/UserSettings/DeleteAccount";
import { Sessions } from "../components/UserSettings/Sessions";
import { TwoFactor } from "../components/UserSettings/TwoFactor";
import { UserInformation } from "../components/UserSettings/UserInformation";
import { meQuery, useAuth } from "../hooks/useAuth";
import { signedInRoute } from "./signed-in";

export const settingsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/settings",
  // The profile form needs the user: wait for it rather than swap a
  // placeholder for a taller form (a layout shift).
  loader: ({ context }) => context.queryClient.ensureQueryData(meQuery),
  component: SettingsLayout,
});

function SettingsLayout() {
  return (
    <div className="settings">
      <PageHeader
        title="User settings"
        lead="Your profile, password, sessions, two-factor authentication and how Rampart looks."
      />
      <nav aria-label="Settings" className="tabs">
        <ul>
          <li>
            <Link to="/settings" activeOptions={{ exact: true, includeSearch: false }}>
              Profile
            </Link>
          </li>
          <li>
            <Link to="/settings/security" activeOptions={{ includeSearch: false }}>
              Security
            </Link>
          </li>
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}

export const settingsProfileRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/",
  component: ProfileTab,
});

function ProfileTab() {
  const { user } = useAuth();
  return (
    <>
      {user ? (
        <UserInformation key={user.id + user.email} user={user} />
      ) : (
        <section className="settings-card" aria-label="Profile">
          <ListSkeleton label="Loading your profile…" rows={2} />
        </section>
      )}
      <ChangePassword />
      <Sessions />
      <Appearance />
      {/* The API refuses deleteMe for superusers (the last admin must not vanish). */}
      {user && !user.isSuperuser ? <DeleteAccount /> : null}
    </>
  );
}

interface SecuritySearch {
  /** Why the user was sent here: an admin page needs MFA first. */
  reason?: "mfa-required";
}

export const settingsSecurityRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/security",
  validateSearch: (search: Record<string, unknown>): SecuritySearch =>
    search.reason === "mfa-required" ? { reason: "mfa-required" } : {},
  component: SecurityTab,
});

function SecurityTab() {
  const { reason } = settingsSecurityRoute.useSearch();
  const { user } = useAuth();
  return (
    <>
      {reason === "mfa-required" && !user?.mfaEnabled ? (
        <p className="notice" role="alert" data-testid="mfa-required">
          Administrators must use two-factor authentication on this server. Set it up below to open
          the administration pages.
        </p>
      ) : null}
      <TwoFactor account={user?.email ?? ""} />
    </>
  );
}
