import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { graphql } from "../../gql";
import type { BeginMfaEnrolmentMutation as BeginResult } from "../../gql/graphql";
import { meQuery } from "../../hooks/useAuth";
import { refresh } from "../../lib/auth";
import { groupSecret } from "../../lib/codes";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { enrolCodeSchema, passwordOnlySchema } from "../../lib/validation";
import { TotpCodeField } from "../Auth/CodeField";
import { PasswordField } from "../Common/Field";
import { Form, SubmitButton } from "../Common/Form";
import { MFA_STATUS_KEY, SESSIONS_KEY } from "./keys";
import { QrCode } from "./QrCode";
import { RecoveryCodes } from "./RecoveryCodes";

const BeginMfaEnrolmentMutation = graphql(`
  mutation BeginMfaEnrolment($input: BeginMfaEnrolmentInput!) {
    beginMfaEnrolment(input: $input) {
      secret
      otpauthUri
      expiresAt
    }
  }
`);

const ConfirmMfaEnrolmentMutation = graphql(`
  mutation ConfirmMfaEnrolment($input: ConfirmMfaEnrolmentInput!) {
    confirmMfaEnrolment(input: $input) {
      codes
    }
  }
`);

type Step =
  | { kind: "password" }
  | { kind: "scan"; enrolment: BeginResult["beginMfaEnrolment"] }
  | { kind: "codes"; codes: string[] };

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/**
 * Turning MFA on, in three steps: the password again (someone at an
 * unlocked computer must not bind their own app to this account), the
 * secret as a QR code and as text, and the first code from the app, which
 * turns MFA on and returns the recovery codes, shown once.
 */
export function EnrolMfa({
  account,
  onCancel,
  onDone,
}: {
  account: string;
  onCancel: () => void;
  onDone: () => void;
}) {
  const [step, setStep] = useState<Step>({ kind: "password" });
  // Each step replaces the last under the user's focus: move it to the step.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each step change
  useEffect(() => {
    const current = document.querySelector("[data-enrol-step]");
    (current?.querySelector("input") ?? current?.querySelector("button"))?.focus();
  }, [step.kind]);
  return (
    <div data-enrol-step={step.kind} data-testid="mfa-enrol">
      {step.kind === "password" ? (
        <PasswordStep
          onCancel={onCancel}
          onBegun={(enrolment) => setStep({ kind: "scan", enrolment })}
        />
      ) : step.kind === "scan" ? (
        <ScanStep
          account={account}
          enrolment={step.enrolment}
          onCancel={onCancel}
          onConfirmed={(codes) => setStep({ kind: "codes", codes })}
        />
      ) : (
        <RecoveryCodes codes={step.codes} account={account} onDone={onDone} />
      )}
    </div>
  );
}

function PasswordStep({
  onCancel,
  onBegun,
}: {
  onCancel: () => void;
  onBegun: (enrolment: Extract<Step, { kind: "scan" }>["enrolment"]) => void;
}) {
  const form = useZodForm(passwordOnlySchema, ["password"], async ({ password }) => {
    const { beginMfaEnrolment } = await execute(BeginMfaEnrolmentMutation, { input: { password } });
    onBegun(beginMfaEnrolment);
  });
  return (
    <Form
      form={form}
      actions={
        <div className="inline-actions">
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          <SubmitButton form={form}>Continue</SubmitButton>
        </div>
      }
    >
      <p>Step 1 of 3: confirm it is you.</p>
      <PasswordField
        label="Your password"
        name="password"
        autoComplete="current-password"
        required
        error={form.errors.password}
      />
    </Form>
  );
}

function ScanStep({
  account,
  enrolment,
  onCancel,
  onConfirmed,
}: {
  account: string;
  enrolment: Extract<Step, { kind: "scan" }>["enrolment"];
  onCancel: () => void;
  onConfirmed: (codes: string[]) => void;
}) {
  const queryClient = useQueryClient();
  const confirm = useMutation({
    mutationFn: (code: string) => execute(ConfirmMfaEnrolmentMutation, { input: { code } }),
    onSuccess: async () => {
      // MFA is on and the other sessions ended. Should the change also have
      // retired this session's tokens, a new one now rather than a refused
      // request later (as after a password change).
      await refresh().catch(() => undefined);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: MFA_STATUS_KEY }),
        queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
        queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
      ]);
    },
  });
  const form = useZodForm(enrolCodeSchema, ["code"], async ({ code }) => {
    const { confirmMfaEnrolment } = await confirm.mutateAsync(code);
    onConfirmed(confirmMfaEnrolment.codes);
  });
  const [copied, setCopied] = useState(false);
  const copySecret = () =>
    navigator.clipboard.writeText(enrolment.secret).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <>
      <p>
        Step 2 of 3: scan this QR code with an authenticator app (for example Aegis, Google
        Authenticator, 1Password or Bitwarden).
      </p>
      <QrCode
        text={enrolment.otpauthUri}
        label={`QR code to add ${account} to an authenticator app`}
      />
      <p>Can't scan it? Enter this key in the app instead (time-based, 6 digits):</p>
      <p className="secret-row">
        <code className="secret" data-testid="mfa-secret">
          {groupSecret(enrolment.secret)}
        </code>
        <button type="button" className="secondary outline" onClick={() => void copySecret()}>
          Copy key
        </button>
        {copied ? <span role="status">Copied.</span> : null}
      </p>
      <Form
        form={form}
        actions={
          <div className="inline-actions">
            <button type="button" className="secondary" onClick={onCancel}>
              Cancel
            </button>
            <SubmitButton form={form}>Turn on</SubmitButton>
          </div>
        }
      >
        <p>
          Step 3 of 3: enter the code the app shows now. This setup works until{" "}
          {timeFormat.format(new Date(enrolment.expiresAt))}.
        </p>
        <TotpCodeField label="Code from the app" error={form.errors.code} />
      </Form>
    </>
  );
}
