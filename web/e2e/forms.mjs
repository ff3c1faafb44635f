// Forms as people fill them in: errors where the form is, described fields,
// validation as they go, passwords they can check, links checked on arrival.
import assert from "node:assert/strict";
import { it } from "node:test";
import {
  assertNoProblems,
  checkA11y,
  eventually,
  expectPath,
  expectText,
  logIn,
  openPage,
} from "./browser.mjs";
import { signUpUser, uniqueEmail } from "./users.mjs";

/** Every invalid field's aria-describedby names elements that exist and say something. */
async function assertDescribedFields(page, where) {
  const broken = await page.evaluate(() =>
    [...document.querySelectorAll('[aria-invalid="true"]')].flatMap((el) =>
      (el.getAttribute("aria-describedby") ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .filter((id) => !document.getElementById(id)?.textContent?.trim())
        .map((id) => `${el.getAttribute("name")} -> #${id}`),
    ),
  );
  const invalid = await page.locator('[aria-invalid="true"]').count();
  assert.ok(invalid > 0, `${where}: no invalid field to check`);
  assert.deepEqual(broken, [], `${where}: aria-describedby points at missing ids`);
}

export function formsSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("invalid password fields are described by elements that exist", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/signup`);
    await page.getByLabel("E-mail").fill(uniqueEmail("described"));
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password").fill("other");
    await page.getByRole("button", { name: "Sign up" }).click();
    await assertDescribedFields(page, "/signup");

    const user = await signUpUser(base(), { tag: "described" });
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    const section = page.getByRole("region", { name: "Change password" });
    await section.getByLabel("Current password").fill(user.password);
    await section.getByLabel("New password", { exact: true }).fill("short");
    await section.getByRole("button", { name: "Change password" }).click();
    await assertDescribedFields(page, "/settings");
    await context.close();

    const target = await signUpUser(base(), { tag: "described-edit" });
    const admin = await openPage(ctx.browser);
    await logIn(admin.page, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    await admin.page.goto(`${base()}/admin`); // newest first: the user just made is on page 1
    await admin.page.getByRole("button", { name: `Edit ${target.email}` }).click();
    const dialog = admin.page.getByRole("dialog", { name: "Edit user" });
    await dialog.getByLabel("New password", { exact: true }).fill("short");
    await dialog.getByRole("button", { name: "Save" }).click();
    await assertDescribedFields(admin.page, "edit user");
    await admin.context.close();
  });

  it("a refused login is explained next to the form", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/login`);
    await page.getByLabel("E-mail").fill(ctx.stack.admin.email);
    await page.getByLabel("Password", { exact: true }).fill("Wrong-password-123");
    await page.getByRole("button", { name: "Log in" }).click();
    const card = page.locator("main article");
    await expectText(card.getByRole("alert"), /incorrect/i);
    assert.equal(await page.getByTestId("toast-error").count(), 0, "not a toast in the corner");
    await checkA11y(page, "/login refused");
    await context.close();
  });

  it("fields are checked when the user leaves them, and fixed errors clear", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/signup`);
    const email = page.getByLabel("E-mail");
    await email.fill("not-an-email");
    await email.press("Tab");
    await eventually(async () => (await email.getAttribute("aria-invalid")) === "true", "on blur");
    await expectText(page.locator(".field-error"), "Enter a valid e-mail address.");
    await email.fill("fixed@example.com");
    await eventually(async () => (await email.getAttribute("aria-invalid")) === null, "cleared");
    // A field the user has not reached yet stays quiet.
    assert.equal(
      await page.getByLabel("Password", { exact: true }).getAttribute("aria-invalid"),
      null,
    );
    await context.close();
  });

  it("sign-up marks the optional field, and passwords can be shown and hidden", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/signup`);
    await expectText(page.locator("label", { hasText: "Full name" }), /optional/i);
    for (const label of ["E-mail", "Password"]) {
      assert.doesNotMatch(
        (await page.locator("label", { hasText: label }).first().textContent()) ?? "",
        /optional/i,
        `${label} is required`,
      );
    }
    const password = page.getByLabel("Password", { exact: true });
    await password.fill("secret-to-check");
    assert.equal(await password.getAttribute("type"), "password");
    const show = page.getByRole("button", { name: "Show password" }).first();
    await show.click();
    assert.equal(await password.getAttribute("type"), "text");
    await page.getByRole("button", { name: "Hide password" }).first().click();
    assert.equal(await password.getAttribute("type"), "password");
    assert.equal(await password.inputValue(), "secret-to-check");
    await checkA11y(page, "/signup");
    assertNoProblems(page);
    await context.close();
  });

  it("a signed-in user is sent home from the recovery and reset pages", async () => {
    const user = await signUpUser(base(), { tag: "signed-in" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    for (const path of ["/recover-password", "/reset-password?token=abc", "/signup", "/login"]) {
      await page.goto(`${base()}${path}`);
      await expectPath(page, "/");
      await page.getByTestId("greeting").waitFor();
    }
    await context.close();
  });
}
