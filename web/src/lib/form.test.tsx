import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Field, PasswordField } from "../components/Common/Field";
import { Form, SubmitButton } from "../components/Common/Form";
import { ApiError } from "./errors";
import { routeServerError, useZodForm, validate, visibleErrors } from "./form";
import { DEFAULT_PASSWORD_LIMITS, itemSchema, loginSchema, signupSchema } from "./validation";

afterEach(cleanup);

describe("validate", () => {
  it("returns the parsed data", () => {
    expect(validate(loginSchema, { email: " a@example.com ", password: "x" })).toEqual({
      ok: true,
      data: { email: "a@example.com", password: "x", rememberMe: false },
    });
  });
  it("returns one message per field", () => {
    const result = validate(signupSchema(DEFAULT_PASSWORD_LIMITS), {
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
  it("says other errors beside the form, with the request id", () => {
    const e = new ApiError("INTERNAL", "Internal error", { requestId: "rid-1" });
    expect(routeServerError(e, ["email"])).toEqual({
      kind: "form",
      message: "Internal error",
      requestId: "rid-1",
    });
    const f = new ApiError("BAD_USER_INPUT", "bad token", { field: "token" });
    expect(routeServerError(f, ["newPassword"]).kind).toBe("form");
  });
  it("stays silent when the session already ended", () => {
    const e = new ApiError("UNAUTHENTICATED", "expired");
    e.sessionEnded = true;
    expect(routeServerError(e, []).kind).toBe("handled");
  });
});

describe("visibleErrors", () => {
  const all = { email: "bad e-mail", password: "too short" };
  it("a blur reveals that field and fields already left, not the others", () => {
    expect(visibleErrors(all, {}, {}, { kind: "blur", field: "email" }, new Set())).toEqual({
      email: "bad e-mail",
    });
    expect(visibleErrors(all, {}, {}, { kind: "blur", field: "x" }, new Set(["password"]))).toEqual(
      { password: "too short" },
    );
  });
  it("typing updates or clears a shown error but never adds one", () => {
    expect(visibleErrors(all, {}, {}, { kind: "input", field: "email" }, new Set())).toEqual({});
    expect(
      visibleErrors({}, { email: "bad e-mail" }, {}, { kind: "input", field: "email" }, new Set()),
    ).toEqual({});
    expect(
      visibleErrors(all, { email: "old" }, {}, { kind: "input", field: "email" }, new Set()),
    ).toEqual({ email: "bad e-mail" });
  });
  it("a server error stays until its own field is edited", () => {
    const server = { email: "taken" };
    expect(visibleErrors({}, server, server, { kind: "input", field: "x" }, new Set())).toEqual(
      server,
    );
    expect(visibleErrors({}, server, server, { kind: "input", field: "email" }, new Set())).toEqual(
      {},
    );
  });
  it("a submit shows everything", () => {
    expect(visibleErrors(all, {}, {}, { kind: "submit" }, new Set())).toEqual(all);
  });
});

function ItemForm({ submit }: { submit: (v: unknown) => Promise<void> }) {
  const form = useZodForm(itemSchema, ["title", "description"], submit);
  return (
    <Form form={form} actions={<SubmitButton form={form}>Save</SubmitButton>}>
      <Field label="Title" name="title" hint="A few words." error={form.errors.title} />
      <Field label="Description" name="description" error={form.errors.description} />
    </Form>
  );
}

describe("useZodForm", () => {
  it("shows client-side errors on the field and does not submit", async () => {
    const submit = vi.fn(async () => {});
    render(<ItemForm submit={submit} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    const title = screen.getByLabelText("Title");
    expect(title.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Title is required.")).toBeTruthy();
    expect(document.activeElement).toBe(title);
    expect(submit).not.toHaveBeenCalled();
  });

  it("describes a field by its hint and its error, both present", async () => {
    render(<ItemForm submit={vi.fn(async () => {})} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    const ids = screen.getByLabelText("Title").getAttribute("aria-describedby")?.split(" ") ?? [];
    expect(ids).toHaveLength(2);
    const texts = ids.map((id) => document.getElementById(id)?.textContent);
    expect(texts).toEqual(["Title is required.", "A few words."]);
  });

  it("checks a field when the user leaves it", async () => {
    render(<ItemForm submit={vi.fn(async () => {})} />);
    const title = screen.getByLabelText("Title");
    // Tabbing through an empty field is not a mistake yet.
    await act(async () => fireEvent.blur(title));
    expect(title.getAttribute("aria-invalid")).toBeNull();
    fireEvent.input(title, { target: { value: "  " } });
    expect(title.getAttribute("aria-invalid")).toBeNull();
    await act(async () => fireEvent.blur(title));
    expect(title.getAttribute("aria-invalid")).toBe("true");
    await act(async () => fireEvent.input(title, { target: { value: "Milk" } }));
    expect(title.getAttribute("aria-invalid")).toBeNull();
  });

  it("submits parsed values (empty description becomes null)", async () => {
    const submit = vi.fn(async () => {});
    render(<ItemForm submit={submit} />);
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "  Milk " } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    expect(submit).toHaveBeenCalledWith({ title: "Milk", description: null }, expect.anything());
  });

  it("puts the API's field error on the field, and says the rest inside the form", async () => {
    const submit = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError("BAD_USER_INPUT", "Title is too long", { field: "title" }),
      )
      .mockRejectedValueOnce(new ApiError("INTERNAL", "Internal error", { requestId: "rq" }));
    render(<ItemForm submit={submit} />);
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "x" } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    expect(await screen.findByText("Title is too long")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Internal error");
    expect(alert.closest("form")).not.toBeNull();
    expect(screen.getByTestId("request-id").textContent).toBe("rq");
  });

  it("sends once however fast the button is pressed", async () => {
    let finish = () => {};
    const submit = vi.fn(
      () =>
        new Promise<void>((r) => {
          finish = r;
        }),
    );
    render(<ItemForm submit={submit} />);
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "x" } });
    const form = screen.getByRole("button", { name: "Save" }).closest("form") as HTMLFormElement;
    await act(async () => {
      fireEvent.submit(form);
      fireEvent.submit(form);
    });
    expect(submit).toHaveBeenCalledTimes(1);
    await act(async () => finish());
  });
});

describe("PasswordField", () => {
  it("shows and hides what was typed", async () => {
    render(<PasswordField label="Password" name="password" />);
    const input = screen.getByLabelText("Password", { selector: "input" });
    expect(input.getAttribute("type")).toBe("password");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Show password" })));
    expect(input.getAttribute("type")).toBe("text");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Hide password" })));
    expect(input.getAttribute("type")).toBe("password");
  });
});
