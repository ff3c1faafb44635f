import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { createPortal } from "react-dom";
import { ApiError, describeError } from "../../lib/errors";
import { ConnectionNotice } from "./ConnectionNotice";
import { useTopDialog } from "./Modal";

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
 * Shows a failed background request as an error toast with its request id.
 * An ended session is not shown: the global UNAUTHENTICATED handler already
 * sends the user to log in, once. (Forms and dialogs say their own errors.)
 */
export function reportError(toast: Pick<ToastApi, "error"> | null, error: unknown): void {
  if (error instanceof ApiError && (error.sessionEnded || error.handledGlobally)) return;
  const { message, requestId } = describeError(error);
  toast?.error(message, requestId);
}

/** For code outside React (the query cache's error hook). */
export function toastOutsideReact(): ToastApi | null {
  return external;
}

const LIFETIME_MS = { success: 5000, error: 15000 } as const;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((t) => t.filter((x) => x.id !== id));
  }, []);
  const push = useCallback(
    (toast: Omit<Toast, "id">) => {
      const id = nextId++;
      setToasts((current) => {
        // The same message twice (two queries failing alike) is said once.
        const same = current.filter(
          (t) =>
            t.kind === toast.kind && t.message === toast.message && t.requestId === toast.requestId,
        );
        for (const t of same) {
          clearTimeout(timers.current.get(t.id));
          timers.current.delete(t.id);
        }
        return [...current.filter((t) => !same.includes(t)).slice(-4), { ...toast, id }];
      });
      // Errors stay longer: a user may need to copy the request id.
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), LIFETIME_MS[toast.kind]),
      );
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
  useEffect(() => {
    external = api;
    return () => {
      if (external === api) external = null;
    };
  }, [api]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <ToastRegion toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

/**
 * The messages, rendered inside the innermost open modal dialog when there is
 * one (a modal paints over and disables everything outside it), else at the
 * end of the body.
 */
function ToastRegion({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  const dialog = useTopDialog();
  const region = (
    // Live regions exist before any toast so screen readers announce additions.
    <section className="toasts" aria-label="Notifications">
      <ConnectionNotice />
      <div role="status" aria-live="polite">
        {toasts
          .filter((t) => t.kind === "success")
          .map((t) => (
            <ToastView key={t.id} toast={t} onDismiss={onDismiss} />
          ))}
      </div>
      <div role="alert" aria-live="assertive">
        {toasts
          .filter((t) => t.kind === "error")
          .map((t) => (
            <ToastView key={t.id} toast={t} onDismiss={onDismiss} />
          ))}
      </div>
    </section>
  );
  return dialog ? createPortal(region, dialog) : region;
}

function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  return (
    <article className={`toast toast-${toast.kind}`} data-testid={`toast-${toast.kind}`}>
      <p>{toast.message}</p>
      {toast.requestId ? (
        <p>
          <small>
            Request id: <code data-testid="request-id">{toast.requestId}</code>
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
