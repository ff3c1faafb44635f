import type { ZodForm } from "../../lib/form";
import { DESCRIPTION_MAX, TITLE_MAX } from "../../lib/validation";
import { Field } from "../Common/Field";

export interface ItemValues {
  title: string;
  description: string | null;
}

export const ITEM_FIELDS = ["title", "description"] as const;

export function ItemFormFields({ form, item }: { form: ZodForm; item?: ItemValues }) {
  return (
    <>
      <Field
        label="Title"
        name="title"
        required
        maxLength={TITLE_MAX}
        defaultValue={item?.title ?? ""}
        error={form.errors.title}
      />
      <Field
        label="Description"
        name="description"
        optional
        maxLength={DESCRIPTION_MAX}
        defaultValue={item?.description ?? ""}
        error={form.errors.description}
      />
    </>
  );
}
