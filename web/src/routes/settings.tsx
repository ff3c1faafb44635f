import { createRoute } from "@tanstack/react-router";
import { PageHeader } from "../components/Common/Page";
import { ListSkeleton } from "../components/Common/PagedTable";
import { Appearance } from "../components/UserSettings/Appearance";
import { ChangePassword } from "../components/UserSettings/ChangePassword";
import { DeleteAccount } from "../components/UserSettings/DeleteAccount";
import { Sessions } from "../components/UserSettings/Sessions";
import { UserInformation } from "../components/UserSettings/UserInformation";
import { meQuery, useAuth } from "../hooks/useAuth";
import { signedInRoute } from "./signed-in";

export const settingsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/settings",
  // The profile form needs the user: wait for it rather than swap a
  // placeholder for a taller form (a layout shift).
  loader: ({ context }) => context.queryClient.ensureQueryData(meQuery),
  component: SettingsPage,
});

function SettingsPage() {
  const { user } = useAuth();
  return (
    <div className="settings">
      <PageHeader
        title="User settings"
        lead="Your profile, password, sessions and how Rampart looks."
      />
      {user ? (
        <UserInformation
          key={user.id + user.email}
          email={user.email}
          fullName={user.fullName ?? null}
        />
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
    </div>
  );
}
