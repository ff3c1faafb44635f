import { createRoute, Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { Field } from "../components/Common/Field";
import { useToast } from "../components/Common/Toasts";
import { graphql } from "../gql";
import { clearSession } from "../lib/auth";
import { useZodForm } from "../lib/form";
import { execute } from "../lib/graphql-client";
import { PASSWORD_MAX, PASSWORD_MIN, resetPasswordSchema } from "../lib/validation";
import { rootRoute } from "./__root";
import { AuthLayout } from "./AuthLayout";

const ResetPasswordMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      message
    }
  }
`);

export const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password",
  validateSearch: (search: Record<string, unknown>): { token?: string } =>
    typeof search.token === "string" ? { token: search.token } : {},
  component: ResetPasswordPage,
});

function ResetPasswordPage() {
  // Kept in state: the address bar loses it below, the form still needs it.
  const [token] = useState(resetPasswordRoute.useSearch().token);
  const navigate = useNavigate();
  const toast = useToast();

  // Take the token out of the address bar and history: it is a credential for
  // 15 minutes. (Referrer-Policy: no-referrer keeps it from leaking onward.)
  useEffect(() => {
    if (token) window.history.replaceState(window.history.state, "", "/reset-password");
  }, [token]);

  const form = useZodForm(
    resetPasswordSchema,
    ["newPassword", "confirmPassword"],
    async ({ newPassword }) => {
      await execute(ResetPasswordMutation, { input: { token: token ?? "", newPassword } });
      clearSession();
      await navigate({ to: "/login", search: { reason: "reset" } });
    },
    toast.error,
  );

  if (!token) {
    return (
      <AuthLayout title="Reset password">
        <p>This page needs the link from the e-mail we sent you.</p>
        <p>
          <Link to="/recover-password">Request a new link</Link>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Reset password">
      <form onSubmit={form.onSubmit} noValidate>
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          hint={`${PASSWORD_MIN}–${PASSWORD_MAX} characters; a long passphrase is best.`}
          error={form.errors.newPassword}
        />
        <Field
          label="Confirm password"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          error={form.errors.confirmPassword}
        />
        <button type="submit" aria-busy={form.submitting} disabled={form.submitting}>
          Set password
        </button>
      </form>
      <p>
        <Link to="/recover-password">Request a new link</Link>
      </p>
    </AuthLayout>
  );
}
