// RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) from a base32 secret, with
// node's crypto: the browser tests "scan" the QR code by reading the text
// key the page shows and computing what an authenticator app would.
import { createHmac } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const PERIOD_S = 30;

/** RFC 4648 base32 (padding and spaces ignored) to bytes. */
export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = ALPHABET.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** HOTP (RFC 4226) of `counter` with the raw key. */
export function hotp(key, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

export const stepAt = (ms = Date.now()) => Math.floor(ms / 1000 / PERIOD_S);

/** The code for a time step of a base32 secret. */
export function totpAt(secret, step) {
  return hotp(base32Decode(secret), step);
}

/**
 * A code the server has not seen yet for this secret: it refuses a code
 * whose step was already used (replay) and accepts one step either side of
 * its own. `used` remembers the last step spent; when the next one would be
 * more than a step ahead, this waits for the clock.
 */
export async function freshCode(secret, used) {
  for (;;) {
    const now = stepAt();
    const step = Math.max(now, (used.step ?? -Infinity) + 1);
    if (step <= now + 1) {
      used.step = step;
      return totpAt(secret, step);
    }
    const wait = (now + 1) * PERIOD_S * 1000 - Date.now() + 50;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** A six-digit code that is none of the secret's codes around now. */
export function wrongCode(secret) {
  const now = stepAt();
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totpAt(secret, now + d)));
  for (let n = 0; ; n += 1) {
    const candidate = String((123456 + n * 7919) % 1_000_000).padStart(6, "0");
    if (!near.has(candidate)) return candidate;
  }
}
