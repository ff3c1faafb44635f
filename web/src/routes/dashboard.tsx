import { createRoute, Link } from "@tanstack/react-router";
import { useAuth } from "../hooks/useAuth";
import { layoutRoute } from "./_layout";

export const dashboardRoute = createRoute({
  getParentRoute: () => layoutRoute,
  path: "/",
  component: Dashboard,
});

function Dashboard() {
  const { user } = useAuth();
  return (
    <>
      <h1 data-testid="greeting">{user ? `Hi, ${user.fullName || user.email} 👋` : "Hi 👋"}</h1>
      <p>Welcome back, nice to see you again!</p>
      <p>
        <Link to="/items">Your items</Link> · <Link to="/settings">Your settings</Link>
      </p>
    </>
  );
}
