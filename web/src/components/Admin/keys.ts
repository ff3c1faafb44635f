// Query keys of the admin lists: mutations invalidate what they change.
export const USERS_KEY = ["users"] as const;
export const AUDIT_KEY = ["auditEvents"] as const;
/** One user's sessions: `[...USER_SESSIONS_KEY, userId]`. */
export const USER_SESSIONS_KEY = ["userSessions"] as const;
export const EMAIL_PREVIEWS_KEY = ["emailPreviews"] as const;
