// TOTP second factor in the browser: enrolment from the key the page shows
// (the test computes the codes an authenticator app would), login with a
// code or a recovery code, new recovery codes, turning it off, a
// superuser's reset, and superusers sent to enrol where the server
// requires MFA for them.
import assert from "node:assert/strict";
import { it } from "node:test";
import {
  assertNoProblems,
  checkA11y,
  expectPath,
  expectText,
  logIn,
  logInWithCode,
  openPage,
} from "./browser.mjs";
import { apiLogin, apiLoginKind } from "./stack.mjs";
import { freshCode, hotp, wrongCode } from "./totp.mjs";
import { enrolMfaByApi, signUpUser } from "./users.mjs";

/**
 * Settings → Security → set up, as a user does: password, the key shown
 * under the QR code, the first code, the recovery codes. Returns the secret,
 * the codes and the TOTP step spent.
 */
export async function enrolInBrowser(page, baseUrl, password, { a11y = false } = {}) {
  await page.goto(`${baseUrl}/settings/security`);
  const card = page.getByRole("region", { name: "Two-factor authentication" });
  await expectText(card.getByTestId("mfa-status"), /Off/);
  await card.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await card.getByLabel("Your password").fill(password);
  await card.getByRole("button", { name: "Continue" }).click();
  await card.getByTestId("mfa-qr").waitFor();
  if (a11y) await checkA11y(page, "MFA enrolment: QR code and key");
  const secret = ((await card.getByTestId("mfa-secret").textContent()) ?? "").replace(/\s/g, "");
  assert.match(secret, /^[A-Z2-7]{16,}$/, "the page shows the base32 key");
  const used = {};
  await card.getByLabel("Code from the app").fill(await freshCode(secret, used));
  await card.getByRole("button", { name: "Turn on" }).click();
  const list = card.getByRole("list", { name: "Recovery codes" });
  await list.waitFor();
  if (a11y) await checkA11y(page, "MFA enrolment: recovery codes");
  const codes = (await list.locator("code").allTextContents()).map((c) => c.trim());
  await card.getByRole("button", { name: "I have saved them" }).click();
  await expectText(card.getByTestId("mfa-status"), /On/);
  return { secret, codes, used };
}

export function mfaSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("the e2e TOTP helper matches RFC 6238's SHA-1 test vectors", () => {
    const key = Buffer.from("12345678901234567890");
    assert.equal(hotp(key, Math.floor(59 / 30), 8), "94287082");
    assert.equal(hotp(key, Math.floor(1111111109 / 30), 8), "07081804");
  });

  it("enrol from the key the page shows, then log in with a code (a wrong one said on the field)", async () => {
    const user = await signUpUser(base(), { tag: "mfa-enrol", login: false });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("link", { name: "Security", exact: true }).click();
    await expectPath(page, "/settings/security");
    await checkA11y(page, "/settings/security (MFA off)");
    const { secret, codes, used } = await enrolInBrowser(page, base(), user.password, {
      a11y: true,
    });
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[a-z0-9]{5}-[a-z0-9]{5}$/);
    await expectText(page.getByTestId("recovery-codes-left"), "10 recovery codes left");
    await checkA11y(page, "/settings/security (MFA on)");
    // The password alone opens nothing now.
    assert.equal(await apiLoginKind(base(), user.email, user.password), "MfaChallenge");

    await page.getByRole("button", { name: "Log out" }).click();
    await expectPath(page, "/login");
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    const code = page.getByLabel("Authentication code");
    await code.waitFor();
    assert.equal(await code.getAttribute("inputmode"), "numeric");
    assert.equal(await code.getAttribute("autocomplete"), "one-time-code");
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("name")),
      "code",
      "the code field has the focus",
    );
    await checkA11y(page, "login: authentication code");
    await code.fill(wrongCode(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForFunction(
      () => document.querySelector('input[name="code"]')?.getAttribute("aria-invalid") === "true",
    );
    await checkA11y(page, "login: wrong code");
    await code.fill(await freshCode(secret, used));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByTestId("greeting").waitFor();
    // The session records that it passed the second factor.
    await page.goto(`${base()}/settings`);
    const thisDevice = page
      .getByRole("region", { name: "Sessions" })
      .getByRole("list", { name: "This device" });
    await expectText(thisDevice, /Second factor/);
    assertNoProblems(page);
    await context.close();
  });

  it("a recovery code logs in once; turning MFA off with another; then the password is enough", async () => {
    const user = await signUpUser(base(), { tag: "mfa-recovery", login: false });
    const { codes } = await enrolMfaByApi(base(), user);
    const { context, page } = await openPage(ctx.browser);
    // Typed as people do: capitals and a space instead of the dash.
    await logInWithCode(
      page,
      base(),
      user.email,
      user.password,
      codes[0].toUpperCase().replace("-", " "),
      {
        recovery: true,
      },
    );
    await page.goto(`${base()}/settings/security`);
    await expectText(page.getByTestId("recovery-codes-left"), "9 recovery codes left");

    // Used once, it is spent.
    await page.getByRole("button", { name: "Log out" }).click();
    await expectPath(page, "/login");
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "Use a recovery code instead" }).click();
    await page.getByLabel("Recovery code").fill(codes[0]);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForFunction(
      () => document.querySelector('input[name="code"]')?.getAttribute("aria-invalid") === "true",
    );
    await page.getByLabel("Recovery code").fill(codes[1]);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByTestId("greeting").waitFor();

    await page.goto(`${base()}/settings/security`);
    await page.getByRole("button", { name: "Turn off two-factor authentication" }).click();
    const dialog = page.getByRole("dialog", { name: "Turn off two-factor authentication" });
    await checkA11y(page, "turn off MFA dialog");
    await dialog.getByLabel("Your password").fill(user.password);
    await dialog.getByLabel("Code from your app, or a recovery code").fill(codes[2]);
    await dialog.getByRole("button", { name: "Turn off" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectText(page.getByTestId("toast-success"), /two-factor authentication is off/i);
    await expectText(page.getByTestId("mfa-status"), /Off/);
    assert.equal(await apiLoginKind(base(), user.email, user.password), "AccessToken");
    assertNoProblems(page);
    await context.close();
  });

  it("new recovery codes (password + code) replace the old ones", async () => {
    const user = await signUpUser(base(), { tag: "mfa-regen", login: false });
    const { secret, codes: old, used } = await enrolMfaByApi(base(), user);
    const { context, page } = await openPage(ctx.browser);
    await logInWithCode(page, base(), user.email, user.password, old[0], { recovery: true });
    await page.goto(`${base()}/settings/security`);
    await page.getByRole("button", { name: "New recovery codes" }).click();
    const dialog = page.getByRole("dialog", { name: "New recovery codes" });
    await checkA11y(page, "new recovery codes dialog");
    await dialog.getByLabel("Your password").fill(user.password);
    await dialog.getByLabel("Code from your app").fill(await freshCode(secret, used));
    await dialog.getByRole("button", { name: "Make new codes" }).click();
    const list = dialog.getByRole("list", { name: "Recovery codes" });
    await list.waitFor();
    await checkA11y(page, "new recovery codes shown once");
    const fresh = (await list.locator("code").allTextContents()).map((c) => c.trim());
    assert.equal(fresh.length, 10);
    assert.equal(
      fresh.filter((c) => old.includes(c)).length,
      0,
      "none of the old codes comes back",
    );
    const download = page.waitForEvent("download");
    await dialog.getByRole("button", { name: "Download as .txt" }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), "rampart-recovery-codes.txt");
    await dialog.getByRole("button", { name: "I have saved them" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectText(page.getByTestId("recovery-codes-left"), "10 recovery codes left");
    // An old code is refused, a new one works.
    await assert.rejects(apiLogin(base(), user.email, user.password, { code: old[1] }));
    await apiLogin(base(), user.email, user.password, { code: fresh[0] });
    assertNoProblems(page);
    await context.close();
  });

  it("a superuser resets a user's MFA from the users list (confirmed, the user e-mailed)", async () => {
    const user = await signUpUser(base(), { tag: "mfa-reset", login: false, mail: ctx.mail });
    await enrolMfaByApi(base(), user);
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    await page.goto(`${base()}/admin`);
    const row = page.getByTestId("user-row").filter({ hasText: user.email });
    await expectText(row, /On/);
    const since = ctx.mail.messages.length;
    await page.getByRole("button", { name: `Reset MFA of ${user.email}` }).click();
    const confirm = page.getByRole("dialog", { name: "Reset two-factor authentication" });
    await checkA11y(page, "reset MFA dialog");
    await confirm.getByRole("button", { name: "Reset MFA" }).click();
    await confirm.waitFor({ state: "hidden" });
    await expectText(page.getByTestId("toast-success"), /reset/);
    await expectText(row, /Off/);
    assert.equal(await page.getByRole("button", { name: `Reset MFA of ${user.email}` }).count(), 0);
    // Not the "two-step sign-in is on" notice of the enrolment, mailed in the background.
    await ctx.mail.waitFor(user.email, { since, subject: /administrator turned off two-step/ });
    assert.equal(await apiLoginKind(base(), user.email, user.password), "AccessToken");
    assertNoProblems(page);
    await context.close();
  });

  it("with MFA required for superusers, an admin without it is sent to enrol, then gets in", async () => {
    const strict = ctx.strict;
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, strict.baseUrl, strict.admin.email, strict.admin.password);
    await page.goto(`${strict.baseUrl}/admin`);
    await expectPath(page, "/settings/security");
    await expectText(page.getByTestId("mfa-required"), /Administrators must use two-factor/);
    await checkA11y(page, "sent to enrol");
    // The menu's Admin link goes the same way.
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await expectPath(page, "/settings/security");
    await enrolInBrowser(page, strict.baseUrl, strict.admin.password);
    assert.equal(
      await page.getByTestId("mfa-required").count(),
      0,
      "the notice goes once MFA is on",
    );
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await expectPath(page, "/admin");
    await page.getByRole("heading", { name: "Users", exact: true }).waitFor();
    await page.getByTestId("user-row").first().waitFor();
    assertNoProblems(page);
    await context.close();
  });
}
