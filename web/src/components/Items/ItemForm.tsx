import type { ZodForm } from "../../lib/form";
import { Field } from "../Common/Field";

export interface ItemValues {
  title: string;
  description: string | null;
}

export function ItemFormFields({ form, item }: { form: ZodForm; item?: ItemValues }) {
  return (
    <>
      <Field
        label="Title"
        name="title"
        required
        maxLength={255}
        defaultValue={item?.title ?? ""}
        error={form.errors.title}
      />
      <Field
        label="Description"
        name="description"
        maxLength={255}
        defaultValue={item?.description ?? ""}
        error={form.errors.description}
      />
    </>
  );
}
