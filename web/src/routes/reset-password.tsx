import { createRoute, Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { NewPasswordFields } from "../components/Auth/NewPasswordFields";
import { AuthLayout } from "../components/Common/AuthLayout";
import { Form, SubmitButton } from "../components/Common/Form";
import { graphql } from "../gql";
import { usePasswordLimits } from "../hooks/usePasswordLimits";
import { signedOut } from "../lib/auth";
import { useZodForm } from "../lib/form";
import { execute } from "../lib/graphql-client";
import { resetPasswordSchema } from "../lib/validation";
import { redirectIfSignedIn, rootRoute } from "./root";

const ResetPasswordMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      message
    }
  }
`);

/** The two pages a one-time link opens: a recovery e-mail's, and a new account's welcome. */
type LinkKind = "reset" | "welcome";

const COPY: Record<LinkKind, { title: string; lead: string; path: string }> = {
  reset: {
    title: "Reset password",
    lead: "Choose a new password for your account.",
    path: "/reset-password",
  },
  welcome: {
    title: "Set your password",
    lead: "Welcome! Choose a password to finish setting up your account.",
    path: "/set-password",
  },
};

const tokenSearch = (search: Record<string, unknown>): { token?: string } =>
  typeof search.token === "string" ? { token: search.token } : {};

export const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password",
  validateSearch: tokenSearch,
  beforeLoad: () => redirectIfSignedIn(),
  component: () => <PasswordLinkPage kind="reset" token={resetPasswordRoute.useSearch().token} />,
});

export const setPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/set-password",
  validateSearch: tokenSearch,
  beforeLoad: () => redirectIfSignedIn(),
  component: () => <PasswordLinkPage kind="welcome" token={setPasswordRoute.useSearch().token} />,
});

function PasswordLinkPage({ kind, token: fromUrl }: { kind: LinkKind; token: string | undefined }) {
  // Kept in state: the address bar loses it below, the form still needs it.
  const [token] = useState(fromUrl);
  const copy = COPY[kind];

  // Take the token out of the address bar and history: it is a credential
  // until it is used or expires. (Referrer-Policy: no-referrer keeps it from
  // leaking onward.)
  useEffect(() => {
    if (token) window.history.replaceState(window.history.state, "", copy.path);
  }, [token, copy.path]);

  if (!token) {
    return (
      <AuthLayout title={copy.title}>
        <p>This page needs the link from the e-mail we sent you.</p>
        <p>
          <Link to="/recover-password">Request a new link</Link>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={copy.title} lead={copy.lead}>
      <NewPasswordForm token={token} />
      <p>
        <Link to="/recover-password">Request a new link</Link>
      </p>
    </AuthLayout>
  );
}

function NewPasswordForm({ token }: { token: string }) {
  const navigate = useNavigate();
  const limits = usePasswordLimits();
  const schema = useMemo(() => resetPasswordSchema(limits), [limits]);
  const form = useZodForm(schema, ["newPassword", "confirmPassword"], async ({ newPassword }) => {
    await execute(ResetPasswordMutation, { input: { token, newPassword } });
    signedOut(); // a reset ends every session of the account, in every tab
    await navigate({ to: "/login", search: { reason: "reset" } });
  });
  return (
    <Form form={form} actions={<SubmitButton form={form}>Set password</SubmitButton>}>
      <NewPasswordFields form={form} />
    </Form>
  );
}
