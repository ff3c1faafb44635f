//! `api mfa-rotate-key`: re-encrypts every stored TOTP secret under the
//! current `MFA_ENCRYPTION_KEY` at once, so that an operator can drop the
//! old key from `MFA_ENCRYPTION_KEYS_PREVIOUS` without waiting for every
//! user to sign in (docs/mfa.md, "Key rotation").
//!
//! Each row is re-sealed by a conditional UPDATE on the ciphertext that was
//! read, so a replica re-encrypting the same secret on a sign-in, or a user
//! disabling MFA meanwhile, is never overwritten with stale data. A row no
//! configured key opens is reported and left as it is; the run goes on.
//! Recovery codes are stored as keyed hashes of codes nobody kept, so they
//! cannot be re-keyed: the report counts the users whose unused codes may
//! still depend on an old key.

use std::fmt;

use chrono::{DateTime, Utc};
use entity::{recovery_code, user_mfa};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    cipher,
    cipher::Sealed,
    store::{self, Slot},
};
use crate::{config::MfaConfig, error::AppError};

const PAGE: u64 = 200;

/// What a run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rotated {
    /// Enabled secrets now sealed under the current key.
    pub secrets: u64,
    /// Pending (unconfirmed) enrolments now sealed under the current key.
    pub pending: u64,
    /// Rows changed by someone else between the read and the write: they
    /// were re-sealed (or removed) by that writer, nothing to do.
    pub raced: u64,
    /// Users whose secret no configured key opens: their row is untouched
    /// and they need a superuser's MFA reset (or the missing key back).
    pub unreadable: Vec<Uuid>,
    /// Users with unused recovery codes created before this run: those
    /// hashed under an old key stop working once it is dropped.
    pub users_with_old_recovery_codes: u64,
}

impl fmt::Display for Rotated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "re-encrypted secrets: {}", self.secrets)?;
        writeln!(f, "re-encrypted pending enrolments: {}", self.pending)?;
        writeln!(f, "changed meanwhile by another writer: {}", self.raced)?;
        writeln!(
            f,
            "unreadable with the configured keys: {}",
            self.unreadable.len()
        )?;
        for user in &self.unreadable {
            writeln!(f, "  user {user}")?;
        }
        writeln!(
            f,
            "users with unused recovery codes that may use an old key: {}",
            self.users_with_old_recovery_codes
        )
    }
}

impl Rotated {
    /// Whether every secret now opens with the current key alone.
    pub fn complete(&self) -> bool {
        self.unreadable.is_empty()
    }
}

/// Re-seals every secret (enabled or pending) that is not under the
/// current key.
pub async fn reencrypt_all<C: ConnectionTrait>(
    db: &C,
    config: &MfaConfig,
    now: DateTime<Utc>,
) -> Result<Rotated, AppError> {
    let mut rotated = Rotated::default();
    let mut after: Option<Uuid> = None;
    loop {
        let rows = stale_rows(db, config, after).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.user_id);
        for row in &rows {
            reencrypt_row(db, config, row, now, &mut rotated).await?;
        }
    }
    rotated.users_with_old_recovery_codes = users_with_recovery_codes_before(db, now).await?;
    Ok(rotated)
}

/// One page of rows with a secret under another key, in user id order.
async fn stale_rows<C: ConnectionTrait>(
    db: &C,
    config: &MfaConfig,
    after: Option<Uuid>,
) -> Result<Vec<user_mfa::Model>, AppError> {
    let current = config.key.id().to_owned();
    let stale = Condition::any()
        .add(user_mfa::Column::SecretKeyId.ne(current.clone()))
        .add(user_mfa::Column::PendingKeyId.ne(current));
    let mut query = user_mfa::Entity::find().filter(stale);
    if let Some(after) = after {
        query = query.filter(user_mfa::Column::UserId.gt(after));
    }
    Ok(query
        .order_by_asc(user_mfa::Column::UserId)
        .limit(PAGE)
        .all(db)
        .await?)
}

async fn reencrypt_row<C: ConnectionTrait>(
    db: &C,
    config: &MfaConfig,
    row: &user_mfa::Model,
    now: DateTime<Utc>,
    rotated: &mut Rotated,
) -> Result<(), AppError> {
    let slots = [
        (Slot::Enabled, store::enabled_secret(row)),
        (Slot::Pending, store::pending_secret(row, now)),
    ];
    for (slot, sealed) in slots {
        let Some(sealed) = sealed.filter(|s| s.key_id != config.key.id()) else {
            continue;
        };
        let Some(fresh) = reseal(config, row.user_id, &sealed) else {
            rotated.unreadable.push(row.user_id);
            continue;
        };
        if !store::reseal(db, slot, row.user_id, &sealed, &fresh).await? {
            rotated.raced += 1;
        } else if slot == Slot::Enabled {
            rotated.secrets += 1;
        } else {
            rotated.pending += 1;
        }
    }
    Ok(())
}

/// The secret sealed under the current key, or `None` when no configured
/// key opens it (logged with the user id, never the secret).
fn reseal(config: &MfaConfig, user_id: Uuid, sealed: &Sealed) -> Option<Sealed> {
    let sealed_again = cipher::open(config, user_id, sealed)
        .and_then(|opened| cipher::seal(config, user_id, &opened.secret));
    match sealed_again {
        Ok(fresh) => Some(fresh),
        Err(error) => {
            tracing::warn!(%user_id, key_id = %sealed.key_id, error = ?error,
                "a TOTP secret could not be re-encrypted");
            None
        }
    }
}

async fn users_with_recovery_codes_before<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    // Counted by the database (a subquery of distinct ids), not loaded.
    Ok(recovery_code::Entity::find()
        .select_only()
        .column(recovery_code::Column::UserId)
        .filter(recovery_code::Column::UsedAt.is_null())
        .filter(recovery_code::Column::CreatedAt.lt(now))
        .distinct()
        .count(db)
        .await?)
}
