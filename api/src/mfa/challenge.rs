//! Login challenges: what a correct password of an account with MFA gets
//! instead of a session. Two random values, each stored only as its
//! SHA-256: the challenge token (in the answer) and the binding secret (in
//! an HttpOnly cookie). Both are needed, within `MFA_CHALLENGE_TTL_SECS`,
//! once; a few wrong codes end the challenge.

use chrono::{DateTime, TimeDelta, Utc};
use entity::mfa_challenge;
use rand::RngCore;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;

/// Wrong codes one challenge takes before it is dead (the account's
/// throttle still counts every one of them as well).
pub const MAX_FAILED_ATTEMPTS: i32 = 5;

/// A challenge as the answer and the cookie carry it.
pub struct Issued {
    pub token: String,
    pub binding: String,
    pub expires_at: DateTime<Utc>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

pub struct NewChallenge {
    pub user_id: Uuid,
    pub remember_me: bool,
    pub ip: Option<std::net::IpAddr>,
    pub ttl: std::time::Duration,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewChallenge,
    now: DateTime<Utc>,
) -> Result<Issued, AppError> {
    let (token, binding) = (random_token(), random_token());
    let expires_at = now + TimeDelta::from_std(new.ttl).unwrap_or(TimeDelta::minutes(5));
    // A user's expired or spent challenges go when they get a new one.
    mfa_challenge::Entity::delete_many()
        .filter(mfa_challenge::Column::UserId.eq(new.user_id))
        .filter(
            sea_orm::Condition::any()
                .add(mfa_challenge::Column::ExpiresAt.lte(now))
                .add(mfa_challenge::Column::UsedAt.is_not_null()),
        )
        .exec(db)
        .await?;
    mfa_challenge::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(hash(&token)),
        binding_hash: Set(hash(&binding)),
        user_id: Set(new.user_id),
        remember_me: Set(new.remember_me),
        ip: Set(new.ip.map(|ip| ip.to_string())),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        failed_attempts: Set(0),
    }
    .insert(db)
    .await?;
    Ok(Issued {
        token,
        binding,
        expires_at,
    })
}

/// The live challenge for `token` bound to `binding`: unused, unexpired,
/// not dead from wrong codes, and presented with its own cookie. Anything
/// else is `None`, one answer for every reason.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    token: &str,
    binding: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<mfa_challenge::Model>, AppError> {
    let Some(binding) = binding else {
        return Ok(None);
    };
    let found = mfa_challenge::Entity::find()
        .filter(mfa_challenge::Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?;
    Ok(found.filter(|c| {
        // Both sides are SHA-256 of secrets the attacker does not have:
        // comparing digests leaks nothing usable through timing.
        c.used_at.is_none()
            && c.expires_at > now
            && c.failed_attempts < MAX_FAILED_ATTEMPTS
            && c.binding_hash == hash(binding)
    }))
}

/// Counts a wrong code against the challenge.
pub async fn record_failure<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), AppError> {
    mfa_challenge::Entity::update_many()
        .col_expr(
            mfa_challenge::Column::FailedAttempts,
            Expr::col(mfa_challenge::Column::FailedAttempts).add(1),
        )
        .filter(mfa_challenge::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Spends the challenge; `true` for the one request that did.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let updated = mfa_challenge::Entity::update_many()
        .col_expr(mfa_challenge::Column::UsedAt, Expr::value(now))
        .filter(mfa_challenge::Column::Id.eq(id))
        .filter(mfa_challenge::Column::UsedAt.is_null())
        .filter(mfa_challenge::Column::ExpiresAt.gt(now))
        .filter(mfa_challenge::Column::FailedAttempts.lt(MAX_FAILED_ATTEMPTS))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Deletes challenges past their deadline (the sweep); `used_at` rows go
/// too once expired, since nothing reads a spent challenge again.
pub async fn prune_expired<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let deleted = mfa_challenge::Entity::delete_many()
        .filter(mfa_challenge::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
