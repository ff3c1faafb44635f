import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createRoute, Link, useNavigate } from "@tanstack/react-router";
import { useId } from "react";
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

function LoginPage() {
  const { redirect: target, reason } = loginRoute.useSearch();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const settings = useQuery(publicSettingsQuery);
  const rememberHint = useId();
  const form = useZodForm(
    loginSchema,
    ["email", "password"],
    async ({ email, password, rememberMe }) => {
      await logIn(queryClient, email, password, rememberMe);
      await navigate({ href: safeRedirect(target) });
    },
  );

  return (
    <AuthLayout title="Log in">
      {reason ? (
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
