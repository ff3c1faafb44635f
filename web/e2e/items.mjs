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
import { gql } from "./stack.mjs";
import { signUpUser } from "./users.mjs";

async function createItems(baseUrl, token, count, prefix) {
  for (let i = 1; i <= count; i++) {
    await gql(
      baseUrl,
      "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
      { input: { title: `${prefix} ${String(i).padStart(2, "0")}`, description: `Note ${i}` } },
      token,
    );
  }
}

export function itemsSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("a new user sees the empty state", async () => {
    const user = await signUpUser(base(), { tag: "empty" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.getByRole("link", { name: "Items", exact: true }).click();
    await expectText(page.getByTestId("items-empty"), /don't have any items yet/);
    await checkA11y(page, "/items (empty)");
    await context.close();
  });

  it("add, edit and delete an item (with confirmation)", async () => {
    const user = await signUpUser(base(), { tag: "crud" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/items`);
    await page.getByTestId("items-empty").waitFor();

    // Add: the title is required (client-side), then saved.
    await page.getByRole("button", { name: "Add item" }).click();
    const dialog = page.getByRole("dialog", { name: "Add item" });
    await dialog.waitFor();
    await checkA11y(page, "add item dialog");
    // Native modal: focus starts inside, Escape closes, focus returns.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "title");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Add item");
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Save" }).click();
    await expectText(dialog.locator(".field-error"), "Title is required.");
    await dialog.getByLabel("Title").fill("Buy milk");
    await dialog.getByLabel("Description").fill("Two litres");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    const row = page.getByTestId("item-row").filter({ hasText: "Buy milk" });
    await expectText(row, /Two litres/);
    await expectText(page.getByTestId("page-status"), "Page 1 of 1 · 1 item");

    // Edit.
    await page.getByRole("button", { name: "Edit Buy milk" }).click();
    const edit = page.getByRole("dialog", { name: "Edit item" });
    assert.equal(await edit.getByLabel("Title").inputValue(), "Buy milk");
    await edit.getByLabel("Title").fill("Buy oat milk");
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "hidden" });
    await page.getByTestId("item-row").filter({ hasText: "Buy oat milk" }).waitFor();

    // Delete: cancel keeps it, confirm removes it.
    await page.getByRole("button", { name: "Delete Buy oat milk" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete item" });
    // axe checks the open confirmation, not the page before it opened.
    await confirm.waitFor();
    await checkA11y(page, "delete confirmation");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "hidden" });
    assert.equal(await page.getByTestId("item-row").count(), 1);
    await page.getByRole("button", { name: "Delete Buy oat milk" }).click();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await page.getByTestId("items-empty").waitFor();
    assertNoProblems(page);
    await context.close();
  });

  it("server-side pagination with the total count", async () => {
    const user = await signUpUser(base(), { tag: "pages" });
    await createItems(base(), user.token, 23, "Task");
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/items`);
    await expectText(page.getByTestId("page-status"), "Page 1 of 3 · 23 items");
    assert.equal(await page.getByTestId("item-row").count(), 10);
    await checkA11y(page, "/items (table)");
    await page.getByRole("button", { name: "Next" }).click();
    await expectText(page.getByTestId("page-status"), "Page 2 of 3");
    assert.equal(new URL(page.url()).searchParams.get("page"), "2");
    await page.getByRole("button", { name: "Next" }).click();
    await expectText(page.getByTestId("page-status"), "Page 3 of 3");
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="item-row"]').length === 3,
    );
    assert.equal(await page.getByRole("button", { name: "Next" }).isDisabled(), true);
    // Deep link to a page works after a reload (served by the SPA fallback).
    await page.reload();
    await expectText(page.getByTestId("page-status"), "Page 3 of 3");
    await page.getByRole("button", { name: "Previous" }).click();
    await expectText(page.getByTestId("page-status"), "Page 2 of 3");
    await context.close();
  });

  it("page size and first/last page, kept in the address", async () => {
    const user = await signUpUser(base(), { tag: "page-size" });
    await createItems(base(), user.token, 23, "Row");
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/items`);
    await expectText(page.getByTestId("page-status"), "Page 1 of 3 · 23 items");
    await page.getByLabel("Rows per page").selectOption("20");
    await expectText(page.getByTestId("page-status"), "Page 1 of 2 · 23 items");
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="item-row"]').length === 20,
    );
    assert.equal(new URL(page.url()).searchParams.get("size"), "20");
    await page.getByRole("button", { name: "Last page" }).click();
    await expectText(page.getByTestId("page-status"), "Page 2 of 2");
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="item-row"]').length === 3,
    );
    assert.equal(await page.getByRole("button", { name: "Last page" }).isDisabled(), true);
    await page.reload();
    await expectText(page.getByTestId("page-status"), "Page 2 of 2 · 23 items");
    await page.getByRole("button", { name: "First page" }).click();
    await expectText(page.getByTestId("page-status"), "Page 1 of 2");
    assert.equal(await page.getByRole("button", { name: "First page" }).isDisabled(), true);
    // A size the app does not offer falls back to the default.
    await page.goto(`${base()}/items?size=7`);
    await expectText(page.getByTestId("page-status"), "Page 1 of 3 · 23 items");
    await checkA11y(page, "/items (pager)");
    await context.close();
  });

  it("loading state, then an INTERNAL error where the list would be, with the request id", async () => {
    const user = await signUpUser(base(), { tag: "internal" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    // Hold the Items query, then answer it the way the API reports a failure
    // on its side (the only way to make the real API fail on demand).
    let release;
    const held = new Promise((r) => {
      release = r;
    });
    await page.route("**/graphql", async (route) => {
      if (!/query Items\b/.test(route.request().postData() ?? "")) return route.continue();
      await held;
      return route.fulfill({
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({
          data: null,
          errors: [
            {
              message: "Something went wrong on our side. Quote the request id if you report it.",
              extensions: { code: "INTERNAL", requestId: "req-e2e-42" },
            },
          ],
        }),
      });
    });
    await page.getByRole("link", { name: "Items", exact: true }).click();
    await expectText(page.locator('[aria-busy="true"]'), /Loading items/);
    release();
    await expectText(page.getByRole("main").getByTestId("request-id"), "req-e2e-42");
    await expectText(page.getByRole("main").getByRole("alert"), /went wrong/);
    assert.equal(await page.getByTestId("toast-error").count(), 0, "said once, not also a toast");
    await expectPath(page, "/items");
    // Retry asks again; this time the API answers.
    await page.unroute("**/graphql");
    await page.getByRole("main").getByRole("button", { name: "Retry" }).click();
    await page.getByTestId("items-empty").waitFor();
    await context.close();
  });

  it("a user sees only their own items", async () => {
    const alice = await signUpUser(base(), { tag: "alice" });
    const bob = await signUpUser(base(), { tag: "bob" });
    await createItems(base(), alice.token, 1, "Alice secret");
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), bob.email, bob.password);
    await page.goto(`${base()}/items`);
    await page.getByTestId("items-empty").waitFor();
    assert.equal(await page.getByText("Alice secret").count(), 0);
    await context.close();
  });
}
