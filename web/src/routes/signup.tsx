import { useMutation, useQuery } from "@tanstack/react-query";
import { createRoute, Link, useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";
import { NewPasswordFields } from "../components/Auth/NewPasswordFields";
import { AuthLayout } from "../components/Common/AuthLayout";
import { Field } from "../components/Common/Field";
import { Form, SubmitButton } from "../components/Common/Form";
import { ListSkeleton } from "../components/Common/PagedTable";
import { useToast } from "../components/Common/Toasts";
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
  const navigate = useNavigate();
  const toast = useToast();
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
      // The same answer whether or not the address already has an account
      // (no enumeration): what to do next is in the e-mail.
      const { signup: answer } = await signup.mutateAsync({ email, password, fullName });
      toast.success(answer.message);
      await navigate({ to: "/login" });
    },
  );
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
