import { useQueryClient } from "@tanstack/react-query";
import { createRoute, Link } from "@tanstack/react-router";
import { useEffect, useState, useSyncExternalStore } from "react";
import { AuthLayout } from "../components/Common/AuthLayout";
import { ErrorMessage } from "../components/Common/ErrorMessage";
import { graphql } from "../gql";
import { meQuery } from "../hooks/useAuth";
import { isLoggedIn, subscribe } from "../lib/auth";
import { execute } from "../lib/graphql-client";
import { spendTokenOnce } from "../lib/once";
import { rootRoute } from "./root";

const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($input: TokenInput!) {
    verifyEmail(input: $input) {
      message
    }
  }
`);

const ConfirmEmailChangeMutation = graphql(`
  mutation ConfirmEmailChange($input: TokenInput!) {
    confirmEmailChange(input: $input) {
      message
    }
  }
`);

/** The two pages an e-mailed address link opens: sign-up's verification, and an address change. */
type LinkKind = "verify" | "change";

const COPY: Record<
  LinkKind,
  { title: string; path: string; working: string; done: string; failed: string }
> = {
  verify: {
    title: "Verify your e-mail",
    path: "/verify-email",
    working: "Verifying your e-mail address…",
    done: "Your e-mail address is verified.",
    failed: "This verification link can't be used.",
  },
  change: {
    title: "Confirm your new e-mail",
    path: "/confirm-email",
    working: "Changing your e-mail address…",
    done: "Your e-mail address is changed. Use the new one to log in from now on; your other sessions were logged out.",
    failed: "This confirmation link can't be used.",
  },
};

const tokenSearch = (search: Record<string, unknown>): { token?: string } =>
  typeof search.token === "string" ? { token: search.token } : {};

// Not behind redirectIfSignedIn: the person who opens the link is often
// signed in already (an address change starts in their settings).
export const verifyEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/verify-email",
  validateSearch: tokenSearch,
  component: () => <EmailLinkPage kind="verify" token={verifyEmailRoute.useSearch().token} />,
});

export const confirmEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/confirm-email",
  validateSearch: tokenSearch,
  component: () => <EmailLinkPage kind="change" token={confirmEmailRoute.useSearch().token} />,
});

function spend(kind: LinkKind, token: string): Promise<unknown> {
  const input = { input: { token } };
  return kind === "verify"
    ? execute(VerifyEmailMutation, input)
    : execute(ConfirmEmailChangeMutation, input);
}

type State = { kind: "working" } | { kind: "done" } | { kind: "failed"; error: unknown };

function EmailLinkPage({ kind, token: fromUrl }: { kind: LinkKind; token: string | undefined }) {
  // Kept in state: the address bar loses it below.
  const [token] = useState(fromUrl);
  const [state, setState] = useState<State>({ kind: "working" });
  const queryClient = useQueryClient();
  const signedIn = useSyncExternalStore(subscribe, isLoggedIn, isLoggedIn);
  const copy = COPY[kind];

  useEffect(() => {
    if (!token) return;
    // A credential until used: out of the address bar and history at once
    // (Referrer-Policy: no-referrer keeps it from leaking onward).
    window.history.replaceState(window.history.state, "", copy.path);
    let live = true;
    // Once per token, however often the effect runs (StrictMode runs it
    // twice): a second use would answer "already used".
    spendTokenOnce(kind, token, (t) => spend(kind, t)).then(
      () => {
        if (!live) return;
        setState({ kind: "done" });
        // The signed-in user's address or its verified flag just changed.
        void queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
      },
      (error: unknown) => live && setState({ kind: "failed", error }),
    );
    return () => {
      live = false;
    };
  }, [kind, token, copy.path, queryClient]);

  const next = signedIn ? (
    <Link to="/settings">Go to your settings</Link>
  ) : (
    <Link to="/login">Log in</Link>
  );

  if (!token) {
    return (
      <AuthLayout title={copy.title}>
        <p>This page needs the link from the e-mail we sent you.</p>
        <p>{next}</p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={copy.title}>
      {state.kind === "working" ? (
        <p aria-busy="true" data-testid="email-link-working">
          {copy.working}
        </p>
      ) : state.kind === "done" ? (
        <p role="status" data-testid="email-link-done">
          {copy.done}
        </p>
      ) : (
        <>
          <p data-testid="email-link-failed">
            <strong>{copy.failed}</strong>
          </p>
          <ErrorMessage error={state.error} />
          <p>
            {kind === "verify"
              ? "Links work once and expire after a while. Log in to ask for a new one."
              : "Links work once and expire after a while. Start the change again from your settings."}
          </p>
        </>
      )}
      {state.kind === "working" ? null : <p>{next}</p>}
    </AuthLayout>
  );
}
