//! The password policy: which new passwords are acceptable.

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
            hash_queue_limit: 32,
            hash_max_wait: std::time::Duration::from_secs(2),
            hash_nice: 0,
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
}
