import { type ReactNode, useEffect, useId, useRef, useSyncExternalStore } from "react";
import { ErrorMessage } from "./ErrorMessage";

// Open modal dialogs, innermost last. A modal <dialog> makes everything
// outside it inert and paints over it, toasts included: the toast region
// moves into the innermost open dialog so its messages stay visible and
// operable (see Toasts.tsx).
let openDialogs: HTMLDialogElement[] = [];
const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The innermost open modal dialog, or null when none is open. */
export function useTopDialog(): HTMLDialogElement | null {
  return useSyncExternalStore(
    subscribe,
    () => openDialogs.at(-1) ?? null,
    () => null,
  );
}

interface ModalProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/**
 * The native modal <dialog>: the browser traps focus, makes the rest inert,
 * closes on Escape and restores focus, with no JavaScript library.
 */
export function Modal({ open, title, onClose, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
    if (open) {
      openDialogs = [...openDialogs.filter((d) => d !== dialog), dialog];
      emit();
      return () => {
        openDialogs = openDialogs.filter((d) => d !== dialog);
        emit();
      };
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      // React passes a nested dialog's close up its tree (a confirmation
      // inside an edit dialog): only this dialog's own close closes it.
      onClose={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      // Escape: React closes the dialog, not the browser. A native close
      // reaches React only in a later task, so an Escape then a quick
      // Enter on the opener found `open` still true: the click changed
      // nothing and the late close event then shut the dialog for good.
      onCancel={(event) => {
        if (event.target !== event.currentTarget) return;
        event.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <article>
          <header>
            <h2 id={titleId}>{title}</h2>
          </header>
          {children}
        </article>
      ) : null}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  busy: boolean;
  /** Why the last attempt failed, said inside the dialog. */
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
}: ConfirmProps) {
  return (
    <Modal open={open} title={title} onClose={onClose}>
      <p>{message}</p>
      {error ? <ErrorMessage error={error} /> : null}
      <footer className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          aria-busy={busy}
          disabled={busy}
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
      </footer>
    </Modal>
  );
}
