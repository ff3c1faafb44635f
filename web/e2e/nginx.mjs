import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { DIST, SPA_CONF } from "./stack.mjs";

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function assertSecurityHeaders(r, what) {
  const h = r.headers;
  assert.equal(h.get("content-security-policy"), CSP, `${what}: CSP`);
  assert.equal(h.get("x-content-type-options"), "nosniff", `${what}: nosniff`);
  assert.equal(h.get("referrer-policy"), "no-referrer", `${what}: referrer`);
  assert.match(h.get("permissions-policy") ?? "", /camera=\(\)/, `${what}: permissions`);
  assert.equal(h.get("cross-origin-opener-policy"), "same-origin", `${what}: COOP`);
  assert.equal(h.get("x-frame-options"), "DENY", `${what}: XFO`);
  assert.equal(h.get("server"), "nginx", `${what}: no version banner`);
}

export function nginxSuite(ctx) {
  it("nginx -t accepts nginx/spa.conf exactly as committed", () => {
    // nginx opens /dev/stderr by path, which fails on a pipe: log to a file.
    const log = join(mkdtempSync(join(tmpdir(), "rampart-nginx-t-")), "t.log");
    const fd = openSync(log, "a");
    const r = spawnSync("nginx", ["-t", "-e", "stderr", "-c", SPA_CONF], {
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const out = readFileSync(log, "utf8");
    assert.equal(r.status, 0, out);
    assert.match(out, /syntax is ok/);
  });

  it("the committed config is built for the unprivileged image", () => {
    const conf = readFileSync(SPA_CONF, "utf8");
    assert.match(conf, /listen 8080;/);
    assert.match(conf, /^pid \/tmp\//m);
    for (const kind of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
      assert.match(conf, new RegExp(`${kind}_temp_path\\s+/tmp/`));
    }
    assert.doesNotMatch(conf, /^\s*user\s/m, "no user directive: the image runs it unprivileged");
    for (const t of ["client_header_timeout", "client_body_timeout", "send_timeout"]) {
      assert.match(conf, new RegExp(`${t} 15s;`));
    }
  });

  it("index.html: security headers, no caching, no inline script", async () => {
    const r = await fetch(`${ctx.stack.baseUrl}/`);
    assert.equal(r.status, 200);
    assertSecurityHeaders(r, "index");
    assert.equal(r.headers.get("cache-control"), "no-cache");
    const html = await r.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 1, "the bundle is loaded by a script tag");
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc="\/assets\//, "every script is an external file");
      assert.equal(body.trim(), "", "no inline script");
    }
  });

  it("client-side routes fall back to index.html", async () => {
    for (const path of ["/items", "/admin/audit", "/reset-password?token=abc", "/no/such/page"]) {
      const r = await fetch(`${ctx.stack.baseUrl}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(await r.text(), /<div id="root"><\/div>/, path);
      assert.equal(r.headers.get("cache-control"), "no-cache", path);
    }
  });

  it("hashed assets: immutable for a year, gzip-compressed", async () => {
    const js = readdirSync(join(DIST, "assets")).find((f) => f.endsWith(".js"));
    assert.ok(js);
    const r = await fetch(`${ctx.stack.baseUrl}/assets/${js}`, {
      headers: { "Accept-Encoding": "gzip" },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(r.headers.get("content-encoding"), "gzip");
    assert.match(r.headers.get("vary") ?? "", /Accept-Encoding/);
    assert.match(r.headers.get("content-type") ?? "", /javascript/);
    assertSecurityHeaders(r, "asset");
  });

  it("a missing asset is a 404 with the headers (always), and is not cached", async () => {
    const r = await fetch(`${ctx.stack.baseUrl}/assets/index-DOESNOTEXIST.js`);
    assert.equal(r.status, 404);
    assertSecurityHeaders(r, "404");
    assert.equal(r.headers.get("cache-control"), "no-cache");
  });

  it("dotfiles are never served", async () => {
    const r = await fetch(`${ctx.stack.baseUrl}/.env`);
    assert.equal(r.status, 404);
  });

  it("health endpoint for the container", async () => {
    const r = await fetch(`${ctx.stack.baseUrl}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "ok\n");
    assertSecurityHeaders(r, "healthz");
  });

  it("a body over the limit is refused by nginx (413)", async () => {
    const r = await fetch(`${ctx.stack.baseUrl}/graphql`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: `{ __typename }`, pad: "x".repeat(70 * 1024) }),
    });
    assert.equal(r.status, 413);
  });

  it("the access log keeps paths but never query strings (reset tokens)", async () => {
    const token = `logprobe${Date.now()}`;
    const r = await fetch(`${ctx.stack.baseUrl}/reset-password?token=${token}`);
    assert.equal(r.status, 200);
    await new Promise((done) => setTimeout(done, 200));
    const log = ctx.stack.logs.nginx.join();
    assert.match(log, /"GET \/reset-password HTTP\/1\.1" 200/);
    assert.ok(!log.includes(token), "the token reached the access log");
  });
}
