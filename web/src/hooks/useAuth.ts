import { type QueryClient, queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState, useSyncExternalStore } from "react";
import { useToast } from "../components/Common/Toasts";
import { graphql } from "../gql";
import {
  logOut as endServerSession,
  getSecurityNotice,
  getStatus,
  isLoggedIn,
  sessionFrom,
  signedIn,
  subscribe,
} from "../lib/auth";
import { isOutage } from "../lib/errors";
import { execute } from "../lib/graphql-client";

const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      fullName
      isActive
      isSuperuser
      mfaEnabled
      emailVerified
      pendingEmail
    }
  }
`);

const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on AccessToken {
        accessToken
        expiresIn
        sessionId
        securityNotice
      }
      ... on MfaChallenge {
        challengeToken
        expiresAt
      }
    }
  }
`);

const CompleteMfaLoginMutation = graphql(`
  mutation CompleteMfaLogin($input: CompleteMfaLoginInput!) {
    completeMfaLogin(input: $input) {
      accessToken
      expiresIn
      sessionId
      securityNotice
    }
  }
`);

const PublicSettingsQuery = graphql(`
  query PublicSettings {
    publicSettings {
      signupEnabled
      passwordMinLength
      passwordMaxLength
      mfaRequiredForSuperusers
      emailVerificationRequired
    }
  }
`);

export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: async () => (await execute(MeQuery)).me,
  staleTime: 60_000,
});

export const publicSettingsQuery = queryOptions({
  queryKey: ["publicSettings"],
  queryFn: async () => (await execute(PublicSettingsQuery)).publicSettings,
  staleTime: 5 * 60_000,
});

/** What the password step led to: a session, or a second step to take. */
export type LoginOutcome =
  | { kind: "signed-in" }
  | { kind: "mfa"; challengeToken: string; expiresAt: string };

interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  sessionId: string;
  securityNotice?: string | null;
}

function startSession(queryClient: QueryClient, token: IssuedToken): void {
  queryClient.clear(); // nothing from a previous user may leak into this session
  signedIn(sessionFrom(token), token.securityNotice ?? null);
}

/**
 * Logs in (the API also sets the HttpOnly refresh cookie: with `rememberMe`
 * a persistent one, otherwise one that ends with the browser) and tells the
 * other tabs. With MFA on, the password alone opens nothing: the API answers
 * a short-lived challenge that `completeMfaLogin` trades, with a code, for
 * the session.
 */
export async function logIn(
  queryClient: QueryClient,
  email: string,
  password: string,
  rememberMe: boolean,
): Promise<LoginOutcome> {
  const { login } = await execute(LoginMutation, { input: { email, password, rememberMe } });
  if (login.__typename === "MfaChallenge") {
    return { kind: "mfa", challengeToken: login.challengeToken, expiresAt: login.expiresAt };
  }
  startSession(queryClient, login);
  return { kind: "signed-in" };
}

/** The second step: the challenge and an app code or a recovery code. */
export async function completeMfaLogin(
  queryClient: QueryClient,
  challengeToken: string,
  code: string,
): Promise<void> {
  const { completeMfaLogin: token } = await execute(CompleteMfaLoginMutation, {
    input: { challengeToken, code },
  });
  startSession(queryClient, token);
}

/** Where this tab stands: restoring (splash), signed in or out. */
export function useAuthStatus() {
  return useSyncExternalStore(subscribe, getStatus, getStatus);
}

/** The notice of a login after a stolen refresh token was caught, until dismissed. */
export function useSecurityNotice() {
  return useSyncExternalStore(subscribe, getSecurityNotice, getSecurityNotice);
}

/** The current user, their login state, and log out. */
export function useAuth() {
  const loggedIn = useSyncExternalStore(subscribe, isLoggedIn, isLoggedIn);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const me = useQuery({ ...meQuery, enabled: loggedIn });
  const [loggingOut, setLoggingOut] = useState(false);
  const logOut = async () => {
    setLoggingOut(true);
    try {
      // Revokes the session server-side and clears the cookie; the other tabs follow.
      await endServerSession();
    } catch (error) {
      // Still signed in: saying "logged out" while the session lives on
      // would be a lie on a shared computer.
      toast.error(
        isOutage(error)
          ? "We couldn't reach the server, so you are still logged in. Try again."
          : "Logging out failed. Try again.",
      );
      return;
    } finally {
      setLoggingOut(false);
    }
    queryClient.clear();
    await navigate({ to: "/login" });
  };
  return { loggedIn, user: me.data, logOut, loggingOut };
}
