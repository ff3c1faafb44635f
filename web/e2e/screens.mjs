// Every screen, at a phone's width and a desktop's, in the light and the dark
// theme: axe finds no violation of any impact. With RAMPART_SCREENSHOTS set
// (npm run screenshots) the light ones are saved as <screen>-<width>.png.
import { it } from "node:test";
import { checkA11y, DESKTOP, logIn, openPage, PHONE, screenshot } from "./browser.mjs";
import { apiLogin, gql, resetLinkIn } from "./stack.mjs";
import { enrolMfaByApi, signUpUser, strongPassword, uniqueEmail } from "./users.mjs";

async function createItems(baseUrl, token, titles) {
  for (const [title, description] of titles) {
    await gql(
      baseUrl,
      "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
      { input: { title, description } },
      token,
    );
  }
}

const ITEMS = [
  ["Renew the TLS certificate", "Traefik does it; check the expiry alert fires"],
  ["Quarterly restore test", "pg_restore last night's dump into a scratch database"],
  ["Rotate the SMTP password", null],
  ["Review the audit events", "Failed logins from unknown addresses"],
  ["Update the runbook", "Add the new prestart step"],
  ["Plan the MFA rollout", null],
];

const DARK_SHOTS = ["items", "settings", "login"];

export function screensSuite(ctx) {
  it("every screen passes axe in both themes at 390 px and 1440 px", async () => {
    const base = ctx.stack.baseUrl;
    const user = await signUpUser(base, { tag: "screens", fullName: "Sam Screens" });
    const fresh = await signUpUser(base, { tag: "screens-empty", fullName: "Erin Empty" });
    // With MFA on: its recovery codes log it in once per round (no clock to wait for).
    const secured = await signUpUser(base, { tag: "screens-mfa", fullName: "Max Factor" });
    const { codes: recoveryCodes } = await enrolMfaByApi(base, secured);
    await createItems(base, user.token, ITEMS);
    // A real recovery link (opening it does not use it up).
    const since = ctx.mail.messages.length;
    await gql(
      base,
      "mutation R($input: RecoverPasswordInput!) { recoverPassword(input: $input) { message } }",
      { input: { email: fresh.email } },
    );
    const link = resetLinkIn(
      await ctx.mail.waitFor(fresh.email, { since, subject: /reset your password/ }),
    );
    const token = new URL(link).searchParams.get("token");
    const { accessToken: adminToken } = await apiLogin(
      base,
      ctx.stack.admin.email,
      ctx.stack.admin.password,
    );
    await gql(
      base,
      "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
      { input: { title: "Admin's own note" } },
      adminToken,
    );

    for (const viewport of [PHONE, DESKTOP]) {
      for (const colorScheme of ["light", "dark"]) {
        const tag = `${viewport.width}px ${colorScheme}`;
        const shoot = (page, name) => {
          if (colorScheme === "light") return screenshot(page, `${name}-${viewport.width}`);
          if (DARK_SHOTS.includes(name)) return screenshot(page, `${name}-dark-${viewport.width}`);
        };
        const check = async (page, name) => {
          await page.waitForLoadState("networkidle");
          await checkA11y(page, `${name} (${tag})`);
          await shoot(page, name);
        };

        // Logged out.
        const guest = await openPage(ctx.browser, { viewport, colorScheme });
        const g = guest.page;
        await g.goto(`${base}/login`);
        await g.getByRole("heading", { name: "Log in" }).waitFor();
        await check(g, "login");
        await g.getByRole("button", { name: "Log in" }).click();
        await g.locator(".field-error").first().waitFor();
        await check(g, "login-errors");
        await g.goto(`${base}/signup`);
        await g.getByLabel("Confirm password").waitFor();
        await check(g, "signup");
        await g.getByLabel("E-mail").fill(uniqueEmail("screens-signup"));
        const signupPassword = strongPassword();
        await g.getByLabel("Password", { exact: true }).fill(signupPassword);
        await g.getByLabel("Confirm password").fill(signupPassword);
        await g.getByRole("button", { name: "Sign up" }).click();
        await g.getByTestId("signup-check-inbox").waitFor();
        await check(g, "signup-check-inbox");
        await g.goto(`${base}/login`);
        await g.getByLabel("E-mail").fill(secured.email);
        await g.getByLabel("Password", { exact: true }).fill(secured.password);
        await g.getByRole("button", { name: "Log in" }).click();
        await g.getByTestId("mfa-step").waitFor();
        await check(g, "login-code");
        await g.goto(`${base}/verify-email?token=not-a-real-token`);
        await g.getByTestId("email-link-failed").waitFor();
        await check(g, "verify-email-failed");
        await g.goto(`${base}/recover-password`);
        await g.getByRole("button", { name: "Send reset link" }).waitFor();
        await check(g, "recover-password");
        for (const path of ["reset-password", "set-password"]) {
          await g.goto(`${base}/${path}?token=${token}`);
          await g.getByRole("button", { name: "Set password" }).waitFor();
          await check(g, path);
        }
        await g.goto(`${base}/no/such/page`);
        await g.getByRole("heading", { name: "Page not found" }).waitFor();
        await check(g, "not-found");
        await guest.context.close();

        // A user with items, and one with none.
        const signedIn = await openPage(ctx.browser, { viewport, colorScheme });
        const p = signedIn.page;
        await logIn(p, base, user.email, user.password);
        await check(p, "dashboard");
        if (viewport === PHONE) {
          await p.getByRole("button", { name: "Menu" }).click();
          await p.getByRole("link", { name: "Settings", exact: true }).waitFor();
          await check(p, "menu");
          await p.keyboard.press("Escape");
        }
        await p.goto(`${base}/items`);
        await p.getByTestId("item-row").first().waitFor();
        await check(p, "items");
        await p.getByRole("button", { name: "Add item" }).click();
        await p.getByRole("dialog", { name: "Add item" }).waitFor();
        await check(p, "add-item");
        await p.getByRole("dialog").getByRole("button", { name: "Save" }).click();
        await p.getByRole("dialog").locator(".field-error").waitFor();
        await check(p, "add-item-errors");
        await p.keyboard.press("Escape");
        await p.getByRole("button", { name: `Delete ${ITEMS[0][0]}` }).click();
        await p.getByRole("dialog", { name: "Delete item" }).waitFor();
        await check(p, "delete-item");
        await p.keyboard.press("Escape");
        await p.goto(`${base}/settings`);
        await p.getByRole("heading", { name: "Danger zone" }).waitFor();
        await check(p, "settings");
        await p.getByRole("button", { name: "Change e-mail" }).click();
        await p.getByRole("dialog", { name: "Change e-mail" }).waitFor();
        await check(p, "change-email");
        await p.keyboard.press("Escape");
        await p.goto(`${base}/settings/security`);
        await p.getByRole("button", { name: "Set up two-factor authentication" }).click();
        await p.getByLabel("Your password").fill(user.password);
        await p.getByRole("button", { name: "Continue" }).click();
        await p.getByTestId("mfa-qr").waitFor();
        await check(p, "mfa-enrol");
        await p.goto(`${base}/admin`);
        await p.getByTestId("access-denied").waitFor();
        await check(p, "access-denied");
        await p.goto(`${base}/nothing/here`);
        await p.getByRole("heading", { name: "Page not found" }).waitFor();
        await check(p, "not-found-signed-in");
        await signedIn.context.close();

        const withMfa = await openPage(ctx.browser, { viewport, colorScheme });
        const m = withMfa.page;
        await m.goto(`${base}/login`);
        await m.getByLabel("E-mail").fill(secured.email);
        await m.getByLabel("Password", { exact: true }).fill(secured.password);
        await m.getByRole("button", { name: "Log in" }).click();
        await m.getByRole("button", { name: "Use a recovery code instead" }).click();
        await m.getByLabel("Recovery code").fill(recoveryCodes.shift());
        await m.getByRole("button", { name: "Verify" }).click();
        await m.getByTestId("greeting").waitFor();
        await m.goto(`${base}/settings/security`);
        await m.getByTestId("recovery-codes-left").waitFor();
        await check(m, "settings-security");
        await withMfa.context.close();

        const empty = await openPage(ctx.browser, { viewport, colorScheme });
        await logIn(empty.page, base, fresh.email, fresh.password);
        await empty.page.goto(`${base}/items`);
        await empty.page.getByTestId("items-empty").waitFor();
        await check(empty.page, "items-empty");
        await empty.context.close();

        // The administrator.
        const adminPage = await openPage(ctx.browser, { viewport, colorScheme });
        const a = adminPage.page;
        await logIn(a, base, ctx.stack.admin.email, ctx.stack.admin.password);
        await a.goto(`${base}/admin`);
        await a.getByTestId("user-row").first().waitFor();
        await check(a, "admin-users");
        await a.getByRole("button", { name: "Add user" }).click();
        await a.getByRole("dialog", { name: "Add user" }).waitFor();
        await check(a, "add-user");
        await a.keyboard.press("Escape");
        await a.getByRole("button", { name: `Edit ${user.email}` }).click();
        await a.getByRole("dialog", { name: "Edit user" }).waitFor();
        await check(a, "edit-user");
        await a.keyboard.press("Escape");
        await a.getByRole("button", { name: `Reset MFA of ${secured.email}` }).click();
        await a.getByRole("dialog", { name: "Reset two-factor authentication" }).waitFor();
        await check(a, "reset-mfa");
        await a.keyboard.press("Escape");
        await a.goto(`${base}/admin/audit`);
        await a.getByTestId("audit-row").first().waitFor();
        await check(a, "admin-audit");
        await a.goto(`${base}/items`);
        await a.getByTestId("item-row").first().waitFor();
        await check(a, "items-superuser");
        await adminPage.context.close();
      }
    }
  });
}
