import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { createRoute, useNavigate } from "@tanstack/react-router";
import { Pagination } from "../components/Common/Pagination";
import { AddItem } from "../components/Items/AddItem";
import { DeleteItem } from "../components/Items/DeleteItem";
import { EditItem } from "../components/Items/EditItem";
import { ITEMS_KEY, ItemsQuery } from "../components/Items/queries";
import { useAuth } from "../hooks/useAuth";
import { execute } from "../lib/graphql-client";
import { layoutRoute } from "./_layout";

export const ITEMS_PAGE_SIZE = 10;

/** `?page=` from the address bar: a positive integer, else 1. */
export function parsePage(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}

/** Search params of a paginated page; page 1 stays out of the URL. */
export function pageSearch(search: Record<string, unknown>): { page?: number } {
  const page = parsePage(search.page);
  return page > 1 ? { page } : {};
}

export const itemsRoute = createRoute({
  getParentRoute: () => layoutRoute,
  path: "/items",
  validateSearch: pageSearch,
  component: ItemsPage,
});

function ItemsPage() {
  const page = itemsRoute.useSearch().page ?? 1;
  const navigate = useNavigate({ from: "/items" });
  const { user } = useAuth();
  const items = useQuery({
    queryKey: [...ITEMS_KEY, page],
    queryFn: async () =>
      (
        await execute(ItemsQuery, {
          offset: (page - 1) * ITEMS_PAGE_SIZE,
          limit: ITEMS_PAGE_SIZE,
        })
      ).items,
    placeholderData: keepPreviousData,
  });
  const showOwner = user?.isSuperuser ?? false;

  return (
    <>
      <hgroup className="page-head">
        <h1>Items</h1>
        <AddItem />
      </hgroup>
      {items.isPending ? (
        <p aria-busy="true">Loading items…</p>
      ) : items.isError ? (
        <p role="alert">The items could not be loaded.</p>
      ) : items.data.nodes.length === 0 && page === 1 ? (
        <article data-testid="items-empty">
          <h2>You don't have any items yet</h2>
          <p>Add a new item to get started.</p>
        </article>
      ) : (
        <>
          <div className="overflow-auto">
            <table className="striped" aria-busy={items.isPlaceholderData}>
              <caption className="visually-hidden">Your items</caption>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Description</th>
                  {showOwner ? <th scope="col">Owner</th> : null}
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.data.nodes.map((item) => (
                  <tr key={item.id} data-testid="item-row">
                    <td>{item.title}</td>
                    <td>{item.description ?? <span className="muted">N/A</span>}</td>
                    {showOwner ? <td>{item.owner.email}</td> : null}
                    <td className="actions">
                      <EditItem item={item} />
                      <DeleteItem id={item.id} title={item.title} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pageSize={ITEMS_PAGE_SIZE}
            total={items.data.totalCount}
            noun="items"
            onPage={(p) => void navigate({ search: { page: p } })}
          />
        </>
      )}
    </>
  );
}
