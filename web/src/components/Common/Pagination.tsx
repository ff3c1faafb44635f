import { useId } from "react";
import { countOf, type Noun, PAGE_SIZES, pageCount } from "../../lib/paging";

interface PaginationProps {
  page: number;
  size: number;
  total: number;
  noun: Noun;
  onPage: (page: number) => void;
  onSize: (size: number) => void;
}

export function Pagination({ page, size, total, noun, onPage, onSize }: PaginationProps) {
  const pages = pageCount(total, size);
  const sizeId = useId();
  const step = (label: string, glyph: string, text: string, to: number, disabled: boolean) => (
    <button
      type="button"
      className="secondary outline"
      aria-label={label}
      disabled={disabled}
      onClick={() => onPage(to)}
    >
      <span aria-hidden="true">{glyph}</span>
      <span className="pager-text" aria-hidden="true">
        {text}
      </span>
    </button>
  );
  return (
    <nav aria-label={`${noun.other} pages`} className="pagination">
      <span data-testid="page-status" className="page-status">
        Page {page} of {pages} · {countOf(total, noun)}
      </span>
      <div className="pager-controls">
        <label htmlFor={sizeId} className="page-size">
          Rows per page
          <select id={sizeId} value={size} onChange={(e) => onSize(Number(e.target.value))}>
            {PAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <div className="pager-buttons">
          {step("First page", "«", "First", 1, page <= 1)}
          {step("Previous page", "‹", "Previous", page - 1, page <= 1)}
          {step("Next page", "›", "Next", page + 1, page >= pages)}
          {step("Last page", "»", "Last", pages, page >= pages)}
        </div>
      </div>
    </nav>
  );
}
