import { useState } from "react";
import { graphql } from "../../gql";
import type { ItemsQuery as ItemsResult } from "../../gql/graphql";
import { useAuth } from "../../hooks/useAuth";
import { usePagedQuery } from "../../hooks/usePagedQuery";
import { execute } from "../../lib/graphql-client";
import type { PageSearch } from "../../lib/paging";
import { type Column, PagedTable } from "../Common/PagedTable";
import { DeleteItem } from "./DeleteItem";
import { type EditableItem, EditItem } from "./EditItem";
import { ITEMS_KEY } from "./keys";

const ItemsQuery = graphql(`
  query Items($offset: Int!, $limit: Int!) {
    items(offset: $offset, limit: $limit) {
      totalCount
      nodes {
        id
        title
        description
        createdAt
        owner {
          email
        }
      }
    }
  }
`);

type Item = ItemsResult["items"]["nodes"][number];

const NOUN = { one: "item", other: "items" };

export function ItemsList({ search }: { search: PageSearch }) {
  const { user } = useAuth();
  // One edit and one delete dialog for the whole list, not two per row: a
  // page of rows renders only buttons (a phone's CPU notices the difference).
  const [editing, setEditing] = useState<EditableItem | null>(null);
  const [deleting, setDeleting] = useState<Item | null>(null);
  const paged = usePagedQuery<Item>({
    queryKey: ITEMS_KEY,
    search,
    fetchPage: async (window) => (await execute(ItemsQuery, window)).items,
  });
  const columns: Column<Item>[] = [
    { header: "Title", cell: (item) => item.title, primary: true },
    {
      header: "Description",
      cell: (item) => item.description ?? <span className="muted">N/A</span>,
    },
    // Superusers see every item: say whose it is.
    ...(user?.isSuperuser ? [{ header: "Owner", cell: (item: Item) => item.owner.email }] : []),
  ];
  return (
    <>
      <PagedTable
        caption="Your items"
        noun={NOUN}
        columns={columns}
        rowKey={(item) => item.id}
        rowTestId="item-row"
        paged={paged}
        actions={(item) => (
          <>
            <button
              type="button"
              className="secondary outline"
              aria-label={`Edit ${item.title}`}
              onClick={() => setEditing(item)}
            >
              Edit
            </button>
            <button
              type="button"
              className="danger outline"
              aria-label={`Delete ${item.title}`}
              onClick={() => setDeleting(item)}
            >
              Delete
            </button>
          </>
        )}
        empty={
          <article className="empty-state" data-testid="items-empty">
            <h2>You don't have any items yet</h2>
            <p>Add a new item to get started.</p>
          </article>
        }
      />
      <EditItem item={editing} onClose={() => setEditing(null)} />
      <DeleteItem item={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
