import type { ReactNode } from "react";
import { NARROW, useMediaQuery } from "../../hooks/useMediaQuery";
import type { PagedQuery } from "../../hooks/usePagedQuery";
import { isOutage } from "../../lib/errors";
import type { Noun } from "../../lib/paging";
import { ErrorMessage } from "./ErrorMessage";
import { Pagination } from "./Pagination";

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** The column a card leads with on narrow screens (its title). */
  primary?: boolean;
}

interface PagedTableProps<T> {
  /** Names the table (visually hidden) and the card list. */
  caption: string;
  noun: Noun;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowTestId: string;
  actions?: (row: T) => ReactNode;
  paged: PagedQuery<T>;
  /** Shown when there are no rows at all on the first page. */
  empty: ReactNode;
}

/**
 * A server-side paged list: a table on wide screens and a list of cards on
 * narrow ones (every column and action readable without sideways scrolling),
 * a skeleton while the first page loads, the error where the rows would be,
 * and the pager below.
 */
export function PagedTable<T>({
  caption,
  noun,
  columns,
  rowKey,
  rowTestId,
  actions,
  paged,
  empty,
}: PagedTableProps<T>) {
  const narrow = useMediaQuery(NARROW);
  const { query, page, size } = paged;

  if (query.isPending) {
    return <ListSkeleton label={`Loading ${noun.other}…`} rows={Math.min(size, 5)} />;
  }
  if (query.isError) {
    // An outage is said once, app-wide, with its own Retry (ConnectionNotice).
    return isOutage(query.error) ? (
      <p className="list-unavailable" data-testid="list-unavailable">
        The {noun.other} could not be loaded.
      </p>
    ) : (
      <ErrorMessage error={query.error}>
        <button type="button" className="secondary" onClick={() => void query.refetch()}>
          Retry
        </button>
      </ErrorMessage>
    );
  }
  const { nodes, totalCount } = query.data;
  if (nodes.length === 0 && page === 1) return <>{empty}</>;

  const primary = columns.find((c) => c.primary) ?? columns[0];
  const rest = columns.filter((c) => c !== primary);
  return (
    <>
      {narrow ? (
        <ul className="cards" aria-label={caption} aria-busy={query.isPlaceholderData}>
          {nodes.map((row) => (
            <li key={rowKey(row)} className="card" data-testid={rowTestId}>
              <p className="card-title">{primary?.cell(row)}</p>
              <dl>
                {rest.map((c) => (
                  <div key={c.header}>
                    <dt>{c.header}</dt>
                    <dd>{c.cell(row)}</dd>
                  </div>
                ))}
              </dl>
              {actions ? <div className="actions">{actions(row)}</div> : null}
            </li>
          ))}
        </ul>
      ) : (
        <div className="table-frame">
          <table className="striped" aria-busy={query.isPlaceholderData}>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.header} scope="col">
                    {c.header}
                  </th>
                ))}
                {actions ? (
                  <th scope="col" className="actions-col">
                    Actions
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {nodes.map((row) => (
                <tr key={rowKey(row)} data-testid={rowTestId}>
                  {columns.map((c) => (
                    <td key={c.header}>{c.cell(row)}</td>
                  ))}
                  {actions ? (
                    <td>
                      <div className="actions">{actions(row)}</div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination
        page={page}
        size={size}
        total={totalCount}
        noun={noun}
        onPage={paged.setPage}
        onSize={paged.setSize}
      />
    </>
  );
}

/** Placeholder rows shaped like the list, so the page does not jump when it arrives. */
export function ListSkeleton({ label, rows }: { label: string; rows: number }) {
  return (
    <div className="skeleton" data-testid="list-skeleton" aria-busy="true">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <div key={i} className="skeleton-row" data-testid="skeleton-row" aria-hidden="true">
          <span />
          <span />
          <span />
        </div>
      ))}
    </div>
  );
}
