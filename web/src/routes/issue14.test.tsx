// The issue-14 screens inside the real route tree (memory history), against
// a fake API answering by operation name: the login's steps, the e-mail
// links under StrictMode, and the superuser guard.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryHistory, createRouter, RouterProvider } from "@tanstack/react-router";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ToastProvider } from "../components/Common/Toasts";
import { resetAuthForTests, setSession } from "../lib/auth";
import { setFetch } from "../lib/graphql-client";
import { resetTokensForTests } from "../lib/once";
import { routeTree } from "../router";

type Answer = (variables: Record<string, unknown>) => unknown;

function json(body: unknown) {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

const SETTINGS = {
  signupEnabled: true,
  passwordMinLength: 8,
  passwordMaxLength: 128,
  mfaRequiredForSuperusers: false,
  emailVerificationRequired: false,
};

/** Answers by operation name; records every operation sent. */
function fakeApi(answers: Record<string, Answer>) {
  const sent: { operation: string; variables: Record<string, unknown> }[] = [];
  setFetch(async (_url, init) => {
    const body = JSON.parse(init.body as string);
    sent.push({ operation: body.operationName, variables: body.variables });
    const answer = answers[body.operationName];
    if (!answer) throw new Error(`unexpected operation ${body.operationName}`);
    return json(answer(body.variables));
  });
  return sent;
}

/** An answer that ignores the variables (a function literal per entry trips the JSX lint). */
const reply =
  (body: unknown): Answer =>
  () =>
    body;

const error = (code: string, message: string, field?: string) => ({
  errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }],
});

function renderAt(path: string) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createRouter({
    routeTree,
    history: createMemoryHistory({ initialEntries: [path] }),
    context: { queryClient },
  });
  render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
  return router;
}

beforeEach(() => {
  resetAuthForTests();
  resetTokensForTests();
});
afterEach(cleanup);

const fill = (label: string, value: string) =>
  fireEvent.input(screen.getByLabelText(label), { target: { value } });

async function submitPassword() {
  await screen.findByRole("heading", { name: "Log in" });
  fill("E-mail", "ada@example.com");
  fill("Password", "correct horse battery");
  fireEvent.click(screen.getByRole("button", { name: "Log in" }));
}

describe("login with MFA", () => {
  it("asks for the code after the password, and back to the password step when the challenge ended", async () => {
    const sent = fakeApi({
      PublicSettings: reply({ data: { publicSettings: SETTINGS } }),
      Login: reply({
        data: {
          login: {
            __typename: "MfaChallenge",
            challengeToken: "chal-1",
            expiresAt: "2026-12-02T08:05:00Z",
          },
        },
      }),
      CompleteMfaLogin: reply(error("UNAUTHENTICATED", "The sign-in expired.")),
    });
    renderAt("/login");
    await submitPassword();
    await screen.findByLabelText("Authentication code");
    expect(screen.getByRole("heading", { name: "Authentication code" })).toBeTruthy();
    fill("Authentication code", "123456");
    fireEvent.click(screen.getByRole("button", { name: "Verify" }));
    const notice = await screen.findByTestId("login-step-notice");
    expect(notice.textContent).toMatch(/Enter your password again/);
    // The address is kept; the password is typed again.
    expect((screen.getByLabelText("E-mail") as HTMLInputElement).value).toBe("ada@example.com");
    expect(sent.filter((s) => s.operation === "CompleteMfaLogin")).toEqual([
      {
        operation: "CompleteMfaLogin",
        variables: { input: { challengeToken: "chal-1", code: "123456" } },
      },
    ]);
  });

  it("shows the verify-e-mail state with a throttled resend for an unverified address", async () => {
    const sent = fakeApi({
      PublicSettings: reply({ data: { publicSettings: SETTINGS } }),
      Login: reply(error("EMAIL_NOT_VERIFIED", "Verify your e-mail address first.")),
      ResendVerificationEmail: reply({ data: { resendVerificationEmail: { message: "ok" } } }),
    });
    renderAt("/login");
    await submitPassword();
    const needed = await screen.findByTestId("verify-email-needed");
    expect(needed.textContent).toContain("ada@example.com");
    const resend = screen.getByRole("button", { name: "Resend the link" });
    fireEvent.click(resend);
    await screen.findByTestId("resend-sent");
    const waiting = screen.getByTestId("resend-verification") as HTMLButtonElement;
    expect(waiting.disabled).toBe(true);
    expect(waiting.textContent).toMatch(/^Resend the link \(in (\d+ s|\d+:\d\d)\)$/);
    fireEvent.click(waiting);
    expect(sent.filter((s) => s.operation === "ResendVerificationEmail")).toHaveLength(1);
    expect(sent.at(-1)?.variables).toEqual({ input: { email: "ada@example.com" } });
  });
});

describe("e-mail links", () => {
  it("uses a verification token exactly once under StrictMode", async () => {
    const sent = fakeApi({
      VerifyEmail: reply({ data: { verifyEmail: { message: "Verified." } } }),
    });
    renderAt("/verify-email?token=tok-1");
    await screen.findByTestId("email-link-done");
    // Let any second effect run before counting.
    await act(() => new Promise((r) => setTimeout(r, 20)));
    expect(sent).toEqual([{ operation: "VerifyEmail", variables: { input: { token: "tok-1" } } }]);
    expect(screen.getByRole("link", { name: "Log in" })).toBeTruthy();
  });

  it("says why a change link cannot be used", async () => {
    fakeApi({
      ConfirmEmailChange: reply(error("BAD_USER_INPUT", "This link has expired.", "token")),
    });
    renderAt("/confirm-email?token=old");
    await screen.findByTestId("email-link-failed");
    const said = document.querySelector(".error-message[role=alert]");
    expect(said?.textContent).toContain("This link has expired.");
  });
});

describe("superusers without MFA where it is required", () => {
  it("are sent from the admin pages to Settings → Security, with the reason", async () => {
    setSession({
      accessToken: "tok",
      expiresAt: Date.now() + 600_000,
      lifetime: 600_000,
      sessionId: "s1",
    });
    const sent = fakeApi({
      PublicSettings: reply({
        data: { publicSettings: { ...SETTINGS, mfaRequiredForSuperusers: true } },
      }),
      Me: reply({
        data: {
          me: {
            id: "u1",
            email: "root@example.com",
            fullName: null,
            isActive: true,
            isSuperuser: true,
            mfaEnabled: false,
            emailVerified: true,
            pendingEmail: null,
          },
        },
      }),
      MfaStatus: reply({
        data: { mfaStatus: { enabled: false, enabledAt: null, recoveryCodesRemaining: 0 } },
      }),
    });
    const router = renderAt("/admin");
    await screen.findByTestId("mfa-required");
    await waitFor(() => expect(router.state.location.pathname).toBe("/settings/security"));
    expect(screen.getByRole("button", { name: "Set up two-factor authentication" })).toBeTruthy();
    expect(sent.some((s) => s.operation === "Users")).toBe(false);
  });
});
