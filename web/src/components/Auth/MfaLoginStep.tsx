import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { completeMfaLogin } from "../../hooks/useAuth";
import { useZodForm } from "../../lib/form";
import { mfaLoginSchema, mfaRecoveryLoginSchema } from "../../lib/validation";
import { Form, SubmitButton } from "../Common/Form";
import { RecoveryCodeField, TotpCodeField } from "./CodeField";
import { loginFailure } from "./loginFlow";

type Mode = "app" | "recovery";

/**
 * The second step of a login with MFA on: the app's code, or one of the
 * recovery codes. The challenge from the password step is single use and
 * short-lived; when the API no longer accepts it, the page goes back to the
 * password step (`onRestart`).
 */
export function MfaLoginStep({
  challengeToken,
  onSignedIn,
  onRestart,
  onEmailNotVerified,
}: {
  challengeToken: string;
  onSignedIn: () => Promise<void>;
  onRestart: () => void;
  onEmailNotVerified: () => void;
}) {
  const [mode, setMode] = useState<Mode>("app");
  return (
    <>
      <p className="lead" data-testid="mfa-step">
        {mode === "app"
          ? "Enter the 6-digit code your authenticator app shows for Rampart."
          : "Enter one of the recovery codes you saved. Each code works once."}
      </p>
      {/* A fresh form per mode: the other mode's error must not linger. */}
      <CodeForm
        key={mode}
        mode={mode}
        challengeToken={challengeToken}
        onSignedIn={onSignedIn}
        onRestart={onRestart}
        onEmailNotVerified={onEmailNotVerified}
      />
      <p className="step-links">
        <button
          type="button"
          className="link-button"
          onClick={() => setMode(mode === "app" ? "recovery" : "app")}
        >
          {mode === "app" ? "Use a recovery code instead" : "Use your authenticator app instead"}
        </button>
        <button type="button" className="link-button" onClick={onRestart}>
          Start over
        </button>
      </p>
    </>
  );
}

function CodeForm({
  mode,
  challengeToken,
  onSignedIn,
  onRestart,
  onEmailNotVerified,
}: {
  mode: Mode;
  challengeToken: string;
  onSignedIn: () => Promise<void>;
  onRestart: () => void;
  onEmailNotVerified: () => void;
}) {
  const queryClient = useQueryClient();
  // The step replaced the password form under the user's focus: take it
  // to the one field they need now (keyboard and screen-reader users).
  useEffect(() => {
    document.querySelector<HTMLInputElement>('form input[name="code"]')?.focus();
  }, []);
  const form = useZodForm(
    mode === "app" ? mfaLoginSchema : mfaRecoveryLoginSchema,
    ["code"],
    async ({ code }) => {
      try {
        await completeMfaLogin(queryClient, challengeToken, code);
      } catch (error) {
        const next = loginFailure(error);
        if (next === "restart") return onRestart();
        if (next === "verify-email") return onEmailNotVerified();
        throw error;
      }
      await onSignedIn();
    },
  );
  return (
    <Form form={form} actions={<SubmitButton form={form}>Verify</SubmitButton>}>
      {mode === "app" ? (
        <TotpCodeField error={form.errors.code} />
      ) : (
        <RecoveryCodeField error={form.errors.code} />
      )}
    </Form>
  );
}
