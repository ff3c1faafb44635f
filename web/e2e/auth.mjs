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
import { resetLinkIn } from "./stack.mjs";
import { signUpUser, strongPassword, uniqueEmail } from "./users.mjs";

export function authSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("login page is accessible and offers sign-up when the API allows it", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/login`);
    await page.getByRole("heading", { name: "Log in", exact: true }).waitFor();
    await page.getByRole("link", { name: "Sign up" }).waitFor();
    await checkA11y(page, "/login");
    assertNoProblems(page);
    await context.close();
  });

  it("sign-up is hidden, and its page says so, when the API disables it", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${ctx.noSignup.baseUrl}/login`);
    await page.getByRole("link", { name: "Forgot your password?" }).waitFor();
    // publicSettings has answered once the recovery link is there? wait for the query explicitly:
    await page.waitForLoadState("networkidle");
    assert.equal(await page.getByRole("link", { name: "Sign up" }).count(), 0);
    await page.goto(`${ctx.noSignup.baseUrl}/signup`);
    await expectText(page.getByTestId("signup-disabled"), /Sign-up is disabled/);
    assert.equal(await page.getByLabel("Password", { exact: true }).count(), 0);
    await checkA11y(page, "/signup (disabled)");
    assertNoProblems(page);
    await context.close();
  });

  it("client-side validation puts errors on the fields", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/login`);
    await page.getByLabel("E-mail").fill("not-an-email");
    await page.getByRole("button", { name: "Log in" }).click();
    const email = page.getByLabel("E-mail");
    assert.equal(await email.getAttribute("aria-invalid"), "true");
    await expectText(page.locator(".field-error").first(), "Enter a valid e-mail address.");
    await expectText(page.locator(".field-error").nth(1), "Password is required.");
    await checkA11y(page, "/login with errors");
    await context.close();
  });

  it("log in with the keyboard alone", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/login`);
    await page.getByRole("heading", { name: "Log in", exact: true }).waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "email");
    await page.keyboard.type(ctx.stack.admin.email);
    await page.keyboard.press("Tab");
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("name")),
      "password",
    );
    await page.keyboard.type(ctx.stack.admin.password);
    await page.keyboard.press("Enter");
    await page.getByTestId("greeting").waitFor();
    // The skip link is the first stop on every logged-in page.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    await context.close();
  });

  it("a wrong password is refused and the user stays on the login page", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/login`);
    await page.getByLabel("E-mail").fill(ctx.stack.admin.email);
    await page.getByLabel("Password", { exact: true }).fill("Wrong-password-123");
    await page.getByRole("button", { name: "Log in" }).click();
    await expectText(page.locator("main article").getByRole("alert"), /incorrect/i);
    await expectPath(page, "/login");
    assert.equal(
      (await context.cookies()).some((c) => /rampart_refresh$/.test(c.name)),
      false,
      "a refresh cookie for a refused login",
    );
    await context.close();
  });

  it("sign up (the answer: check your inbox), then log in and be greeted by name", async () => {
    const { context, page } = await openPage(ctx.browser);
    const email = uniqueEmail("signup");
    const password = strongPassword();
    await page.goto(`${base()}/login`);
    await page.getByRole("link", { name: "Sign up" }).click();
    await expectPath(page, "/signup");
    await page.getByLabel("Full name").fill("Sally Signup");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("Confirm password").fill(`${password}x`);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expectText(page.locator(".field-error"), "Passwords do not match.");
    await checkA11y(page, "/signup");
    await page.getByLabel("Confirm password").fill(password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expectText(page.getByTestId("signup-check-inbox"), email);
    // This stack lets an unverified account in (REQUIRE_EMAIL_VERIFICATION
    // is off in local mode); verification.mjs covers the strict case.
    await page.getByRole("link", { name: "Back to log in" }).click();
    await expectPath(page, "/login");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expectText(page.getByTestId("greeting"), "Hi, Sally Signup");
    await checkA11y(page, "dashboard");
    assertNoProblems(page);
    await context.close();
  });

  it("the API's password policy (weak password) is shown on the password field", async () => {
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/signup`);
    await page.getByLabel("E-mail").fill(uniqueEmail("weak"));
    // Long enough for the client-side rule; too guessable for the API's estimator.
    await page.getByLabel("Password", { exact: true }).fill("password1234");
    await page.getByLabel("Confirm password").fill("password1234");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('input[name="password"]')?.getAttribute("aria-invalid") === "true",
    );
    await expectText(page.locator(".field-error"), /password/i);
    await expectPath(page, "/signup");
    await context.close();
  });

  it("pages behind login send a visitor to log in, then back where they were going", async () => {
    const user = await signUpUser(base(), { tag: "redirect" });
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/items`);
    await expectPath(page, "/login");
    assert.equal(new URL(page.url()).searchParams.get("redirect"), "/items");
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expectPath(page, "/items");
    await page.getByRole("heading", { name: "Items", exact: true }).waitFor();
    await context.close();
  });

  it("log out forgets the session", async () => {
    const user = await signUpUser(base(), { tag: "logout" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.getByRole("button", { name: "Log out" }).click();
    await expectPath(page, "/login");
    // A reload does not restore it: the API revoked the session and cleared the cookie.
    await page.goto(`${base()}/settings`);
    await expectPath(page, "/login");
    await context.close();
  });

  it("password recovery: the e-mailed link resets the password", async () => {
    const user = await signUpUser(base(), { tag: "recover", mail: ctx.mail });
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${base()}/login`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expectPath(page, "/recover-password");
    await checkA11y(page, "/recover-password");
    const since = ctx.mail.messages.length;
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByTestId("recovery-sent").waitFor();
    const mail = await ctx.mail.waitFor(user.email, { since, subject: /reset your password/ });
    const link = resetLinkIn(mail);
    assert.ok(link.startsWith(`${base()}/reset-password?token=`), link);

    await page.goto(link);
    await page.getByRole("heading", { name: "Reset password", exact: true }).waitFor();
    // The token leaves the address bar (and so history and any later Referer).
    await page.waitForFunction(() => !location.search.includes("token"));
    await checkA11y(page, "/reset-password");
    const newPassword = strongPassword();
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm password").fill(newPassword);
    await page.getByRole("button", { name: "Set password" }).click();
    await expectPath(page, "/login");
    await expectText(page.getByTestId("login-reason"), /password is set/);

    // The old password no longer works; the new one does.
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator("main article").getByRole("alert").waitFor();
    await logIn(page, base(), user.email, newPassword);
    assertNoProblems(page);

    // The link is single use.
    const { context: c2, page: p2 } = await openPage(ctx.browser);
    await p2.goto(link);
    const again = strongPassword();
    await p2.getByLabel("New password", { exact: true }).fill(again);
    await p2.getByLabel("Confirm password").fill(again);
    await p2.getByRole("button", { name: "Set password" }).click();
    await p2.locator("main article").getByRole("alert").waitFor();
    await expectPath(p2, "/reset-password");
    await c2.close();
    await context.close();
  });

  it("an invalid (expired or forged) session sends the user to log in, once", async () => {
    const user = await signUpUser(base(), { tag: "expired" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    const navigations = [];
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navigations.push(new URL(f.url()).pathname);
    });
    // Every bearer token the page sends now has a bad signature (the page
    // itself keeps its token in memory, out of reach): the API refuses it,
    // the SPA refreshes and retries once, is refused again and gives up.
    await page.route("**/graphql", (route) => {
      const headers = { ...route.request().headers() };
      if (headers.authorization) {
        const [h, p] = headers.authorization.slice("Bearer ".length).split(".");
        headers.authorization = `Bearer ${h}.${p}.AAAAforgedsignatureAAAA`;
      }
      return route.continue({ headers });
    });
    await page.getByRole("link", { name: "Items", exact: true }).click();
    await expectPath(page, "/login");
    await expectText(page.getByTestId("login-reason"), /session has ended/);
    assert.equal(await page.getByTestId("toast-error").count(), 0, "no error toast on top");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(navigations.filter((p) => p === "/login").length, 1);
    await context.close();
  });

  it("a session revoked elsewhere (password changed) ends on the next request", async () => {
    const user = await signUpUser(base(), { tag: "revoked" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    // The same user changes the password in another browser.
    const { context: other, page: otherPage } = await openPage(ctx.browser);
    await logIn(otherPage, base(), user.email, user.password);
    await otherPage.goto(`${base()}/settings`);
    await otherPage.getByLabel("Current password").fill(user.password);
    const next = strongPassword();
    await otherPage.getByLabel("New password", { exact: true }).fill(next);
    await otherPage.getByLabel("Confirm new password").fill(next);
    // Kept logged in there (the default): every other session ends, this one included.
    await otherPage.getByRole("button", { name: "Change password" }).click();
    await expectText(otherPage.getByTestId("toast-success"), /Password changed/);
    await other.close();
    // Tokens carry whole seconds: make sure the revocation instant has passed.
    await new Promise((r) => setTimeout(r, 1100));
    await page.getByRole("link", { name: "Items", exact: true }).click();
    await expectPath(page, "/login");
    await expectText(page.getByTestId("login-reason"), /session has ended/);
    await context.close();
  });
}
