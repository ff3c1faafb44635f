import { getRouteApi } from "@tanstack/react-router";
import { graphql } from "../../gql";
import type { AuditEventsQuery as AuditResult } from "../../gql/graphql";
import { usePagedQuery } from "../../hooks/usePagedQuery";
import { execute } from "../../lib/graphql-client";
import type { PageSearch } from "../../lib/paging";
import { usePageTitle } from "../Common/Page";
import { type Column, PagedTable } from "../Common/PagedTable";
import { AUDIT_KEY } from "./keys";

const AuditEventsQuery = graphql(`
  query AuditEvents($offset: Int!, $limit: Int!) {
    auditEvents(offset: $offset, limit: $limit) {
      totalCount
      nodes {
        id
        kind
        actorId
        subjectEmail
        ip
        detail
        createdAt
      }
    }
  }
`);

type AuditEvent = AuditResult["auditEvents"]["nodes"][number];

const NOUN = { one: "event", other: "events" };

export const dateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});

const COLUMNS: Column<AuditEvent>[] = [
  {
    header: "When",
    primary: true,
    cell: (event) => (
      <time dateTime={event.createdAt}>{dateFormat.format(new Date(event.createdAt))}</time>
    ),
  },
  { header: "Event", cell: (event) => <code>{event.kind}</code> },
  {
    header: "Subject",
    cell: (event) => <span className="break">{event.subjectEmail ?? "—"}</span>,
  },
  { header: "IP", cell: (event) => event.ip ?? "—" },
  { header: "Detail", cell: (event) => event.detail ?? "" },
];

export function AuditPage({ search }: { search: PageSearch }) {
  usePageTitle("Audit events");
  const paged = usePagedQuery<AuditEvent>({
    queryKey: AUDIT_KEY,
    search,
    fetchPage: async (window) => (await execute(AuditEventsQuery, window)).auditEvents,
  });
  return (
    <>
      <div className="section-head">
        <h2>Audit events</h2>
      </div>
      <PagedTable
        caption="Audit events, newest first"
        noun={NOUN}
        columns={COLUMNS}
        rowKey={(event) => event.id}
        rowTestId="audit-row"
        paged={paged}
        empty={<p data-testid="audit-empty">No events yet.</p>}
      />
    </>
  );
}

// The route's typed search params without importing the route module (which
// imports this one): the route tree stays one-way.
const route = getRouteApi("/signed-in/admin/audit");

export function AuditRoute() {
  return <AuditPage search={route.useSearch()} />;
}
