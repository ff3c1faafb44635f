//! Stored hashes that are not argon2id at the configured cost: replaced at
//! the first successful log-in (bcrypt and argon2 rows imported from the
//! FastAPI template, or Rampart's own after `ARGON2_*` changed), refused and
//! reported when no format this build knows verifies them.

use std::net::IpAddr;

use sea_orm::TransactionTrait;

use crate::{
    audit::{self, AuditEntry, Kind},
    credentials::Upgrade,
    error::AppError,
    state::AppState,
    users::store,
};

/// Stores the new hash and audits `password.rehashed` with the format it
/// replaced, in one transaction. A password set since the hash was read
/// wins: then nothing is stored and nothing audited.
pub(super) async fn store(
    state: &AppState,
    user: &entity::user::Model,
    upgrade: Upgrade,
    ip: Option<IpAddr>,
) -> Result<(), AppError> {
    let txn = state.db.begin().await?;
    let replaced =
        store::replace_hash_if_unchanged(&txn, user.id, &user.password_hash, &upgrade.hash).await?;
    if !replaced {
        return Ok(());
    }
    let detail = format!("from {}", upgrade.from);
    let entry = AuditEntry {
        actor: Some(user.id),
        subject: Some(user.id),
        subject_email: Some(&user.email),
        ip,
        detail: Some(&detail),
    };
    audit::record(&txn, Kind::PasswordRehashed, entry).await?;
    txn.commit().await?;
    tracing::info!(user_id = %user.id, from = %upgrade.from, "password re-hashed at the configured cost");
    Ok(())
}

/// The account's stored hash cannot be verified: an operator has to look
/// (the user can still reset the password). The log names the account and
/// the reason, never the stored value.
pub(super) fn refused(user: &entity::user::Model, reason: &str) {
    tracing::warn!(
        user_id = %user.id,
        reason,
        "log-in refused: the stored password hash is in no format this server verifies"
    );
}
