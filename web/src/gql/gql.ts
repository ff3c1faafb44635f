/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n    }\n  }\n": typeof types.CreateUserDocument,
    "\n  query AuditEvents($offset: Int!, $limit: Int!) {\n    auditEvents(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        kind\n        actorId\n        subjectEmail\n        ip\n        detail\n        createdAt\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  mutation DeleteUser($id: UUID!) {\n    deleteUser(id: $id)\n  }\n": typeof types.DeleteUserDocument,
    "\n  mutation UpdateUser($id: UUID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      id\n    }\n  }\n": typeof types.UpdateUserDocument,
    "\n  mutation SendTestEmail($to: String!) {\n    sendTestEmail(to: $to) {\n      accepted\n      serverReply\n      failure\n      error\n    }\n  }\n": typeof types.SendTestEmailDocument,
    "\n  query EmailPreviews {\n    emailPreviews {\n      name\n      subject\n      html\n      text\n    }\n  }\n": typeof types.EmailPreviewsDocument,
    "\n  mutation ResetUserMfa($userId: UUID!) {\n    resetUserMfa(userId: $userId) {\n      message\n    }\n  }\n": typeof types.ResetUserMfaDocument,
    "\n  query UserSessions($userId: UUID!) {\n    userSessions(userId: $userId) {\n      ...SessionFields\n    }\n  }\n": typeof types.UserSessionsDocument,
    "\n  mutation RevokeUserSessions($userId: UUID!) {\n    revokeUserSessions(userId: $userId) {\n      message\n    }\n  }\n": typeof types.RevokeUserSessionsDocument,
    "\n  query Users($offset: Int!, $limit: Int!) {\n    users(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        email\n        fullName\n        isActive\n        isSuperuser\n        mfaEnabled\n        emailVerified\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation ResendVerificationEmail($input: ResendVerificationInput!) {\n    resendVerificationEmail(input: $input) {\n      message\n    }\n  }\n": typeof types.ResendVerificationEmailDocument,
    "\n  mutation CreateItem($input: CreateItemInput!) {\n    createItem(input: $input) {\n      id\n    }\n  }\n": typeof types.CreateItemDocument,
    "\n  mutation DeleteItem($id: UUID!) {\n    deleteItem(id: $id)\n  }\n": typeof types.DeleteItemDocument,
    "\n  mutation UpdateItem($id: UUID!, $input: UpdateItemInput!) {\n    updateItem(id: $id, input: $input) {\n      id\n    }\n  }\n": typeof types.UpdateItemDocument,
    "\n  query Items($offset: Int!, $limit: Int!) {\n    items(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        title\n        description\n        createdAt\n        owner {\n          email\n        }\n      }\n    }\n  }\n": typeof types.ItemsDocument,
    "\n  fragment SessionFields on Session {\n    id\n    current\n    createdAt\n    lastUsedAt\n    expiresAt\n    rememberMe\n    mfaUsed\n    browser\n    os\n    device\n    ip\n    lastIp\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation RequestEmailChange($input: RequestEmailChangeInput!) {\n    requestEmailChange(input: $input) {\n      message\n    }\n  }\n": typeof types.RequestEmailChangeDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      message\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation DeleteMe {\n    deleteMe {\n      message\n    }\n  }\n": typeof types.DeleteMeDocument,
    "\n  mutation BeginMfaEnrolment($input: BeginMfaEnrolmentInput!) {\n    beginMfaEnrolment(input: $input) {\n      secret\n      otpauthUri\n      expiresAt\n    }\n  }\n": typeof types.BeginMfaEnrolmentDocument,
    "\n  mutation ConfirmMfaEnrolment($input: ConfirmMfaEnrolmentInput!) {\n    confirmMfaEnrolment(input: $input) {\n      codes\n    }\n  }\n": typeof types.ConfirmMfaEnrolmentDocument,
    "\n  query MySessions {\n    sessions {\n      ...SessionFields\n    }\n  }\n": typeof types.MySessionsDocument,
    "\n  mutation RevokeSession($id: UUID!) {\n    revokeSession(id: $id) {\n      message\n    }\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation LogoutOtherSessions {\n    logoutEverywhere(keepCurrent: true) {\n      message\n    }\n  }\n": typeof types.LogoutOtherSessionsDocument,
    "\n  query MfaStatus {\n    mfaStatus {\n      enabled\n      enabledAt\n      recoveryCodesRemaining\n    }\n  }\n": typeof types.MfaStatusDocument,
    "\n  mutation RegenerateRecoveryCodes($input: PasswordAndCodeInput!) {\n    regenerateRecoveryCodes(input: $input) {\n      codes\n    }\n  }\n": typeof types.RegenerateRecoveryCodesDocument,
    "\n  mutation DisableMfa($input: PasswordAndCodeInput!) {\n    disableMfa(input: $input) {\n      message\n    }\n  }\n": typeof types.DisableMfaDocument,
    "\n  mutation UpdateMe($input: UpdateMeInput!) {\n    updateMe(input: $input) {\n      id\n      fullName\n    }\n  }\n": typeof types.UpdateMeDocument,
    "\n  query Me {\n    me {\n      id\n      email\n      fullName\n      isActive\n      isSuperuser\n      mfaEnabled\n      emailVerified\n      pendingEmail\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      __typename\n      ... on AccessToken {\n        accessToken\n        expiresIn\n        sessionId\n        securityNotice\n      }\n      ... on MfaChallenge {\n        challengeToken\n        expiresAt\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation CompleteMfaLogin($input: CompleteMfaLoginInput!) {\n    completeMfaLogin(input: $input) {\n      accessToken\n      expiresIn\n      sessionId\n      securityNotice\n    }\n  }\n": typeof types.CompleteMfaLoginDocument,
    "\n  query PublicSettings {\n    publicSettings {\n      signupEnabled\n      passwordMinLength\n      passwordMaxLength\n      mfaRequiredForSuperusers\n      emailVerificationRequired\n    }\n  }\n": typeof types.PublicSettingsDocument,
    "\n  query PublicSettingsForAuthTest {\n    publicSettings {\n      signupEnabled\n    }\n  }\n": typeof types.PublicSettingsForAuthTestDocument,
    "\n  mutation RefreshSession {\n    refreshSession {\n      accessToken\n      expiresIn\n      sessionId\n    }\n  }\n": typeof types.RefreshSessionDocument,
    "\n  mutation Logout {\n    logout {\n      message\n    }\n  }\n": typeof types.LogoutDocument,
    "\n  query MfaGuardForTest {\n    publicSettings {\n      mfaRequiredForSuperusers\n    }\n  }\n": typeof types.MfaGuardForTestDocument,
    "\n  query PublicSettingsForTest {\n    publicSettings {\n      signupEnabled\n    }\n  }\n": typeof types.PublicSettingsForTestDocument,
    "\n  mutation VerifyEmail($input: TokenInput!) {\n    verifyEmail(input: $input) {\n      message\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation ConfirmEmailChange($input: TokenInput!) {\n    confirmEmailChange(input: $input) {\n      message\n    }\n  }\n": typeof types.ConfirmEmailChangeDocument,
    "\n  mutation RecoverPassword($input: RecoverPasswordInput!) {\n    recoverPassword(input: $input) {\n      message\n    }\n  }\n": typeof types.RecoverPasswordDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      message\n    }\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation Signup($input: SignupInput!) {\n    signup(input: $input) {\n      message\n    }\n  }\n": typeof types.SignupDocument,
};
const documents: Documents = {
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n    }\n  }\n": types.CreateUserDocument,
    "\n  query AuditEvents($offset: Int!, $limit: Int!) {\n    auditEvents(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        kind\n        actorId\n        subjectEmail\n        ip\n        detail\n        createdAt\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  mutation DeleteUser($id: UUID!) {\n    deleteUser(id: $id)\n  }\n": types.DeleteUserDocument,
    "\n  mutation UpdateUser($id: UUID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      id\n    }\n  }\n": types.UpdateUserDocument,
    "\n  mutation SendTestEmail($to: String!) {\n    sendTestEmail(to: $to) {\n      accepted\n      serverReply\n      failure\n      error\n    }\n  }\n": types.SendTestEmailDocument,
    "\n  query EmailPreviews {\n    emailPreviews {\n      name\n      subject\n      html\n      text\n    }\n  }\n": types.EmailPreviewsDocument,
    "\n  mutation ResetUserMfa($userId: UUID!) {\n    resetUserMfa(userId: $userId) {\n      message\n    }\n  }\n": types.ResetUserMfaDocument,
    "\n  query UserSessions($userId: UUID!) {\n    userSessions(userId: $userId) {\n      ...SessionFields\n    }\n  }\n": types.UserSessionsDocument,
    "\n  mutation RevokeUserSessions($userId: UUID!) {\n    revokeUserSessions(userId: $userId) {\n      message\n    }\n  }\n": types.RevokeUserSessionsDocument,
    "\n  query Users($offset: Int!, $limit: Int!) {\n    users(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        email\n        fullName\n        isActive\n        isSuperuser\n        mfaEnabled\n        emailVerified\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  mutation ResendVerificationEmail($input: ResendVerificationInput!) {\n    resendVerificationEmail(input: $input) {\n      message\n    }\n  }\n": types.ResendVerificationEmailDocument,
    "\n  mutation CreateItem($input: CreateItemInput!) {\n    createItem(input: $input) {\n      id\n    }\n  }\n": types.CreateItemDocument,
    "\n  mutation DeleteItem($id: UUID!) {\n    deleteItem(id: $id)\n  }\n": types.DeleteItemDocument,
    "\n  mutation UpdateItem($id: UUID!, $input: UpdateItemInput!) {\n    updateItem(id: $id, input: $input) {\n      id\n    }\n  }\n": types.UpdateItemDocument,
    "\n  query Items($offset: Int!, $limit: Int!) {\n    items(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        title\n        description\n        createdAt\n        owner {\n          email\n        }\n      }\n    }\n  }\n": types.ItemsDocument,
    "\n  fragment SessionFields on Session {\n    id\n    current\n    createdAt\n    lastUsedAt\n    expiresAt\n    rememberMe\n    mfaUsed\n    browser\n    os\n    device\n    ip\n    lastIp\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation RequestEmailChange($input: RequestEmailChangeInput!) {\n    requestEmailChange(input: $input) {\n      message\n    }\n  }\n": types.RequestEmailChangeDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      message\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation DeleteMe {\n    deleteMe {\n      message\n    }\n  }\n": types.DeleteMeDocument,
    "\n  mutation BeginMfaEnrolment($input: BeginMfaEnrolmentInput!) {\n    beginMfaEnrolment(input: $input) {\n      secret\n      otpauthUri\n      expiresAt\n    }\n  }\n": types.BeginMfaEnrolmentDocument,
    "\n  mutation ConfirmMfaEnrolment($input: ConfirmMfaEnrolmentInput!) {\n    confirmMfaEnrolment(input: $input) {\n      codes\n    }\n  }\n": types.ConfirmMfaEnrolmentDocument,
    "\n  query MySessions {\n    sessions {\n      ...SessionFields\n    }\n  }\n": types.MySessionsDocument,
    "\n  mutation RevokeSession($id: UUID!) {\n    revokeSession(id: $id) {\n      message\n    }\n  }\n": types.RevokeSessionDocument,
    "\n  mutation LogoutOtherSessions {\n    logoutEverywhere(keepCurrent: true) {\n      message\n    }\n  }\n": types.LogoutOtherSessionsDocument,
    "\n  query MfaStatus {\n    mfaStatus {\n      enabled\n      enabledAt\n      recoveryCodesRemaining\n    }\n  }\n": types.MfaStatusDocument,
    "\n  mutation RegenerateRecoveryCodes($input: PasswordAndCodeInput!) {\n    regenerateRecoveryCodes(input: $input) {\n      codes\n    }\n  }\n": types.RegenerateRecoveryCodesDocument,
    "\n  mutation DisableMfa($input: PasswordAndCodeInput!) {\n    disableMfa(input: $input) {\n      message\n    }\n  }\n": types.DisableMfaDocument,
    "\n  mutation UpdateMe($input: UpdateMeInput!) {\n    updateMe(input: $input) {\n      id\n      fullName\n    }\n  }\n": types.UpdateMeDocument,
    "\n  query Me {\n    me {\n      id\n      email\n      fullName\n      isActive\n      isSuperuser\n      mfaEnabled\n      emailVerified\n      pendingEmail\n    }\n  }\n": types.MeDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      __typename\n      ... on AccessToken {\n        accessToken\n        expiresIn\n        sessionId\n        securityNotice\n      }\n      ... on MfaChallenge {\n        challengeToken\n        expiresAt\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  mutation CompleteMfaLogin($input: CompleteMfaLoginInput!) {\n    completeMfaLogin(input: $input) {\n      accessToken\n      expiresIn\n      sessionId\n      securityNotice\n    }\n  }\n": types.CompleteMfaLoginDocument,
    "\n  query PublicSettings {\n    publicSettings {\n      signupEnabled\n      passwordMinLength\n      passwordMaxLength\n      mfaRequiredForSuperusers\n      emailVerificationRequired\n    }\n  }\n": types.PublicSettingsDocument,
    "\n  query PublicSettingsForAuthTest {\n    publicSettings {\n      signupEnabled\n    }\n  }\n": types.PublicSettingsForAuthTestDocument,
    "\n  mutation RefreshSession {\n    refreshSession {\n      accessToken\n      expiresIn\n      sessionId\n    }\n  }\n": types.RefreshSessionDocument,
    "\n  mutation Logout {\n    logout {\n      message\n    }\n  }\n": types.LogoutDocument,
    "\n  query MfaGuardForTest {\n    publicSettings {\n      mfaRequiredForSuperusers\n    }\n  }\n": types.MfaGuardForTestDocument,
    "\n  query PublicSettingsForTest {\n    publicSettings {\n      signupEnabled\n    }\n  }\n": types.PublicSettingsForTestDocument,
    "\n  mutation VerifyEmail($input: TokenInput!) {\n    verifyEmail(input: $input) {\n      message\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation ConfirmEmailChange($input: TokenInput!) {\n    confirmEmailChange(input: $input) {\n      message\n    }\n  }\n": types.ConfirmEmailChangeDocument,
    "\n  mutation RecoverPassword($input: RecoverPasswordInput!) {\n    recoverPassword(input: $input) {\n      message\n    }\n  }\n": types.RecoverPasswordDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      message\n    }\n  }\n": types.ResetPasswordDocument,
    "\n  mutation Signup($input: SignupInput!) {\n    signup(input: $input) {\n      message\n    }\n  }\n": types.SignupDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n    }\n  }\n"): typeof import('./graphql').CreateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($offset: Int!, $limit: Int!) {\n    auditEvents(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        kind\n        actorId\n        subjectEmail\n        ip\n        detail\n        createdAt\n      }\n    }\n  }\n"): typeof import('./graphql').AuditEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteUser($id: UUID!) {\n    deleteUser(id: $id)\n  }\n"): typeof import('./graphql').DeleteUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateUser($id: UUID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      id\n    }\n  }\n"): typeof import('./graphql').UpdateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendTestEmail($to: String!) {\n    sendTestEmail(to: $to) {\n      accepted\n      serverReply\n      failure\n      error\n    }\n  }\n"): typeof import('./graphql').SendTestEmailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EmailPreviews {\n    emailPreviews {\n      name\n      subject\n      html\n      text\n    }\n  }\n"): typeof import('./graphql').EmailPreviewsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetUserMfa($userId: UUID!) {\n    resetUserMfa(userId: $userId) {\n      message\n    }\n  }\n"): typeof import('./graphql').ResetUserMfaDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserSessions($userId: UUID!) {\n    userSessions(userId: $userId) {\n      ...SessionFields\n    }\n  }\n"): typeof import('./graphql').UserSessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeUserSessions($userId: UUID!) {\n    revokeUserSessions(userId: $userId) {\n      message\n    }\n  }\n"): typeof import('./graphql').RevokeUserSessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($offset: Int!, $limit: Int!) {\n    users(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        email\n        fullName\n        isActive\n        isSuperuser\n        mfaEnabled\n        emailVerified\n      }\n    }\n  }\n"): typeof import('./graphql').UsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendVerificationEmail($input: ResendVerificationInput!) {\n    resendVerificationEmail(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').ResendVerificationEmailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateItem($input: CreateItemInput!) {\n    createItem(input: $input) {\n      id\n    }\n  }\n"): typeof import('./graphql').CreateItemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteItem($id: UUID!) {\n    deleteItem(id: $id)\n  }\n"): typeof import('./graphql').DeleteItemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateItem($id: UUID!, $input: UpdateItemInput!) {\n    updateItem(id: $id, input: $input) {\n      id\n    }\n  }\n"): typeof import('./graphql').UpdateItemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Items($offset: Int!, $limit: Int!) {\n    items(offset: $offset, limit: $limit) {\n      totalCount\n      nodes {\n        id\n        title\n        description\n        createdAt\n        owner {\n          email\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ItemsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionFields on Session {\n    id\n    current\n    createdAt\n    lastUsedAt\n    expiresAt\n    rememberMe\n    mfaUsed\n    browser\n    os\n    device\n    ip\n    lastIp\n  }\n"): typeof import('./graphql').SessionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestEmailChange($input: RequestEmailChangeInput!) {\n    requestEmailChange(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').RequestEmailChangeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').ChangePasswordDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteMe {\n    deleteMe {\n      message\n    }\n  }\n"): typeof import('./graphql').DeleteMeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BeginMfaEnrolment($input: BeginMfaEnrolmentInput!) {\n    beginMfaEnrolment(input: $input) {\n      secret\n      otpauthUri\n      expiresAt\n    }\n  }\n"): typeof import('./graphql').BeginMfaEnrolmentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmMfaEnrolment($input: ConfirmMfaEnrolmentInput!) {\n    confirmMfaEnrolment(input: $input) {\n      codes\n    }\n  }\n"): typeof import('./graphql').ConfirmMfaEnrolmentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySessions {\n    sessions {\n      ...SessionFields\n    }\n  }\n"): typeof import('./graphql').MySessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: UUID!) {\n    revokeSession(id: $id) {\n      message\n    }\n  }\n"): typeof import('./graphql').RevokeSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogoutOtherSessions {\n    logoutEverywhere(keepCurrent: true) {\n      message\n    }\n  }\n"): typeof import('./graphql').LogoutOtherSessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MfaStatus {\n    mfaStatus {\n      enabled\n      enabledAt\n      recoveryCodesRemaining\n    }\n  }\n"): typeof import('./graphql').MfaStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegenerateRecoveryCodes($input: PasswordAndCodeInput!) {\n    regenerateRecoveryCodes(input: $input) {\n      codes\n    }\n  }\n"): typeof import('./graphql').RegenerateRecoveryCodesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableMfa($input: PasswordAndCodeInput!) {\n    disableMfa(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').DisableMfaDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMe($input: UpdateMeInput!) {\n    updateMe(input: $input) {\n      id\n      fullName\n    }\n  }\n"): typeof import('./graphql').UpdateMeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      email\n      fullName\n      isActive\n      isSuperuser\n      mfaEnabled\n      emailVerified\n      pendingEmail\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      __typename\n      ... on AccessToken {\n        accessToken\n        expiresIn\n        sessionId\n        securityNotice\n      }\n      ... on MfaChallenge {\n        challengeToken\n        expiresAt\n      }\n    }\n  }\n"): typeof import('./graphql').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteMfaLogin($input: CompleteMfaLoginInput!) {\n    completeMfaLogin(input: $input) {\n      accessToken\n      expiresIn\n      sessionId\n      securityNotice\n    }\n  }\n"): typeof import('./graphql').CompleteMfaLoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PublicSettings {\n    publicSettings {\n      signupEnabled\n      passwordMinLength\n      passwordMaxLength\n      mfaRequiredForSuperusers\n      emailVerificationRequired\n    }\n  }\n"): typeof import('./graphql').PublicSettingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PublicSettingsForAuthTest {\n    publicSettings {\n      signupEnabled\n    }\n  }\n"): typeof import('./graphql').PublicSettingsForAuthTestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshSession {\n    refreshSession {\n      accessToken\n      expiresIn\n      sessionId\n    }\n  }\n"): typeof import('./graphql').RefreshSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout {\n      message\n    }\n  }\n"): typeof import('./graphql').LogoutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MfaGuardForTest {\n    publicSettings {\n      mfaRequiredForSuperusers\n    }\n  }\n"): typeof import('./graphql').MfaGuardForTestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PublicSettingsForTest {\n    publicSettings {\n      signupEnabled\n    }\n  }\n"): typeof import('./graphql').PublicSettingsForTestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($input: TokenInput!) {\n    verifyEmail(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').VerifyEmailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmEmailChange($input: TokenInput!) {\n    confirmEmailChange(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').ConfirmEmailChangeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecoverPassword($input: RecoverPasswordInput!) {\n    recoverPassword(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').RecoverPasswordDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').ResetPasswordDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Signup($input: SignupInput!) {\n    signup(input: $input) {\n      message\n    }\n  }\n"): typeof import('./graphql').SignupDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
