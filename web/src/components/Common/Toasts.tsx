import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { ApiError, describeError } from "../../lib/errors";

export interface Toast {
  id: number;
  kind: "success" | "error";
  message: string;
  requestId?: string | undefined;
}

interface ToastApi {
  success: (message: string) => void;
  error: (message: string, requestId?: string) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

let nextId = 1;
let external: ToastApi | null = null;

/**
 * Shows a failed request as an error toast with its request id. An ended
 * session is not shown: the global UNAUTHENTICATED handler already sends the
 * user to log in, once.
 */
export function reportError(toast: Pick<ToastApi, "error"> | null, error: unknown): void {
  if (error instanceof ApiError && error.sessionEnded) return;
  const { message, requestId } = describeError(error);
  toast?.error(message, requestId);
}

/** For code outside React (the query cache's error hook). */
export function toastOutsideReact(): ToastApi | null {
  return external;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (toast: Omit<Toast, "id">) => {
      const id = nextId++;
      setToasts((t) => [...t.slice(-4), { ...toast, id }]);
      // Errors stay longer: a user may need to copy the request id.
      setTimeout(() => dismiss(id), toast.kind === "error" ? 15000 : 5000);
    },
    [dismiss],
  );
  const api = useMemo<ToastApi>(
    () => ({
      success: (message) => push({ kind: "success", message }),
      error: (message, requestId) => push({ kind: "error", message, requestId }),
    }),
    [push],
  );
  external = api;

  return (
    <ToastContext.Provider value={api}>
      {children}
      {/* Live regions exist before any toast so screen readers announce additions. */}
      <section className="toasts" aria-label="Notifications">
        <div role="status" aria-live="polite">
          {toasts
            .filter((t) => t.kind === "success")
            .map((t) => (
              <ToastView key={t.id} toast={t} onDismiss={dismiss} />
            ))}
        </div>
        <div role="alert" aria-live="assertive">
          {toasts
            .filter((t) => t.kind === "error")
            .map((t) => (
              <ToastView key={t.id} toast={t} onDismiss={dismiss} />
            ))}
        </div>
      </section>
    </ToastContext.Provider>
  );
}

function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  return (
    <article className={`toast toast-${toast.kind}`} data-testid={`toast-${toast.kind}`}>
      <p>{toast.message}</p>
      {toast.requestId ? (
        <p>
          <small>
            Request id: <code data-testid="toast-request-id">{toast.requestId}</code>
          </small>
        </p>
      ) : null}
      <button type="button" className="secondary outline" onClick={() => onDismiss(toast.id)}>
        Dismiss
      </button>
    </article>
  );
}

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast outside ToastProvider");
  return api;
}
