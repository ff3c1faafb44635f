import { useIsFetching } from "@tanstack/react-query";
import { Link, useRouterState } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { useAuth } from "../../hooks/useAuth";
import { PRODUCT } from "./Page";

/**
 * The signed-in header: brand, the main navigation and log out. On narrow
 * screens the navigation folds behind a Menu button (styles.css), which
 * closes again when a page is chosen or on Escape.
 */
export function AppHeader() {
  const { user, logOut, loggingOut } = useAuth();
  const fetching = useIsFetching();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const href = useRouterState({ select: (s) => s.location.href });
  // biome-ignore lint/correctness/useExhaustiveDependencies: closing on every navigation is the point
  useEffect(() => setOpen(false), [href]);

  return (
    <header className="app-header">
      <div className="container header-bar">
        <Link to="/" className="brand">
          {PRODUCT}
        </Link>
        <nav
          aria-label="Main"
          onKeyDown={(e) => {
            if (e.key === "Escape" && open) {
              setOpen(false);
              toggle.current?.focus();
            }
          }}
        >
          <button
            ref={toggle}
            type="button"
            className="menu-toggle secondary outline"
            aria-expanded={open}
            aria-controls="main-menu"
            onClick={() => setOpen((o) => !o)}
          >
            Menu
          </button>
          <ul id="main-menu" className="menu" data-open={open}>
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
            <li className="menu-end">
              {user ? (
                <span className="who" title={user.email}>
                  {user.email}
                </span>
              ) : null}
              <button
                type="button"
                className="secondary outline"
                aria-busy={loggingOut}
                disabled={loggingOut}
                onClick={() => void logOut()}
              >
                Log out
              </button>
            </li>
          </ul>
        </nav>
      </div>
      <progress className="busy" aria-label="Loading" hidden={!fetching} />
    </header>
  );
}

/** The logged-out header of pages outside the auth card (404, errors): the brand and a way in. */
export function GuestHeader() {
  return (
    <header className="app-header">
      <div className="container header-bar">
        <Link to="/login" className="brand">
          {PRODUCT}
        </Link>
        <nav aria-label="Main">
          <ul className="menu guest">
            <li>
              <Link to="/login">Log in</Link>
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}
