/** The viewer's sessions (settings); changed by revoking, logging out elsewhere, password changes. */
export const SESSIONS_KEY = ["sessions"] as const;
/** The viewer's MFA state (Settings → Security); changed by enrolling, new codes, turning it off. */
export const MFA_STATUS_KEY = ["mfaStatus"] as const;
