/** The viewer's sessions (settings); changed by revoking, logging out elsewhere, password changes. */
export const SESSIONS_KEY = ["sessions"] as const;
