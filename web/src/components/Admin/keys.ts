// Query keys of the admin lists: mutations invalidate what they change.
export const USERS_KEY = ["users"] as const;
export const AUDIT_KEY = ["auditEvents"] as const;
export const EMAIL_PREVIEWS_KEY = ["emailPreviews"] as const;
