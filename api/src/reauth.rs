//! Re-authentication before a sensitive change: the signed-in user types
//! their password again. Below `auth` and `mfa` so both can ask for it
//! (enrolling a second factor needs the password; so does changing it).

use chrono::Utc;

use crate::{
    audit::{self, AuditEntry, Kind},
    caller::Caller,
    error::AppError,
    state::AppState,
    throttle::{self, account_key},
};

/// Confirms the signed-in user's password before a sensitive change. A
/// wrong one counts toward the same per-account backoff and hourly cap as a
/// failed login and is audited, so that a stolen access token is not a free
/// password-guessing oracle; while the account is locked nothing is checked.
pub async fn confirm_password(
    state: &AppState,
    caller: &Caller,
    field: &'static str,
    password: &str,
    purpose: &'static str,
) -> Result<(), AppError> {
    let user = &caller.viewer()?.user;
    let turn = state.hasher.reserve()?;
    let now = Utc::now();
    let key = account_key(&user.email);
    let account = throttle::login_account(&state.db, &key, now).await?;
    if account.locked {
        return Err(throttle::rate_limited(account.retry_after));
    }
    if state
        .hasher
        .verify_in(turn, password, Some(&user.password_hash))
        .await?
    {
        if account.has_failures {
            throttle::record_login_success(&state.db, &key, now).await?;
        }
        return Ok(());
    }
    throttle::record_login_failure(&state.db, &key, &state.config.throttle, now).await?;
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail: Some(purpose),
    };
    audit::record(&state.db, Kind::PasswordCheckFailed, entry).await?;
    Err(AppError::bad_input(
        field,
        "The current password is not correct.",
    ))
}
