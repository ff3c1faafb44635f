import { useIsFetching } from "@tanstack/react-query";
import { createRoute, Link, Outlet, redirect } from "@tanstack/react-router";
import { useAuth } from "../hooks/useAuth";
import { isLoggedIn } from "../lib/auth";
import { rootRoute } from "./__root";

// The auth guard lives in this layout route: every page below it needs a
// session. The API enforces the same on every field; this only spares the
// user a page full of errors.
export const layoutRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: ({ location }) => {
    if (!isLoggedIn()) {
      throw redirect({ to: "/login", search: { redirect: location.href } });
    }
  },
  component: AppLayout,
});

function AppLayout() {
  const { user, logOut } = useAuth();
  const fetching = useIsFetching();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="container">
        <nav aria-label="Main">
          <ul>
            <li>
              <strong>Rampart</strong>
            </li>
          </ul>
          <ul>
            <li>
              <Link to="/" activeOptions={{ exact: true }}>
                Dashboard
              </Link>
            </li>
            <li>
              <Link to="/items">Items</Link>
            </li>
            <li>
              <Link to="/settings">Settings</Link>
            </li>
            {user?.isSuperuser ? (
              <li>
                <Link to="/admin">Admin</Link>
              </li>
            ) : null}
            <li>
              <button type="button" className="secondary outline" onClick={logOut}>
                Log out
              </button>
            </li>
          </ul>
        </nav>
        <progress className={fetching ? "busy" : "idle"} aria-label="Loading" hidden={!fetching} />
      </header>
      <main id="main" className="container" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
