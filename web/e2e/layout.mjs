// The app as it looks and reads: phones, page titles, the 404 and error
// pages, widths, dialog footers, loading states and the focus ring.
import assert from "node:assert/strict";
import { it } from "node:test";
import {
  assertNoProblems,
  DESKTOP,
  eventually,
  expectPath,
  expectText,
  isOnTop,
  logIn,
  openPage,
  PHONE,
} from "./browser.mjs";
import { gql } from "./stack.mjs";
import { signUpUser } from "./users.mjs";

async function pageWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Holds the first GraphQL request whose operation matches until `release()` is called. */
async function holdOperation(page, pattern) {
  let release;
  const held = new Promise((r) => {
    release = r;
  });
  await page.route("**/graphql", async (route) => {
    if (!pattern.test(route.request().postData() ?? "")) return route.continue();
    await held;
    return route.continue();
  });
  return () => release();
}

/** WCAG contrast ratio of two computed CSS colours (rgb/rgba, alpha ignored). */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, b] = c
      .match(/[\d.]+/g)
      .slice(0, 3)
      .map(Number)
      .map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export function layoutSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("phones: the navigation folds into a menu and nothing overflows 390 px", async () => {
    const { context, page } = await openPage(ctx.browser, { viewport: PHONE });
    await logIn(page, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    for (const path of ["/", "/items", "/settings", "/admin", "/admin/audit"]) {
      await page.goto(`${base()}${path}`);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.waitForLoadState("networkidle");
      assert.ok((await pageWidth(page)) <= PHONE.width, `${path} is wider than the phone`);
    }
    const menu = page.getByRole("button", { name: "Menu" });
    assert.equal(await menu.getAttribute("aria-expanded"), "false");
    assert.equal(await page.getByRole("link", { name: "Admin", exact: true }).isVisible(), false);
    await menu.click();
    assert.equal(await menu.getAttribute("aria-expanded"), "true");
    const logOut = page.getByRole("button", { name: "Log out" });
    const oneLine = await logOut.evaluate((el) => {
      const style = getComputedStyle(el);
      const line = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.5;
      const padding = Number.parseFloat(style.paddingTop) + Number.parseFloat(style.paddingBottom);
      return el.getBoundingClientRect().height - padding < line * 1.5;
    });
    assert.equal(oneLine, true, "Log out wraps");
    await page.getByRole("link", { name: "Items", exact: true }).click();
    await expectPath(page, "/items");
    // Choosing a page closes the menu again.
    await eventually(async () => (await menu.getAttribute("aria-expanded")) === "false", "menu");
    await page.keyboard.press("Tab");
    assertNoProblems(page);
    await context.close();
  });

  it("phones: every user's role, status and actions are readable and reachable", async () => {
    const { context, page } = await openPage(ctx.browser, { viewport: PHONE });
    await logIn(page, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    await page.goto(`${base()}/admin`);
    const rows = page.getByTestId("user-row");
    await rows.first().waitFor();
    const count = await rows.count();
    assert.ok(count > 0);
    for (let i = 0; i < count; i++) {
      const row = rows.nth(i);
      await row.scrollIntoViewIfNeeded();
      await expectText(row, /(Superuser|User)/);
      await expectText(row, /(Active|Inactive)/);
      for (const action of [/^Edit /, /^Delete /]) {
        const button = row.getByRole("button", { name: action });
        if ((await button.count()) === 0) continue; // no Delete on one's own row
        await button.scrollIntoViewIfNeeded();
        const box = await button.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `row ${i}: off-screen`);
        assert.equal(await isOnTop(button), true, `row ${i}: ${action} is covered`);
      }
    }
    assert.ok((await pageWidth(page)) <= PHONE.width);
    await context.close();
  });

  it("every page has its own document title", async () => {
    const user = await signUpUser(base(), { tag: "titles" });
    const { context, page } = await openPage(ctx.browser);
    const title = async (path, expected) => {
      await page.goto(`${base()}${path}`);
      await eventually(async () => (await page.title()) === expected, `${path}: ${expected}`);
    };
    await title("/login", "Log in · Rampart");
    await title("/signup", "Sign up · Rampart");
    await title("/recover-password", "Password recovery · Rampart");
    await title("/no/such/page", "Page not found · Rampart");
    await logIn(page, base(), user.email, user.password);
    await title("/", "Dashboard · Rampart");
    await title("/items", "Items · Rampart");
    await title("/settings", "User settings · Rampart");
    await context.close();
    const admin = await openPage(ctx.browser);
    await logIn(admin.page, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    await admin.page.goto(`${base()}/admin`);
    await eventually(async () => (await admin.page.title()) === "Users · Rampart", "users");
    await admin.page.goto(`${base()}/admin/audit`);
    await eventually(async () => (await admin.page.title()) === "Audit events · Rampart", "audit");
    await admin.context.close();
  });

  it("the 404 page has the app's frame, brand and a way back", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/no/such/page`);
    const heading = page.getByRole("heading", { name: "Page not found", level: 1 });
    await heading.waitFor();
    const banner = page.getByRole("banner");
    await expectText(banner, /Rampart/);
    const box = await heading.boundingBox();
    assert.ok(box && box.x >= 16, `heading against the edge (x=${box?.x})`);
    await page.getByRole("main").getByRole("link").first().waitFor();
    assertNoProblems(page);
    await context.close();

    const user = await signUpUser(base(), { tag: "lost" });
    const signedIn = await openPage(ctx.browser);
    await logIn(signedIn.page, base(), user.email, user.password);
    await signedIn.page.goto(`${base()}/items/nope/nothing`);
    await signedIn.page.getByRole("heading", { name: "Page not found" }).waitFor();
    await signedIn.page.getByRole("navigation", { name: "Main" }).waitFor();
    await signedIn.context.close();
  });

  it("a route that crashes shows an error page, not a blank screen", async () => {
    const user = await signUpUser(base(), { tag: "crash" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    // An answer the page cannot render (a broken deploy, a proxy mangling JSON).
    await page.route("**/graphql", async (route) => {
      if (!/query Items\b/.test(route.request().postData() ?? "")) return route.continue();
      return route.fulfill({
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({ data: { items: null } }),
      });
    });
    await page.goto(`${base()}/items`);
    await page.getByRole("heading", { name: "Something went wrong", level: 1 }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    const main = page.getByRole("main");
    await main.getByRole("button", { name: "Try again" }).waitFor();
    await main.getByRole("link", { name: /dashboard/i }).waitFor();
    assert.doesNotMatch((await main.textContent()) ?? "", /TypeError|at \w+ \(/, "no stack trace");
    await page.unroute("**/graphql");
    await main.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("heading", { name: "Items", level: 1 }).waitFor();
    await context.close();
  });

  it("settings keep a readable width and dialog footers pair equal buttons", async () => {
    const user = await signUpUser(base(), { tag: "widths" });
    const { context, page } = await openPage(ctx.browser, { viewport: DESKTOP });
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    await page.getByRole("heading", { name: "User settings" }).waitFor();
    const widths = await page
      .locator("main input:not([type=radio]):not([type=checkbox]), main button")
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
    assert.ok(widths.length > 4);
    for (const w of widths) assert.ok(w <= 640, `a control is ${w}px wide`);

    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${base()}/items`);
      await page.getByRole("button", { name: "Add item" }).click();
      const dialog = page.getByRole("dialog", { name: "Add item" });
      const cancel = await dialog.getByRole("button", { name: "Cancel" }).boundingBox();
      const save = await dialog.getByRole("button", { name: "Save" }).boundingBox();
      assert.ok(Math.abs(cancel.height - save.height) < 1, "buttons of one height");
      assert.ok(Math.abs(cancel.width - save.width) < 2, "buttons of one width");
      assert.ok(Math.abs(cancel.y - save.y) < 1, "side by side");
      await page.keyboard.press("Escape");
    }
    await context.close();
  });

  it("every list shows a skeleton while it loads, then its rows", async () => {
    const user = await signUpUser(base(), { tag: "skeleton" });
    await gql(
      base(),
      "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
      { input: { title: "Loaded" } },
      user.token,
    );
    const lists = [
      { who: user, path: "/items", op: /query Items\b/, row: "item-row" },
      { who: ctx.stack.admin, path: "/admin", op: /query Users\b/, row: "user-row" },
      { who: ctx.stack.admin, path: "/admin/audit", op: /query AuditEvents\b/, row: "audit-row" },
    ];
    for (const { who, path, op, row } of lists) {
      const { context, page } = await openPage(ctx.browser);
      await logIn(page, base(), who.email, who.password);
      const release = await holdOperation(page, op);
      await page.goto(`${base()}${path}`);
      const skeleton = page.getByTestId("list-skeleton");
      await skeleton.waitFor();
      assert.equal(await skeleton.getAttribute("aria-busy"), "true", path);
      const placeholders = await skeleton.getByTestId("skeleton-row").count();
      assert.ok(placeholders >= 3, `${path}: ${placeholders} placeholder rows`);
      release();
      await page.getByTestId(row).first().waitFor();
      assert.equal(await skeleton.count(), 0);
      await context.close();
    }
  });

  it("keyboard focus is clearly visible in both themes", async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { context, page } = await openPage(ctx.browser, { colorScheme });
      await page.goto(`${base()}/login`);
      await page.getByRole("heading", { name: "Log in" }).waitFor();
      for (const name of ["email", "password"]) {
        await page.keyboard.press("Tab");
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), name);
      }
      // On to the first button (the password's show toggle or Log in).
      await page.keyboard.press("Tab");
      const ring = await page.evaluate(() => {
        const el = document.activeElement;
        const s = getComputedStyle(el);
        let bg = "rgba(0, 0, 0, 0)";
        for (let n = el.parentElement; n; n = n.parentElement) {
          const c = getComputedStyle(n).backgroundColor;
          if (!/rgba\(.*, 0\)$/.test(c) && c !== "transparent") {
            bg = c;
            break;
          }
        }
        if (bg === "rgba(0, 0, 0, 0)") bg = getComputedStyle(document.body).backgroundColor;
        return {
          tag: el.tagName,
          style: s.outlineStyle,
          width: Number.parseFloat(s.outlineWidth),
          color: s.outlineColor,
          bg,
        };
      });
      assert.equal(ring.tag, "BUTTON");
      assert.notEqual(ring.style, "none", `${colorScheme}: no outline`);
      assert.ok(ring.width >= 2, `${colorScheme}: outline ${ring.width}px`);
      const ratio = contrast(ring.color, ring.bg);
      assert.ok(ratio >= 3, `${colorScheme}: focus ring contrast ${ratio.toFixed(2)}`);
      await context.close();
    }
  });
}
