// Initial JavaScript of the production build, gzip-compressed: every script
// and modulepreload that dist/index.html loads before the app can render
// (lazy chunks are not counted). Fails above the budget so growth is a choice.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = Number(process.env.RAMPART_JS_BUDGET ?? 150 * 1024);
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const srcs = [
  ...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((m) => m[1]);

let raw = 0;
let gz = 0;
for (const src of new Set(srcs)) {
  const bytes = readFileSync(join(dist, src.replace(/^\//, "")));
  const g = gzipSync(bytes, { level: 6 }).length; // nginx/spa.conf uses gzip_comp_level 6
  raw += bytes.length;
  gz += g;
  console.log(
    `  ${src}  ${(bytes.length / 1024).toFixed(1)} KiB raw, ${(g / 1024).toFixed(1)} KiB gzip`,
  );
}
console.log(
  `initial JS: ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip (budget ${(BUDGET_BYTES / 1024).toFixed(0)} KiB)`,
);
if (srcs.length === 0) {
  console.error("no script found in dist/index.html");
  process.exit(1);
}
if (gz > BUDGET_BYTES) {
  console.error("initial JS is over budget");
  process.exit(1);
}
