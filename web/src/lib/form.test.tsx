import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Field } from "../components/Common/Field";
import { ApiError } from "./errors";
import { routeServerError, useZodForm, validate } from "./form";
import { itemSchema, loginSchema, signupSchema } from "./validation";

afterEach(cleanup);

describe("validate", () => {
  it("returns the parsed data", () => {
    expect(validate(loginSchema, { email: " a@example.com ", password: "x" })).toEqual({
      ok: true,
      data: { email: "a@example.com", password: "x" },
    });
  });
  it("returns one message per field", () => {
    const result = validate(signupSchema, {
      email: "nope",
      fullName: "",
      password: "short",
      confirmPassword: "other",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(["confirmPassword", "email", "password"]);
  });
});

describe("routeServerError", () => {
  it("puts field errors on fields the form has", () => {
    const e = new ApiError("CONFLICT", "E-mail already registered", { field: "email" });
    expect(routeServerError(e, ["email"])).toEqual({
      kind: "field",
      field: "email",
      message: "E-mail already registered",
    });
  });
  it("toasts other errors with the request id", () => {
    const e = new ApiError("INTERNAL", "Internal error", { requestId: "rid-1" });
    expect(routeServerError(e, ["email"])).toEqual({
      kind: "toast",
      message: "Internal error",
      requestId: "rid-1",
    });
    const f = new ApiError("BAD_USER_INPUT", "bad token", { field: "token" });
    expect(routeServerError(f, ["newPassword"]).kind).toBe("toast");
  });
  it("stays silent when the session already ended", () => {
    const e = new ApiError("UNAUTHENTICATED", "expired");
    e.sessionEnded = true;
    expect(routeServerError(e, []).kind).toBe("handled");
  });
});

function ItemForm({
  submit,
  toast,
}: {
  submit: (v: unknown) => Promise<void>;
  toast: (m: string, r?: string) => void;
}) {
  const form = useZodForm(itemSchema, ["title", "description"], submit, toast);
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Field label="Title" name="title" error={form.errors.title} />
      <Field label="Description" name="description" error={form.errors.description} />
      <button type="submit">Save</button>
    </form>
  );
}

describe("useZodForm", () => {
  it("shows client-side errors on the field and does not submit", async () => {
    const submit = vi.fn(async () => {});
    render(<ItemForm submit={submit} toast={vi.fn()} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    const title = screen.getByLabelText("Title");
    expect(title.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Title is required.")).toBeTruthy();
    expect(title.getAttribute("aria-describedby")).toBeTruthy();
    expect(document.activeElement).toBe(title);
    expect(submit).not.toHaveBeenCalled();
  });

  it("submits parsed values (empty description becomes null)", async () => {
    const submit = vi.fn(async () => {});
    render(<ItemForm submit={submit} toast={vi.fn()} />);
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "  Milk " } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    expect(submit).toHaveBeenCalledWith({ title: "Milk", description: null }, expect.anything());
  });

  it("puts the API's field error on the field, and toasts the rest", async () => {
    const toast = vi.fn();
    const submit = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError("BAD_USER_INPUT", "Title is too long", { field: "title" }),
      )
      .mockRejectedValueOnce(new ApiError("INTERNAL", "Internal error", { requestId: "rq" }));
    render(<ItemForm submit={submit} toast={toast} />);
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "x" } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    expect(await screen.findByText("Title is too long")).toBeTruthy();
    expect(toast).not.toHaveBeenCalled();
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    expect(toast).toHaveBeenCalledWith("Internal error", "rq");
  });
});
