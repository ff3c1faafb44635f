import { useMutation } from "@tanstack/react-query";
import { graphql } from "../../gql";
import { formatWait, useCountdown } from "../../lib/countdown";
import { ApiError } from "../../lib/errors";
import { execute } from "../../lib/graphql-client";
import { ErrorMessage } from "../Common/ErrorMessage";

const ResendVerificationMutation = graphql(`
  mutation ResendVerificationEmail($input: ResendVerificationInput!) {
    resendVerificationEmail(input: $input) {
      message
    }
  }
`);

/** After a send, the button waits this long (the API throttles too, and says how long). */
export const RESEND_COOLDOWN_S = 60;

/**
 * "Resend the link" for an address's verification e-mail. The API answers
 * the same whether or not the address has an unverified account (no
 * enumeration), and so does this: "if …, we sent a new link". After a send,
 * or a throttle, the button counts down before it can be pressed again.
 */
export function ResendVerification({ email }: { email: string }) {
  const cooldown = useCountdown();
  const resend = useMutation({
    mutationFn: () => execute(ResendVerificationMutation, { input: { email } }),
    onSuccess: () => cooldown.start(RESEND_COOLDOWN_S),
    onError: (error) => {
      if (error instanceof ApiError && error.code === "RATE_LIMITED") {
        cooldown.start(error.retryAfter ?? RESEND_COOLDOWN_S);
      }
    },
  });
  const waiting = cooldown.left > 0;
  return (
    <div className="resend">
      {resend.isSuccess ? (
        <p role="status" data-testid="resend-sent">
          If {email} has an account waiting for verification, we sent it a new link.
        </p>
      ) : null}
      {resend.isError ? <ErrorMessage error={resend.error} /> : null}
      <button
        type="button"
        className="secondary"
        aria-busy={resend.isPending}
        disabled={resend.isPending || waiting}
        onClick={() => resend.mutate()}
        data-testid="resend-verification"
      >
        {waiting ? `Resend the link (in ${formatWait(cooldown.left)})` : "Resend the link"}
      </button>
    </div>
  );
}
