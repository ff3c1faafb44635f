import { useMutation, useQuery } from "@tanstack/react-query";
import { createRoute, Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { NewPasswordFields } from "../components/Auth/NewPasswordFields";
import { ResendVerification } from "../components/Auth/ResendVerification";
import { AuthLayout } from "../components/Common/AuthLayout";
import { Field } from "../components/Common/Field";
import { Form, SubmitButton } from "../components/Common/Form";
import { ListSkeleton } from "../components/Common/PagedTable";
import { graphql } from "../gql";
import { publicSettingsQuery } from "../hooks/useAuth";
import { usePasswordLimits } from "../hooks/usePasswordLimits";
import { useZodForm } from "../lib/form";
import { execute } from "../lib/graphql-client";
import { signupSchema } from "../lib/validation";
import { redirectIfSignedIn, rootRoute } from "./root";

const SignupMutation = graphql(`
  mutation Signup($input: SignupInput!) {
    signup(input: $input) {
      message
    }
  }
`);

export const signupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/signup",
  beforeLoad: () => redirectIfSignedIn(),
  component: SignupPage,
});

function SignupPage() {
  const settings = useQuery(publicSettingsQuery);
  if (settings.isPending) {
    return (
      <AuthLayout title="Sign up">
        <ListSkeleton label="Loading…" rows={3} />
      </AuthLayout>
    );
  }
  if (!settings.data?.signupEnabled) {
    return (
      <AuthLayout title="Sign up">
        <p data-testid="signup-disabled">
          {settings.isError
            ? "Sign-up is not available right now."
            : "Sign-up is disabled. Ask an administrator for an account."}
        </p>
        <p>
          <Link to="/login">Back to log in</Link>
        </p>
      </AuthLayout>
    );
  }
  return <SignupForm />;
}

function SignupForm() {
  // The address the answer was for: then the page says "check your inbox".
  const [sentTo, setSentTo] = useState<string | null>(null);
  const limits = usePasswordLimits();
  const schema = useMemo(() => signupSchema(limits), [limits]);
  const signup = useMutation({
    mutationFn: (input: { email: string; password: string; fullName: string | null }) =>
      execute(SignupMutation, { input }),
  });
  const form = useZodForm(
    schema,
    ["fullName", "email", "password", "confirmPassword"],
    async ({ email, password, fullName }) => {
      await signup.mutateAsync({ email, password, fullName });
      setSentTo(email);
    },
  );
  if (sentTo !== null) return <CheckInbox email={sentTo} />;
  return (
    <AuthLayout title="Sign up">
      <Form form={form} actions={<SubmitButton form={form}>Sign up</SubmitButton>}>
        <Field
          label="Full name"
          name="fullName"
          autoComplete="name"
          optional
          error={form.errors.fullName}
        />
        <Field
          label="E-mail"
          name="email"
          type="email"
          autoComplete="email"
          required
          error={form.errors.email}
        />
        <NewPasswordFields form={form} name="password" label="Password" />
      </Form>
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </AuthLayout>
  );
}

/**
 * The answer to every sign-up, whether or not the address already has an
 * account (the API answers the same and e-mails an existing account's owner
 * instead): nothing here tells a stranger which addresses are registered.
 */
function CheckInbox({ email }: { email: string }) {
  return (
    <AuthLayout title="Check your inbox">
      <p role="status" data-testid="signup-check-inbox">
        We sent a message to <strong className="break">{email}</strong>. Open the link in it to
        verify the address and finish signing up. The link works for 24 hours.
      </p>
      <p>Nothing arrived? Check your spam folder, or ask for a new link.</p>
      <ResendVerification email={email} />
      <p>
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthLayout>
  );
}
