// The app when the network or the API fails: messages a person can see and
// act on, above any dialog, once, with a way to try again.
import assert from "node:assert/strict";
import { it } from "node:test";
import { eventually, expectText, isOnTop, logIn, openPage } from "./browser.mjs";
import { gql } from "./stack.mjs";
import { signUpUser } from "./users.mjs";

const OUTAGE = /can.t reach the server/i;

async function itemTitles(baseUrl, token) {
  const data = await gql(
    baseUrl,
    "{ items(offset: 0, limit: 100) { nodes { title } } }",
    {},
    token,
  );
  return data.items.nodes.map((n) => n.title);
}

/** Every visible element whose own text matches: a message shown twice counts twice. */
async function visibleMessages(page, pattern) {
  const texts = await page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
      .map((el) =>
        [...el.childNodes]
          .filter((n) => n.nodeType === Node.TEXT_NODE)
          .map((n) => n.textContent)
          .join(""),
      )
      .filter((t) => t.trim().length > 0),
  );
  return texts.filter((t) => pattern.test(t));
}

export function resilienceSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("an error raised inside a dialog is visible and operable above it", async () => {
    const user = await signUpUser(base(), { tag: "dialog-error" });
    const { context, page } = await openPage(ctx.browser);
    try {
      await logIn(page, base(), user.email, user.password);
      await page.goto(`${base()}/items`);
      await page.getByRole("button", { name: "Add item" }).click();
      const dialog = page.getByRole("dialog", { name: "Add item" });
      await dialog.getByLabel("Title").fill("Saved after the outage");
      await ctx.stack.stopApi();
      await dialog.getByRole("button", { name: "Save" }).click();
      const message = page.getByText(OUTAGE).first();
      await message.waitFor();
      assert.equal(await isOnTop(message), true, "the message is hidden under the dialog");
      assert.equal(await dialog.isVisible(), true, "the dialog keeps what the user typed");
      assert.equal(await dialog.getByLabel("Title").inputValue(), "Saved after the outage");
      await ctx.stack.startApi();
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByTestId("item-row").filter({ hasText: "Saved after the outage" }).waitFor();
    } finally {
      await ctx.stack.startApi();
      await context.close();
    }
  });

  it("an outage (502, network failure, UNAVAILABLE) is one clear message with a retry", async () => {
    const user = await signUpUser(base(), { tag: "outage" });
    await gql(
      base(),
      "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
      { input: { title: "Still here" } },
      user.token,
    );
    const { context, page } = await openPage(ctx.browser);
    try {
      await logIn(page, base(), user.email, user.password);

      // 1. The API process is down: the proxy in front of it answers 502.
      await ctx.stack.stopApi();
      await page.goto(`${base()}/items`);
      await page.getByText(OUTAGE).first().waitFor();
      await new Promise((r) => setTimeout(r, 1500)); // let every retry and toast arrive
      assert.equal((await visibleMessages(page, OUTAGE)).length, 1, "the outage is said once");
      assert.deepEqual(await visibleMessages(page, /\b50[234]\b/), [], "no status codes");
      await ctx.stack.startApi();
      await page.getByRole("button", { name: "Retry" }).click();
      await page.getByTestId("item-row").filter({ hasText: "Still here" }).waitFor();
      await eventually(
        async () => (await visibleMessages(page, OUTAGE)).length === 0,
        "the message goes once the server answers",
      );

      // 2. The network itself fails, and 3. the API reports its outage code.
      for (const answer of [
        (route) => route.abort("connectionrefused"),
        (route) =>
          route.fulfill({
            status: 503,
            headers: { "content-type": "application/json", "retry-after": "5" },
            body: JSON.stringify({
              data: null,
              errors: [
                {
                  message: "The service is temporarily unavailable.",
                  extensions: { code: "UNAVAILABLE" },
                },
              ],
            }),
          }),
      ]) {
        await page.route("**/graphql", answer);
        await page.reload();
        await page.getByText(OUTAGE).first().waitFor();
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal((await visibleMessages(page, OUTAGE)).length, 1, "said once");
        await page.unroute("**/graphql");
        await page.getByRole("button", { name: "Retry" }).click();
        await page.getByTestId("item-row").filter({ hasText: "Still here" }).waitFor();
      }
    } finally {
      await ctx.stack.startApi();
      await context.close();
    }
  });

  it("offline, Save says so at once and the write never runs later", async () => {
    const user = await signUpUser(base(), { tag: "offline" });
    const { context, page } = await openPage(ctx.browser);
    try {
      await logIn(page, base(), user.email, user.password);
      await page.goto(`${base()}/items`);
      await page.getByTestId("items-empty").waitFor();
      await page.getByRole("button", { name: "Add item" }).click();
      const dialog = page.getByRole("dialog", { name: "Add item" });
      await dialog.getByLabel("Title").fill("Typed while offline");
      await context.setOffline(true);
      // The browser's own notice that the connection is gone sits above the dialog.
      const notice = page.getByText(/you.re offline/i).first();
      await notice.waitFor({ timeout: 3000 });
      assert.equal(await isOnTop(notice), true, "the offline notice is under the dialog");
      const save = dialog.getByRole("button", { name: "Save" });
      await save.click();
      await expectText(dialog.getByRole("alert"), /offline/i, 3000);
      assert.equal(await save.getAttribute("aria-busy"), "false", "Save stops spinning");
      await context.setOffline(false);
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(await itemTitles(base(), user.token), [], "a paused write ran later");
      await save.click();
      await dialog.waitFor({ state: "hidden" });
      assert.deepEqual(await itemTitles(base(), user.token), ["Typed while offline"]);
    } finally {
      await context.setOffline(false);
      await context.close();
    }
  });
}
