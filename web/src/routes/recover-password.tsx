import { createRoute, Link } from "@tanstack/react-router";
import { useState } from "react";
import { Field } from "../components/Common/Field";
import { useToast } from "../components/Common/Toasts";
import { graphql } from "../gql";
import { useZodForm } from "../lib/form";
import { execute } from "../lib/graphql-client";
import { recoverPasswordSchema } from "../lib/validation";
import { rootRoute } from "./__root";
import { AuthLayout } from "./AuthLayout";

const RecoverPasswordMutation = graphql(`
  mutation RecoverPassword($input: RecoverPasswordInput!) {
    recoverPassword(input: $input) {
      message
    }
  }
`);

export const recoverPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/recover-password",
  component: RecoverPasswordPage,
});

function RecoverPasswordPage() {
  const toast = useToast();
  const [sent, setSent] = useState(false);
  const form = useZodForm(
    recoverPasswordSchema,
    ["email"],
    async ({ email }) => {
      await execute(RecoverPasswordMutation, { input: { email } });
      setSent(true);
    },
    toast.error,
  );
  return (
    <AuthLayout title="Password recovery">
      {sent ? (
        // The API answers the same whether or not the address exists; so do we.
        <p role="status" data-testid="recovery-sent">
          If an account uses that address, we sent it a link to reset the password. The link works
          for 15 minutes.
        </p>
      ) : (
        <form onSubmit={form.onSubmit} noValidate>
          <Field
            label="E-mail"
            name="email"
            type="email"
            autoComplete="email"
            required
            error={form.errors.email}
          />
          <button type="submit" aria-busy={form.submitting} disabled={form.submitting}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthLayout>
  );
}
