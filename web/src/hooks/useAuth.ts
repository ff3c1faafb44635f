import { type QueryClient, queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useSyncExternalStore } from "react";
import { graphql } from "../gql";
import { clearSession, isLoggedIn, setSession, subscribe } from "../lib/auth";
import { execute } from "../lib/graphql-client";

const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      fullName
      isActive
      isSuperuser
    }
  }
`);

const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      expiresAt
    }
  }
`);

const PublicSettingsQuery = graphql(`
  query PublicSettings {
    publicSettings {
      signupEnabled
      passwordMinLength
      passwordMaxLength
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

export async function logIn(
  queryClient: QueryClient,
  email: string,
  password: string,
): Promise<void> {
  const { login } = await execute(LoginMutation, { input: { email, password } });
  // Trust the server's expiry; fall back to "unknown" (the API will say UNAUTHENTICATED).
  const expiresAt = Date.parse(login.expiresAt);
  queryClient.clear(); // nothing from a previous user may leak into this session
  setSession({
    accessToken: login.accessToken,
    expiresAt: Number.isNaN(expiresAt) ? Date.now() + 3_600_000 : expiresAt,
  });
}

/** The current user, their login state, and log out. */
export function useAuth() {
  const loggedIn = useSyncExternalStore(subscribe, isLoggedIn, isLoggedIn);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const me = useQuery({ ...meQuery, enabled: loggedIn });
  const logOut = () => {
    // JWTs are stateless: logging out forgets the token here; it expires on
    // its own (60 min) and a password change revokes every copy server-side.
    clearSession();
    queryClient.clear();
    void navigate({ to: "/login" });
  };
  return { loggedIn, user: me.data, logOut };
}
