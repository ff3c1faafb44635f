//! The two steps of an address change, as plain functions over the state,
//! the caller and the input.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DbErr, IntoActiveModel, Set, TransactionTrait};

use crate::{
    audit::{self, AuditEntry, Kind},
    auth::service::{confirm_password, spend_ip_budget},
    caller::Caller,
    credentials::{
        email_token::{self, Purpose},
        link_token,
    },
    error::{is_unique_violation, AppError},
    sessions::{self, Reason},
    state::AppState,
    throttle,
    users::{normalize_email, store},
};

const HOUR: Duration = Duration::from_secs(3600);

pub struct RequestEmailChange {
    pub new_email: String,
    pub password: String,
    /// The current TOTP (or a recovery) code, for a user with MFA on.
    pub code: Option<String>,
}

/// Starts a change of the viewer's address: the password is confirmed
/// (a wrong one counts toward the account's backoff, like a failed login),
/// a confirmation link goes to the new address and a notice to the old.
///
/// When the new address already belongs to another account the answer is
/// the same and the old address gets the same notice, but no link is sent
/// and that account's owner is told nothing: a notice there would be
/// noise an attacker could aim at anyone, and any difference the requester
/// could see (the answer, their own inbox, `pendingEmail`, which shows the
/// address either way) would tell them the address has an account.
#[tracing::instrument(name = "email_change.request", skip_all)]
pub async fn request_email_change(
    state: &AppState,
    caller: &Caller,
    input: RequestEmailChange,
) -> Result<(), AppError> {
    let user = &caller.viewer()?.user;
    let new_email = normalize_email(&input.new_email).map_err(as_new_email)?;
    if new_email == user.email {
        return Err(AppError::bad_input(
            "newEmail",
            "That is already your address.",
        ));
    }
    confirm_password(state, caller, "password", &input.password, "change e-mail").await?;
    // With MFA on, the password alone does not move the account: a stolen
    // password (or a session left open) must not be enough to take it over.
    crate::mfa::service::confirm_code(state, caller, "code", input.code.as_deref()).await?;
    let now = Utc::now();
    let key = format!("email-change-account:{}", user.id);
    let limit = state
        .config
        .throttle
        .verification_email_per_account_per_hour;
    throttle::enforce_window(&state.db, &key, limit, HOUR, now).await?;
    let taken = store::find_by_email(&state.db, &new_email).await?.is_some();
    let ttl = state.config.email_verification.link_ttl;
    let txn = state.db.begin().await?;
    let token = email_token::create(&txn, user.id, Purpose::Change, &new_email, ttl).await?;
    let detail = format!(
        "{} → {new_email}{}",
        user.email,
        if taken {
            " (address has an account: no link sent)"
        } else {
            ""
        }
    );
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail: Some(&detail),
    };
    audit::record(&txn, Kind::EmailChangeRequested, entry).await?;
    txn.commit().await?;
    if !taken {
        state
            .mailer
            .send_email_change_confirmation(&new_email, &token);
    }
    state
        .mailer
        .send_email_change_requested(&user.email, &new_email);
    Ok(())
}

/// `normalize_email` names the field `email`; this input calls it `newEmail`.
fn as_new_email(error: AppError) -> AppError {
    match error {
        AppError::BadInput { message, .. } => AppError::BadInput {
            field: "newEmail",
            message,
        },
        other => other,
    }
}

fn taken_meanwhile() -> AppError {
    AppError::conflict(
        "email",
        "That address was taken by another account meanwhile; nothing was changed.",
    )
}

/// Uses a change link: the account moves to the address the link was sent
/// to, which is thereby verified. Every session of the user ends except
/// the caller's own when the caller is that user (the link may be opened
/// in another browser, or by someone not signed in at all: then every
/// session ends). Reset and verification links, which went to the old
/// address, stop working. If the address was taken by another account
/// since the request, nothing changes (the link stays unused, though no
/// longer of any use) and the answer is `CONFLICT`.
#[tracing::instrument(name = "email_change.confirm", skip_all)]
pub async fn confirm_email_change(
    state: &AppState,
    caller: &Caller,
    token: &str,
) -> Result<(), AppError> {
    spend_ip_budget(state, caller.ip).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let link = email_token::consume(&txn, token, Purpose::Change, now).await?;
    let user = store::get(&txn, link.user_id).await?;
    if !user.is_active {
        return Err(email_token::invalid_link());
    }
    if store::find_by_email(&txn, &link.email)
        .await?
        .is_some_and(|other| other.id != user.id)
    {
        return Err(taken_meanwhile());
    }
    let keep = caller
        .viewer()
        .ok()
        .filter(|viewer| viewer.id() == user.id)
        .map(|viewer| viewer.session_id);
    let old_email = user.email.clone();
    let mut active = user.clone().into_active_model();
    active.email = Set(link.email.clone());
    active.email_verified_at = Set(Some(now));
    active.updated_at = Set(now);
    if keep.is_none() {
        active.tokens_valid_after = Set(now);
    }
    // The unique index has the last word: an account that took the address
    // between the check above and this write makes it a CONFLICT too.
    let updated = active.update(&txn).await.map_err(|e| match e {
        e if is_unique_violation(&e) => taken_meanwhile(),
        DbErr::RecordNotUpdated => AppError::NotFound("User"),
        e => e.into(),
    })?;
    sessions::store::revoke_all(&txn, user.id, keep, Reason::EmailChanged, now).await?;
    email_token::revoke(&txn, user.id, None).await?;
    link_token::revoke_all(&txn, user.id).await?;
    let detail = format!(
        "{old_email} → {}; {}",
        updated.email,
        if keep.is_some() {
            "other sessions ended"
        } else {
            "all sessions ended"
        }
    );
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&updated.email),
        ip: caller.ip,
        detail: Some(&detail),
    };
    audit::record(&txn, Kind::EmailChanged, entry).await?;
    txn.commit().await?;
    state.mailer.send_email_changed(&old_email, &updated.email);
    Ok(())
}
