// Query keys of the admin lists: mutations invalidate what they change.
export const USERS_KEY = ["users"] as const;
export const AUDIT_KEY = ["auditEvents"] as const;
