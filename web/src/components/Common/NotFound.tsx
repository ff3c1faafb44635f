import { Link } from "@tanstack/react-router";
import { AnyFrame } from "./Frame";
import { PageHeader } from "./Page";

export function NotFound() {
  return (
    <AnyFrame>
      <section className="status-page" data-testid="not-found">
        <PageHeader
          title="Page not found"
          lead="The address may be mistyped, or the page may have moved."
        />
        <p>
          <Link to="/">Go to the dashboard</Link>
        </p>
      </section>
    </AnyFrame>
  );
}
