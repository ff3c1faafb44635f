import { createRoute } from "@tanstack/react-router";
import { Appearance } from "../components/UserSettings/Appearance";
import { ChangePassword } from "../components/UserSettings/ChangePassword";
import { DeleteAccount } from "../components/UserSettings/DeleteAccount";
import { UserInformation } from "../components/UserSettings/UserInformation";
import { useAuth } from "../hooks/useAuth";
import { layoutRoute } from "./_layout";

export const settingsRoute = createRoute({
  getParentRoute: () => layoutRoute,
  path: "/settings",
  component: SettingsPage,
});

function SettingsPage() {
  const { user } = useAuth();
  return (
    <>
      <h1>User settings</h1>
      {user ? (
        <UserInformation
          key={user.id + user.email}
          email={user.email}
          fullName={user.fullName ?? null}
        />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      <ChangePassword />
      <Appearance />
      {/* The API refuses deleteMe for superusers (the last admin must not vanish). */}
      {user && !user.isSuperuser ? <DeleteAccount /> : null}
    </>
  );
}
