//! Sign-in, recovery, reset and password change, as plain functions over
//! the state, the caller and the input (sign-up is in `signup.rs`, e-mail
//! verification in `verification.rs`).

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set, TransactionTrait};

pub(crate) use super::ip_budget::spend_ip_budget;
use super::{mfa_login, rehash, session::SignedIn};
pub(crate) use crate::reauth::confirm_password;
use crate::{
    audit::{self, AuditEntry, Kind},
    caller::Caller,
    credentials::{
        email_token::{self, Purpose},
        link_token, Verification,
    },
    error::AppError,
    sessions::{self, Reason},
    state::AppState,
    throttle::{self, account_key, ip_key},
    users::{normalize_email, store},
};

const HOUR: Duration = Duration::from_secs(3600);

pub struct Credentials {
    pub email: String,
    pub password: String,
    /// A persistent cookie and the longer lifetime; otherwise the session
    /// ends with the browser (and by `SESSION_BROWSER_LIFETIME_SECS`).
    pub remember_me: bool,
}

/// What a correct password gets: a session, or (MFA on) a challenge that
/// `completeMfaLogin` turns into one with a code. Never both.
pub enum LoginOutcome {
    SignedIn(SignedIn),
    Challenged(mfa_login::Challenge),
}

/// Checks the credentials and opens a session, or with MFA on issues the
/// challenge for the second step: the password alone never opens one.
#[tracing::instrument(name = "auth.login", skip_all)]
pub async fn login(
    state: &AppState,
    caller: &Caller,
    input: Credentials,
) -> Result<LoginOutcome, AppError> {
    let remember_me = input.remember_me;
    let outcome = match check_credentials(state, caller, input).await {
        Ok(user) => after_password(state, caller, &user, remember_me).await,
        Err(error) => Err(error),
    };
    crate::metrics::login(match &outcome {
        Ok(LoginOutcome::SignedIn(_)) => "succeeded",
        Ok(LoginOutcome::Challenged(_)) => "challenged",
        Err(AppError::RateLimited { .. }) => "throttled",
        Err(AppError::Overloaded { .. }) => "shed",
        Err(_) => "failed",
    });
    outcome
}

async fn after_password(
    state: &AppState,
    caller: &Caller,
    user: &entity::user::Model,
    remember_me: bool,
) -> Result<LoginOutcome, AppError> {
    if crate::mfa::store::is_enabled(&state.db, user.id).await? {
        let challenge = mfa_login::challenge(state, caller, user, remember_me).await?;
        return Ok(LoginOutcome::Challenged(challenge));
    }
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail: None,
    };
    audit::record(&state.db, Kind::LoginSucceeded, entry).await?;
    let signed_in = super::session::open(state, caller, user, remember_me, false).await?;
    Ok(LoginOutcome::SignedIn(signed_in))
}

async fn check_credentials(
    state: &AppState,
    caller: &Caller,
    input: Credentials,
) -> Result<entity::user::Model, AppError> {
    let (ip, email, password) = (caller.ip, input.email.as_str(), input.password.as_str());
    // The hash turn first: a login that would be shed is shed before it
    // costs a statement, so a login flood cannot starve the pool for others.
    let turn = state.hasher.reserve()?;
    spend_ip_budget(state, ip).await?;
    let now = Utc::now();
    let Ok(email) = normalize_email(email) else {
        // No account can have this address; answer like any failure, after
        // the same hashing work, without storing attacker-sized keys.
        state.hasher.verify_in(turn, password, None).await?;
        return Err(AppError::InvalidCredentials);
    };
    let account_key = account_key(&email);
    let account = throttle::login_account(&state.db, &account_key, now).await?;
    let locked = account.locked;
    crate::metrics::throttle_decision("login-account", locked);
    let user = store::find_by_email(&state.db, &email).await?;
    // A matching hash of another format or cost is re-hashed, but only for
    // a log-in that a match lets in: the extra hash reveals nothing else.
    let upgrade = !locked && user.as_ref().is_some_and(|u| u.is_active);
    // Always pay for one hash, so unknown e-mails answer as slowly as known ones.
    let verification = state
        .hasher
        .check_in(
            turn,
            password,
            user.as_ref().map(|u| u.password_hash.as_str()),
            upgrade,
        )
        .await?;

    let failure = match (&user, &verification) {
        _ if locked => Some("throttled"),
        (None, _) => Some("unknown e-mail"),
        (Some(u), Verification::Unverifiable(reason)) => {
            rehash::refused(u, reason);
            Some("unknown hash format")
        }
        (Some(_), Verification::Mismatch) => Some("wrong password"),
        (Some(u), _) if !u.is_active => Some("inactive account"),
        (Some(_), _) => None,
    };
    let subject = user.as_ref().map(|u| u.id);
    let entry = |detail| AuditEntry {
        subject,
        subject_email: Some(&email),
        ip,
        detail,
        ..AuditEntry::default()
    };
    if let Some(reason) = failure {
        if !locked {
            throttle::record_login_failure(&state.db, &account_key, &state.config.throttle, now)
                .await?;
        }
        audit::record(&state.db, Kind::LoginFailed, entry(Some(reason))).await?;
        return Err(AppError::InvalidCredentials);
    }
    let user = user.ok_or(AppError::InvalidCredentials)?;
    if account.has_failures {
        throttle::record_login_success(&state.db, &account_key, now).await?;
    }
    // Only now, with the password proven: telling a guesser "not verified"
    // would say the account exists. Not a failure for the backoff either.
    // It comes before the second factor: it tells the password's holder
    // nothing a code would protect, and spares them a code for nothing.
    if state.config.email_verification.required && user.email_verified_at.is_none() {
        let detail = Some("e-mail not verified");
        audit::record(&state.db, Kind::LoginFailed, entry(detail)).await?;
        return Err(AppError::EmailNotVerified);
    }
    if let Verification::Match {
        upgrade: Some(upgrade),
    } = verification
    {
        rehash::store(state, &user, upgrade, ip).await?;
    }
    Ok(user)
}

/// Sends a reset link if the account exists and is active. The answer, and
/// as far as possible the time it takes, is the same either way.
#[tracing::instrument(name = "auth.recover_password", skip_all)]
pub async fn recover_password(
    state: &AppState,
    caller: &Caller,
    email: &str,
) -> Result<(), AppError> {
    let ip = caller.ip;
    let limits = &state.config.throttle;
    let now = Utc::now();
    throttle::enforce_window(
        &state.db,
        &ip_key("recovery", ip),
        limits.recovery_per_ip_per_hour,
        HOUR,
        now,
    )
    .await?;
    let email = normalize_email(email)?;
    let Some(user) = store::find_by_email(&state.db, &email).await? else {
        return Ok(());
    };
    if !user.is_active {
        return Ok(());
    }
    if let Some(token) = recovery_link(state, &user, ip, Kind::PasswordResetRequested, None).await?
    {
        state.mailer.send_password_reset(&user, &token);
    }
    Ok(())
}

/// Spends one of the account's hourly recovery e-mails and mints a reset
/// link, audited as `kind`. Recovery and the "someone tried to sign up with
/// your address" notice share the budget, so together they cannot flood an
/// inbox. `None` when the hour's budget is spent: the caller stays silent,
/// since telling would reveal that the account exists.
pub(crate) async fn recovery_link(
    state: &AppState,
    user: &entity::user::Model,
    ip: Option<IpAddr>,
    kind: Kind,
    detail: Option<&str>,
) -> Result<Option<String>, AppError> {
    let account_key = format!("recovery-account:{}", user.email);
    let per_account = state.config.throttle.recovery_per_account_per_hour;
    if let throttle::Decision::Limited { .. } =
        throttle::hit_window(&state.db, &account_key, per_account, HOUR, Utc::now()).await?
    {
        return Ok(None);
    }
    let txn = state.db.begin().await?;
    let token = link_token::create(&txn, user.id, state.config.reset_token_ttl).await?;
    let entry = AuditEntry {
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip,
        detail,
        ..AuditEntry::default()
    };
    audit::record(&txn, kind, entry).await?;
    txn.commit().await?;
    Ok(Some(token))
}

/// Whether a reset or set-password link can still be used, so the page can
/// say so before anyone types a new password. It spends the same per-IP
/// budget as `reset_password`: probing links is no cheaper than using them.
#[tracing::instrument(name = "auth.password_token_valid", skip_all)]
pub async fn password_token_valid(
    state: &AppState,
    caller: &Caller,
    token: &str,
) -> Result<bool, AppError> {
    spend_ip_budget(state, caller.ip).await?;
    link_token::is_usable(&state.db, token.trim(), Utc::now()).await
}

pub struct ResetPasswordInput {
    pub token: String,
    pub new_password: String,
}

/// Sets a new password with the token from a reset or welcome e-mail.
#[tracing::instrument(name = "auth.reset_password", skip_all)]
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    input: ResetPasswordInput,
) -> Result<(), AppError> {
    let ip = caller.ip;
    let turn = state.hasher.reserve()?;
    spend_ip_budget(state, ip).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let user_id = link_token::consume(&txn, input.token.trim(), now).await?;
    let user = store::get(&txn, user_id).await?;
    let context = [
        user.email.as_str(),
        user.full_name.as_deref().unwrap_or_default(),
    ];
    let hash = state
        .hasher
        .hash_new_in(turn, "newPassword", &input.new_password, &context)
        .await?;
    store_new_password(&txn, &user, hash, None, Reason::PasswordReset, now).await?;
    let entry = |detail| AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip,
        detail,
    };
    audit::record(&txn, Kind::PasswordReset, entry(None)).await?;
    // The link came to this address, so the address is the owner's. This
    // is also what defeats pre-hijacking: someone who signed up with
    // another person's address loses the account (password replaced, every
    // session ended, pending links gone) when that person recovers it.
    email_token::revoke(&txn, user.id, None).await?;
    if store::mark_email_verified(&txn, user.id, now).await? {
        let detail = Some("by a password reset or set-password link");
        audit::record(&txn, Kind::EmailVerified, entry(detail)).await?;
    }
    txn.commit().await?;
    Ok(())
}

pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
    /// Keep the session this request was made with; every other one ends.
    pub keep_current_session: bool,
}

/// Changes the viewer's password and ends every other session (and the
/// current one too unless it is kept).
#[tracing::instrument(name = "auth.change_password", skip_all)]
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    input: ChangePasswordInput,
) -> Result<(), AppError> {
    let viewer = caller.viewer()?;
    let (current, new_password) = (&input.current_password, &input.new_password);
    confirm_password(state, caller, "currentPassword", current, "change password").await?;
    if current == new_password {
        return Err(AppError::bad_input(
            "newPassword",
            "The new password must differ from the current one.",
        ));
    }
    let user = &viewer.user;
    let context = [
        user.email.as_str(),
        user.full_name.as_deref().unwrap_or_default(),
    ];
    let hash = state
        .hasher
        .hash_new("newPassword", new_password, &context)
        .await?;
    let now = Utc::now();
    let keep = input.keep_current_session.then_some(viewer.session_id);
    let txn = state.db.begin().await?;
    store_new_password(&txn, user, hash, keep, Reason::PasswordChanged, now).await?;
    let detail = if keep.is_some() {
        "changed own password; other sessions ended"
    } else {
        "changed own password; all sessions ended"
    };
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail: Some(detail),
    };
    audit::record(&txn, Kind::PasswordChanged, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Saves a new hash and ends everything the old password opened: the
/// user's sessions (but `keep`), unused reset links and a pending e-mail
/// change (whoever started it knew the old password). When no session is
/// kept, `tokens_valid_after` also refuses every earlier access token.
async fn store_new_password<C: ConnectionTrait>(
    txn: &C,
    user: &entity::user::Model,
    hash: String,
    keep: Option<uuid::Uuid>,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    link_token::revoke_all(txn, user.id).await?;
    email_token::revoke(txn, user.id, Some(Purpose::Change)).await?;
    sessions::store::revoke_all(txn, user.id, keep, reason, now).await?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(hash);
    if keep.is_none() {
        active.tokens_valid_after = Set(now);
    }
    active.updated_at = Set(now);
    active.update(txn).await?;
    Ok(())
}
