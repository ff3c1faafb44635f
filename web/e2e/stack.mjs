// Starts the real system for the browser tests, all on loopback:
//   SMTP sink (smtp-server) <- API (release binary, SQLite) <- nginx (nginx/spa.conf) <- Chromium
// nginx runs the repository's nginx/spa.conf with only the lines marked
// "harness:" rewritten (port, web root, /tmp paths) plus a /graphql proxy that
// plays Traefik's part: production routes /graphql on the SPA's host to the API.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

const WEB = resolve(import.meta.dirname, "..");
export const REPO = resolve(WEB, "..");
export const SPA_CONF = join(REPO, "nginx/spa.conf");
export const DIST = join(WEB, "dist");

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url, what, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = String(e);
    }
    await sleep(150);
  }
  throw new Error(`${what} not ready at ${url}: ${last}`);
}

/** A real SMTP server on loopback that keeps every message it receives. */
export async function startMailSink() {
  const messages = [];
  const waiters = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const msg = {
            to: (mail.to?.value ?? []).map((a) => a.address.toLowerCase()),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
          };
          messages.push(msg);
          for (const w of [...waiters]) w();
          callback();
        })
        .catch(callback);
    },
  });
  const port = await freePort();
  await new Promise((res) => server.listen(port, "127.0.0.1", res));
  return {
    port,
    messages,
    /**
     * Waits for the next message to `to` after `since` messages were seen,
     * whose subject matches `subject` when given (mails sent in the
     * background, such as sign-up's verification link, can arrive late).
     */
    async waitFor(to, { since = 0, subject, timeoutMs = 15_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      const wanted = (m) =>
        m.to.includes(to.toLowerCase()) && (!subject || subject.test(m.subject));
      for (;;) {
        const found = messages.slice(since).find(wanted);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no e-mail to ${to} within ${timeoutMs} ms`);
        await new Promise((res) => {
          waiters.push(res);
          setTimeout(res, 250);
        });
        waiters.length = 0;
      }
    },
    close: () => new Promise((res) => server.close(res)),
  };
}

/**
 * The SPA link to `path` in an e-mail (FRONTEND_HOST/verify-email?token=...,
 * /confirm-email?token=...).
 */
export function linkIn(message, path) {
  const body = `${message.text}\n${message.html}`;
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const m = body.match(new RegExp(`https?://[^\\s"'<>]+${escaped}\\?token=[^\\s"'<>&]+`));
  if (!m) throw new Error(`no ${path} link in e-mail "${message.subject}"`);
  return m[0];
}

/** The SPA link in an e-mail: FRONTEND_HOST/reset-password?token=... (or /set-password). */
export function resetLinkIn(message) {
  const body = `${message.text}\n${message.html}`;
  const m = body.match(/https?:\/\/[^\s"'<>]+\/(?:re)?set-password\?token=[^\s"'<>&]+/);
  if (!m) throw new Error(`no reset link in e-mail "${message.subject}"`);
  return m[0];
}

/** nginx/spa.conf with only the harness-marked lines rewritten. */
export function renderSpaConf({ port, root, tmp, apiPort }) {
  const src = readFileSync(SPA_CONF, "utf8");
  const counts = {};
  const out = src.split("\n").map((line) => {
    const mark = line.match(/#\s*harness:\s*(\w+)/)?.[1];
    if (!mark) return line;
    counts[mark] = (counts[mark] ?? 0) + 1;
    switch (mark) {
      case "tmp":
        return line.replaceAll("/tmp/", `${tmp}/`);
      case "listen":
        return line.replace(/listen\s+\d+;/, `listen 127.0.0.1:${port};`);
      case "root":
        return line.replace(/root\s+\S+;/, `root ${root};`);
      case "extra":
        // Test-only stand-in for Traefik's /graphql route to the API.
        return `        location = /graphql {
            proxy_pass http://127.0.0.1:${apiPort};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
        }`;
      default:
        throw new Error(`unknown harness mark ${mark}`);
    }
  });
  for (const [mark, n] of Object.entries({ tmp: 6, listen: 1, root: 1, extra: 1 })) {
    if (counts[mark] !== n)
      throw new Error(
        `spa.conf: expected ${n} "harness: ${mark}" lines, found ${counts[mark] ?? 0}`,
      );
  }
  return out.join("\n");
}

function apiBinary() {
  const bin =
    process.env.RAMPART_API_BIN ??
    join(
      process.env.CARGO_TARGET_DIR ?? join(process.env.HOME ?? "/root", ".cache/rampart-target"),
      "release/api",
    );
  if (!existsSync(bin))
    throw new Error(`API binary not found at ${bin}: run scripts/test-web (it builds it)`);
  return bin;
}

function strongSecret(n) {
  return randomBytes(n).toString("base64url");
}

/**
 * Starts API + nginx (and uses the given mail sink). Returns the base URL and
 * credentials; `stop()` ends both processes.
 */
export async function startStack({ mail, signupEnabled = true, name = "main", env = {} }) {
  const dir = mkdtempSync(join(tmpdir(), `rampart-e2e-${name}-`));
  // nginx workers drop to "nobody" when started as root: they must reach the temp dirs.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "nginx", "logs"), { recursive: true });
  const apiPort = await freePort();
  const webPort = await freePort();
  const baseUrl = `http://127.0.0.1:${webPort}`;
  const admin = { email: "admin@example.com", password: `Adm1n-${strongSecret(18)}` };
  const logs = { api: [], nginx: [] };

  const apiEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ENVIRONMENT: "local",
    API_BIND: `127.0.0.1:${apiPort}`,
    DATABASE_URL: `sqlite://${dir}/e2e.db?mode=rwc`,
    JWT_SECRET: strongSecret(48),
    FIRST_SUPERUSER_EMAIL: admin.email,
    FIRST_SUPERUSER_PASSWORD: admin.password,
    FRONTEND_HOST: baseUrl,
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(mail.port),
    SMTP_TLS: "none",
    EMAILS_FROM: "Rampart <noreply@example.com>",
    SIGNUP_ENABLED: String(signupEnabled),
    // The per-IP throttles (30 logins/min, 10 recoveries/h) would trip in a
    // suite that logs in dozens of times from 127.0.0.1.
    LOGIN_IP_ATTEMPTS_PER_MINUTE: "1000",
    RECOVERY_IP_PER_HOUR: "1000",
    RECOVERY_ACCOUNT_PER_HOUR: "100",
    // Refused refreshes per IP (a stale "may have a session" flag, a
    // browser closed without "remember me") add up over the suite too.
    REFRESH_IP_FAILURES_PER_MINUTE: "1000",
    // Verification e-mails resent per IP (10/h by default): the suite's
    // resends all come from 127.0.0.1.
    VERIFICATION_EMAIL_IP_PER_HOUR: "1000",
    LOG_FORMAT: "text",
    RUST_LOG: process.env.RUST_LOG ?? "warn",
    // A stack's own settings (MFA_REQUIRED_FOR_SUPERUSERS, REQUIRE_EMAIL_VERIFICATION).
    ...env,
  };
  const spawnApi = () => {
    const child = spawn(apiBinary(), ["serve"], {
      cwd: dir,
      env: apiEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => logs.api.push(String(d)));
    child.stderr.on("data", (d) => logs.api.push(String(d)));
    return child;
  };
  let api = spawnApi();

  const confPath = join(dir, "nginx", "spa.conf");
  // Workers run as "nobody" when the suite runs as root, and a CI clone may sit
  // under a 0700 home: serve a world-readable copy of the build.
  const webRoot = join(dir, "html");
  cpSync(DIST, webRoot, { recursive: true });
  writeFileSync(confPath, renderSpaConf({ port: webPort, root: webRoot, tmp: dir, apiPort }));
  // nginx opens /dev/stdout and /dev/stderr by path (as in the container),
  // which fails on a pipe (a socket here): give it a real file.
  const nginxLog = join(dir, "nginx.log");
  const logFd = openSync(nginxLog, "a");
  const nginx = spawn(
    "nginx",
    ["-e", "stderr", "-p", join(dir, "nginx"), "-c", confPath, "-g", "daemon off;"],
    { stdio: ["ignore", logFd, logFd] },
  );
  closeSync(logFd);
  logs.nginx = { join: () => (existsSync(nginxLog) ? readFileSync(nginxLog, "utf8") : "") };

  const end = async (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const stop = async () => {
    await end(nginx);
    await end(api);
    rmSync(dir, { recursive: true, force: true });
  };
  // An outage as production sees it: the API process is gone, the proxy in
  // front of it answers 502. The database file and the signing key survive,
  // so sessions are valid again once it is back.
  const stopApi = () => end(api);
  const startApi = async () => {
    if (api.exitCode === null && api.signalCode === null) return;
    api = spawnApi();
    await waitFor(`http://127.0.0.1:${apiPort}/readyz`, "API", api, 60_000);
  };

  try {
    await waitFor(`http://127.0.0.1:${apiPort}/readyz`, "API", api, 60_000);
    await waitFor(`${baseUrl}/healthz`, "nginx", nginx);
  } catch (e) {
    await stop();
    throw new Error(
      `${e.message}\n--- api log ---\n${logs.api.join("").slice(-4000)}\n--- nginx log ---\n${logs.nginx.join("").slice(-2000)}`,
    );
  }
  return { baseUrl, apiPort, admin, logs, stop, stopApi, startApi, dir };
}

/** Calls the API through nginx like the SPA does (for test setup only). */
export async function gql(baseUrl, query, variables = {}, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const LOGIN = `mutation L($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AccessToken { accessToken expiresAt sessionId }
    ... on MfaChallenge { challengeToken expiresAt }
  }
}`;

/**
 * Logs in through the API: the access token, or with MFA on (`code` given)
 * the challenge completed with that code. Without a code an MFA account's
 * login fails here, so a test cannot mistake a challenge for a session.
 * The challenge is bound to an HttpOnly cookie set with it (a browser keeps
 * it on its own); node's fetch has no cookie jar, so it is carried by hand.
 */
export async function apiLogin(baseUrl, email, password, { code } = {}) {
  const r = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query: LOGIN, variables: { input: { email, password } } }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  const { login } = body.data;
  if (login.__typename === "AccessToken") return login;
  if (!code) throw new Error(`${email} has MFA on: apiLogin needs a code`);
  const binding = r.headers
    .getSetCookie()
    .find((c) => /^(__Host-)?rampart_mfa=/.test(c))
    ?.split(";")[0];
  const done = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(binding ? { Cookie: binding } : {}) },
    body: JSON.stringify({
      query: `mutation C($input: CompleteMfaLoginInput!) {
        completeMfaLogin(input: $input) { accessToken expiresAt sessionId }
      }`,
      variables: { input: { challengeToken: login.challengeToken, code } },
    }),
  });
  const answer = await done.json();
  if (answer.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(answer.errors)}`);
  return answer.data.completeMfaLogin;
}

/** What the password step answers: "AccessToken" or "MfaChallenge". */
export async function apiLoginKind(baseUrl, email, password) {
  const { login } = await gql(baseUrl, LOGIN, { input: { email, password } });
  return login.__typename;
}

/**
 * Logs in like the SPA does and returns the refresh cookie the API set
 * ({ name, value, path }), to hand a fresh browser a session. Each cookie is
 * good for one refresh: the API rotates it, and a second use is treated as
 * theft.
 */
export async function apiLoginCookie(baseUrl, email, password, rememberMe = false) {
  const r = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      query:
        "mutation L($input: LoginInput!) { login(input: $input) { ... on AccessToken { sessionId } } }",
      variables: { input: { email, password, rememberMe } },
    }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  const header = r.headers.getSetCookie().find((c) => /^(__Host-)?rampart_refresh=/.test(c));
  if (!header) throw new Error("login set no refresh cookie");
  const [pair, ...attributes] = header.split(";").map((part) => part.trim());
  const at = pair.indexOf("=");
  const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? "/";
  return { name: pair.slice(0, at), value: pair.slice(at + 1), path };
}
