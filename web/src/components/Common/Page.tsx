import { type ReactNode, useEffect } from "react";

export const PRODUCT = "Rampart";

/** Names the tab and the history entry after the page ("Items · Rampart"). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${PRODUCT}`;
  }, [title]);
}

/** A page's heading row: its title (h1, and the document title), a lead line, its main action. */
export function PageHeader({
  title,
  lead,
  actions,
  headingTestId,
  heading,
}: {
  title: string;
  lead?: ReactNode;
  actions?: ReactNode;
  headingTestId?: string;
  /** What the h1 says when it differs from the document title (a greeting). */
  heading?: ReactNode;
}) {
  usePageTitle(title);
  return (
    <div className="page-head">
      <div>
        <h1 data-testid={headingTestId}>{heading ?? title}</h1>
        {lead ? <p className="lead">{lead}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
