import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { graphql } from "../../gql";
import type { UsersQuery as UsersResult } from "../../gql/graphql";
import { useAuth } from "../../hooks/useAuth";
import { type Page, usePagedQuery } from "../../hooks/usePagedQuery";
import { execute } from "../../lib/graphql-client";
import type { PageSearch } from "../../lib/paging";
import { usePageTitle } from "../Common/Page";
import { type Column, PagedTable } from "../Common/PagedTable";
import { AddUser } from "./AddUser";
import { DeleteUser } from "./DeleteUser";
import { type EditableUser, EditUser } from "./EditUser";
import { USERS_KEY } from "./keys";
import { ResetMfa } from "./ResetMfa";

const UsersQuery = graphql(`
  query Users($offset: Int!, $limit: Int!) {
    users(offset: $offset, limit: $limit) {
      totalCount
      nodes {
        id
        email
        fullName
        isActive
        isSuperuser
        mfaEnabled
        emailVerified
      }
    }
  }
`);

type User = UsersResult["users"]["nodes"][number];

const NOUN = { one: "user", other: "users" };

export function UsersPage({ search }: { search: PageSearch }) {
  usePageTitle("Users");
  const { user: me } = useAuth();
  // One edit and one delete dialog for the whole list, not two per row.
  const [editing, setEditing] = useState<EditableUser | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [resettingMfa, setResettingMfa] = useState<User | null>(null);
  const paged = usePagedQuery<User>({
    queryKey: USERS_KEY,
    search,
    fetchPage: async (window): Promise<Page<User>> => (await execute(UsersQuery, window)).users,
  });
  const columns: Column<User>[] = [
    {
      header: "Full name",
      primary: true,
      cell: (user) => (
        <>
          {user.fullName ?? <span className="muted">N/A</span>}
          {user.id === me?.id ? <span className="badge">You</span> : null}
        </>
      ),
    },
    {
      header: "E-mail",
      cell: (user) => (
        <>
          <span className="break">{user.email}</span>
          {user.emailVerified ? null : (
            <span className="badge warning" data-testid="user-unverified">
              Unverified
            </span>
          )}
        </>
      ),
    },
    { header: "Role", cell: (user) => (user.isSuperuser ? "Superuser" : "User") },
    {
      header: "Two-factor",
      cell: (user) => (
        <span className={user.mfaEnabled ? "status active" : "status inactive"}>
          {user.mfaEnabled ? "On" : "Off"}
        </span>
      ),
    },
    {
      header: "Status",
      cell: (user) => (
        <span className={user.isActive ? "status active" : "status inactive"}>
          {user.isActive ? "Active" : "Inactive"}
        </span>
      ),
    },
  ];
  return (
    <>
      <div className="section-head">
        <h2>Users</h2>
        <AddUser />
      </div>
      <PagedTable
        caption="Users"
        noun={NOUN}
        columns={columns}
        rowKey={(user) => user.id}
        rowTestId="user-row"
        paged={paged}
        actions={(user) => (
          <>
            <button
              type="button"
              className="secondary outline"
              aria-label={`Edit ${user.email}`}
              onClick={() => setEditing({ ...user, fullName: user.fullName ?? null })}
            >
              Edit
            </button>
            {user.mfaEnabled && user.id !== me?.id ? (
              <button
                type="button"
                className="secondary outline"
                aria-label={`Reset MFA of ${user.email}`}
                onClick={() => setResettingMfa(user)}
              >
                Reset MFA
              </button>
            ) : null}
            {user.id === me?.id ? null : (
              <button
                type="button"
                className="danger outline"
                aria-label={`Delete ${user.email}`}
                onClick={() => setDeleting(user)}
              >
                Delete
              </button>
            )}
          </>
        )}
        empty={<p data-testid="users-empty">No users yet.</p>}
      />
      <EditUser user={editing} onClose={() => setEditing(null)} />
      <DeleteUser user={deleting} onClose={() => setDeleting(null)} />
      <ResetMfa user={resettingMfa} onClose={() => setResettingMfa(null)} />
    </>
  );
}

// The route's typed search params without importing the route module (which
// imports this one): the route tree stays one-way.
const route = getRouteApi("/signed-in/admin/");

export function UsersRoute() {
  return <UsersPage search={route.useSearch()} />;
}
