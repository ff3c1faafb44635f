//! Password policy and argon2id hashing.
//!
//! Hashing is deliberately expensive (19 MiB, 2 passes), so it runs on the
//! blocking pool behind a semaphore: a login flood then queues instead of
//! allocating unbounded memory or starving the async workers that serve
//! everyone else.

use std::sync::Arc;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use super::hash_memory::{self, MemoryPool};
use crate::{config::PasswordConfig, error::AppError};

/// NIST 800-63B: at least 8 characters; the upper bound keeps one hash's
/// input small and is far above any passphrase a person types.
pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

/// Which new passwords are acceptable: length limits, no composition rules,
/// and a zxcvbn strength score (0–4; 3 means "safely unguessable" for an
/// online attacker and resistant to a slow-hash offline attack).
#[derive(Clone, Copy, Debug)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    min_strength: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordRejection {
    #[error("must be at least {0} characters")]
    TooShort(usize),
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("is too easy to guess; use a longer passphrase or uncommon words")]
    TooWeak,
}

impl PasswordPolicy {
    pub fn new(config: &PasswordConfig) -> Self {
        Self {
            min_length: MIN_LENGTH,
            max_length: MAX_LENGTH,
            min_strength: config.min_strength.min(4),
        }
    }

    /// Length limits, no composition rules, and a strength estimate that
    /// rejects common and breached-list passwords (NIST 800-63B, ASVS 6.2).
    /// `context` holds the user's own e-mail and name, which must not help.
    pub fn check(&self, password: &str, context: &[&str]) -> Result<(), PasswordRejection> {
        let length = password.chars().count();
        if length < self.min_length {
            return Err(PasswordRejection::TooShort(self.min_length));
        }
        if length > self.max_length {
            return Err(PasswordRejection::TooLong(self.max_length));
        }
        let estimate = zxcvbn::zxcvbn(password, context);
        if u8::from(estimate.score()) < self.min_strength {
            return Err(PasswordRejection::TooWeak);
        }
        Ok(())
    }

    /// Policy check as a field error for the given input field.
    pub fn validate(
        &self,
        field: &'static str,
        password: &str,
        context: &[&str],
    ) -> Result<(), AppError> {
        self.check(password, context)
            .map_err(|reason| AppError::bad_input(field, format!("Password {reason}.")))
    }
}

/// argon2id hasher with bounded concurrency and a dummy hash used to give
/// unknown accounts the same verification cost as known ones. Working memory
/// comes from a [`MemoryPool`] (see `hash_memory.rs` for why). It carries
/// the policy too, so that no path hashes a new password unchecked.
#[derive(Clone)]
pub struct PasswordHasher {
    policy: PasswordPolicy,
    argon2: Argon2<'static>,
    params: Params,
    permits: Arc<Semaphore>,
    memory: Arc<MemoryPool>,
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(config: &PasswordConfig) -> anyhow::Result<Self> {
        let params = Params::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let memory = Arc::new(MemoryPool::new());
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = {
            let _demand = memory.demand();
            hash_memory::hash(
                &memory,
                &argon2,
                &params,
                b"dummy password for unknown accounts",
                salt.as_salt(),
            )
            .map_err(|e| anyhow::anyhow!("cannot compute dummy hash: {e}"))?
        };
        Ok(Self {
            policy: PasswordPolicy::new(config),
            argon2,
            params,
            permits: Arc::new(Semaphore::new(config.max_concurrent_hashes)),
            memory,
            dummy_hash: dummy_hash.into(),
        })
    }

    pub fn policy(&self) -> &PasswordPolicy {
        &self.policy
    }

    /// Checks a new password against the policy (as a field error of
    /// `field`; `context` is the user's own e-mail and name) and hashes it.
    /// Every path that sets a password goes through here.
    pub async fn hash_new(
        &self,
        field: &'static str,
        password: &str,
        context: &[&str],
    ) -> Result<String, AppError> {
        self.policy.validate(field, password, context)?;
        self.hash(password).await
    }

    async fn hash(&self, password: &str) -> Result<String, AppError> {
        let argon2 = self.argon2.clone();
        let params = self.params.clone();
        let memory = Arc::clone(&self.memory);
        let password = password.to_owned();
        self.run_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            hash_memory::hash(
                &memory,
                &argon2,
                &params,
                password.as_bytes(),
                salt.as_salt(),
            )
            .map_err(|e| AppError::internal(anyhow::anyhow!("argon2 hash failed: {e}")))
        })
        .await
    }

    /// Verifies `password` against `stored`; with `None` (unknown account) or
    /// an unusable hash it verifies against the dummy hash and returns false,
    /// taking the same time as a real check.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let memory = Arc::clone(&self.memory);
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        let dummy = self.dummy_hash.clone();
        self.run_blocking(move || {
            let real = stored.as_deref().and_then(|s| PasswordHash::new(s).ok());
            let (hash, is_real) = match real {
                Some(hash) => (hash, true),
                None => match PasswordHash::new(&dummy) {
                    Ok(hash) => (hash, false),
                    Err(e) => {
                        return Err(AppError::internal(anyhow::anyhow!(
                            "dummy hash unusable: {e}"
                        )))
                    }
                },
            };
            // A stored hash whose parameters cannot be used fails to verify,
            // as with `PasswordVerifier`.
            let matches = hash_memory::verify(&memory, password.as_bytes(), &hash).unwrap_or(false);
            Ok(is_real && matches)
        })
        .await
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        // Counted from before the wait for a permit until the blocking job
        // ends, so the pool keeps its memory for queued hashes.
        let demand = self.memory.demand();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("hash semaphore closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let result = job();
            drop(demand);
            result
        })
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("hash task failed: {e}")))?
    }
}

/// A hash that no password verifies: accounts created by a superuser get it
/// until their owner sets a password through the welcome link.
pub const UNUSABLE_PASSWORD_HASH: &str = "!unusable";

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PasswordConfig {
        PasswordConfig {
            min_strength: 3,
            argon2_memory_kib: 8_192,
            argon2_iterations: 1,
            argon2_parallelism: 1,
            max_concurrent_hashes: 2,
        }
    }

    fn policy() -> PasswordPolicy {
        PasswordPolicy::new(&config())
    }

    #[test]
    fn policy_rejects_short_long_and_common_passwords() {
        let p = policy();
        assert_eq!(p.check("Ab1!", &[]), Err(PasswordRejection::TooShort(8)));
        assert_eq!(
            p.check(&"x".repeat(129), &[]),
            Err(PasswordRejection::TooLong(128))
        );
        assert_eq!(p.check("password1", &[]), Err(PasswordRejection::TooWeak));
        assert_eq!(p.check("qwertyuiop", &[]), Err(PasswordRejection::TooWeak));
        assert!(p.check("violet-anchor-tundra-93", &[]).is_ok());
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        let p = policy();
        // 7 characters but 15 bytes: still too short.
        assert_eq!(p.check("ñøπ£ßåæ", &[]), Err(PasswordRejection::TooShort(8)));
    }

    #[test]
    fn the_users_own_email_does_not_make_a_password_strong() {
        let p = policy();
        assert_eq!(
            p.check(
                "jane.doe.rampart",
                &["jane.doe.rampart@example.com", "jane.doe.rampart"]
            ),
            Err(PasswordRejection::TooWeak)
        );
    }

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        let a = hasher
            .hash_new("password", "violet-anchor-tundra-93", &[])
            .await
            .unwrap();
        let b = hasher
            .hash_new("password", "violet-anchor-tundra-93", &[])
            .await
            .unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=8192,t=1,p=1$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(hasher
            .verify("violet-anchor-tundra-93", Some(&a))
            .await
            .unwrap());
        assert!(!hasher
            .verify("violet-anchor-tundra-94", Some(&a))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn unknown_or_unusable_hashes_never_verify() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        assert!(!hasher
            .verify("dummy password for unknown accounts", None)
            .await
            .unwrap());
        assert!(!hasher
            .verify("anything", Some(UNUSABLE_PASSWORD_HASH))
            .await
            .unwrap());
    }
}
