//! E-mail verification (issue 14): using a verification link, and asking
//! for a new one. Whether an unverified account may sign in is decided at
//! log-in (`REQUIRE_EMAIL_VERIFICATION`, `service::check_credentials`).

use std::time::Duration;

use chrono::Utc;
use sea_orm::TransactionTrait;

use super::{
    service::spend_ip_budget,
    throttle::{self, ip_key},
};
use crate::{
    audit::{self, AuditEntry, Kind},
    caller::Caller,
    credentials::email_token::{self, invalid_link, Purpose},
    error::AppError,
    state::AppState,
    users::{normalize_email, store},
};

const HOUR: Duration = Duration::from_secs(3600);

/// Uses a verification link: the account's address is proven. Needs no
/// session (the link may be opened in any browser); single use; a link for
/// an address the account no longer has proves nothing and is refused.
#[tracing::instrument(name = "auth.verify_email", skip_all)]
pub async fn verify_email(state: &AppState, caller: &Caller, token: &str) -> Result<(), AppError> {
    spend_ip_budget(state, caller.ip).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let link = email_token::consume(&txn, token, Purpose::Verify, now).await?;
    let user = store::get(&txn, link.user_id).await?;
    if user.email != link.email {
        return Err(invalid_link());
    }
    if store::mark_email_verified(&txn, user.id, now).await? {
        let entry = AuditEntry {
            actor: Some(user.id),
            subject: Some(user.id),
            subject_email: Some(&user.email),
            ip: caller.ip,
            detail: Some("by a verification link"),
        };
        audit::record(&txn, Kind::EmailVerified, entry).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Sends a new verification link if `email` belongs to an active account
/// that is not verified yet. The answer is the same in every case (no
/// enumeration); the per-IP budget answers RATE_LIMITED when spent (that
/// says nothing about any account), the per-account one is silent.
#[tracing::instrument(name = "auth.resend_verification_email", skip_all)]
pub async fn resend_verification_email(
    state: &AppState,
    caller: &Caller,
    email: &str,
) -> Result<(), AppError> {
    let limits = &state.config.throttle;
    let now = Utc::now();
    let ip_limit = limits.verification_email_per_ip_per_hour;
    let ip = ip_key("verification", caller.ip);
    throttle::enforce_window(&state.db, &ip, ip_limit, HOUR, now).await?;
    let email = normalize_email(email)?;
    let Some(user) = store::find_by_email(&state.db, &email).await? else {
        return Ok(());
    };
    if !user.is_active || user.email_verified_at.is_some() {
        return Ok(());
    }
    let key = format!("verification-account:{}", user.id);
    let per_account = limits.verification_email_per_account_per_hour;
    if let throttle::Decision::Limited { .. } =
        throttle::hit_window(&state.db, &key, per_account, HOUR, now).await?
    {
        return Ok(());
    }
    let ttl = state.config.email_verification.link_ttl;
    let token = email_token::create(&state.db, user.id, Purpose::Verify, &user.email, ttl).await?;
    state.mailer.send_verification(&user.email, &token);
    Ok(())
}
