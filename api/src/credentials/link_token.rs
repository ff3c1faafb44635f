//! One-time link tokens (password reset, set password): 256 random bits given to the
//! user once, only their SHA-256 stored, single use, short-lived, and
//! killed by a newer token or any password change.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::password_reset_token as token;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;

pub(crate) fn digest(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// 256 random bits as 64 hex digits: what goes into a link.
pub(crate) fn new_raw() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Issues a token for `user_id`, revoking earlier ones, and returns the raw value.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    ttl: Duration,
) -> Result<String, AppError> {
    revoke_all(db, user_id).await?;
    let raw = new_raw();
    let now = Utc::now();
    token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(digest(&raw)),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(raw)
}

/// Whether `raw` is a token that `consume` would accept now, without
/// using it up.
pub async fn is_usable<C: ConnectionTrait>(
    db: &C,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if !well_formed(raw) {
        return Ok(false);
    }
    let row = token::Entity::find()
        .filter(token::Column::TokenHash.eq(digest(raw)))
        .one(db)
        .await?;
    Ok(row.is_some_and(|row| row.used_at.is_none() && row.expires_at > now))
}

/// 64 hex digits: anything else cannot be a token and is not looked up.
pub(crate) fn well_formed(raw: &str) -> bool {
    raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Returns the user a still-valid token belongs to and marks it used.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let invalid = || {
        AppError::bad_input(
            "token",
            "This link is invalid or has expired. Ask for a new one.",
        )
    };
    if !well_formed(raw) {
        return Err(invalid());
    }
    let row = token::Entity::find()
        .filter(token::Column::TokenHash.eq(digest(raw)))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if row.used_at.is_some() || row.expires_at <= now {
        return Err(invalid());
    }
    let user_id = row.user_id;
    let mut active: token::ActiveModel = row.into();
    active.used_at = Set(Some(now));
    active.update(db).await?;
    Ok(user_id)
}

/// Deletes every token of the user (a password change makes old links useless).
pub async fn revoke_all<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), AppError> {
    token::Entity::delete_many()
        .filter(token::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
