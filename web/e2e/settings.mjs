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
import { apiLogin } from "./stack.mjs";
import { signUpUser, strongPassword } from "./users.mjs";

export function settingsSuite(ctx) {
  const base = () => ctx.stack.baseUrl;

  it("profile: change the name (the address changes only through its own dialog)", async () => {
    const user = await signUpUser(base(), { tag: "profile" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("heading", { name: "User settings", exact: true }).waitFor();
    await checkA11y(page, "/settings");
    const profile = page.getByRole("region", { name: "Profile" });
    await profile.getByLabel("Full name").fill("Renamed Person");
    await profile.getByRole("button", { name: "Save profile" }).click();
    await expectText(page.getByTestId("toast-success"), "Profile updated.");
    await page.getByRole("link", { name: "Dashboard", exact: true }).click();
    await expectText(page.getByTestId("greeting"), "Hi, Renamed Person");

    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await expectText(profile.getByTestId("profile-email"), user.email);
    assert.equal(await profile.getByRole("textbox", { name: "E-mail" }).count(), 0);
    assertNoProblems(page);
    await context.close();
  });

  it("change password: a wrong current password is refused; without “keep me logged in” the right one logs out", async () => {
    const user = await signUpUser(base(), { tag: "chpw" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    const next = strongPassword();
    const section = page.getByRole("region", { name: "Change password" });
    await section.getByLabel("Current password").fill("Not-the-password-42");
    await section.getByLabel("New password", { exact: true }).fill(next);
    await section.getByLabel("Confirm new password").fill(next);
    await section.getByRole("button", { name: "Change password" }).click();
    // The API's BAD_USER_INPUT(field: currentPassword) lands on that field.
    await page.waitForFunction(
      () =>
        document.querySelector('input[name="currentPassword"]')?.getAttribute("aria-invalid") ===
        "true",
    );
    await expectText(section.locator(".field-error"), /current password/i);
    await expectPath(page, "/settings");

    await section.getByLabel("Current password").fill(user.password);
    await section.getByLabel("Keep me logged in on this device").uncheck();
    await section.getByRole("button", { name: "Change password" }).click();
    await expectPath(page, "/login");
    await expectText(page.getByTestId("login-reason"), /password was changed/);
    await logIn(page, base(), user.email, next);
    await assert.rejects(apiLogin(base(), user.email, user.password));
    await context.close();
  });

  it("appearance: light, dark or system, remembered across reloads", async () => {
    const user = await signUpUser(base(), { tag: "theme" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    const theme = () => page.evaluate(() => document.documentElement.getAttribute("data-theme"));
    assert.equal(await theme(), null);
    await page.getByLabel("Dark").check();
    assert.equal(await theme(), "dark");
    await checkA11y(page, "/settings (dark)");
    await page.reload();
    await page.getByRole("heading", { name: "User settings", exact: true }).waitFor();
    assert.equal(await theme(), "dark");
    assert.equal(await page.getByLabel("Dark").isChecked(), true);
    await page.getByLabel("Light").check();
    assert.equal(await theme(), "light");
    await page.getByLabel("System").check();
    assert.equal(await theme(), null);
    await context.close();
  });

  it("danger zone: a user deletes their account; a superuser is not offered it", async () => {
    const user = await signUpUser(base(), { tag: "delete-me" });
    const { context, page } = await openPage(ctx.browser);
    await logIn(page, base(), user.email, user.password);
    await page.goto(`${base()}/settings`);
    await page.getByRole("button", { name: "Delete account" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete account" });
    await checkA11y(page, "delete account dialog");
    await dialog.getByRole("button", { name: "Delete my account" }).click();
    await expectPath(page, "/login");
    await assert.rejects(apiLogin(base(), user.email, user.password));
    await context.close();

    const { context: c2, page: admin } = await openPage(ctx.browser);
    await logIn(admin, base(), ctx.stack.admin.email, ctx.stack.admin.password);
    await admin.goto(`${base()}/settings`);
    await admin.getByRole("heading", { name: "Appearance", exact: true }).waitFor();
    assert.equal(await admin.getByRole("heading", { name: "Danger zone", exact: true }).count(), 0);
    await c2.close();
  });
}
