// Chromium from Debian, driven by playwright-core (no browser download).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/**
 * A fresh browser context (own storage, like a new browser profile) and a page
 * that records CSP violations and page errors: the tests fail on any.
 */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };

export async function openPage(
  browser,
  { colorScheme = "light", viewport = { width: 1280, height: 800 }, storageState } = {},
) {
  // Reduced motion: Pico then skips its colour transitions, so axe measures
  // contrast on final colours rather than mid-fade.
  const context = await browser.newContext({
    viewport,
    colorScheme,
    reducedMotion: "reduce",
    ...(storageState ? { storageState } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`);
  });
  page.problems = problems;
  return { context, page };
}

export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], "CSP violations or uncaught errors on the page");
}

/** axe-core on the current page: no violation of any impact. */
export async function checkA11y(page, label) {
  // evaluate() runs through the DevTools protocol, which the page's CSP does
  // not govern; a <script> tag would be (rightly) refused.
  const loaded = await page.evaluate("typeof window.axe !== 'undefined'");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  });
  assert.deepEqual(violations, [], `axe violations on ${label}`);
}

/** Polls a locator's text until it matches. */
export async function expectText(locator, pattern, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last = "";
  for (;;) {
    try {
      last = (await locator.first().textContent({ timeout: 1000 })) ?? "";
      if (pattern instanceof RegExp ? pattern.test(last) : last.includes(pattern)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline)
      assert.fail(`expected text ${pattern}, last saw ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function expectPath(page, path, timeout = 10_000) {
  await page.waitForURL((url) => url.pathname === path, { timeout });
}

export async function logIn(page, baseUrl, email, password, { rememberMe = false } = {}) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  if (rememberMe) await page.getByLabel("Remember me").check();
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("greeting").waitFor();
}

/**
 * Logs in an account with MFA on: the password step, then the code step
 * (an app code, or a recovery code with `recovery: true`).
 */
export async function logInWithCode(
  page,
  baseUrl,
  email,
  password,
  code,
  { recovery = false } = {},
) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("mfa-step").waitFor();
  if (recovery) {
    await page.getByRole("button", { name: "Use a recovery code instead" }).click();
    await page.getByLabel("Recovery code").fill(code);
  } else {
    await page.getByLabel("Authentication code").fill(code);
  }
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByTestId("greeting").waitFor();
}

/**
 * What closing the browser and opening it again keeps: the persistent
 * cookies and storage of `context`, without its session cookies (those with
 * no expiry, which a browser drops at exit). Playwright's storageState keeps
 * session cookies too, so they are filtered out here as a browser would.
 */
export async function reopenBrowser(browser, context) {
  const state = await context.storageState();
  await context.close();
  const kept = { ...state, cookies: state.cookies.filter((c) => c.expires !== -1) };
  return { ...(await openPage(browser, { storageState: kept })), cookies: state.cookies };
}

/** Anything in web storage that looks like a JWT (the access token must live in memory only). */
export async function tokensInStorage(page) {
  return page.evaluate(() =>
    [localStorage, sessionStorage].flatMap((store) =>
      Object.keys(store)
        .map((key) => `${key}=${store.getItem(key)}`)
        .filter((entry) => /eyJ[\w-]+\.[\w-]+\./.test(entry)),
    ),
  );
}

export async function screenshot(page, name) {
  const dir = process.env.RAMPART_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/**
 * Whether a person can see and click the element: the point at its centre
 * hits it (or a child), not a backdrop or another layer above it.
 */
export async function isOnTop(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  });
}

/** Waits until `fn` returns a truthy value (polling), or fails with `what`. */
export async function eventually(fn, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) assert.fail(`${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
