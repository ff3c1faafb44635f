import { createRoute, Link } from "@tanstack/react-router";
import { PageHeader } from "../components/Common/Page";
import { useAuth } from "../hooks/useAuth";
import { signedInRoute } from "./signed-in";

export const dashboardRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/",
  component: Dashboard,
});

function Dashboard() {
  const { user } = useAuth();
  return (
    <>
      <PageHeader
        title="Dashboard"
        headingTestId="greeting"
        heading={user ? `Hi, ${user.fullName || user.email} 👋` : "Hi 👋"}
        lead="Welcome back, nice to see you again!"
      />
      <div className="tiles">
        <Link to="/items" className="tile">
          <strong>Your items</strong>
          <span>Add, edit and remove what you keep here.</span>
        </Link>
        <Link to="/settings" className="tile">
          <strong>Your settings</strong>
          <span>Profile, password and appearance.</span>
        </Link>
      </div>
    </>
  );
}
