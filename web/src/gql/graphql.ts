/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type BeginMfaEnrolmentInput = {
  password: string;
};

export type ChangePasswordInput = {
  currentPassword: string;
  /** Keep this session signed in; every other session ends either way. */
  keepCurrentSession?: boolean;
  newPassword: string;
};

export type CompleteMfaLoginInput = {
  challengeToken: string;
  /** A 6-digit code from the authenticator app, or a recovery code. */
  code: string;
};

export type ConfirmMfaEnrolmentInput = {
  code: string;
};

export type CreateItemInput = {
  description?: string | null | undefined;
  title: string;
};

export type CreateUserInput = {
  email: string;
  fullName?: string | null | undefined;
  isActive?: boolean;
  isSuperuser?: boolean;
};

/** Why a test e-mail did not go out (stable values). */
export type EmailFailure =
  /** The SMTP server refused the credentials or requires some. */
  | 'AUTHENTICATION'
  /** The SMTP server could not be reached. */
  | 'CONNECTION'
  | 'INVALID_MESSAGE'
  /** `SMTP_HOST` is not set: e-mails are written to the server's log. */
  | 'NOT_CONFIGURED'
  | 'OTHER'
  /** The SMTP server refused the sender, the recipient or the message. */
  | 'REJECTED'
  | 'TIMEOUT'
  | 'TLS';

export type LoginInput = {
  email: string;
  password: string;
  /**
   * Stay signed in across browser restarts (up to
   * `SESSION_REMEMBER_LIFETIME_SECS`); otherwise the session ends with the browser.
   */
  rememberMe?: boolean;
};

export type PasswordAndCodeInput = {
  /** A current 6-digit code from the app (disableMfa also takes a recovery code). */
  code: string;
  password: string;
};

export type RecoverPasswordInput = {
  email: string;
};

export type RequestEmailChangeInput = {
  /** The current TOTP code (or a recovery code) when MFA is on. */
  code?: string | null | undefined;
  newEmail: string;
  password: string;
};

export type ResendVerificationInput = {
  email: string;
};

export type ResetPasswordInput = {
  newPassword: string;
  token: string;
};

export type SignupInput = {
  email: string;
  fullName?: string | null | undefined;
  password: string;
};

/** A one-time link's token (`verifyEmail`, `confirmEmailChange`). */
export type TokenInput = {
  token: string;
};

export type UpdateItemInput = {
  /** `null` clears the description; leaving it out keeps it. */
  description?: string | null | undefined;
  title?: string | null | undefined;
};

/**
 * What a user may change about themselves: their name. (The address
 * changes through `requestEmailChange`, with the password and a link.)
 */
export type UpdateMeInput = {
  /** `null` clears the name; leaving it out keeps it. */
  fullName?: string | null | undefined;
};

export type UpdateUserInput = {
  /**
   * Set directly (a superuser's word proves it: the address counts as
   * verified), audited with the old and new address; the old one is told.
   */
  email?: string | null | undefined;
  fullName?: string | null | undefined;
  isActive?: boolean | null | undefined;
  isSuperuser?: boolean | null | undefined;
  password?: string | null | undefined;
};

export type CreateUserMutationVariables = Exact<{
  input: CreateUserInput;
}>;


export type CreateUserMutation = { createUser: { id: string } };

export type AuditEventsQueryVariables = Exact<{
  offset: number;
  limit: number;
}>;


export type AuditEventsQuery = { auditEvents: { totalCount: number, nodes: Array<{ id: string, kind: string, actorId: string | null, subjectEmail: string | null, ip: string | null, detail: string | null, createdAt: string }> } };

export type DeleteUserMutationVariables = Exact<{
  id: string;
}>;


export type DeleteUserMutation = { deleteUser: string };

export type UpdateUserMutationVariables = Exact<{
  id: string;
  input: UpdateUserInput;
}>;


export type UpdateUserMutation = { updateUser: { id: string } };

export type SendTestEmailMutationVariables = Exact<{
  to: string;
}>;


export type SendTestEmailMutation = { sendTestEmail: { accepted: boolean, serverReply: string | null, failure: EmailFailure | null, error: string | null } };

export type EmailPreviewsQueryVariables = Exact<{ [key: string]: never; }>;


export type EmailPreviewsQuery = { emailPreviews: Array<{ name: string, subject: string, html: string, text: string }> };

export type ResetUserMfaMutationVariables = Exact<{
  userId: string;
}>;


export type ResetUserMfaMutation = { resetUserMfa: { message: string } };

export type UserSessionsQueryVariables = Exact<{
  userId: string;
}>;


export type UserSessionsQuery = { userSessions: Array<{ id: string, current: boolean, createdAt: string, lastUsedAt: string, expiresAt: string, rememberMe: boolean, mfaUsed: boolean, browser: string | null, os: string | null, device: string | null, ip: string | null, lastIp: string | null }> };

export type RevokeUserSessionsMutationVariables = Exact<{
  userId: string;
}>;


export type RevokeUserSessionsMutation = { revokeUserSessions: { message: string } };

export type UsersQueryVariables = Exact<{
  offset: number;
  limit: number;
}>;


export type UsersQuery = { users: { totalCount: number, nodes: Array<{ id: string, email: string, fullName: string | null, isActive: boolean, isSuperuser: boolean, mfaEnabled: boolean, emailVerified: boolean }> } };

export type ResendVerificationEmailMutationVariables = Exact<{
  input: ResendVerificationInput;
}>;


export type ResendVerificationEmailMutation = { resendVerificationEmail: { message: string } };

export type CreateItemMutationVariables = Exact<{
  input: CreateItemInput;
}>;


export type CreateItemMutation = { createItem: { id: string } };

export type DeleteItemMutationVariables = Exact<{
  id: string;
}>;


export type DeleteItemMutation = { deleteItem: string };

export type UpdateItemMutationVariables = Exact<{
  id: string;
  input: UpdateItemInput;
}>;


export type UpdateItemMutation = { updateItem: { id: string } };

export type ItemsQueryVariables = Exact<{
  offset: number;
  limit: number;
}>;


export type ItemsQuery = { items: { totalCount: number, nodes: Array<{ id: string, title: string, description: string | null, createdAt: string, owner: { email: string } }> } };

export type SessionFieldsFragment = { id: string, current: boolean, createdAt: string, lastUsedAt: string, expiresAt: string, rememberMe: boolean, mfaUsed: boolean, browser: string | null, os: string | null, device: string | null, ip: string | null, lastIp: string | null };

export type RequestEmailChangeMutationVariables = Exact<{
  input: RequestEmailChangeInput;
}>;


export type RequestEmailChangeMutation = { requestEmailChange: { message: string } };

export type ChangePasswordMutationVariables = Exact<{
  input: ChangePasswordInput;
}>;


export type ChangePasswordMutation = { changePassword: { message: string } };

export type DeleteMeMutationVariables = Exact<{ [key: string]: never; }>;


export type DeleteMeMutation = { deleteMe: { message: string } };

export type BeginMfaEnrolmentMutationVariables = Exact<{
  input: BeginMfaEnrolmentInput;
}>;


export type BeginMfaEnrolmentMutation = { beginMfaEnrolment: { secret: string, otpauthUri: string, expiresAt: string } };

export type ConfirmMfaEnrolmentMutationVariables = Exact<{
  input: ConfirmMfaEnrolmentInput;
}>;


export type ConfirmMfaEnrolmentMutation = { confirmMfaEnrolment: { codes: Array<string> } };

export type MySessionsQueryVariables = Exact<{ [key: string]: never; }>;


export type MySessionsQuery = { sessions: Array<{ id: string, current: boolean, createdAt: string, lastUsedAt: string, expiresAt: string, rememberMe: boolean, mfaUsed: boolean, browser: string | null, os: string | null, device: string | null, ip: string | null, lastIp: string | null }> };

export type RevokeSessionMutationVariables = Exact<{
  id: string;
}>;


export type RevokeSessionMutation = { revokeSession: { message: string } };

export type LogoutOtherSessionsMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutOtherSessionsMutation = { logoutEverywhere: { message: string } };

export type MfaStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type MfaStatusQuery = { mfaStatus: { enabled: boolean, enabledAt: string | null, recoveryCodesRemaining: number } };

export type RegenerateRecoveryCodesMutationVariables = Exact<{
  input: PasswordAndCodeInput;
}>;


export type RegenerateRecoveryCodesMutation = { regenerateRecoveryCodes: { codes: Array<string> } };

export type DisableMfaMutationVariables = Exact<{
  input: PasswordAndCodeInput;
}>;


export type DisableMfaMutation = { disableMfa: { message: string } };

export type UpdateMeMutationVariables = Exact<{
  input: UpdateMeInput;
}>;


export type UpdateMeMutation = { updateMe: { id: string, fullName: string | null } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, email: string, fullName: string | null, isActive: boolean, isSuperuser: boolean, mfaEnabled: boolean, emailVerified: boolean, pendingEmail: string | null } };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login:
    | { __typename: 'AccessToken', accessToken: string, expiresIn: number, sessionId: string, securityNotice: string | null }
    | { __typename: 'MfaChallenge', challengeToken: string, expiresAt: string }
   };

export type CompleteMfaLoginMutationVariables = Exact<{
  input: CompleteMfaLoginInput;
}>;


export type CompleteMfaLoginMutation = { completeMfaLogin: { accessToken: string, expiresIn: number, sessionId: string, securityNotice: string | null } };

export type PublicSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type PublicSettingsQuery = { publicSettings: { signupEnabled: boolean, passwordMinLength: number, passwordMaxLength: number, mfaRequiredForSuperusers: boolean, emailVerificationRequired: boolean } };

export type PublicSettingsForAuthTestQueryVariables = Exact<{ [key: string]: never; }>;


export type PublicSettingsForAuthTestQuery = { publicSettings: { signupEnabled: boolean } };

export type RefreshSessionMutationVariables = Exact<{ [key: string]: never; }>;


export type RefreshSessionMutation = { refreshSession: { accessToken: string, expiresIn: number, sessionId: string } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: { message: string } };

export type MfaGuardForTestQueryVariables = Exact<{ [key: string]: never; }>;


export type MfaGuardForTestQuery = { publicSettings: { mfaRequiredForSuperusers: boolean } };

export type PublicSettingsForTestQueryVariables = Exact<{ [key: string]: never; }>;


export type PublicSettingsForTestQuery = { publicSettings: { signupEnabled: boolean } };

export type VerifyEmailMutationVariables = Exact<{
  input: TokenInput;
}>;


export type VerifyEmailMutation = { verifyEmail: { message: string } };

export type ConfirmEmailChangeMutationVariables = Exact<{
  input: TokenInput;
}>;


export type ConfirmEmailChangeMutation = { confirmEmailChange: { message: string } };

export type RecoverPasswordMutationVariables = Exact<{
  input: RecoverPasswordInput;
}>;


export type RecoverPasswordMutation = { recoverPassword: { message: string } };

export type ResetPasswordMutationVariables = Exact<{
  input: ResetPasswordInput;
}>;


export type ResetPasswordMutation = { resetPassword: { message: string } };

export type SignupMutationVariables = Exact<{
  input: SignupInput;
}>;


export type SignupMutation = { signup: { message: string } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SessionFieldsFragmentDoc = new TypedDocumentString(`
    fragment SessionFields on Session {
  id
  current
  createdAt
  lastUsedAt
  expiresAt
  rememberMe
  mfaUsed
  browser
  os
  device
  ip
  lastIp
}
    `, {"fragmentName":"SessionFields"}) as unknown as TypedDocumentString<SessionFieldsFragment, unknown>;
export const CreateUserDocument = new TypedDocumentString(`
    mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<CreateUserMutation, CreateUserMutationVariables>;
export const AuditEventsDocument = new TypedDocumentString(`
    query AuditEvents($offset: Int!, $limit: Int!) {
  auditEvents(offset: $offset, limit: $limit) {
    totalCount
    nodes {
      id
      kind
      actorId
      subjectEmail
      ip
      detail
      createdAt
    }
  }
}
    `) as unknown as TypedDocumentString<AuditEventsQuery, AuditEventsQueryVariables>;
export const DeleteUserDocument = new TypedDocumentString(`
    mutation DeleteUser($id: UUID!) {
  deleteUser(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteUserMutation, DeleteUserMutationVariables>;
export const UpdateUserDocument = new TypedDocumentString(`
    mutation UpdateUser($id: UUID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<UpdateUserMutation, UpdateUserMutationVariables>;
export const SendTestEmailDocument = new TypedDocumentString(`
    mutation SendTestEmail($to: String!) {
  sendTestEmail(to: $to) {
    accepted
    serverReply
    failure
    error
  }
}
    `) as unknown as TypedDocumentString<SendTestEmailMutation, SendTestEmailMutationVariables>;
export const EmailPreviewsDocument = new TypedDocumentString(`
    query EmailPreviews {
  emailPreviews {
    name
    subject
    html
    text
  }
}
    `) as unknown as TypedDocumentString<EmailPreviewsQuery, EmailPreviewsQueryVariables>;
export const ResetUserMfaDocument = new TypedDocumentString(`
    mutation ResetUserMfa($userId: UUID!) {
  resetUserMfa(userId: $userId) {
    message
  }
}
    `) as unknown as TypedDocumentString<ResetUserMfaMutation, ResetUserMfaMutationVariables>;
export const UserSessionsDocument = new TypedDocumentString(`
    query UserSessions($userId: UUID!) {
  userSessions(userId: $userId) {
    ...SessionFields
  }
}
    fragment SessionFields on Session {
  id
  current
  createdAt
  lastUsedAt
  expiresAt
  rememberMe
  mfaUsed
  browser
  os
  device
  ip
  lastIp
}`) as unknown as TypedDocumentString<UserSessionsQuery, UserSessionsQueryVariables>;
export const RevokeUserSessionsDocument = new TypedDocumentString(`
    mutation RevokeUserSessions($userId: UUID!) {
  revokeUserSessions(userId: $userId) {
    message
  }
}
    `) as unknown as TypedDocumentString<RevokeUserSessionsMutation, RevokeUserSessionsMutationVariables>;
export const UsersDocument = new TypedDocumentString(`
    query Users($offset: Int!, $limit: Int!) {
  users(offset: $offset, limit: $limit) {
    totalCount
    nodes {
      id
      email
      fullName
      isActive
      isSuperuser
      mfaEnabled
      emailVerified
    }
  }
}
    `) as unknown as TypedDocumentString<UsersQuery, UsersQueryVariables>;
export const ResendVerificationEmailDocument = new TypedDocumentString(`
    mutation ResendVerificationEmail($input: ResendVerificationInput!) {
  resendVerificationEmail(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<ResendVerificationEmailMutation, ResendVerificationEmailMutationVariables>;
export const CreateItemDocument = new TypedDocumentString(`
    mutation CreateItem($input: CreateItemInput!) {
  createItem(input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<CreateItemMutation, CreateItemMutationVariables>;
export const DeleteItemDocument = new TypedDocumentString(`
    mutation DeleteItem($id: UUID!) {
  deleteItem(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteItemMutation, DeleteItemMutationVariables>;
export const UpdateItemDocument = new TypedDocumentString(`
    mutation UpdateItem($id: UUID!, $input: UpdateItemInput!) {
  updateItem(id: $id, input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<UpdateItemMutation, UpdateItemMutationVariables>;
export const ItemsDocument = new TypedDocumentString(`
    query Items($offset: Int!, $limit: Int!) {
  items(offset: $offset, limit: $limit) {
    totalCount
    nodes {
      id
      title
      description
      createdAt
      owner {
        email
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ItemsQuery, ItemsQueryVariables>;
export const RequestEmailChangeDocument = new TypedDocumentString(`
    mutation RequestEmailChange($input: RequestEmailChangeInput!) {
  requestEmailChange(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<RequestEmailChangeMutation, RequestEmailChangeMutationVariables>;
export const ChangePasswordDocument = new TypedDocumentString(`
    mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<ChangePasswordMutation, ChangePasswordMutationVariables>;
export const DeleteMeDocument = new TypedDocumentString(`
    mutation DeleteMe {
  deleteMe {
    message
  }
}
    `) as unknown as TypedDocumentString<DeleteMeMutation, DeleteMeMutationVariables>;
export const BeginMfaEnrolmentDocument = new TypedDocumentString(`
    mutation BeginMfaEnrolment($input: BeginMfaEnrolmentInput!) {
  beginMfaEnrolment(input: $input) {
    secret
    otpauthUri
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<BeginMfaEnrolmentMutation, BeginMfaEnrolmentMutationVariables>;
export const ConfirmMfaEnrolmentDocument = new TypedDocumentString(`
    mutation ConfirmMfaEnrolment($input: ConfirmMfaEnrolmentInput!) {
  confirmMfaEnrolment(input: $input) {
    codes
  }
}
    `) as unknown as TypedDocumentString<ConfirmMfaEnrolmentMutation, ConfirmMfaEnrolmentMutationVariables>;
export const MySessionsDocument = new TypedDocumentString(`
    query MySessions {
  sessions {
    ...SessionFields
  }
}
    fragment SessionFields on Session {
  id
  current
  createdAt
  lastUsedAt
  expiresAt
  rememberMe
  mfaUsed
  browser
  os
  device
  ip
  lastIp
}`) as unknown as TypedDocumentString<MySessionsQuery, MySessionsQueryVariables>;
export const RevokeSessionDocument = new TypedDocumentString(`
    mutation RevokeSession($id: UUID!) {
  revokeSession(id: $id) {
    message
  }
}
    `) as unknown as TypedDocumentString<RevokeSessionMutation, RevokeSessionMutationVariables>;
export const LogoutOtherSessionsDocument = new TypedDocumentString(`
    mutation LogoutOtherSessions {
  logoutEverywhere(keepCurrent: true) {
    message
  }
}
    `) as unknown as TypedDocumentString<LogoutOtherSessionsMutation, LogoutOtherSessionsMutationVariables>;
export const MfaStatusDocument = new TypedDocumentString(`
    query MfaStatus {
  mfaStatus {
    enabled
    enabledAt
    recoveryCodesRemaining
  }
}
    `) as unknown as TypedDocumentString<MfaStatusQuery, MfaStatusQueryVariables>;
export const RegenerateRecoveryCodesDocument = new TypedDocumentString(`
    mutation RegenerateRecoveryCodes($input: PasswordAndCodeInput!) {
  regenerateRecoveryCodes(input: $input) {
    codes
  }
}
    `) as unknown as TypedDocumentString<RegenerateRecoveryCodesMutation, RegenerateRecoveryCodesMutationVariables>;
export const DisableMfaDocument = new TypedDocumentString(`
    mutation DisableMfa($input: PasswordAndCodeInput!) {
  disableMfa(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<DisableMfaMutation, DisableMfaMutationVariables>;
export const UpdateMeDocument = new TypedDocumentString(`
    mutation UpdateMe($input: UpdateMeInput!) {
  updateMe(input: $input) {
    id
    fullName
  }
}
    `) as unknown as TypedDocumentString<UpdateMeMutation, UpdateMeMutationVariables>;
export const MeDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const LoginDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const CompleteMfaLoginDocument = new TypedDocumentString(`
    mutation CompleteMfaLogin($input: CompleteMfaLoginInput!) {
  completeMfaLogin(input: $input) {
    accessToken
    expiresIn
    sessionId
    securityNotice
  }
}
    `) as unknown as TypedDocumentString<CompleteMfaLoginMutation, CompleteMfaLoginMutationVariables>;
export const PublicSettingsDocument = new TypedDocumentString(`
    query PublicSettings {
  publicSettings {
    signupEnabled
    passwordMinLength
    passwordMaxLength
    mfaRequiredForSuperusers
    emailVerificationRequired
  }
}
    `) as unknown as TypedDocumentString<PublicSettingsQuery, PublicSettingsQueryVariables>;
export const PublicSettingsForAuthTestDocument = new TypedDocumentString(`
    query PublicSettingsForAuthTest {
  publicSettings {
    signupEnabled
  }
}
    `) as unknown as TypedDocumentString<PublicSettingsForAuthTestQuery, PublicSettingsForAuthTestQueryVariables>;
export const RefreshSessionDocument = new TypedDocumentString(`
    mutation RefreshSession {
  refreshSession {
    accessToken
    expiresIn
    sessionId
  }
}
    `) as unknown as TypedDocumentString<RefreshSessionMutation, RefreshSessionMutationVariables>;
export const LogoutDocument = new TypedDocumentString(`
    mutation Logout {
  logout {
    message
  }
}
    `) as unknown as TypedDocumentString<LogoutMutation, LogoutMutationVariables>;
export const MfaGuardForTestDocument = new TypedDocumentString(`
    query MfaGuardForTest {
  publicSettings {
    mfaRequiredForSuperusers
  }
}
    `) as unknown as TypedDocumentString<MfaGuardForTestQuery, MfaGuardForTestQueryVariables>;
export const PublicSettingsForTestDocument = new TypedDocumentString(`
    query PublicSettingsForTest {
  publicSettings {
    signupEnabled
  }
}
    `) as unknown as TypedDocumentString<PublicSettingsForTestQuery, PublicSettingsForTestQueryVariables>;
export const VerifyEmailDocument = new TypedDocumentString(`
    mutation VerifyEmail($input: TokenInput!) {
  verifyEmail(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<VerifyEmailMutation, VerifyEmailMutationVariables>;
export const ConfirmEmailChangeDocument = new TypedDocumentString(`
    mutation ConfirmEmailChange($input: TokenInput!) {
  confirmEmailChange(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<ConfirmEmailChangeMutation, ConfirmEmailChangeMutationVariables>;
export const RecoverPasswordDocument = new TypedDocumentString(`
    mutation RecoverPassword($input: RecoverPasswordInput!) {
  recoverPassword(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<RecoverPasswordMutation, RecoverPasswordMutationVariables>;
export const ResetPasswordDocument = new TypedDocumentString(`
    mutation ResetPassword($input: ResetPasswordInput!) {
  resetPassword(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<ResetPasswordMutation, ResetPasswordMutationVariables>;
export const SignupDocument = new TypedDocumentString(`
    mutation Signup($input: SignupInput!) {
  signup(input: $input) {
    message
  }
}
    `) as unknown as TypedDocumentString<SignupMutation, SignupMutationVariables>;