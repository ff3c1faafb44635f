import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { AddUser } from "../components/Admin/AddUser";
import { DeleteUser } from "../components/Admin/DeleteUser";
import { EditUser } from "../components/Admin/EditUser";
import { AUDIT_KEY, AuditEventsQuery, USERS_KEY, UsersQuery } from "../components/Admin/queries";
import { Pagination } from "../components/Common/Pagination";
import { useAuth } from "../hooks/useAuth";
import { execute } from "../lib/graphql-client";
import { adminAuditRoute, adminUsersRoute } from "./admin";

const ADMIN_PAGE_SIZE = 10;

export function AdminLayout() {
  return (
    <>
      <h1>Administration</h1>
      <nav aria-label="Administration">
        <ul>
          <li>
            <Link to="/admin" activeOptions={{ exact: true }}>
              Users
            </Link>
          </li>
          <li>
            <Link to="/admin/audit">Audit events</Link>
          </li>
        </ul>
      </nav>
      <Outlet />
    </>
  );
}

export function UsersPage() {
  const page = adminUsersRoute.useSearch().page ?? 1;
  const navigate = useNavigate({ from: "/admin/" });
  const { user: me } = useAuth();
  const users = useQuery({
    queryKey: [...USERS_KEY, page],
    queryFn: async () =>
      (await execute(UsersQuery, { offset: (page - 1) * ADMIN_PAGE_SIZE, limit: ADMIN_PAGE_SIZE }))
        .users,
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <hgroup className="page-head">
        <h2>Users</h2>
        <AddUser />
      </hgroup>
      {users.isPending ? (
        <p aria-busy="true">Loading users…</p>
      ) : users.isError ? (
        <p role="alert">The users could not be loaded.</p>
      ) : (
        <>
          <div className="overflow-auto">
            <table className="striped" aria-busy={users.isPlaceholderData}>
              <caption className="visually-hidden">Users</caption>
              <thead>
                <tr>
                  <th scope="col">Full name</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.data.nodes.map((user) => (
                  <tr key={user.id} data-testid="user-row">
                    <td>
                      {user.fullName ?? <span className="muted">N/A</span>}
                      {user.id === me?.id ? <span className="badge">You</span> : null}
                    </td>
                    <td>{user.email}</td>
                    <td>{user.isSuperuser ? "Superuser" : "User"}</td>
                    <td>{user.isActive ? "Active" : "Inactive"}</td>
                    <td className="actions">
                      <EditUser user={{ ...user, fullName: user.fullName ?? null }} />
                      {user.id === me?.id ? null : <DeleteUser id={user.id} email={user.email} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pageSize={ADMIN_PAGE_SIZE}
            total={users.data.totalCount}
            noun="users"
            onPage={(p) => void navigate({ search: { page: p } })}
          />
        </>
      )}
    </>
  );
}

export const dateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});

export function AuditPage() {
  const page = adminAuditRoute.useSearch().page ?? 1;
  const navigate = useNavigate({ from: "/admin/audit" });
  const events = useQuery({
    queryKey: [...AUDIT_KEY, page],
    queryFn: async () =>
      (
        await execute(AuditEventsQuery, {
          offset: (page - 1) * ADMIN_PAGE_SIZE,
          limit: ADMIN_PAGE_SIZE,
        })
      ).auditEvents,
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h2>Audit events</h2>
      {events.isPending ? (
        <p aria-busy="true">Loading events…</p>
      ) : events.isError ? (
        <p role="alert">The audit events could not be loaded.</p>
      ) : events.data.nodes.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <>
          <div className="overflow-auto">
            <table className="striped" aria-busy={events.isPlaceholderData}>
              <caption className="visually-hidden">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Subject</th>
                  <th scope="col">IP</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {events.data.nodes.map((event) => (
                  <tr key={event.id} data-testid="audit-row">
                    <td>
                      <time dateTime={event.createdAt}>
                        {dateFormat.format(new Date(event.createdAt))}
                      </time>
                    </td>
                    <td>
                      <code>{event.kind}</code>
                    </td>
                    <td>{event.subjectEmail ?? "—"}</td>
                    <td>{event.ip ?? "—"}</td>
                    <td>{event.detail ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pageSize={ADMIN_PAGE_SIZE}
            total={events.data.totalCount}
            noun="events"
            onPage={(p) => void navigate({ search: { page: p } })}
          />
        </>
      )}
    </>
  );
}
