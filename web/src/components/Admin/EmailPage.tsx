import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { graphql } from "../../gql";
import type { EmailPreviewsQuery, SendTestEmailMutation as SendResult } from "../../gql/graphql";
import { meQuery } from "../../hooks/useAuth";
import { useZodForm } from "../../lib/form";
import { execute } from "../../lib/graphql-client";
import { testEmailSchema } from "../../lib/validation";
import { ErrorMessage } from "../Common/ErrorMessage";
import { Field } from "../Common/Field";
import { Form, SubmitButton } from "../Common/Form";
import { usePageTitle } from "../Common/Page";
import { AUDIT_KEY, EMAIL_PREVIEWS_KEY } from "./keys";

const SendTestEmailMutation = graphql(`
  mutation SendTestEmail($to: String!) {
    sendTestEmail(to: $to) {
      accepted
      serverReply
      failure
      error
    }
  }
`);

const EmailPreviewsQueryDocument = graphql(`
  query EmailPreviews {
    emailPreviews {
      name
      subject
      html
      text
    }
  }
`);

type TestEmailResult = SendResult["sendTestEmail"];
type Preview = EmailPreviewsQuery["emailPreviews"][number];

/** What the SMTP server said, in the words the page shows. */
export function describeTestEmail(result: TestEmailResult): { ok: boolean; text: string } {
  if (result.accepted) {
    return {
      ok: true,
      text: `Accepted by the SMTP server: ${result.serverReply ?? "(no reply text)"}`,
    };
  }
  const code = result.failure ? ` (${result.failure})` : "";
  return { ok: false, text: `Not sent${code}: ${result.error ?? "no reason given"}` };
}

/** The admin area's e-mail page: a test e-mail through the configured SMTP server, and every template's preview. */
export function EmailPage() {
  usePageTitle("E-mail");
  return (
    <>
      <SendTestEmail />
      <EmailPreviews />
    </>
  );
}

function SendTestEmail() {
  const { data: user } = useQuery(meQuery);
  const queryClient = useQueryClient();
  const [result, setResult] = useState<TestEmailResult | null>(null);
  const send = useMutation({
    mutationFn: (to: string) => execute(SendTestEmailMutation, { to }),
    // Every attempt is audited (email.test_sent).
    onSettled: () => queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
  });
  const form = useZodForm(testEmailSchema, ["to"], async ({ to }) => {
    setResult(null);
    setResult((await send.mutateAsync(to)).sendTestEmail);
  });
  const said = result ? describeTestEmail(result) : null;
  return (
    <section aria-labelledby="test-email-heading" className="settings-card">
      <h2 id="test-email-heading">Send a test e-mail</h2>
      <p className="lead">
        Sends a message through the configured SMTP server now and shows what the server answered.
      </p>
      <Form form={form} actions={<SubmitButton form={form}>Send test e-mail</SubmitButton>}>
        <Field
          label="Recipient"
          name="to"
          type="email"
          autoComplete="email"
          required
          // Keyed so the default fills in once the current user has loaded.
          key={user?.email ?? ""}
          defaultValue={user?.email ?? ""}
          error={form.errors.to}
        />
      </Form>
      {said ? (
        said.ok ? (
          <p className="test-email-result" role="status" data-testid="test-email-result">
            {said.text}
          </p>
        ) : (
          <div className="error-message" role="alert" data-testid="test-email-result">
            <p>{said.text}</p>
          </div>
        )
      ) : null}
    </section>
  );
}

function EmailPreviews() {
  const previews = useQuery({
    queryKey: EMAIL_PREVIEWS_KEY,
    queryFn: async () => (await execute(EmailPreviewsQueryDocument)).emailPreviews,
    meta: { inlineError: true },
  });
  return (
    <section aria-labelledby="previews-heading">
      <div className="section-head">
        <h2 id="previews-heading">Templates</h2>
      </div>
      <p className="lead">
        Every e-mail the API sends, with sample data (the links carry no real token).
      </p>
      {previews.isPending ? <p aria-busy="true">Loading previews…</p> : null}
      {previews.isError ? (
        <ErrorMessage error={previews.error}>
          <button type="button" onClick={() => void previews.refetch()}>
            Retry
          </button>
        </ErrorMessage>
      ) : null}
      {previews.data?.map((preview) => (
        <EmailPreviewCard key={preview.name} preview={preview} />
      ))}
    </section>
  );
}

function EmailPreviewCard({ preview }: { preview: Preview }) {
  const id = `preview-${preview.name}`;
  return (
    <article className="email-preview" aria-labelledby={id} data-testid="email-preview">
      <h3 id={id}>{preview.subject}</h3>
      <p>
        <small>
          Template <code>{preview.name}</code>
        </small>
      </p>
      {/* sandbox="": no scripts, no forms, no navigation, a unique origin;
          the e-mail's HTML cannot reach the page or the session. */}
      <iframe
        sandbox=""
        srcDoc={preview.html}
        title={`HTML version: ${preview.subject}`}
        data-testid="email-preview-html"
      />
      <details>
        <summary>Plain-text version</summary>
        <pre data-testid="email-preview-text">{preview.text}</pre>
      </details>
    </article>
  );
}

export function EmailRoute() {
  return <EmailPage />;
}
