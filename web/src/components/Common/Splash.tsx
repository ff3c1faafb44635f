import { ErrorMessage } from "./ErrorMessage";
import { PRODUCT } from "./Page";

/**
 * While the first refresh after a load decides whether the visitor is signed
 * in (one round trip): no login form that a restored session would replace
 * a moment later. The text fades in only if the wait is noticeable. If the
 * server could not answer, that is said here with a Retry: showing the login
 * page would claim the session is gone, which nobody knows yet.
 */
export function Splash({ failure, onRetry }: { failure: unknown; onRetry: () => void }) {
  return (
    <main className="splash" data-testid="splash">
      <p className="brand">{PRODUCT}</p>
      {failure ? (
        <ErrorMessage error={failure}>
          <button type="button" className="secondary" onClick={onRetry}>
            Retry
          </button>
        </ErrorMessage>
      ) : (
        <p className="splash-text" role="status">
          Restoring your session…
        </p>
      )}
    </main>
  );
}
