import { useQueryClient } from "@tanstack/react-query";
import { useState, useSyncExternalStore } from "react";
import { getConnection, subscribeConnection } from "../../lib/connection";
import { describeError } from "../../lib/errors";

/**
 * The one message about the link to the server, however many requests ran
 * into it: the browser is offline (reads resume by themselves when it is
 * back; writes are refused meanwhile, see graphql-client.ts), or the server
 * cannot be reached, with a Retry for what failed.
 */
export function ConnectionNotice() {
  const { online, outage } = useSyncExternalStore(
    subscribeConnection,
    getConnection,
    getConnection,
  );
  const queryClient = useQueryClient();
  const [retrying, setRetrying] = useState(false);

  if (!online) {
    return (
      <article className="toast toast-error" data-testid="offline-notice" role="alert">
        <p>You're offline. Changes can't be saved until the connection is back.</p>
      </article>
    );
  }
  if (!outage) return null;
  const retry = async () => {
    setRetrying(true);
    try {
      await queryClient.refetchQueries({ predicate: (q) => q.state.status === "error" });
    } finally {
      setRetrying(false);
    }
  };
  return (
    <article className="toast toast-error" data-testid="outage-notice" role="alert">
      <p>{describeError(outage).message}</p>
      <button
        type="button"
        className="secondary"
        aria-busy={retrying}
        disabled={retrying}
        onClick={() => void retry()}
      >
        Retry
      </button>
    </article>
  );
}
