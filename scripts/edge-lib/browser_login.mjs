// Headless Chromium logs in to the SPA over https through Traefik (live stack
// test). Uses Debian's /usr/bin/chromium via playwright-core (no browser
// download). Fails on a Content-Security-Policy violation too: the bundle must
// run under the production CSP.
import { createRequire } from "node:module";
import path from "node:path";

const env = process.env;
const require = createRequire(path.join(env.EDGE_NODE_MODULES, "noop.js"));
const { chromium } = require("playwright-core");

const base = env.EDGE_URL;
const problems = [];
const browser = await chromium.launch({
  executablePath: env.EDGE_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--ignore-certificate-errors",
    // The test domain resolves to loopback only inside this browser.
    `--host-resolver-rules=MAP ${env.EDGE_DOMAIN} 127.0.0.1`,
  ],
});
let exitCode = 1;
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  const graphqlStatuses = [];
  page.on("response", (res) => {
    if (new URL(res.url()).pathname === "/graphql") graphqlStatuses.push(res.status());
  });

  const response = await page.goto(`${base}/login`, { waitUntil: "networkidle" });
  if (!response || response.status() !== 200) throw new Error(`GET /login: ${response?.status()}`);
  if (!response.url().startsWith("https://")) throw new Error(`not https: ${response.url()}`);
  const hsts = (await response.allHeaders())["strict-transport-security"];
  if (!hsts) throw new Error("no HSTS header on the page");

  await page.getByLabel(/e-?mail/i).fill(env.EDGE_EMAIL);
  await page.getByLabel(/^password$/i).fill(env.EDGE_PASSWORD);
  await page.getByRole("button", { name: /^(log ?in|sign ?in)$/i }).click();

  await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 20000 });
  // The logged-in page shows who is logged in (fetched with the new token).
  await page.getByText(env.EDGE_EMAIL, { exact: false }).first().waitFor();
  // Through https the refresh cookie takes its strictest form, and nothing
  // a script can read holds a credential.
  const cookies = await context.cookies();
  const refresh = cookies.find((c) => c.name === "__Host-rampart_refresh");
  if (!refresh) throw new Error(`no __Host-rampart_refresh cookie: ${cookies.map((c) => c.name)}`);
  if (!refresh.httpOnly || !refresh.secure || refresh.sameSite !== "Strict" || refresh.path !== "/")
    throw new Error(`refresh cookie attributes: ${JSON.stringify(refresh)}`);
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
  if (/eyJ/.test(stored)) throw new Error("an access token is in web storage");
  // A reload restores the session through Traefik with the cookie alone.
  await page.reload({ waitUntil: "networkidle" });
  if (new URL(page.url()).pathname.startsWith("/login")) throw new Error("a reload signed the user out");
  await page.getByText(env.EDGE_EMAIL, { exact: false }).first().waitFor();
  if (env.EDGE_SCREENSHOT) await page.screenshot({ path: env.EDGE_SCREENSHOT, fullPage: true });
  if (!graphqlStatuses.includes(200)) throw new Error(`no successful /graphql call: ${graphqlStatuses}`);
  if (problems.length) throw new Error(`browser reported:\n${problems.join("\n")}`);
  console.log(`browser: logged in at ${page.url()} (graphql statuses ${graphqlStatuses.join(",")})`);
  exitCode = 0;
} catch (error) {
  console.error(`browser: ${error.message}`);
  if (problems.length) console.error(problems.join("\n"));
} finally {
  await browser.close();
}
process.exit(exitCode);
