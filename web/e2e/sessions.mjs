// Sessions in the browser: the access token in memory only, the refresh
// cookie restoring a reload or a new tab, logout across tabs, a session
// revoked from another device, "remember me" and browser close, the
// Sessions section of settings and the superuser's "log out everywhere".
import assert from "node:assert/strict";
import { it } from "node:test";
import {
  assertNoProblems,
  checkA11y,
  expectPath,
  expectText,
  logIn,
  openPage,
  reopenBrowser,
  tokensInStorage,
} from "./browser.mjs";
import { signUpUser, strongPassword } from "./users.mjs";

/**
 * Records whether the login form ever appears in `page` (from the first
 * byte of every document on): a restored session must not flash it. The
 * init script runs through the DevTools protocol, outside the page's CSP.
 */
async function watchForLoginForm(page) {
  await page.addInitScript(() => {
    const seen = () =>
      [...document.querySelectorAll("h1")].some((h) => h.textContent?.trim() === "Log in");
    new MutationObserver(() => {
      if (seen()) window.__sawLoginForm = true;
    }).observe(document, { childList: true, subtree: true });
  });
  return () => page.evaluate(() => window.__sawLoginForm === true);
}

const refreshCookie = (cookies) => cookies.find((c) => /rampart_refresh$/.test(c.name));

export function sessionsSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("the access token stays in memory; the refresh cookie is HttpOnly and SameSite=Strict", async () => {
    const user = await signUpUser(base(), { tag: "memory" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    assert.deepEqual(await tokensInStorage(page), [], "a token in web storage");
    const cookie = refreshCookie(await context.cookies());
    assert.ok(cookie, "no refresh cookie after login");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(await page.evaluate(() => document.cookie.includes("rampart_refresh")), false);
    await context.close();
  });

  it("a reload keeps the user signed in, with no flash of the login page", async () => {
    const user = await signUpUser(base(), { tag: "reload" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/items`);
    await page.getByRole("heading", { name: "Items", exact: true }).waitFor();
    const sawLoginForm = await watchForLoginForm(page);
    const paths = [];
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) paths.push(new URL(f.url()).pathname);
    });
    await page.reload();
    await page.getByRole("heading", { name: "Items", exact: true }).waitFor();
    await expectPath(page, "/items");
    assert.equal(await sawLoginForm(), false, "the login form flashed during the restore");
    assert.ok(!paths.includes("/login"), `went through /login: ${paths.join(" → ")}`);
    assert.deepEqual(await tokensInStorage(page), []);
    assertNoProblems(page);
    await context.close();
  });

  it("a new tab is signed in too", async () => {
    const user = await signUpUser(base(), { tag: "newtab" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    const tab = await context.newPage();
    const sawLoginForm = await watchForLoginForm(tab);
    await tab.goto(`${base()}/settings`);
    await tab.getByRole("heading", { name: "User settings" }).waitFor();
    assert.equal(await sawLoginForm(), false);
    // Both tabs keep working (their refreshes rotate one shared cookie in turn).
    await page.getByRole("link", { name: "Items", exact: true }).click();
    await page.getByRole("heading", { name: "Items", exact: true }).waitFor();
    await context.close();
  });

  it("log out in one tab logs out the other tabs, and the session is over on the server", async () => {
    const user = await signUpUser(base(), { tag: "tabs" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    const other = await context.newPage();
    await other.goto(`${base()}/items`);
    await other.getByRole("heading", { name: "Items", exact: true }).waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await expectPath(page, "/login");
    // The other tab follows without being touched.
    await expectPath(other, "/login");
    await expectText(other.getByTestId("login-reason"), /logged out in another tab/);
    // And a reload does not bring the session back: the API revoked it.
    assert.equal(refreshCookie(await context.cookies()), undefined, "cookie not cleared");
    await other.goto(`${base()}/items`);
    await expectPath(other, "/login");
    await context.close();
  });

  it("a login in another tab is picked up by a tab on the login page", async () => {
    const user = await signUpUser(base(), { tag: "tablogin" });
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/login`);
    await page.getByRole("heading", { name: "Log in", exact: true }).waitFor();
    const other = await context.newPage();
    await logIn(other, base(), user.email, user.password);
    await page.getByTestId("greeting").waitFor();
    await expectPath(page, "/");
    await context.close();
  });

  it("a session revoked from another device is logged out at its next request", async () => {
    const user = await signUpUser(base(), { tag: "device", login: false });
    const { context: laptop, page: onLaptop } = await openPage(ctx.browser);
    await logIn(onLaptop, base(), user.email, user.password);
    const { context: phone, page: onPhone } = await openPage(ctx.browser);
    await logIn(onPhone, base(), user.email, user.password);

    await onPhone.goto(`${base()}/settings`);
    const section = onPhone.getByRole("region", { name: "Sessions" });
    await section.getByTestId("session-row").nth(1).waitFor();
    await expectText(section.getByRole("list", { name: "This device" }), /This device/);
    // A password-only sign-in is not marked as having passed a second factor.
    assert.doesNotMatch(
      (await section.getByRole("list", { name: "This device" }).textContent()) ?? "",
      /Second factor/,
    );
    const others = section.getByRole("list", { name: "Other devices" }).getByTestId("session-row");
    assert.equal(await others.count(), 1);
    await expectText(others, /Last used .* from 127\.0\.0\.1/);
    await checkA11y(onPhone, "settings with sessions");
    await others.getByRole("button", { name: /^Log out/ }).click();
    const dialog = onPhone.getByRole("dialog", { name: "Log out session" });
    await checkA11y(onPhone, "log out session dialog");
    await dialog.getByRole("button", { name: "Log out" }).click();
    await section.getByTestId("no-other-sessions").waitFor();

    // The laptop learns at its next request: one notice, the login page.
    await onLaptop.getByRole("link", { name: "Items", exact: true }).click();
    await expectPath(onLaptop, "/login");
    await expectText(onLaptop.getByTestId("login-reason"), /session has ended/);
    assert.equal(await onLaptop.getByTestId("toast-error").count(), 0, "an error toast as well");
    // The phone is still in.
    await onPhone.getByRole("link", { name: "Items", exact: true }).click();
    await onPhone.getByRole("heading", { name: "Items", exact: true }).waitFor();
    assertNoProblems(onPhone);
    await laptop.close();
    await phone.close();
  });

  it("log out all other sessions keeps this one", async () => {
    const user = await signUpUser(base(), { tag: "others", login: false });
    const devices = [];
    for (let i = 0; i < 2; i++) {
      const device = await openPage(ctx.browser);
      await logIn(device.page, base(), user.email, user.password);
      devices.push(device);
    }
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    const section = page.getByRole("region", { name: "Sessions" });
    await section.getByRole("button", { name: "Log out all other sessions" }).click();
    const dialog = page.getByRole("dialog", { name: "Log out all other sessions" });
    await expectText(dialog, /all 2 other sessions/);
    await dialog.getByRole("button", { name: "Log out all other sessions" }).click();
    await section.getByTestId("no-other-sessions").waitFor();
    for (const device of devices) {
      await device.page.reload();
      await expectPath(device.page, "/login");
      await device.context.close();
    }
    await page.reload();
    await page.getByRole("heading", { name: "User settings" }).waitFor();
    await context.close();
  });

  it("without “remember me” the session ends when the browser closes; with it, it survives", async () => {
    const user = await signUpUser(base(), { tag: "remember" });

    const { context: once, page: oncePage } = await openPage(ctx.browser);
    await logIn(oncePage, base(), user.email, user.password);
    const closed = await reopenBrowser(ctx.browser, once);
    assert.equal(refreshCookie(closed.cookies)?.expires, -1, "not a session cookie");
    await closed.page.goto(`${base()}/items`);
    await expectPath(closed.page, "/login");
    // Not "your session has ended": nothing was lost that this browser still had.
    assert.equal(await closed.page.getByTestId("login-reason").count(), 0);
    await closed.context.close();

    const { context: kept, page: keptPage } = await openPage(ctx.browser);
    await logIn(keptPage, base(), user.email, user.password, { rememberMe: true });
    const reopened = await reopenBrowser(ctx.browser, kept);
    const cookie = refreshCookie(reopened.cookies);
    assert.ok(cookie && cookie.expires > Date.now() / 1000 + 86_400, "not a lasting cookie");
    await reopened.page.goto(`${base()}/items`);
    await reopened.page.getByRole("heading", { name: "Items", exact: true }).waitFor();
    assertNoProblems(reopened.page);
    await reopened.context.close();
  });

  it("changing the password can keep this device logged in; every other session ends", async () => {
    const user = await signUpUser(base(), { tag: "keep" });
    const { context: other, page: otherPage } = await openPage(ctx.browser);
    await logIn(otherPage, base(), user.email, user.password);
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    const section = page.getByRole("region", { name: "Change password" });
    const next = strongPassword();
    await section.getByLabel("Current password").fill(user.password);
    await section.getByLabel("New password", { exact: true }).fill(next);
    await section.getByLabel("Confirm new password").fill(next);
    assert.equal(await section.getByLabel("Keep me logged in on this device").isChecked(), true);
    await section.getByRole("button", { name: "Change password" }).click();
    await expectText(page.getByTestId("toast-success"), /Password changed/);
    await expectPath(page, "/settings");
    await page.reload();
    await page.getByRole("heading", { name: "User settings" }).waitFor();
    await otherPage.getByRole("link", { name: "Items", exact: true }).click();
    await expectPath(otherPage, "/login");
    await expectText(otherPage.getByTestId("login-reason"), /session has ended/);
    await other.close();
    await context.close();
  });

  it("a superuser sees a user's sessions and logs them out everywhere", async () => {
    const user = await signUpUser(base(), { tag: "everywhere", login: false });
    const { context: victim, page: victimPage } = await openPage(ctx.browser);
    await logIn(victimPage, base(), user.email, user.password);

    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    await page.goto(`${base()}/admin`);
    await page.getByRole("button", { name: `Edit ${user.email}` }).click();
    const dialog = page.getByRole("dialog", { name: "Edit user" });
    const sessions = dialog.getByTestId("user-sessions");
    await sessions.getByTestId("session-row").first().waitFor();
    await checkA11y(page, "edit user with sessions");
    await sessions.getByRole("button", { name: "Log out everywhere" }).click();
    const confirm = page.getByRole("dialog", { name: "Log out everywhere" });
    await expectText(confirm, user.email);
    await confirm.getByRole("button", { name: "Log out everywhere" }).click();
    await expectText(page.getByTestId("toast-success"), /logged out everywhere/);
    await sessions.getByTestId("no-user-sessions").waitFor();
    // The confirmation closed; the edit dialog it sat on did not.
    assert.equal(await dialog.isVisible(), true);
    assertNoProblems(page);

    await victimPage.getByRole("link", { name: "Items", exact: true }).click();
    await expectPath(victimPage, "/login");
    await expectText(victimPage.getByTestId("login-reason"), /session has ended/);
    await victim.close();
    await context.close();
  });
}
