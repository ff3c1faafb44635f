//! The second factor's operations, as plain functions over the state, the
//! caller and the input: enrol (begin, confirm), regenerate recovery
//! codes, disable, a superuser's reset, the viewer's status, and the check
//! other domains make before a sensitive change (`confirm_code`).

use chrono::{DateTime, TimeDelta, Utc};
use entity::user;
use sea_orm::{EntityTrait, TransactionTrait};
use uuid::Uuid;

use super::{
    cipher,
    code::{self, Code},
    recovery, store, totp,
    verify::{self, Accept, Context, Passed},
};
use crate::{
    audit::{self, AuditEntry, Kind},
    caller::{Caller, Viewer},
    error::AppError,
    reauth::confirm_password,
    sessions::{self, Reason},
    state::AppState,
};

/// The check other domains make before a sensitive change (the e-mail
/// change): passes when the viewer has no MFA; otherwise `code` must be a
/// current TOTP code (not a recovery code: someone without their app who
/// wants to move the account elsewhere should not be able to), checked
/// with the account's throttle and replay refusal. A missing code is
/// `BAD_USER_INPUT` on `field` without counting as a failure.
pub async fn confirm_code(
    state: &AppState,
    caller: &Caller,
    field: &'static str,
    code: Option<&str>,
) -> Result<(), AppError> {
    let viewer = caller.viewer()?;
    // Read with the viewer on this request (the per-request user statement
    // joins it), so a change without MFA costs no extra query.
    if !viewer.mfa_enabled {
        return Ok(());
    }
    let user = &viewer.user;
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Err(AppError::bad_input(
            field,
            "Enter the current code from your authenticator app.",
        ));
    };
    let ctx = own(caller, user, field, "confirm a change");
    verify::check(state, &ctx, code, Accept::TotpOnly).await?;
    Ok(())
}

fn own<'a>(
    caller: &Caller,
    user: &'a user::Model,
    field: &'static str,
    purpose: &'static str,
) -> Context<'a> {
    Context {
        ip: caller.ip,
        purpose,
        field,
        actor: Some(user.id),
        user,
    }
}

fn own_entry<'a>(
    caller: &Caller,
    user: &'a user::Model,
    detail: Option<&'a str>,
) -> AuditEntry<'a> {
    AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail,
    }
}

fn already_on() -> AppError {
    AppError::conflict(
        "password",
        "Two-step sign-in is already on. Turn it off first to set up another app.",
    )
}

fn not_on() -> AppError {
    AppError::bad_input("code", "Two-step sign-in is not on for this account.")
}

/// What a begun enrolment shows once: the secret for manual entry and the
/// `otpauth://` URI for the QR code.
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub expires_at: DateTime<Utc>,
}

/// Step 1: the password again, then a new secret, pending until a first
/// code confirms it (replacing an earlier pending one). Open to every
/// signed-in user, superusers without MFA included (they must be able to
/// comply with `MFA_REQUIRED_FOR_SUPERUSERS`).
#[tracing::instrument(name = "mfa.begin_enrolment", skip_all)]
pub async fn begin_enrolment(
    state: &AppState,
    caller: &Caller,
    password: &str,
) -> Result<Enrolment, AppError> {
    let user = &caller.viewer()?.user;
    confirm_password(state, caller, "password", password, "begin MFA enrolment").await?;
    if store::is_enabled(&state.db, user.id).await? {
        return Err(already_on());
    }
    let now = Utc::now();
    let expires_at = now + delta(state.config.mfa.enrolment_ttl);
    let secret = totp::new_secret();
    let sealed = cipher::seal(&state.config.mfa, user.id, &secret)?;
    let txn = state.db.begin().await?;
    store::set_pending(&txn, user.id, sealed, expires_at, now).await?;
    audit::record(
        &txn,
        Kind::MfaEnrolmentStarted,
        own_entry(caller, user, None),
    )
    .await?;
    txn.commit().await?;
    Ok(Enrolment {
        secret: totp::base32(&secret),
        otpauth_uri: totp::otpauth_uri(&user.email, &secret),
        expires_at,
    })
}

fn delta(duration: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// Step 2: the first code from the app turns MFA on, ends every other
/// session, and returns ten recovery codes (shown once). A wrong first
/// code counts toward the account's throttle like any wrong code.
#[tracing::instrument(name = "mfa.confirm_enrolment", skip_all)]
pub async fn confirm_enrolment(
    state: &AppState,
    caller: &Caller,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let viewer = caller.viewer()?;
    let user = &viewer.user;
    let now = Utc::now();
    let row = store::find(&state.db, user.id).await?;
    if row.as_ref().is_some_and(|row| row.enabled_at.is_some()) {
        return Err(already_on());
    }
    let Some(pending) = row.as_ref().and_then(|row| store::pending_secret(row, now)) else {
        return Err(AppError::bad_input(
            "code",
            "Start the set-up again: it was not begun or it expired.",
        ));
    };
    let opened = cipher::open(&state.config.mfa, user.id, &pending)?;
    let ctx = own(caller, user, "code", "confirm MFA enrolment");
    let mut step = None;
    verify::guard(state, &ctx, |now| {
        let found = match code::parse(code) {
            Some(Code::Totp(code)) => totp::matching_step(&opened.secret, &code, unix(now)),
            _ => Ok(None),
        };
        step = found.as_ref().ok().copied().flatten();
        async move { found.map(|step| step.map(|_| Passed::Totp)) }
    })
    .await?;
    let step = step.ok_or_else(|| AppError::bad_input("code", verify::WRONG_CODE))?;
    let codes = recovery::generate();
    let hashes = codes
        .iter()
        .map(|c| recovery::hash(&state.config.mfa, user.id, c))
        .collect();
    let sealed = if opened.stale_key {
        cipher::seal(&state.config.mfa, user.id, &opened.secret)?
    } else {
        pending.clone()
    };
    let txn = state.db.begin().await?;
    if !store::enable(&txn, user.id, &pending, step, now).await? {
        // Another request confirmed (or replaced) this enrolment meanwhile.
        return Err(AppError::conflict(
            "code",
            "The set-up changed meanwhile. Start it again.",
        ));
    }
    if opened.stale_key {
        store::reseal(&txn, store::Slot::Enabled, user.id, &pending, &sealed).await?;
    }
    store::replace_recovery_codes(&txn, user.id, hashes, now).await?;
    let ended = end_other_sessions(&txn, viewer, now).await?;
    let detail = format!("{ended} other sessions ended");
    audit::record(
        &txn,
        Kind::MfaEnabled,
        own_entry(caller, user, Some(&detail)),
    )
    .await?;
    txn.commit().await?;
    state.mailer.send_mfa_enabled(user);
    Ok(codes)
}

fn unix(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp()).unwrap_or_default()
}

async fn end_other_sessions<C: sea_orm::ConnectionTrait>(
    txn: &C,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    sessions::store::revoke_all(
        txn,
        viewer.id(),
        Some(viewer.session_id),
        Reason::MfaChanged,
        now,
    )
    .await
}

/// Ten new recovery codes (the old ones stop working) for the password
/// and a current TOTP code; other sessions end.
#[tracing::instrument(name = "mfa.regenerate_recovery_codes", skip_all)]
pub async fn regenerate_recovery_codes(
    state: &AppState,
    caller: &Caller,
    password: &str,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let viewer = caller.viewer()?;
    let user = &viewer.user;
    if !store::is_enabled(&state.db, user.id).await? {
        return Err(not_on());
    }
    confirm_password(
        state,
        caller,
        "password",
        password,
        "regenerate recovery codes",
    )
    .await?;
    let ctx = own(caller, user, "code", "regenerate recovery codes");
    verify::check(state, &ctx, code, Accept::TotpOnly).await?;
    let now = Utc::now();
    let codes = recovery::generate();
    let hashes = codes
        .iter()
        .map(|c| recovery::hash(&state.config.mfa, user.id, c))
        .collect();
    let txn = state.db.begin().await?;
    store::replace_recovery_codes(&txn, user.id, hashes, now).await?;
    let ended = end_other_sessions(&txn, viewer, now).await?;
    let detail = format!("{ended} other sessions ended");
    audit::record(
        &txn,
        Kind::MfaRecoveryCodesRegenerated,
        own_entry(caller, user, Some(&detail)),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Turns MFA off for the password and a current TOTP code or a recovery
/// code; other sessions end and the owner is e-mailed.
#[tracing::instrument(name = "mfa.disable", skip_all)]
pub async fn disable(
    state: &AppState,
    caller: &Caller,
    password: &str,
    code: &str,
) -> Result<(), AppError> {
    let viewer = caller.viewer()?;
    let user = &viewer.user;
    if !store::is_enabled(&state.db, user.id).await? {
        return Err(not_on());
    }
    confirm_password(state, caller, "password", password, "disable MFA").await?;
    let ctx = own(caller, user, "code", "disable MFA");
    verify::check(state, &ctx, code, Accept::TotpOrRecovery).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    store::remove(&txn, user.id).await?;
    let ended = end_other_sessions(&txn, viewer, now).await?;
    let detail = format!("{ended} other sessions ended");
    audit::record(
        &txn,
        Kind::MfaDisabled,
        own_entry(caller, user, Some(&detail)),
    )
    .await?;
    txn.commit().await?;
    state.mailer.send_mfa_disabled(user);
    Ok(())
}

/// A superuser removes another user's MFA (a lost phone and no recovery
/// codes): audited, the user e-mailed, every session of theirs ended.
/// Not for one's own account: that is `disable`, which asks for a code.
#[tracing::instrument(name = "mfa.reset_user", skip_all)]
pub async fn reset_user(state: &AppState, caller: &Caller, user_id: Uuid) -> Result<(), AppError> {
    let actor = caller.superuser()?;
    if actor.id() == user_id {
        return Err(AppError::Forbidden(
            "Turn off your own two-step sign-in in Settings (it asks for a code).",
        ));
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let target = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    if !store::remove(&txn, user_id).await? {
        return Err(AppError::bad_input(
            "userId",
            "This user has no two-step sign-in to reset.",
        ));
    }
    let ended = sessions::store::revoke_all(&txn, user_id, None, Reason::MfaReset, now).await?;
    let detail = format!("{ended} sessions ended");
    let entry = AuditEntry {
        actor: Some(actor.id()),
        subject: Some(user_id),
        subject_email: Some(&target.email),
        ip: caller.ip,
        detail: Some(&detail),
    };
    audit::record(&txn, Kind::MfaReset, entry).await?;
    txn.commit().await?;
    state.mailer.send_mfa_reset(&target);
    Ok(())
}

pub struct Status {
    pub enabled: bool,
    pub enabled_at: Option<DateTime<Utc>>,
    pub recovery_codes_remaining: u64,
}

/// The viewer's MFA state; never the secret.
pub async fn status(state: &AppState, caller: &Caller) -> Result<Status, AppError> {
    let user = &caller.viewer()?.user;
    let enabled_at = store::find(&state.db, user.id)
        .await?
        .and_then(|row| row.enabled_at);
    let recovery_codes_remaining = if enabled_at.is_some() {
        store::recovery_codes_left(&state.db, user.id).await?
    } else {
        0
    };
    Ok(Status {
        enabled: enabled_at.is_some(),
        enabled_at,
        recovery_codes_remaining,
    })
}
