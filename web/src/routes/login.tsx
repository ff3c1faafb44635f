import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createRoute, Link, useNavigate } from "@tanstack/react-router";
import { useId, useState } from "react";
import { CHALLENGE_ENDED, loginFailure } from "../components/Auth/loginFlow";
import { MfaLoginStep } from "../components/Auth/MfaLoginStep";
import { ResendVerification } from "../components/Auth/ResendVerification";
import { AuthLayout } from "../components/Common/AuthLayout";
import { Checkbox, Field, PasswordField } from "../components/Common/Field";
import { Form, SubmitButton } from "../components/Common/Form";
import { logIn, publicSettingsQuery } from "../hooks/useAuth";
import { useZodForm } from "../lib/form";
import { loginSchema } from "../lib/validation";
import { redirectIfSignedIn, rootRoute } from "./root";

interface LoginSearch {
  redirect?: string;
  reason?: "expired" | "signed-out" | "password-changed" | "reset";
}

const REASONS: Record<NonNullable<LoginSearch["reason"]>, string> = {
  expired: "Your session has ended. Please log in again.",
  "signed-out": "You logged out in another tab.",
  "password-changed": "Your password was changed. Log in with the new password.",
  reset: "Your password is set. You can log in now.",
};

/** Only same-app paths: an open redirect would turn the login page into a phishing helper. */
export function safeRedirect(target: unknown): string {
  return typeof target === "string" && /^\/(?![/\\])/.test(target) ? target : "/";
}

export const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (search: Record<string, unknown>): LoginSearch => ({
    ...(typeof search.redirect === "string" ? { redirect: safeRedirect(search.redirect) } : {}),
    ...(typeof search.reason === "string" && search.reason in REASONS
      ? { reason: search.reason as LoginSearch["reason"] }
      : {}),
  }),
  beforeLoad: ({ search }) => redirectIfSignedIn(safeRedirect(search.redirect)),
  component: LoginPage,
});

/**
 * Where the login stands: the password step (again, with a notice, after a
 * second step that could no longer be completed), the second factor, or a
 * right password for an address that still needs verifying.
 */
type Step =
  | { kind: "password"; notice?: string }
  | { kind: "mfa"; challengeToken: string }
  | { kind: "verify-email" };

function LoginPage() {
  const { redirect: target } = loginRoute.useSearch();
  const navigate = useNavigate();
  const [step, setStep] = useState<Step>({ kind: "password" });
  // Kept across steps: going back to the password step keeps the address.
  const [email, setEmail] = useState("");
  const done = () => navigate({ href: safeRedirect(target) });
  const restart = (notice?: string) =>
    setStep(notice ? { kind: "password", notice } : { kind: "password" });

  if (step.kind === "mfa") {
    return (
      <AuthLayout title="Authentication code">
        <MfaLoginStep
          challengeToken={step.challengeToken}
          onSignedIn={done}
          onRestart={() => restart(CHALLENGE_ENDED)}
          onEmailNotVerified={() => setStep({ kind: "verify-email" })}
        />
      </AuthLayout>
    );
  }
  if (step.kind === "verify-email") {
    return (
      <AuthLayout title="Verify your e-mail">
        <p data-testid="verify-email-needed">
          Your password is right, but <strong className="break">{email}</strong> is not verified
          yet. Open the link we e-mailed to that address, then log in again.
        </p>
        <ResendVerification email={email} />
        <p>
          <button type="button" className="link-button" onClick={() => restart()}>
            Back to log in
          </button>
        </p>
      </AuthLayout>
    );
  }
  return (
    <PasswordStep
      email={email}
      notice={step.notice}
      onEmail={setEmail}
      onChallenge={(challengeToken) => setStep({ kind: "mfa", challengeToken })}
      onEmailNotVerified={() => setStep({ kind: "verify-email" })}
      onSignedIn={done}
    />
  );
}

function PasswordStep({
  email,
  notice,
  onEmail,
  onChallenge,
  onEmailNotVerified,
  onSignedIn,
}: {
  email: string;
  notice: string | undefined;
  onEmail: (email: string) => void;
  onChallenge: (challengeToken: string) => void;
  onEmailNotVerified: () => void;
  onSignedIn: () => Promise<void>;
}) {
  const { reason } = loginRoute.useSearch();
  const queryClient = useQueryClient();
  const settings = useQuery(publicSettingsQuery);
  const rememberHint = useId();
  const form = useZodForm(
    loginSchema,
    ["email", "password"],
    async ({ email, password, rememberMe }) => {
      onEmail(email);
      let outcome: Awaited<ReturnType<typeof logIn>>;
      try {
        outcome = await logIn(queryClient, email, password, rememberMe);
      } catch (error) {
        if (loginFailure(error) === "verify-email") return onEmailNotVerified();
        throw error;
      }
      if (outcome.kind === "mfa") return onChallenge(outcome.challengeToken);
      await onSignedIn();
    },
  );

  return (
    <AuthLayout title="Log in">
      {notice ? (
        <p className="notice" role="alert" data-testid="login-step-notice">
          {notice}
        </p>
      ) : reason ? (
        <p className="notice" role="status" data-testid="login-reason">
          {REASONS[reason]}
        </p>
      ) : null}
      <Form form={form} actions={<SubmitButton form={form}>Log in</SubmitButton>}>
        <Field
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={email}
          error={form.errors.email}
        />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="current-password"
          required
          error={form.errors.password}
        />
        <div className="field">
          <Checkbox label="Remember me" name="rememberMe" aria-describedby={rememberHint} />
          <small id={rememberHint} className="field-hint">
            Stay logged in after the browser closes. Leave it off on a shared computer.
          </small>
        </div>
      </Form>
      <p>
        <Link to="/recover-password">Forgot your password?</Link>
      </p>
      {settings.data?.signupEnabled ? (
        <p>
          No account yet? <Link to="/signup">Sign up</Link>
        </p>
      ) : null}
    </AuthLayout>
  );
}
