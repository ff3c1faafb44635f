//! Checking a second-factor code for a user, with the protections every
//! caller needs: the account's login throttle (a locked account is refused
//! without checking; a wrong code counts like a wrong password), replay
//! refusal, lazy re-encryption after a key rotation, and the audit trail.

use chrono::{DateTime, Utc};
use entity::user;

use super::{
    cipher,
    code::{self, Code},
    recovery, store, totp,
};
use crate::{
    audit::{self, AuditEntry, Kind},
    error::AppError,
    state::AppState,
    throttle::{self, account_key},
};

/// Which kinds of code a check accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    TotpOnly,
    TotpOrRecovery,
}

/// How a check passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passed {
    Totp,
    /// A recovery code, with how many are left.
    Recovery {
        left: u64,
    },
}

pub const WRONG_CODE: &str = "The code is not correct, or it was already used.";

/// Where the check comes from, for the audit entry and the client IP.
pub struct Context<'a> {
    pub ip: Option<std::net::IpAddr>,
    pub purpose: &'static str,
    pub field: &'static str,
    pub actor: Option<uuid::Uuid>,
    pub user: &'a user::Model,
}

/// Checks `input` for `ctx.user`, whose MFA must be on. Wrong, replayed or
/// malformed codes are all `BAD_USER_INPUT` on `ctx.field` with one
/// message, after counting toward the account's throttle.
pub async fn check(
    state: &AppState,
    ctx: &Context<'_>,
    input: &str,
    accept: Accept,
) -> Result<Passed, AppError> {
    guard(state, ctx, |now| {
        try_code(state, ctx.user, input, accept, now)
    })
    .await
}

/// Runs one code check under the account's throttle: refused unchecked
/// while the account is locked; a failure (`Ok(None)`) counts like a
/// wrong password and is audited; a recovery code's use is audited and
/// e-mailed to the owner.
pub async fn guard<F, Fut>(
    state: &AppState,
    ctx: &Context<'_>,
    attempt: F,
) -> Result<Passed, AppError>
where
    F: FnOnce(DateTime<Utc>) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Passed>, AppError>>,
{
    let now = Utc::now();
    let key = account_key(&ctx.user.email);
    let account = throttle::login_account(&state.db, &key, now).await?;
    crate::metrics::throttle_decision("login-account", account.locked);
    if account.locked {
        return Err(throttle::rate_limited(account.retry_after));
    }
    match attempt(now).await? {
        Some(passed) => {
            if account.has_failures {
                throttle::record_login_success(&state.db, &key, now).await?;
            }
            if let Passed::Recovery { left } = passed {
                let detail = format!("{}; {left} left", ctx.purpose);
                audit::record(
                    &state.db,
                    Kind::MfaRecoveryCodeUsed,
                    entry(ctx, Some(&detail)),
                )
                .await?;
                state.mailer.send_recovery_code_used(ctx.user, left);
            }
            Ok(passed)
        }
        None => {
            throttle::record_login_failure(&state.db, &key, &state.config.throttle, now).await?;
            audit::record(
                &state.db,
                Kind::MfaCodeFailed,
                entry(ctx, Some(ctx.purpose)),
            )
            .await?;
            Err(AppError::bad_input(ctx.field, WRONG_CODE))
        }
    }
}

fn entry<'a>(ctx: &'a Context<'_>, detail: Option<&'a str>) -> AuditEntry<'a> {
    AuditEntry {
        actor: ctx.actor,
        subject: Some(ctx.user.id),
        subject_email: Some(&ctx.user.email),
        ip: ctx.ip,
        detail,
    }
}

async fn try_code(
    state: &AppState,
    user: &user::Model,
    input: &str,
    accept: Accept,
    now: DateTime<Utc>,
) -> Result<Option<Passed>, AppError> {
    match code::parse(input) {
        Some(Code::Totp(code)) => Ok(check_totp(state, user, &code, now)
            .await?
            .then_some(Passed::Totp)),
        Some(Code::Recovery(code)) if accept == Accept::TotpOrRecovery => {
            let hashes = recovery::candidates(&state.config.mfa, user.id, &code);
            if store::spend_recovery_code(&state.db, user.id, hashes, now).await? {
                let left = store::recovery_codes_left(&state.db, user.id).await?;
                Ok(Some(Passed::Recovery { left }))
            } else {
                Ok(None)
            }
        }
        _ => Ok(None),
    }
}

/// The code is valid within ±1 step and its step is later than any used
/// before (recorded atomically, so a replay or a concurrent second use of
/// the same code fails).
async fn check_totp(
    state: &AppState,
    user: &user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(row) = store::find(&state.db, user.id).await? else {
        return Ok(false);
    };
    let Some(sealed) = store::enabled_secret(&row) else {
        return Ok(false);
    };
    let opened = cipher::open(&state.config.mfa, user.id, &sealed)?;
    let unix = u64::try_from(now.timestamp()).unwrap_or_default();
    let Some(step) = totp::matching_step(&opened.secret, code, unix)? else {
        return Ok(false);
    };
    if !store::accept_step(&state.db, user.id, step, now).await? {
        return Ok(false);
    }
    if opened.stale_key {
        // Rotation: a secret still under a previous key is re-encrypted
        // with the current one at its first successful use.
        let fresh = cipher::seal(&state.config.mfa, user.id, &opened.secret)?;
        store::reseal(&state.db, store::Slot::Enabled, user.id, &sealed, &fresh).await?;
    }
    Ok(true)
}
