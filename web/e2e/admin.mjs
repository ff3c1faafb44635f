import assert from "node:assert/strict";
import { it } from "node:test";
import {
  assertNoProblems,
  checkA11y,
  expectPath,
  expectText,
  logIn,
  openPage,
} from "./browser.mjs";
import { apiLogin, gql, resetLinkIn } from "./stack.mjs";
import { signUpUser, strongPassword, uniqueEmail } from "./users.mjs";

export function adminSuite(ctx) {
  const base = () => ctx.stack.baseUrl;
  const asAdmin = async () => {
    const opened = await openPage(ctx.browser);
    await logIn(opened.page, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    return opened;
  };

  it("a normal user is denied the admin routes and sees no admin link", async () => {
    const user = await signUpUser(base(), { tag: "normal" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    assert.equal(await page.getByRole("link", { name: "Admin", exact: true }).count(), 0);
    let adminQueries = 0;
    page.on("request", (r) => {
      if (
        r.url().endsWith("/graphql") &&
        /query (Users|AuditEvents|EmailPreviews)/.test(r.postData() ?? "")
      ) {
        adminQueries += 1;
      }
    });
    for (const path of ["/admin", "/admin/audit", "/admin/email"]) {
      await page.goto(`${base()}${path}`);
      await expectText(page.getByTestId("access-denied"), /Access denied/);
    }
    assert.equal(adminQueries, 0, "the guard stops the page before any admin query");
    await checkA11y(page, "/admin (denied)");
    // And the API itself refuses, whatever the SPA does.
    await assert.rejects(
      gql(base(), "query { users(offset: 0, limit: 5) { totalCount } }", {}, user.token),
      /FORBIDDEN/,
    );
    await context.close();
  });

  it("users table with pagination", async () => {
    const { context, page } = await asAdmin();
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await expectPath(page, "/admin");
    await page.getByRole("heading", { name: "Users", exact: true }).waitFor();
    const status = await expectText(page.getByTestId("page-status"), /Page 1 of \d+ · \d+ users/);
    const total = Number(status.match(/· (\d+) users/)[1]);
    assert.ok(total > 10, `earlier suites made more than 10 users (saw ${total})`);
    assert.equal(await page.getByTestId("user-row").count(), 10);
    await checkA11y(page, "/admin");
    await page.getByRole("button", { name: "Next" }).click();
    await expectText(page.getByTestId("page-status"), /Page 2 of/);
    assertNoProblems(page);
    await context.close();
  });

  it("add a user: the welcome e-mail's link lets them set a password and log in", async () => {
    const { context, page } = await asAdmin();
    await page.goto(`${base()}/admin`);
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog", { name: "Add user" });
    await checkA11y(page, "add user dialog");
    const email = uniqueEmail("added");
    const since = ctx.mail.messages.length;
    await dialog.getByLabel("E-mail").fill(email);
    await dialog.getByLabel("Full name").fill("Added By Admin");
    assert.equal(await dialog.getByLabel("Active").isChecked(), true);
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectText(page.getByTestId("toast-success"), /User created/);

    const mail = await ctx.mail.waitFor(email, { since });
    const link = resetLinkIn(mail);
    const { context: c2, page: newbie } = await openPage(ctx.browser);
    // A user who never had a password sets one: the page says so.
    assert.equal(new URL(link).pathname, "/set-password");
    await newbie.goto(link);
    await newbie.getByRole("heading", { name: "Set your password" }).waitFor();
    const password = strongPassword();
    await newbie.getByLabel("New password", { exact: true }).fill(password);
    await newbie.getByLabel("Confirm password").fill(password);
    await newbie.getByRole("button", { name: "Set password" }).click();
    await expectPath(newbie, "/login");
    await logIn(newbie, base(), email, password);
    await expectText(newbie.getByTestId("greeting"), "Hi, Added By Admin");
    await c2.close();
    await context.close();
  });

  it("a duplicate e-mail is shown on the field", async () => {
    const existing = await signUpUser(base(), { tag: "dup" });
    const { context, page } = await asAdmin();
    await page.goto(`${base()}/admin`);
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog", { name: "Add user" });
    await dialog.getByLabel("E-mail").fill(existing.email);
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('dialog[open] input[name="email"]')?.getAttribute("aria-invalid") ===
        "true",
    );
    await context.close();
  });

  it("edit a user (rename, deactivate) and delete one", async () => {
    const target = await signUpUser(base(), { tag: "edit-target", fullName: "Edit Target" });
    const { context, page } = await asAdmin();
    // Newest first: the user just made is on page 1.
    await page.goto(`${base()}/admin`);
    const row = page.getByTestId("user-row").filter({ hasText: target.email });
    await row.waitFor();
    await page.getByRole("button", { name: `Edit ${target.email}` }).click();
    const dialog = page.getByRole("dialog", { name: "Edit user" });
    await checkA11y(page, "edit user dialog");
    await dialog.getByLabel("Full name").fill("Edited Name");
    await dialog.getByLabel("Active").uncheck();
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectText(row, /Edited Name.*Inactive/);
    // An inactive account can no longer log in.
    await assert.rejects(apiLogin(base(), target.email, target.password));

    await page.getByRole("button", { name: `Delete ${target.email}` }).click();
    const confirm = page.getByRole("dialog", { name: "Delete user" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expectText(page.getByTestId("toast-success"), "User deleted.");
    await row.waitFor({ state: "detached" });
    assertNoProblems(page);
    await context.close();
  });

  it("promote a user to superuser: they get the admin area", async () => {
    const target = await signUpUser(base(), { tag: "promote" });
    const { context, page } = await asAdmin();
    await page.goto(`${base()}/admin`);
    const row = page.getByTestId("user-row").filter({ hasText: target.email });
    await row.waitFor();
    await page.getByRole("button", { name: `Edit ${target.email}` }).click();
    const dialog = page.getByRole("dialog", { name: "Edit user" });
    await dialog.getByLabel("Superuser").check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectText(row, /Superuser/);
    await context.close();

    const { context: c2, page: promoted } = await openPage(ctx.browser);
    await logIn(promoted, base(), target.email, target.password);
    await promoted.getByRole("link", { name: "Admin", exact: true }).click();
    await promoted.getByRole("heading", { name: "Users", exact: true }).waitFor();
    assert.equal(await promoted.getByTestId("access-denied").count(), 0);
    await c2.close();
  });

  it("audit events view lists what happened", async () => {
    const { context, page } = await asAdmin();
    await page.goto(`${base()}/admin`);
    await page.getByRole("link", { name: "Audit events" }).click();
    await expectPath(page, "/admin/audit");
    await page.getByTestId("audit-row").first().waitFor();
    assert.equal(await page.getByTestId("audit-row").count(), 10);
    await expectText(page.getByTestId("page-status"), /Page 1 of \d+ · \d+ events/);
    const kinds = await page.locator('[data-testid="audit-row"] code').allTextContents();
    assert.ok(kinds.every((k) => k.length > 0));
    await checkA11y(page, "/admin/audit");
    await context.close();
  });

  it("a superuser's items table shows the owner of every item", async () => {
    const owner = await signUpUser(base(), { tag: "owner" });
    await gql(
      base(),
      "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
      { input: { title: "Owned by someone" } },
      owner.token,
    );
    const { context, page } = await asAdmin();
    await page.goto(`${base()}/items`);
    await page.getByRole("columnheader", { name: "Owner" }).waitFor();
    await expectText(page.getByTestId("page-status"), /items/);
    await context.close();
  });

  it("e-mail tab: a test e-mail reaches the SMTP server, and every template is previewed", async () => {
    const { context, page } = await asAdmin();
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await page
      .getByRole("navigation", { name: "Administration" })
      .getByRole("link", { name: "E-mail" })
      .click();
    await expectPath(page, "/admin/email");
    const recipient = page.getByLabel("Recipient");
    assert.equal(await recipient.inputValue(), ctx.stack.admin.email, "defaults to the admin");
    const to = uniqueEmail("smtp-check");
    const since = ctx.mail.messages.length;
    await recipient.fill(to);
    await page.getByRole("button", { name: "Send test e-mail" }).click();
    await expectText(page.getByTestId("test-email-result"), /^Accepted by the SMTP server: 250\b/);
    const mail = await ctx.mail.waitFor(to, { since });
    assert.match(mail.subject, /^Rampart: test e-mail$/);
    assert.match(mail.text, /sent from the admin area/);

    const previews = page.getByTestId("email-preview");
    await expectText(previews.first(), /reset your password/);
    // Reset, welcome, test, five for e-mail verification and change, four for the second factor.
    assert.equal(await previews.count(), 12);
    for (const frame of await page.getByTestId("email-preview-html").all()) {
      assert.equal(await frame.getAttribute("sandbox"), "", "an empty sandbox");
    }
    const reset = page.frameLocator('iframe[title="HTML version: Rampart: reset your password"]');
    await reset.getByRole("link", { name: "Choose a new password" }).waitFor();
    await page.getByText("Plain-text version").first().click();
    await expectText(
      page.getByTestId("email-preview-text").first(),
      /reset-password\?token=sample-token/,
    );
    await checkA11y(page, "/admin/email");
    assertNoProblems(page);
    await context.close();
  });
}
