// E-mail verification and address change in the browser, with the links
// read from the real SMTP sink: sign-up's "check your inbox" (the same for
// a taken address), verifying, a stack that refuses unverified logins
// until the link is used (with the throttled resend), and changing an
// address through a link to the new inbox with a notice to the old one.
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
import { apiLogin, linkIn } from "./stack.mjs";
import { signUpUser, strongPassword, uniqueEmail } from "./users.mjs";

async function signUpInBrowser(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  return expectText(page.getByTestId("signup-check-inbox"), /We sent a message to/);
}

export function verificationSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("sign up: check your inbox, then the e-mailed link verifies the address (once)", async () => {
    const { context, page } = await openPage(ctx.browser);
    const email = uniqueEmail("verify");
    const password = strongPassword();
    const since = ctx.mail.messages.length;
    await signUpInBrowser(page, base(), email, password);
    await checkA11y(page, "sign-up: check your inbox");
    const link = linkIn(await ctx.mail.waitFor(email, { since }), "/verify-email");

    // This stack lets unverified accounts in; the profile says what is missing.
    await logIn(page, base(), email, password);
    await page.goto(`${base()}/settings`);
    await page.getByTestId("email-unverified").waitFor();
    await checkA11y(page, "/settings (unverified)");

    await page.goto(link);
    await expectText(page.getByTestId("email-link-done"), "Your e-mail address is verified.");
    // The token leaves the address bar at once.
    assert.equal(new URL(page.url()).search, "");
    await checkA11y(page, "/verify-email (done)");
    await page.getByRole("link", { name: "Go to your settings" }).click();
    await expectPath(page, "/settings");
    await page.getByTestId("profile-email").waitFor();
    assert.equal(await page.getByTestId("email-unverified").count(), 0);

    // A used link says so.
    await page.goto(link);
    await page.getByTestId("email-link-failed").waitFor();
    await checkA11y(page, "/verify-email (used)");
    assertNoProblems(page);
    await context.close();
  });

  it("signing up with a taken address answers the same, and the owner is told by e-mail", async () => {
    const existing = await signUpUser(base(), { tag: "taken", login: false });
    const { context, page } = await openPage(ctx.browser);
    const since = ctx.mail.messages.length;
    const takenAnswer = await signUpInBrowser(page, base(), existing.email, strongPassword());
    const fresh = uniqueEmail("fresh");
    const freshAnswer = await signUpInBrowser(page, base(), fresh, strongPassword());
    assert.equal(
      takenAnswer.replace(existing.email, "<address>"),
      freshAnswer.replace(fresh, "<address>"),
      "nothing on the page tells a taken address from a new one",
    );
    await ctx.mail.waitFor(existing.email, { since });
    // Nothing else changed: the owner's password still works.
    await apiLogin(base(), existing.email, existing.password);
    await context.close();
  });

  it("a forged link is refused with a clear message", async () => {
    const { context, page } = await openPage(ctx.browser);
    for (const path of ["/verify-email", "/confirm-email"]) {
      await page.goto(`${base()}${path}?token=forged-token`);
      await page.getByTestId("email-link-failed").waitFor();
      assert.equal(new URL(page.url()).search, "");
    }
    await checkA11y(page, "/confirm-email (forged)");
    assertNoProblems(page);
    await context.close();
  });

  it("where verification is required, login waits for the link; resend is throttled", async () => {
    const strict = ctx.strict;
    const user = await signUpUser(strict.baseUrl, {
      tag: "unverified",
      login: false,
      mail: ctx.mail,
    });
    const { context, page } = await openPage(ctx.browser);
    await page.goto(`${strict.baseUrl}/login`);
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expectText(page.getByTestId("verify-email-needed"), user.email);
    await checkA11y(page, "login: verify your e-mail");
    const since = ctx.mail.messages.length;
    const resend = page.getByTestId("resend-verification");
    await resend.click();
    await page.getByTestId("resend-sent").waitFor();
    // Counting down, not pressable again at once.
    assert.equal(await resend.isDisabled(), true);
    await expectText(resend, /Resend the link \(in (\d+ s|\d+:\d\d)\)/);
    const link = linkIn(await ctx.mail.waitFor(user.email, { since }), "/verify-email");

    const { context: inbox, page: mailPage } = await openPage(ctx.browser);
    await mailPage.goto(link);
    await mailPage.getByTestId("email-link-done").waitFor();
    await inbox.close();

    await page.getByRole("button", { name: "Back to log in" }).click();
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByTestId("greeting").waitFor();
    assertNoProblems(page);
    await context.close();
  });

  it("change the address: a link to the new inbox, a notice to the old; the link makes the change", async () => {
    const user = await signUpUser(base(), { tag: "change-from", login: false, mail: ctx.mail });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    const profile = page.getByRole("region", { name: "Profile" });
    // The address is not a field of the profile form any more.
    assert.equal(await profile.getByRole("textbox", { name: "E-mail" }).count(), 0);
    await profile.getByRole("button", { name: "Change e-mail" }).click();
    const dialog = page.getByRole("dialog", { name: "Change e-mail" });
    await checkA11y(page, "change e-mail dialog");
    const newEmail = uniqueEmail("change-to");
    const since = ctx.mail.messages.length;
    await dialog.getByLabel("New e-mail").fill(newEmail);
    await dialog.getByLabel("Your password").fill("Not-the-password-42");
    await dialog.getByRole("button", { name: "Send link" }).click();
    // A wrong password is refused (on the field or inside the dialog).
    await page.waitForFunction(
      () =>
        document
          .querySelector('dialog[open] input[name="password"]')
          ?.getAttribute("aria-invalid") === "true" ||
        document.querySelector("dialog[open] [role=alert]") !== null,
    );
    await dialog.getByLabel("Your password").fill(user.password);
    await dialog.getByRole("button", { name: "Send link" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectText(page.getByTestId("pending-email"), newEmail);
    await checkA11y(page, "/settings (change pending)");

    const link = linkIn(await ctx.mail.waitFor(newEmail, { since }), "/confirm-email");
    await ctx.mail.waitFor(user.email, { since, subject: /change of your e-mail address/ });
    // Nothing changed yet.
    await apiLogin(base(), user.email, user.password);

    await page.goto(link);
    await expectText(page.getByTestId("email-link-done"), /Your e-mail address is changed/);
    await page.getByRole("link", { name: "Go to your settings" }).click();
    await expectText(page.getByTestId("profile-email"), newEmail);
    assert.equal(await page.getByTestId("pending-email").count(), 0);
    await apiLogin(base(), newEmail, user.password);
    await assert.rejects(apiLogin(base(), user.email, user.password));
    assertNoProblems(page);
    await context.close();
  });
}
