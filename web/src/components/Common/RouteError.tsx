import { useQueryClient } from "@tanstack/react-query";
import { type ErrorComponentProps, Link, useRouter } from "@tanstack/react-router";
import { useEffect } from "react";
import { ApiError } from "../../lib/errors";
import { ErrorMessage } from "./ErrorMessage";
import { AnyFrame } from "./Frame";
import { PageHeader } from "./Page";

/**
 * A route that crashed while rendering or loading: say so in the app's frame,
 * offer to try again (fresh data, fresh render) and a way home. The error's
 * detail goes to the console for developers, never onto the page.
 */
export function RouteError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  const queryClient = useQueryClient();
  useEffect(() => {
    console.error("route error", error);
  }, [error]);
  const tryAgain = async () => {
    // Whatever data broke the page must be fetched again, not replayed from cache.
    await queryClient.resetQueries();
    await router.invalidate();
    reset();
  };
  return (
    <AnyFrame>
      <section className="status-page" data-testid="route-error">
        <PageHeader
          title="Something went wrong"
          lead="This page failed to load. Trying again usually helps; if it keeps happening, tell us what you were doing."
        />
        {error instanceof ApiError && error.requestId ? <ErrorMessage error={error} /> : null}
        <p className="button-row">
          <button type="button" onClick={() => void tryAgain()}>
            Try again
          </button>
          <Link to="/">Go to the dashboard</Link>
        </p>
      </section>
    </AnyFrame>
  );
}
