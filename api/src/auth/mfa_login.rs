//! The sign-in's second step, for accounts with MFA on: the password step
//! issues a challenge (no session, no token), and `complete` turns the
//! challenge, its binding cookie and a TOTP or recovery code into the
//! session the password alone would have opened.

use chrono::{DateTime, Utc};
use entity::user;
use sea_orm::EntityTrait;
use secrecy::ExposeSecret;

use super::{ip_budget::spend_ip_budget, session::SignedIn};
use crate::{
    audit::{self, AuditEntry, Kind},
    caller::Caller,
    error::AppError,
    mfa::{
        challenge::{self, NewChallenge},
        verify::{self, Accept, Passed},
    },
    state::AppState,
};

/// What the password step answers with MFA on.
pub struct Challenge {
    pub token: String,
    /// For the HttpOnly cookie; never in the answer's body.
    pub binding: String,
    pub expires_at: DateTime<Utc>,
}

pub(super) async fn challenge(
    state: &AppState,
    caller: &Caller,
    user: &user::Model,
    remember_me: bool,
) -> Result<Challenge, AppError> {
    let now = Utc::now();
    let new = NewChallenge {
        user_id: user.id,
        remember_me,
        ip: caller.ip,
        ttl: state.config.mfa.challenge_ttl,
    };
    let issued = challenge::create(&state.db, new, now).await?;
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail: None,
    };
    audit::record(&state.db, Kind::MfaChallengeIssued, entry).await?;
    Ok(Challenge {
        token: issued.token,
        binding: issued.binding,
        expires_at: issued.expires_at,
    })
}

pub struct CompleteInput {
    pub challenge_token: String,
    pub code: String,
}

/// Opens the session for a live challenge, its cookie and a right code.
/// An unknown, expired, spent or dead challenge, or one without its
/// cookie, is `UNAUTHENTICATED` (back to the password step); a wrong code
/// is `BAD_USER_INPUT` on `code`, counts toward the account's throttle and
/// the challenge's few attempts; a locked account is refused unchecked.
#[tracing::instrument(name = "auth.complete_mfa_login", skip_all)]
pub async fn complete(
    state: &AppState,
    caller: &Caller,
    input: CompleteInput,
) -> Result<SignedIn, AppError> {
    let outcome = try_complete(state, caller, input).await;
    crate::metrics::login(match &outcome {
        Ok(_) => "succeeded",
        Err(AppError::RateLimited { .. }) => "throttled",
        Err(_) => "failed",
    });
    outcome
}

async fn try_complete(
    state: &AppState,
    caller: &Caller,
    input: CompleteInput,
) -> Result<SignedIn, AppError> {
    spend_ip_budget(state, caller.ip).await?;
    let now = Utc::now();
    let binding = caller.mfa_cookie.as_ref().map(|c| c.expose_secret());
    let token = input.challenge_token.trim();
    let Some(live) = challenge::find_live(&state.db, token, binding, now).await? else {
        return Err(AppError::Unauthenticated);
    };
    let user = user::Entity::find_by_id(live.user_id)
        .one(&state.db)
        .await?
        .filter(|user| user.is_active)
        .ok_or(AppError::Unauthenticated)?;
    let ctx = verify::Context {
        ip: caller.ip,
        purpose: "sign in",
        field: "code",
        actor: Some(user.id),
        user: &user,
    };
    let passed = match verify::check(state, &ctx, &input.code, Accept::TotpOrRecovery).await {
        Ok(passed) => passed,
        Err(error @ AppError::BadInput { .. }) => {
            challenge::record_failure(&state.db, live.id).await?;
            return Err(error);
        }
        Err(error) => return Err(error),
    };
    // After the code: of two completions racing with one challenge only
    // one spends it (and only one could spend the code's time step).
    if !challenge::consume(&state.db, live.id, now).await? {
        return Err(AppError::Unauthenticated);
    }
    let detail = match passed {
        Passed::Totp => "second factor: authenticator code",
        Passed::Recovery { .. } => "second factor: recovery code",
    };
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail: Some(detail),
    };
    audit::record(&state.db, Kind::LoginSucceeded, entry).await?;
    super::session::open(state, caller, &user, live.remember_me, true).await
}
