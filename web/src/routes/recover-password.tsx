import { createRoute, Link } from "@tanstack/react-router";
import { useState } from "react";
import { AuthLayout } from "../components/Common/AuthLayout";
import { Field } from "../components/Common/Field";
import { Form, SubmitButton } from "../components/Common/Form";
import { graphql } from "../gql";
import { useZodForm } from "../lib/form";
import { execute } from "../lib/graphql-client";
import { recoverPasswordSchema } from "../lib/validation";
import { redirectIfSignedIn, rootRoute } from "./root";

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
  beforeLoad: () => redirectIfSignedIn(),
  component: RecoverPasswordPage,
});

function RecoverPasswordPage() {
  const [sent, setSent] = useState(false);
  const form = useZodForm(recoverPasswordSchema, ["email"], async ({ email }) => {
    await execute(RecoverPasswordMutation, { input: { email } });
    setSent(true);
  });
  return (
    <AuthLayout
      title="Password recovery"
      lead={
        sent
          ? undefined
          : "Enter your account's e-mail and we'll send you a link to reset the password."
      }
    >
      {sent ? (
        // The API answers the same whether or not the address exists; so do we.
        <p role="status" data-testid="recovery-sent">
          If an account uses that address, we sent it a link to reset the password. The link works
          for 15 minutes.
        </p>
      ) : (
        <Form form={form} actions={<SubmitButton form={form}>Send reset link</SubmitButton>}>
          <Field
            label="E-mail"
            name="email"
            type="email"
            autoComplete="email"
            required
            error={form.errors.email}
          />
        </Form>
      )}
      <p>
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthLayout>
  );
}
