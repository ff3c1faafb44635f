//! Session rows: open, rotate, revoke, list. Every change is one
//! conditional statement, so two replicas (or two tabs) racing over the
//! same session get one winner and never a half-applied state.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use entity::{rotated_refresh_token as rotated, session};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait, UpdateMany,
};
use uuid::Uuid;

use crate::{
    config::SessionConfig,
    credentials::refresh_token::{self, NewRefreshToken},
    error::AppError,
};

/// Why a session ended, stored in `revoked_reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Logout,
    /// The user ended one of their sessions from the list.
    Revoked,
    /// "Sign out everywhere", by the user or a superuser.
    RevokedAll,
    PasswordChanged,
    PasswordReset,
    Deactivated,
    /// The account moved to another address (its change link was used).
    EmailChanged,
    /// A rotated refresh token came back: someone else holds the session.
    ReuseDetected,
    /// The user turned MFA on or off or renewed their recovery codes.
    MfaChanged,
    /// A superuser removed the user's MFA.
    MfaReset,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Logout => "logout",
            Reason::Revoked => "revoked",
            Reason::RevokedAll => "revoked_all",
            Reason::PasswordChanged => "password_changed",
            Reason::PasswordReset => "password_reset",
            Reason::Deactivated => "deactivated",
            Reason::EmailChanged => "email_changed",
            Reason::ReuseDetected => "reuse_detected",
            Reason::MfaChanged => "mfa_changed",
            Reason::MfaReset => "mfa_reset",
        }
    }
}

/// How much of a `User-Agent` is kept (the column's length).
const USER_AGENT_CHARS: usize = 512;

/// Revoked and expired sessions are kept this long (the list does not show
/// them; the audit trail names them), then deleted with their rotated
/// tokens by the periodic sweep (`auth/sweep.rs`, every 10 minutes).
const RETENTION: TimeDelta = TimeDelta::days(7);

pub struct NewSession<'a> {
    pub user_id: Uuid,
    pub remember_me: bool,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<&'a str>,
    /// The sign-in passed a second factor.
    pub mfa_used: bool,
}

fn bounded(user_agent: Option<&str>) -> Option<String> {
    user_agent.map(|ua| ua.chars().take(USER_AGENT_CHARS).collect())
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// Opens a session and returns it with its first refresh token.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    config: &SessionConfig,
    new: NewSession<'_>,
    now: DateTime<Utc>,
) -> Result<(session::Model, String), AppError> {
    let lifetime = if new.remember_me {
        config.remember_lifetime
    } else {
        config.browser_lifetime
    };
    let expires_at = now + delta(lifetime);
    let NewRefreshToken { raw, hash } = refresh_token::generate();
    let ip = new.ip.map(|ip| ip.to_string());
    let user_agent = bounded(new.user_agent);
    let created = session::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(new.user_id),
        refresh_hash: Set(hash),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(expires_at),
        idle_expires_at: Set((now + delta(config.idle_timeout)).min(expires_at)),
        created_ip: Set(ip.clone()),
        created_user_agent: Set(user_agent.clone()),
        last_ip: Set(ip),
        last_user_agent: Set(user_agent),
        remember_me: Set(new.remember_me),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        reuse_notice_pending: Set(false),
        mfa_used: Set(new.mfa_used),
    }
    .insert(db)
    .await?;
    Ok((created, raw))
}

/// Whether the session still opens access tokens at `now`.
pub fn is_live(session: &session::Model, now: DateTime<Utc>) -> bool {
    session.revoked_at.is_none() && session.expires_at > now && session.idle_expires_at > now
}

/// Live sessions are those not revoked and before both deadlines.
fn live(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(session::Column::RevokedAt.is_null())
        .add(session::Column::ExpiresAt.gt(now))
        .add(session::Column::IdleExpiresAt.gt(now))
}

pub async fn find_by_refresh_hash<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<session::Model>, AppError> {
    Ok(session::Entity::find()
        .filter(session::Column::RefreshHash.eq(hash))
        .one(db)
        .await?)
}

/// The session a rotated-away token belonged to, and when it was rotated.
pub async fn find_rotated<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<(rotated::Model, session::Model)>, AppError> {
    let found = rotated::Entity::find_by_id(hash.to_owned())
        .find_also_related(session::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(token, session)| session.map(|s| (token, s))))
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<session::Model>, AppError> {
    Ok(session::Entity::find_by_id(id).one(db).await?)
}

pub struct Use<'a> {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<&'a str>,
}

/// Replaces the session's refresh token `old_hash` with a new one and
/// records the use (last used, idle deadline, address, user agent): the
/// only write a session gets while it is used. `None` when the token is no
/// longer the current one (another refresh won the race) or the session
/// ended meanwhile.
pub async fn rotate<C: TransactionTrait>(
    db: &C,
    config: &SessionConfig,
    session: &session::Model,
    old_hash: &str,
    client: Use<'_>,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let NewRefreshToken { raw, hash } = refresh_token::generate();
    let idle_expires_at = (now + delta(config.idle_timeout)).min(session.expires_at);
    let txn = db.begin().await?;
    let updated = session::Entity::update_many()
        .col_expr(session::Column::RefreshHash, Expr::value(hash))
        .col_expr(session::Column::LastUsedAt, Expr::value(now))
        .col_expr(session::Column::IdleExpiresAt, Expr::value(idle_expires_at))
        .col_expr(
            session::Column::LastIp,
            Expr::value(client.ip.map(|ip| ip.to_string())),
        )
        .col_expr(
            session::Column::LastUserAgent,
            Expr::value(bounded(client.user_agent)),
        )
        .filter(session::Column::Id.eq(session.id))
        .filter(session::Column::RefreshHash.eq(old_hash))
        .filter(live(now))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    rotated::Entity::insert(rotated::ActiveModel {
        refresh_hash: Set(old_hash.to_owned()),
        session_id: Set(session.id),
        rotated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(raw))
}

/// Ends one session; `owner` limits it to that user's. True if this call
/// ended it (a second revoke, or another user's session, is false).
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    owner: Option<Uuid>,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason.as_str()))
        .col_expr(
            session::Column::ReuseNoticePending,
            Expr::value(reason == Reason::ReuseDetected),
        )
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(owner) = owner {
        update = update.filter(session::Column::UserId.eq(owner));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Ends every session of `user_id` that is not revoked yet, except
/// `keep`; returns how many.
pub async fn revoke_all<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason.as_str()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        update = update.filter(session::Column::Id.ne(keep));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// At most this many sessions are listed (the most recently used): a
/// script that signs in in a loop must not make the list unbounded.
const LIST_LIMIT: u64 = 100;

/// The user's live sessions, most recently used first.
pub async fn list_live<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<session::Model>, AppError> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(live(now))
        .order_by_desc(session::Column::LastUsedAt)
        .order_by_desc(session::Column::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?)
}

/// True once after a refresh-token reuse revoked one of the user's
/// sessions: the flag is cleared by the same statement that reads it, so
/// two concurrent sign-ins cannot both show the notice.
///
/// Every sign-in runs it: both conditions are the two columns of
/// `idx_sessions_user_notice`, so it reads the user's pending notices
/// only, not every session the user ever opened.
pub async fn take_reuse_notice<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<bool, AppError> {
    let cleared = reuse_notice_taken(user_id).exec(db).await?;
    Ok(cleared.rows_affected > 0)
}

/// The statement of [`take_reuse_notice`] (public for the test that reads
/// its plan).
pub fn reuse_notice_taken(user_id: Uuid) -> UpdateMany<session::Entity> {
    session::Entity::update_many()
        .col_expr(session::Column::ReuseNoticePending, Expr::value(false))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::ReuseNoticePending.eq(true))
}

/// Sessions that ended more than [`RETENTION`] ago, except those whose
/// reuse notice the user has not seen yet.
fn ended_long_ago(now: DateTime<Utc>) -> Condition {
    let cutoff = now - RETENTION;
    Condition::all()
        .add(session::Column::ReuseNoticePending.eq(false))
        .add(
            Condition::any()
                .add(session::Column::RevokedAt.lt(cutoff))
                .add(session::Column::ExpiresAt.lt(cutoff))
                .add(session::Column::IdleExpiresAt.lt(cutoff)),
        )
}

/// Every user's sessions that ended more than [`RETENTION`] ago, with
/// their rotated tokens (the foreign key cascades); returns how many. The
/// periodic sweep is the only place they are deleted: a sign-in does not
/// prune its user's sessions, since that read every session the user ever
/// opened, a cost that grew with each sign-in.
pub async fn prune_ended<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, AppError> {
    let deleted = session::Entity::delete_many()
        .filter(ended_long_ago(now))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
