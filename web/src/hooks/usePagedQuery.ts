import { keepPreviousData, type UseQueryResult, useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect } from "react";
import {
  DEFAULT_PAGE_SIZE,
  type PageSearch,
  pageCount,
  parsePage,
  parsePageSize,
} from "../lib/paging";

export interface Page<T> {
  nodes: T[];
  totalCount: number;
}

export interface PagedQuery<T> {
  query: UseQueryResult<Page<T>>;
  page: number;
  size: number;
  setPage: (page: number) => void;
  setSize: (size: number) => void;
}

export type SearchUpdate = (
  patch: Record<string, unknown>,
  options?: { replace?: boolean },
) => void;

/**
 * Merges `patch` into the current route's search params (undefined removes a
 * key), keeping every other param: a list's filters survive a page change.
 */
export function useSearchUpdate(): SearchUpdate {
  const navigate = useNavigate();
  return useCallback(
    (patch, options) =>
      void navigate({
        to: ".",
        search: ((prev: Record<string, unknown>) => ({ ...prev, ...patch })) as never,
        replace: options?.replace ?? false,
      }),
    [navigate],
  );
}

/**
 * One page of a server-side list, its place taken from and kept in the
 * address bar. The previous page stays on screen while the next one loads
 * (no layout jump); a page that no longer exists (the last row of the last
 * page was deleted) moves to the new last page.
 */
export function usePagedQuery<T>({
  queryKey,
  search,
  fetchPage,
}: {
  /** Every page of this list shares the prefix: mutations invalidate it whole. */
  queryKey: readonly unknown[];
  /** The route's validated search params (see lib/paging.ts). */
  search: PageSearch;
  fetchPage: (window: { offset: number; limit: number }) => Promise<Page<T>>;
}): PagedQuery<T> {
  const navigate = useSearchUpdate();
  // Parsed again: the router keeps params its validator did not return.
  const page = parsePage(search.page);
  const size = parsePageSize(search.size);
  const query = useQuery({
    queryKey: [...queryKey, { page, size }],
    queryFn: () => fetchPage({ offset: (page - 1) * size, limit: size }),
    placeholderData: keepPreviousData,
    // The list says its own errors where its rows would be.
    meta: { inlineError: true },
  });

  const total = query.data?.totalCount;
  const empty = query.data !== undefined && query.data.nodes.length === 0;
  const stale = query.isPlaceholderData;
  useEffect(() => {
    if (stale || !empty || total === undefined || total === 0 || page === 1) return;
    const last = pageCount(total, size);
    if (page > last) navigate({ page: last > 1 ? last : undefined }, { replace: true });
  }, [stale, empty, total, page, size, navigate]);

  return {
    query,
    page,
    size,
    setPage: (p) => navigate({ page: p > 1 ? p : undefined }),
    setSize: (s) => navigate({ size: s === DEFAULT_PAGE_SIZE ? undefined : s, page: undefined }),
  };
}
