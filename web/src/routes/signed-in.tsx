import { createRoute, Outlet, redirect } from "@tanstack/react-router";
import { SignedInFrame } from "../components/Common/Frame";
import { isLoggedIn } from "../lib/auth";
import { rootRoute } from "./root";

// The auth guard lives in this layout route: every page below it needs a
// session. The API enforces the same on every field; this only spares the
// user a page full of errors.
export const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "signed-in",
  beforeLoad: ({ location }) => {
    if (!isLoggedIn()) {
      throw redirect({ to: "/login", search: { redirect: location.href } });
    }
  },
  component: () => (
    <SignedInFrame>
      <Outlet />
    </SignedInFrame>
  ),
});
