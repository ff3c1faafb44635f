//! MFA rows. Every state change a race could double (accepting a time
//! step, spending a recovery code or a challenge) is one conditional
//! UPDATE whose row count says who won.

use chrono::{DateTime, Utc};
use entity::{recovery_code, user_mfa};
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::cipher::Sealed;
use crate::error::AppError;

pub async fn find<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Option<user_mfa::Model>, AppError> {
    Ok(user_mfa::Entity::find_by_id(user_id).one(db).await?)
}

/// The enabled secret of a row, sealed as stored.
pub fn enabled_secret(row: &user_mfa::Model) -> Option<Sealed> {
    row.enabled_at?;
    Some(Sealed {
        ciphertext: row.secret_ciphertext.clone()?,
        nonce: row.secret_nonce.clone()?,
        key_id: row.secret_key_id.clone()?,
    })
}

pub fn pending_secret(row: &user_mfa::Model, now: DateTime<Utc>) -> Option<Sealed> {
    if row.pending_expires_at? <= now {
        return None;
    }
    Some(Sealed {
        ciphertext: row.pending_ciphertext.clone()?,
        nonce: row.pending_nonce.clone()?,
        key_id: row.pending_key_id.clone()?,
    })
}

pub async fn is_enabled<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<bool, AppError> {
    Ok(find(db, user_id)
        .await?
        .is_some_and(|row| row.enabled_at.is_some()))
}

/// Records `step` as used, only if it is later than every step used
/// before: of two requests with the same code exactly one gets `true`,
/// and a code of an earlier step than one already used is refused too.
pub async fn accept_step<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    step: u64,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let unused = Condition::any()
        .add(user_mfa::Column::LastUsedStep.is_null())
        .add(user_mfa::Column::LastUsedStep.lt(step));
    let updated = user_mfa::Entity::update_many()
        .col_expr(user_mfa::Column::LastUsedStep, Expr::value(step))
        .col_expr(user_mfa::Column::UpdatedAt, Expr::value(now))
        .filter(user_mfa::Column::UserId.eq(user_id))
        .filter(user_mfa::Column::EnabledAt.is_not_null())
        .filter(unused)
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Which of a row's two sealed secrets: the enabled one or a pending
/// enrolment's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Enabled,
    Pending,
}

impl Slot {
    /// Its ciphertext, nonce and key id columns.
    fn columns(self) -> [user_mfa::Column; 3] {
        match self {
            Self::Enabled => [
                user_mfa::Column::SecretCiphertext,
                user_mfa::Column::SecretNonce,
                user_mfa::Column::SecretKeyId,
            ],
            Self::Pending => [
                user_mfa::Column::PendingCiphertext,
                user_mfa::Column::PendingNonce,
                user_mfa::Column::PendingKeyId,
            ],
        }
    }
}

/// Stores a secret again under the current key (after a rotation), only if
/// it is still the ciphertext that was read; `true` if it was. `updated_at`
/// stays: re-keying is no activity of the user's.
pub async fn reseal<C: ConnectionTrait>(
    db: &C,
    slot: Slot,
    user_id: Uuid,
    old: &Sealed,
    new: &Sealed,
) -> Result<bool, AppError> {
    let [ciphertext, nonce, key_id] = slot.columns();
    let updated = user_mfa::Entity::update_many()
        .col_expr(ciphertext, Expr::value(new.ciphertext.clone()))
        .col_expr(nonce, Expr::value(new.nonce.clone()))
        .col_expr(key_id, Expr::value(new.key_id.clone()))
        .filter(user_mfa::Column::UserId.eq(user_id))
        .filter(key_id.eq(old.key_id.clone()))
        .filter(nonce.eq(old.nonce.clone()))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Spends the unused code with one of `hashes`; `true` for the one
/// request that did.
pub async fn spend_recovery_code<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    hashes: Vec<String>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let updated = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::CodeHash.is_in(hashes))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected >= 1)
}

pub async fn recovery_codes_left<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<u64, AppError> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// Replaces every code of the user (used or not) by `hashes`.
pub async fn replace_recovery_codes<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    hashes: Vec<String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let rows = hashes.into_iter().map(|hash| recovery_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        code_hash: Set(hash),
        created_at: Set(now),
        used_at: Set(None),
    });
    recovery_code::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Stores a pending enrolment secret (replacing an earlier pending one),
/// creating the row on a first enrolment.
pub async fn set_pending<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    sealed: Sealed,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let row = user_mfa::ActiveModel {
        user_id: Set(user_id),
        secret_ciphertext: Set(None),
        secret_nonce: Set(None),
        secret_key_id: Set(None),
        enabled_at: Set(None),
        last_used_step: Set(None),
        pending_ciphertext: Set(Some(sealed.ciphertext)),
        pending_nonce: Set(Some(sealed.nonce)),
        pending_key_id: Set(Some(sealed.key_id)),
        pending_expires_at: Set(Some(expires_at)),
        updated_at: Set(now),
    };
    user_mfa::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(user_mfa::Column::UserId)
                .update_columns([
                    user_mfa::Column::PendingCiphertext,
                    user_mfa::Column::PendingNonce,
                    user_mfa::Column::PendingKeyId,
                    user_mfa::Column::PendingExpiresAt,
                    user_mfa::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Turns the pending secret on, only if it is still the one that was
/// confirmed and MFA is not on yet; `step` (the confirming code's) is
/// recorded as used.
pub async fn enable<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    confirmed: &Sealed,
    step: u64,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let updated = user_mfa::Entity::update_many()
        .col_expr(
            user_mfa::Column::SecretCiphertext,
            Expr::value(confirmed.ciphertext.clone()),
        )
        .col_expr(
            user_mfa::Column::SecretNonce,
            Expr::value(confirmed.nonce.clone()),
        )
        .col_expr(
            user_mfa::Column::SecretKeyId,
            Expr::value(confirmed.key_id.clone()),
        )
        .col_expr(user_mfa::Column::EnabledAt, Expr::value(now))
        .col_expr(
            user_mfa::Column::LastUsedStep,
            Expr::value(i64::try_from(step).unwrap_or(i64::MAX)),
        )
        .col_expr(
            user_mfa::Column::PendingCiphertext,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(
            user_mfa::Column::PendingNonce,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(
            user_mfa::Column::PendingKeyId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            user_mfa::Column::PendingExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(user_mfa::Column::UpdatedAt, Expr::value(now))
        .filter(user_mfa::Column::UserId.eq(user_id))
        .filter(user_mfa::Column::EnabledAt.is_null())
        .filter(user_mfa::Column::PendingNonce.eq(confirmed.nonce.clone()))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Removes the user's second factor entirely: secret, pending enrolment,
/// recovery codes and open challenges. `true` if MFA was on.
pub async fn remove<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<bool, AppError> {
    let was_on = is_enabled(db, user_id).await?;
    user_mfa::Entity::delete_by_id(user_id).exec(db).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    entity::mfa_challenge::Entity::delete_many()
        .filter(entity::mfa_challenge::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(was_on)
}
