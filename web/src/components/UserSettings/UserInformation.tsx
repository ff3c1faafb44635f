import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import type { MeQuery } from "../../gql/graphql";
import { meQuery } from "../../hooks/useAuth";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { updateMeSchema } from "../../lib/validation";
import { ResendVerification } from "../Auth/ResendVerification";
import { Field } from "../Common/Field";
import { Form, SubmitButton } from "../Common/Form";
import { useToast } from "../Common/Toasts";
import { ChangeEmail } from "./ChangeEmail";

const UpdateMeMutation = graphql(`
  mutation UpdateMe($input: UpdateMeInput!) {
    updateMe(input: $input) {
      id
      fullName
    }
  }
`);

type Me = MeQuery["me"];

/**
 * Settings → Profile: the name (edited here) and the address, which only
 * changes through a confirmed link (ChangeEmail): typing a new one here
 * would let anyone at an unlocked computer take the account over through
 * a password reset to their own inbox.
 */
export function UserInformation({ user }: { user: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [changing, setChanging] = useState(false);
  // Said at once after a request, before the refetched user shows pendingEmail.
  const [sentTo, setSentTo] = useState<string | null>(null);
  const update = useMutation({
    mutationFn: (input: { fullName: string | null }) => execute(UpdateMeMutation, { input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
  });
  const form = useZodForm(updateMeSchema, ["fullName"], async (values) => {
    await update.mutateAsync(values);
    toast.success("Profile updated.");
  });
  const pending = user.pendingEmail ?? sentTo;
  return (
    <section aria-labelledby="profile-heading" className="settings-card">
      <h2 id="profile-heading">Profile</h2>
      <Form form={form} actions={<SubmitButton form={form}>Save profile</SubmitButton>}>
        <Field
          label="Full name"
          name="fullName"
          autoComplete="name"
          optional
          defaultValue={user.fullName ?? ""}
          error={form.errors.fullName}
        />
      </Form>
      <h3>E-mail</h3>
      <p className="email-row" data-testid="profile-email">
        <span className="break">{user.email}</span>
        {user.emailVerified ? null : (
          <span className="badge warning" data-testid="email-unverified">
            Unverified
          </span>
        )}
      </p>
      {user.emailVerified ? null : (
        <>
          <p>Open the link we e-mailed to this address to verify it.</p>
          <ResendVerification email={user.email} />
        </>
      )}
      {pending ? (
        <p className="notice" role="status" data-testid="pending-email">
          Check your new inbox: we sent a link to <strong className="break">{pending}</strong>. Your
          address changes when you open it.
        </p>
      ) : null}
      <button type="button" className="secondary" onClick={() => setChanging(true)}>
        Change e-mail
      </button>
      <ChangeEmail
        open={changing}
        withCode={user.mfaEnabled}
        onClose={() => setChanging(false)}
        onRequested={setSentTo}
      />
    </section>
  );
}
