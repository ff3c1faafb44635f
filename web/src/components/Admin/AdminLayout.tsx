import { Link, Outlet } from "@tanstack/react-router";

/** The admin area: its heading and the tabs between its lists. */
export function AdminLayout() {
  return (
    <>
      <h1>Administration</h1>
      <nav aria-label="Administration" className="tabs">
        <ul>
          <li>
            <Link to="/admin" activeOptions={{ exact: true, includeSearch: false }}>
              Users
            </Link>
          </li>
          <li>
            <Link to="/admin/audit" activeOptions={{ includeSearch: false }}>
              Audit events
            </Link>
          </li>
          <li>
            <Link to="/admin/email">E-mail</Link>
          </li>
        </ul>
      </nav>
      <Outlet />
    </>
  );
}
