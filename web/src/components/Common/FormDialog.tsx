import type { ReactNode } from "react";
import type * as z from "zod/mini";
import { useZodForm, type ZodForm } from "../../lib/form";
import { Form, SubmitButton } from "./Form";
import { Modal } from "./Modal";

interface FormDialogProps<S extends z.ZodMiniType> {
  open: boolean;
  title: string;
  onClose: () => void;
  schema: S;
  /** Field names in display order: the first invalid one gets focus. */
  fields: readonly string[];
  submitLabel?: string;
  /** Sends the form; a thrown error is shown on its field or inside the dialog. */
  onSubmit: (values: z.output<S>) => Promise<void>;
  children: (form: ZodForm) => ReactNode;
}

/**
 * The one add/edit dialog: a modal with a validated form, its errors inside
 * the dialog (never under it), and a footer of two equal buttons. The form
 * mounts when the dialog opens, so every opening starts clean.
 */
export function FormDialog<S extends z.ZodMiniType>(props: FormDialogProps<S>) {
  return (
    <Modal open={props.open} title={props.title} onClose={props.onClose}>
      <FormDialogBody {...props} />
    </Modal>
  );
}

function FormDialogBody<S extends z.ZodMiniType>({
  onClose,
  schema,
  fields,
  submitLabel = "Save",
  onSubmit,
  children,
}: FormDialogProps<S>) {
  const form = useZodForm(schema, fields, async (values) => {
    await onSubmit(values);
    onClose();
  });
  return (
    <Form
      form={form}
      actions={
        <footer className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <SubmitButton form={form}>{submitLabel}</SubmitButton>
        </footer>
      }
    >
      {children(form)}
    </Form>
  );
}
