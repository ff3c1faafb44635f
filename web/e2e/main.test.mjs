// End-to-end: the production build, served by nginx/spa.conf, against the
// real API and a real SMTP server, in Debian's Chromium. One stack for the
// whole run (suites share it; each test makes its own users); a second API
// with sign-up disabled for that one behaviour; a third with production's
// strict defaults for issue 14 (MFA required for superusers, no login
// before the address is verified).
import { after, before, describe } from "node:test";
import { adminSuite } from "./admin.mjs";
import { authSuite } from "./auth.mjs";
import { launchBrowser } from "./browser.mjs";
import { formsSuite } from "./forms.mjs";
import { itemsSuite } from "./items.mjs";
import { layoutSuite } from "./layout.mjs";
import { lighthouseSuite } from "./lighthouse.mjs";
import { mfaSuite } from "./mfa.mjs";
import { nginxSuite } from "./nginx.mjs";
import { resilienceSuite } from "./resilience.mjs";
import { screensSuite } from "./screens.mjs";
import { sessionsSuite } from "./sessions.mjs";
import { settingsSuite } from "./settings.mjs";
import { startMailSink, startStack } from "./stack.mjs";
import { verificationSuite } from "./verification.mjs";

/** Filled in before any test runs; suites read it lazily. */
const ctx = {};

before(async () => {
  ctx.mail = await startMailSink();
  ctx.stack = await startStack({ mail: ctx.mail });
  ctx.noSignup = await startStack({ mail: ctx.mail, signupEnabled: false, name: "nosignup" });
  ctx.strict = await startStack({
    mail: ctx.mail,
    name: "strict",
    env: { MFA_REQUIRED_FOR_SUPERUSERS: "true", REQUIRE_EMAIL_VERIFICATION: "true" },
  });
  ctx.browser = await launchBrowser();
});

after(async () => {
  await ctx.browser?.close();
  await ctx.strict?.stop();
  await ctx.noSignup?.stop();
  await ctx.stack?.stop();
  await ctx.mail?.close();
});

describe("nginx serving the SPA", () => nginxSuite(ctx));
describe("authentication", () => authSuite(ctx));
describe("items", () => itemsSuite(ctx));
describe("settings", () => settingsSuite(ctx));
describe("sessions", () => sessionsSuite(ctx));
describe("administration", () => adminSuite(ctx));
describe("two-factor authentication", () => mfaSuite(ctx));
describe("e-mail verification and change", () => verificationSuite(ctx));
describe("forms", () => formsSuite(ctx));
describe("layout", () => layoutSuite(ctx));
describe("outages and offline", () => resilienceSuite(ctx));
describe("screens", () => screensSuite(ctx));
describe("lighthouse", () => lighthouseSuite(ctx));
