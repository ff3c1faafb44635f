use std::net::IpAddr;

use chrono::Utc;
use entity::audit_event;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::{
    caller::Caller,
    error::AppError,
    pagination::{self, Page},
    state::AppState,
};

/// Event kinds, stored as text so new kinds need no migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    LoginSucceeded,
    LoginFailed,
    PasswordChanged,
    /// A wrong password given to confirm a sensitive change.
    PasswordCheckFailed,
    PasswordResetRequested,
    PasswordReset,
    /// A stored hash of another format or cost replaced at log-in.
    PasswordRehashed,
    UserCreated,
    UserUpdated,
    UserDeleted,
    UserActivated,
    UserDeactivated,
    RoleChanged,
    /// A sign-in opened a session.
    SessionCreated,
    /// A rotated refresh token came back; the session was revoked.
    SessionReuseDetected,
    SessionLogout,
    /// One session ended from the session list.
    SessionRevoked,
    /// Every session (or every other one) of a user ended at once.
    SessionRevokedAll,
    /// A superuser sent the test e-mail (detail: accepted, or the failure).
    TestEmailSent,
    /// A verification link was used (or a reset, welcome or change link
    /// proved the address).
    EmailVerified,
    /// Someone signed up with the address of an existing account; its
    /// owner was e-mailed (detail: whether a recovery link went with it).
    SignupWithExistingEmail,
    /// The user asked to move their account to another address (detail: old → new).
    EmailChangeRequested,
    /// The account's address changed (detail: old → new, and by whom).
    EmailChanged,
    /// A user began enrolling a second factor (a pending secret).
    MfaEnrolmentStarted,
    /// The first code confirmed the enrolment: MFA is on.
    MfaEnabled,
    /// The user turned MFA off (password and a code).
    MfaDisabled,
    /// A superuser removed a user's MFA.
    MfaReset,
    MfaRecoveryCodesRegenerated,
    /// A recovery code was spent (detail: what for, how many are left).
    MfaRecoveryCodeUsed,
    /// A wrong, replayed or malformed second-factor code (detail: what for).
    MfaCodeFailed,
    /// A correct password of an account with MFA: a challenge, no session yet.
    MfaChallengeIssued,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LoginSucceeded => "login.succeeded",
            Kind::LoginFailed => "login.failed",
            Kind::PasswordChanged => "password.changed",
            Kind::PasswordCheckFailed => "password.check_failed",
            Kind::PasswordResetRequested => "password.reset_requested",
            Kind::PasswordReset => "password.reset",
            Kind::PasswordRehashed => "password.rehashed",
            Kind::UserCreated => "user.created",
            Kind::UserUpdated => "user.updated",
            Kind::UserDeleted => "user.deleted",
            Kind::UserActivated => "user.activated",
            Kind::UserDeactivated => "user.deactivated",
            Kind::RoleChanged => "user.role_changed",
            Kind::SessionCreated => "session.created",
            Kind::SessionReuseDetected => "session.reuse_detected",
            Kind::SessionLogout => "session.logout",
            Kind::SessionRevoked => "session.revoked",
            Kind::SessionRevokedAll => "session.revoked_all",
            Kind::TestEmailSent => "email.test_sent",
            Kind::EmailVerified => "email.verified",
            Kind::SignupWithExistingEmail => "signup.existing_email",
            Kind::EmailChangeRequested => "email.change_requested",
            Kind::EmailChanged => "email.changed",
            Kind::MfaEnrolmentStarted => "mfa.enrolment_started",
            Kind::MfaEnabled => "mfa.enabled",
            Kind::MfaDisabled => "mfa.disabled",
            Kind::MfaReset => "mfa.reset",
            Kind::MfaRecoveryCodesRegenerated => "mfa.recovery_codes_regenerated",
            Kind::MfaRecoveryCodeUsed => "mfa.recovery_code_used",
            Kind::MfaCodeFailed => "mfa.code_failed",
            Kind::MfaChallengeIssued => "mfa.challenge_issued",
        }
    }
}

#[derive(Debug, Default)]
pub struct AuditEntry<'a> {
    pub actor: Option<Uuid>,
    pub subject: Option<Uuid>,
    pub subject_email: Option<&'a str>,
    pub ip: Option<IpAddr>,
    pub detail: Option<&'a str>,
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    kind: Kind,
    entry: AuditEntry<'_>,
) -> Result<(), AppError> {
    let event = audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.as_str().to_owned()),
        actor_id: Set(entry.actor),
        subject_id: Set(entry.subject),
        subject_email: Set(entry.subject_email.map(|e| truncate(e, 255))),
        ip: Set(entry.ip.map(|ip| ip.to_string())),
        detail: Set(entry.detail.map(|d| truncate(d, 1024))),
        created_at: Set(Utc::now()),
    };
    // Nothing is read back: no RETURNING, and no re-select on SQLite.
    audit_event::Entity::insert(event)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Security events, newest first. Superusers only.
#[tracing::instrument(name = "audit.list", skip_all)]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    page: Page,
) -> Result<(Vec<audit_event::Model>, u64), AppError> {
    caller.superuser()?;
    let (created_at, id) = (audit_event::Column::CreatedAt, audit_event::Column::Id);
    pagination::newest_first(&state.db, audit_event::Entity::find(), created_at, id, page).await
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
