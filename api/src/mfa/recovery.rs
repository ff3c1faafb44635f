//! Recovery codes: ten per user, shown once, each good for one sign-in or
//! one confirmation when the authenticator app is gone.
//!
//! A code is ten characters from a 31-letter alphabet without look-alikes
//! (no 0/o, 1/l/i), about 49.5 bits from the operating system's CSPRNG,
//! shown as `xxxxx-xxxxx`. It is stored as HMAC-SHA-256 of the user id and
//! the normalised code under a key derived from `MFA_ENCRYPTION_KEY`.
//! A fast hash is enough because the code is random, not chosen by a
//! person: there is no dictionary to try, and online guessing is held by
//! the login throttle. The key is what keeps a stolen database alone from
//! being brute-forced offline (2^49 guesses is a GPU-day for plain
//! SHA-256); the user id means one guess never tests every account. An
//! argon2 hash per code would cost a login ten hashes for no gain.

use hmac::{Hmac, Mac};
use rand::seq::IndexedRandom;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::{MfaConfig, MfaKey};

pub const ALPHABET: &str = "abcdefghjkmnpqrstuvwxyz23456789";
pub const CODE_CHARS: usize = 10;
pub const COUNT: usize = 10;

/// Ten fresh codes, formatted for display.
pub fn generate() -> Vec<String> {
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let mut rng = rand::rng();
    (0..COUNT)
        .map(|_| {
            let chars: String = (0..CODE_CHARS)
                .filter_map(|_| alphabet.choose(&mut rng))
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// The stored form of a typed code (spaces and dashes already removed by
/// `code::parse`): lowercase, exactly ten characters of the alphabet.
pub fn normalise(compact: &str) -> Option<String> {
    let lower = compact.to_ascii_lowercase();
    (lower.chars().count() == CODE_CHARS && lower.chars().all(|c| ALPHABET.contains(c)))
        .then_some(lower)
}

fn hash_with(key: &MfaKey, user_id: Uuid, normalised: &str) -> String {
    // A key of its own, derived from the encryption key, so the AES key is
    // never used for anything but AES.
    let derived = Sha256::new()
        .chain_update(b"rampart-recovery-code-hmac:")
        .chain_update(key.bytes())
        .finalize();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&derived) else {
        // HMAC takes keys of any length; this branch cannot run.
        return String::new();
    };
    mac.update(user_id.as_bytes());
    mac.update(b":");
    mac.update(normalised.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The hash to store for a new code (current key).
pub fn hash(config: &MfaConfig, user_id: Uuid, code: &str) -> String {
    let compact: String = code.chars().filter(|c| *c != '-').collect();
    hash_with(&config.key, user_id, &compact)
}

/// Every hash the code may be stored under: the current key's and each
/// previous key's, so codes issued before a rotation keep working.
pub fn candidates(config: &MfaConfig, user_id: Uuid, normalised: &str) -> Vec<String> {
    std::iter::once(&config.key)
        .chain(config.previous_keys.iter())
        .map(|key| hash_with(key, user_id, normalised))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_documented_shape_and_differ() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
            let compact: String = code.chars().filter(|c| *c != '-').collect();
            assert_eq!(normalise(&compact).as_deref(), Some(compact.as_str()));
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COUNT);
    }
}
