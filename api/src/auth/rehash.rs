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

#[cfg(test)]
mod tests {
    use std::{
        io::Write,
        sync::{Arc, Mutex},
    };

    use chrono::Utc;
    use uuid::Uuid;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_refusal_is_a_warning_naming_the_account_and_reason_never_the_hash() {
        let now = Utc::now();
        let user = entity::user::Model {
            id: Uuid::new_v4(),
            email: "frank@example.com".into(),
            full_name: None,
            password_hash: "pbkdf2_sha256$600000$c2FsdA$ZmFrZWRpZ2VzdA".into(),
            is_active: true,
            is_superuser: false,
            tokens_valid_after: now,
            email_verified_at: None,
            created_at: now,
            updated_at: now,
        };
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || refused(&user, "unknown hash format"));
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("WARN"), "{log}");
        assert!(log.contains(&user.id.to_string()), "{log}");
        assert!(log.contains("unknown hash format"), "{log}");
        assert!(!log.contains("pbkdf2") && !log.contains("c2FsdA"), "{log}");
    }
}
