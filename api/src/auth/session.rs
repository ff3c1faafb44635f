//! Opening, refreshing and closing a session: the log-in's second half,
//! `refreshSession` (the refresh cookie for a new access token, rotating
//! the cookie) and `logout`. What a session is and how it is stored is in
//! `sessions`; this module decides who gets one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{session, user};
use sea_orm::{EntityTrait, TransactionTrait};
use secrecy::ExposeSecret;

use crate::throttle::{self, ip_key};
use crate::{
    audit::{self, AuditEntry, Kind},
    caller::Caller,
    credentials::{refresh_token, IssuedToken},
    error::AppError,
    sessions::{
        store::{self, Use},
        NewSession, Reason,
    },
    state::AppState,
};

const MINUTE: Duration = Duration::from_secs(60);

/// A session's new access token and, when it was rotated, its new refresh
/// token with the cookie lifetime to send it with.
pub struct SignedIn {
    pub access: IssuedToken,
    pub session_id: uuid::Uuid,
    pub refresh: Option<RefreshCookie>,
    /// A refresh-token reuse revoked one of the user's sessions since
    /// their last sign-in (told once).
    pub reuse_detected: bool,
}

pub struct RefreshCookie {
    pub token: String,
    /// `None`: a cookie that ends with the browser (no "remember me").
    pub max_age: Option<Duration>,
}

impl RefreshCookie {
    fn new(token: String, session: &session::Model, now: DateTime<Utc>) -> Self {
        let max_age = session
            .remember_me
            .then(|| (session.expires_at - now).to_std().unwrap_or_default());
        Self { token, max_age }
    }
}

/// Opens a session for a user whose credentials were just checked.
pub(super) async fn open(
    state: &AppState,
    caller: &Caller,
    user: &user::Model,
    remember_me: bool,
    mfa_used: bool,
) -> Result<SignedIn, AppError> {
    let now = Utc::now();
    let new = NewSession {
        user_id: user.id,
        remember_me,
        ip: caller.ip,
        user_agent: caller.user_agent.as_deref(),
        mfa_used,
    };
    let txn = state.db.begin().await?;
    let (session, refresh) = store::create(&txn, &state.config.sessions, new, now).await?;
    let reuse_detected = store::take_reuse_notice(&txn, user.id).await?;
    let detail = format!(
        "session {}; {}{}",
        session.id,
        if remember_me {
            "remember me"
        } else {
            "browser session"
        },
        if mfa_used { "; second factor" } else { "" }
    );
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip: caller.ip,
        detail: Some(&detail),
    };
    audit::record(&txn, Kind::SessionCreated, entry).await?;
    txn.commit().await?;
    Ok(SignedIn {
        access: issue(state, &session, now)?,
        session_id: session.id,
        refresh: Some(RefreshCookie::new(refresh, &session, now)),
        reuse_detected,
    })
}

fn issue(
    state: &AppState,
    session: &session::Model,
    now: DateTime<Utc>,
) -> Result<IssuedToken, AppError> {
    state
        .tokens
        .issue(session.user_id, session.id, now)
        .map_err(AppError::internal)
}

/// The refresh cookie for a new access token and a new cookie.
///
/// - the current token of a live session of an active user: rotated;
/// - a token that session rotated away from less than
///   `SESSION_REFRESH_REUSE_GRACE_SECS` ago: an access token, no rotation
///   (two tabs refreshing at once both send the old cookie);
/// - any older rotated token: theft. The session is revoked, audited, and
///   the user told at the next sign-in;
/// - no cookie: `UNAUTHENTICATED`, nothing else;
/// - any other cookie: `UNAUTHENTICATED`, counted per IP; past
///   `REFRESH_IP_FAILURES_PER_MINUTE` every refresh from there waits.
#[tracing::instrument(name = "auth.refresh_session", skip_all)]
pub async fn refresh(state: &AppState, caller: &Caller) -> Result<SignedIn, AppError> {
    // No cookie guesses nothing: a visitor who never signed in (the SPA
    // asks on every load) spends no one's budget.
    if caller.refresh_cookie.is_none() {
        return Err(AppError::Unauthenticated);
    }
    let now = Utc::now();
    let key = ip_key("refresh", caller.ip);
    let limit = state.config.throttle.refresh_ip_failures_per_minute;
    if let throttle::Decision::Limited { retry_after } =
        throttle::window_exceeded(&state.db, &key, limit, MINUTE, now).await?
    {
        return Err(throttle::rate_limited(retry_after));
    }
    match try_refresh(state, caller, now).await {
        Err(AppError::Unauthenticated) => {
            throttle::enforce_window(&state.db, &key, limit, MINUTE, now).await?;
            Err(AppError::Unauthenticated)
        }
        other => other,
    }
}

async fn try_refresh(
    state: &AppState,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    let hash = caller
        .refresh_cookie
        .as_ref()
        .and_then(|cookie| refresh_token::hash_of(cookie.expose_secret()))
        .ok_or(AppError::Unauthenticated)?;
    if let Some(session) = store::find_by_refresh_hash(&state.db, &hash).await? {
        if !store::is_live(&session, now) || !user_is_active(state, &session).await? {
            return Err(AppError::Unauthenticated);
        }
        let Some(token) = rotate_detached(state, caller, &session, &hash, now).await? else {
            // Another refresh rotated it a moment ago (that one won), or the
            // session ended in between: only the first gets an access token.
            let current = store::find(&state.db, session.id).await?;
            return match current {
                Some(session) if store::is_live(&session, now) => {
                    grace_or_refuse(state, &session, now, now)
                }
                _ => Err(AppError::Unauthenticated),
            };
        };
        return Ok(SignedIn {
            access: issue(state, &session, now)?,
            session_id: session.id,
            refresh: Some(RefreshCookie::new(token, &session, now)),
            reuse_detected: false,
        });
    }
    let Some((rotated, session)) = store::find_rotated(&state.db, &hash).await? else {
        return Err(AppError::Unauthenticated);
    };
    if !store::is_live(&session, now) || !user_is_active(state, &session).await? {
        return Err(AppError::Unauthenticated);
    }
    if now - rotated.rotated_at < chrono_delta(state.config.sessions.reuse_grace) {
        return grace_or_refuse(state, &session, rotated.rotated_at, now);
    }
    reuse_detected(state, caller, &session, now).await?;
    Err(AppError::Unauthenticated)
}

/// The rotation's transaction, run to its end even when the client hangs
/// up. A request future dropped while `begin()` is in flight (BEGIN sent,
/// the transaction not yet owned by anyone who would roll it back) leaves
/// the pooled connection inside an open transaction; every later statement
/// on it then runs in that transaction, never commits, and holds its row
/// locks (a throttle row, so later log-ins time out):
/// `sessions_hostile::a_refresh_whose_client_hangs_up_leaves_the_session_usable`
/// caught it. On its own task the transaction always commits or rolls back.
async fn rotate_detached(
    state: &AppState,
    caller: &Caller,
    session: &session::Model,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let (state, session, hash) = (state.clone(), session.clone(), hash.to_owned());
    let (ip, user_agent) = (caller.ip, caller.user_agent.clone());
    tokio::spawn(async move {
        let client = Use {
            ip,
            user_agent: user_agent.as_deref(),
        };
        store::rotate(
            &state.db,
            &state.config.sessions,
            &session,
            &hash,
            client,
            now,
        )
        .await
    })
    .await
    .map_err(|e| AppError::internal(anyhow::anyhow!("the rotation task failed: {e}")))?
}

fn chrono_delta(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}

/// An access token without a new cookie, for a refresh that lost a race
/// (the browser already has the winner's cookie), inside the grace period.
fn grace_or_refuse(
    state: &AppState,
    session: &session::Model,
    rotated_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    if now - rotated_at >= chrono_delta(state.config.sessions.reuse_grace) {
        return Err(AppError::Unauthenticated);
    }
    Ok(SignedIn {
        access: issue(state, session, now)?,
        session_id: session.id,
        refresh: None,
        reuse_detected: false,
    })
}

async fn user_is_active(state: &AppState, session: &session::Model) -> Result<bool, AppError> {
    let user = user::Entity::find_by_id(session.user_id)
        .one(&state.db)
        .await?;
    Ok(user.is_some_and(|user| user.is_active))
}

/// Two parties hold this session's refresh tokens (the one that refreshed
/// last and the one presenting an older token); which is the owner cannot
/// be told, so the session ends for both.
async fn reuse_detected(
    state: &AppState,
    caller: &Caller,
    session: &session::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = state.db.begin().await?;
    if store::revoke(&txn, session.id, None, Reason::ReuseDetected, now).await? {
        let user = user::Entity::find_by_id(session.user_id).one(&txn).await?;
        let detail = format!("session {} revoked", session.id);
        let entry = AuditEntry {
            actor: None,
            subject: Some(session.user_id),
            subject_email: user.as_ref().map(|u| u.email.as_str()),
            ip: caller.ip,
            detail: Some(&detail),
        };
        audit::record(&txn, Kind::SessionReuseDetected, entry).await?;
        tracing::warn!(session = %session.id, "refresh token reuse: session revoked");
    }
    txn.commit().await?;
    Ok(())
}

/// Ends the current session: the bearer token's, and the refresh
/// cookie's (which is all there is once the access token has expired).
/// Always succeeds; the resolver clears the cookie either way.
#[tracing::instrument(name = "auth.logout", skip_all)]
pub async fn logout(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    let now = Utc::now();
    let mut ended = Vec::new();
    if let Some(id) = caller.session_id() {
        ended.push(id);
    }
    let cookie_hash = caller
        .refresh_cookie
        .as_ref()
        .and_then(|cookie| refresh_token::hash_of(cookie.expose_secret()));
    if let Some(hash) = cookie_hash {
        // A cookie that a refresh in flight rotated a moment ago (the user
        // clicked "Log out" while a tab was renewing its token) still
        // names its session: ending it is what the user asked for, and the
        // refresh's new cookie must not keep the browser signed in. An
        // older rotated token could end the session through reuse
        // detection anyway, so this gives its holder nothing new.
        let session_id = match store::find_by_refresh_hash(&state.db, &hash).await? {
            Some(session) => Some(session.id),
            None => store::find_rotated(&state.db, &hash)
                .await?
                .map(|(_, session)| session.id),
        };
        if let Some(id) = session_id.filter(|id| !ended.contains(id)) {
            ended.push(id);
        }
    }
    let txn = state.db.begin().await?;
    for id in ended {
        let Some(session) = store::find(&txn, id).await? else {
            continue;
        };
        if !store::revoke(&txn, id, None, Reason::Logout, now).await? {
            continue;
        }
        let user = user::Entity::find_by_id(session.user_id).one(&txn).await?;
        let detail = format!("session {id}");
        let entry = AuditEntry {
            actor: Some(session.user_id),
            subject: Some(session.user_id),
            subject_email: user.as_ref().map(|u| u.email.as_str()),
            ip: caller.ip,
            detail: Some(&detail),
        };
        audit::record(&txn, Kind::SessionLogout, entry).await?;
    }
    txn.commit().await?;
    Ok(())
}
