import { Link } from "@tanstack/react-router";
import { useSecurityNotice } from "../../hooks/useAuth";
import { dismissSecurityNotice } from "../../lib/auth";

/**
 * The API's warning at the login after a refresh token was replayed (a
 * stolen copy, so that session was ended). Stays until dismissed: a toast
 * that fades would be too easy to miss. Settings → Sessions is where to act.
 */
export function SecurityNotice() {
  const notice = useSecurityNotice();
  if (!notice) return null;
  return (
    <div className="notice security-notice" role="alert" data-testid="security-notice">
      <p>{notice}</p>
      <p>
        Check <Link to="/settings">your sessions</Link> and change your password if you don't
        recognise one.
      </p>
      <button type="button" className="secondary" onClick={dismissSecurityNotice}>
        Dismiss
      </button>
    </div>
  );
}
