export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

interface PaginationProps {
  page: number;
  pageSize: number;
  total: number;
  noun: string;
  onPage: (page: number) => void;
}

export function Pagination({ page, pageSize, total, noun, onPage }: PaginationProps) {
  const pages = pageCount(total, pageSize);
  return (
    <nav aria-label={`${noun} pages`} className="pagination">
      <button
        type="button"
        className="secondary outline"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        Previous
      </button>
      <span data-testid="page-status">
        Page {page} of {pages} · {total} {noun}
      </span>
      <button
        type="button"
        className="secondary outline"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        Next
      </button>
    </nav>
  );
}
