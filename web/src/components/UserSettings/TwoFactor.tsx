import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import { meQuery } from "../../hooks/useAuth";
import { refresh } from "../../lib/auth";
import { isOutage } from "../../lib/errors";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { disableMfaSchema, regenerateCodesSchema } from "../../lib/validation";
import { TotpCodeField } from "../Auth/CodeField";
import { ErrorMessage } from "../Common/ErrorMessage";
import { Field, PasswordField } from "../Common/Field";
import { Form, SubmitButton } from "../Common/Form";
import { FormDialog } from "../Common/FormDialog";
import { Modal } from "../Common/Modal";
import { ListSkeleton } from "../Common/PagedTable";
import { useToast } from "../Common/Toasts";
import { formatWhen } from "../Sessions/SessionList";
import { EnrolMfa } from "./EnrolMfa";
import { MFA_STATUS_KEY, SESSIONS_KEY } from "./keys";
import { RecoveryCodes } from "./RecoveryCodes";

const MfaStatusQuery = graphql(`
  query MfaStatus {
    mfaStatus {
      enabled
      enabledAt
      recoveryCodesRemaining
    }
  }
`);

const RegenerateRecoveryCodesMutation = graphql(`
  mutation RegenerateRecoveryCodes($input: PasswordAndCodeInput!) {
    regenerateRecoveryCodes(input: $input) {
      codes
    }
  }
`);

const DisableMfaMutation = graphql(`
  mutation DisableMfa($input: PasswordAndCodeInput!) {
    disableMfa(input: $input) {
      message
    }
  }
`);

/** Fewer left than this and the card says to make new ones. */
const FEW_CODES_LEFT = 3;

export const mfaStatusQuery = {
  queryKey: MFA_STATUS_KEY,
  queryFn: async () => (await execute(MfaStatusQuery)).mfaStatus,
};

/**
 * Settings → Security: two-factor authentication with an authenticator app
 * (TOTP): its state, setting it up, new recovery codes, turning it off.
 */
export function TwoFactor({ account }: { account: string }) {
  const status = useQuery({ ...mfaStatusQuery, meta: { inlineError: true } });
  const [enrolling, setEnrolling] = useState(false);
  const [regenerating, setRegenerating] = useState(false);
  const [disabling, setDisabling] = useState(false);
  return (
    <section aria-labelledby="mfa-heading" className="settings-card" data-testid="mfa">
      <h2 id="mfa-heading">Two-factor authentication</h2>
      {status.isPending ? (
        <ListSkeleton label="Loading…" rows={2} />
      ) : status.isError && isOutage(status.error) ? (
        <p className="list-unavailable">Your two-factor settings could not be loaded.</p>
      ) : status.isError ? (
        <ErrorMessage error={status.error}>
          <button type="button" className="secondary" onClick={() => void status.refetch()}>
            Retry
          </button>
        </ErrorMessage>
      ) : enrolling ? (
        <EnrolMfa
          account={account}
          onCancel={() => setEnrolling(false)}
          onDone={() => setEnrolling(false)}
        />
      ) : status.data.enabled ? (
        <>
          <p data-testid="mfa-status">
            <span className="status active">On</span>{" "}
            {status.data.enabledAt ? <>since {formatWhen(status.data.enabledAt)}. </> : null}
            Logging in asks for a code from your authenticator app.
          </p>
          <p data-testid="recovery-codes-left">
            {status.data.recoveryCodesRemaining === 1
              ? "1 recovery code left."
              : `${status.data.recoveryCodesRemaining} recovery codes left.`}
            {status.data.recoveryCodesRemaining <= FEW_CODES_LEFT
              ? " Make new ones before you run out."
              : null}
          </p>
          <div className="inline-actions">
            <button type="button" className="secondary" onClick={() => setRegenerating(true)}>
              New recovery codes
            </button>
            <button type="button" className="danger outline" onClick={() => setDisabling(true)}>
              Turn off two-factor authentication
            </button>
          </div>
        </>
      ) : (
        <>
          <p data-testid="mfa-status">
            <span className="status inactive">Off</span> Add a second step to logging in: a code
            from an authenticator app on your phone, so a stolen password alone is not enough.
          </p>
          <button type="button" onClick={() => setEnrolling(true)}>
            Set up two-factor authentication
          </button>
        </>
      )}
      <RegenerateCodes
        open={regenerating}
        account={account}
        onClose={() => setRegenerating(false)}
      />
      <DisableMfa open={disabling} onClose={() => setDisabling(false)} />
    </section>
  );
}

/** After MFA settings changed: the other sessions ended; this one may have new tokens. */
function useAfterMfaChange() {
  const queryClient = useQueryClient();
  return async () => {
    await refresh().catch(() => undefined);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: MFA_STATUS_KEY }),
      queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
      queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
    ]);
  };
}

function RegenerateCodes({
  open,
  account,
  onClose,
}: {
  open: boolean;
  account: string;
  onClose: () => void;
}) {
  const [codes, setCodes] = useState<string[] | null>(null);
  const close = () => {
    setCodes(null);
    onClose();
  };
  return (
    <Modal open={open} title="New recovery codes" onClose={close}>
      {codes ? (
        <RecoveryCodes codes={codes} account={account} onDone={close} />
      ) : (
        <RegenerateForm onCancel={close} onCodes={setCodes} />
      )}
    </Modal>
  );
}

function RegenerateForm({
  onCancel,
  onCodes,
}: {
  onCancel: () => void;
  onCodes: (codes: string[]) => void;
}) {
  const afterChange = useAfterMfaChange();
  const regenerate = useMutation({
    mutationFn: (input: { password: string; code: string }) =>
      execute(RegenerateRecoveryCodesMutation, { input }),
    onSuccess: afterChange,
  });
  const form = useZodForm(regenerateCodesSchema, ["password", "code"], async (values) => {
    const { regenerateRecoveryCodes } = await regenerate.mutateAsync(values);
    onCodes(regenerateRecoveryCodes.codes);
  });
  return (
    <Form
      form={form}
      actions={
        <footer className="dialog-actions">
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          <SubmitButton form={form}>Make new codes</SubmitButton>
        </footer>
      }
    >
      <p>Your current recovery codes stop working, used or not.</p>
      <PasswordField
        label="Your password"
        name="password"
        autoComplete="current-password"
        required
        error={form.errors.password}
      />
      <TotpCodeField label="Code from your app" error={form.errors.code} />
    </Form>
  );
}

function DisableMfa({ open, onClose }: { open: boolean; onClose: () => void }) {
  const toast = useToast();
  const afterChange = useAfterMfaChange();
  const disable = useMutation({
    mutationFn: (input: { password: string; code: string }) =>
      execute(DisableMfaMutation, { input }),
    onSuccess: afterChange,
  });
  return (
    <FormDialog
      open={open}
      title="Turn off two-factor authentication"
      onClose={onClose}
      schema={disableMfaSchema}
      fields={["password", "code"]}
      submitLabel="Turn off"
      onSubmit={async (values) => {
        await disable.mutateAsync(values);
        toast.success("Two-factor authentication is off. Your other sessions were logged out.");
      }}
    >
      {(form) => (
        <>
          <p>Logging in will ask for your password only.</p>
          <PasswordField
            label="Your password"
            name="password"
            autoComplete="current-password"
            required
            error={form.errors.password}
          />
          <Field
            label="Code from your app, or a recovery code"
            name="code"
            autoComplete="one-time-code"
            autoCapitalize="off"
            spellCheck={false}
            maxLength={24}
            required
            error={form.errors.code}
          />
        </>
      )}
    </FormDialog>
  );
}
