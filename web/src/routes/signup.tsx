import { useMutation, useQuery } from "@tanstack/react-query";
import { createRoute, Link, redirect, useNavigate } from "@tanstack/react-router";
import { Field } from "../components/Common/Field";
import { useToast } from "../components/Common/Toasts";
import { graphql } from "../gql";
import { publicSettingsQuery } from "../hooks/useAuth";
import { isLoggedIn } from "../lib/auth";
import { useZodForm } from "../lib/form";
import { execute } from "../lib/graphql-client";
import { PASSWORD_MAX, PASSWORD_MIN, signupSchema } from "../lib/validation";
import { rootRoute } from "./__root";
import { AuthLayout } from "./AuthLayout";

const SignupMutation = graphql(`
  mutation Signup($input: SignupInput!) {
    signup(input: $input) {
      id
      email
    }
  }
`);

export const signupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/signup",
  beforeLoad: () => {
    if (isLoggedIn()) throw redirect({ to: "/" });
  },
  component: SignupPage,
});

function SignupPage() {
  const settings = useQuery(publicSettingsQuery);
  const navigate = useNavigate();
  const toast = useToast();
  const signup = useMutation({
    mutationFn: (input: { email: string; password: string; fullName: string | null }) =>
      execute(SignupMutation, { input }),
  });
  const form = useZodForm(
    signupSchema,
    ["email", "fullName", "password", "confirmPassword"],
    async ({ email, password, fullName }) => {
      await signup.mutateAsync({ email, password, fullName });
      toast.success("Your account is ready. Log in to continue.");
      await navigate({ to: "/login" });
    },
    toast.error,
  );

  if (settings.isPending) {
    return (
      <AuthLayout title="Sign up">
        <p aria-busy="true">Loading…</p>
      </AuthLayout>
    );
  }
  if (!settings.data?.signupEnabled) {
    return (
      <AuthLayout title="Sign up">
        <p data-testid="signup-disabled">
          Sign-up is disabled. Ask an administrator for an account.
        </p>
        <p>
          <Link to="/login">Back to log in</Link>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Sign up">
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Full name" name="fullName" autoComplete="name" error={form.errors.fullName} />
        <Field
          label="E-mail"
          name="email"
          type="email"
          autoComplete="email"
          required
          error={form.errors.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint={`${PASSWORD_MIN}–${PASSWORD_MAX} characters; a long passphrase is best.`}
          error={form.errors.password}
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
          Sign up
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </AuthLayout>
  );
}
