import { PRODUCT } from "./Page";

/**
 * While the first refresh after a load decides whether the visitor is signed
 * in (one round trip): no login form that a restored session would replace
 * a moment later. The text fades in only if the wait is noticeable.
 */
export function Splash() {
  return (
    <main className="splash" data-testid="splash">
      <p className="brand">{PRODUCT}</p>
      <p className="splash-text" role="status">
        Restoring your session…
      </p>
    </main>
  );
}
