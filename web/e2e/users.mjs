// Test users: made through the real sign-up API, unique per test.
import { randomBytes } from "node:crypto";
import { apiLogin, gql } from "./stack.mjs";
import { freshCode } from "./totp.mjs";

let n = 0;

/** Strong enough for the API's strength check (zxcvbn ≥ 3) and never in a breach list. */
export function strongPassword() {
  return `Orbit-${randomBytes(9).toString("base64url")}-Lantern`;
}

export function uniqueEmail(tag) {
  n += 1;
  return `${tag}-${Date.now().toString(36)}-${n}@example.com`;
}

/**
 * A new account and, unless `login: false`, an API token for it (a login,
 * so a session of its own: tests that count sessions pass `login: false`).
 */
export async function signUpUser(
  baseUrl,
  { tag = "user", fullName = "Test User", login = true, mail } = {},
) {
  const email = uniqueEmail(tag);
  const password = strongPassword();
  const since = mail?.messages.length ?? 0;
  await gql(baseUrl, "mutation S($input: SignupInput!) { signup(input: $input) { message } }", {
    input: { email, password, fullName },
  });
  // Sign-up mails its verification link in the background: with the sink
  // given, wait for it, so that a test's next mail to this user is not
  // mistaken for it (or it for the next one).
  if (mail) await mail.waitFor(email, { since, subject: /verify your e-mail address/ });
  if (!login) return { email, password, fullName };
  const { accessToken } = await apiLogin(baseUrl, email, password);
  return { email, password, fullName, token: accessToken };
}

/**
 * Turns MFA on for a user through the API (for tests about what follows,
 * not about the enrolment screens): returns the secret, the ten recovery
 * codes and `used`, the TOTP step already spent (see totp.mjs freshCode).
 */
export async function enrolMfaByApi(baseUrl, user) {
  const { accessToken } = await apiLogin(baseUrl, user.email, user.password);
  const { beginMfaEnrolment } = await gql(
    baseUrl,
    "mutation B($input: BeginMfaEnrolmentInput!) { beginMfaEnrolment(input: $input) { secret } }",
    { input: { password: user.password } },
    accessToken,
  );
  const used = {};
  const code = await freshCode(beginMfaEnrolment.secret, used);
  const { confirmMfaEnrolment } = await gql(
    baseUrl,
    "mutation C($input: ConfirmMfaEnrolmentInput!) { confirmMfaEnrolment(input: $input) { codes } }",
    { input: { code } },
    accessToken,
  );
  return { secret: beginMfaEnrolment.secret, codes: confirmMfaEnrolment.codes, used };
}
