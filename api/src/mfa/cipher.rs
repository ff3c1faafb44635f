//! TOTP secrets at rest: AES-256-GCM under `MFA_ENCRYPTION_KEY`, a fresh
//! 96-bit nonce per encryption, and the user id (with a purpose tag) as
//! associated data, so a ciphertext copied into another user's row fails
//! to decrypt instead of giving that user the victim's codes. Each
//! ciphertext names its key (`key_id`): after a rotation the previous keys
//! (`MFA_ENCRYPTION_KEYS_PREVIOUS`) still decrypt, and the caller
//! re-encrypts with the current key on the next successful use.

use aes_gcm::{
    aead::{Aead, KeyInit, Payload},
    Aes256Gcm, Nonce,
};
use uuid::Uuid;

use crate::{
    config::{MfaConfig, MfaKey},
    error::AppError,
};

const NONCE_BYTES: usize = 12;

/// A sealed secret as stored: ciphertext (with its tag), nonce, key id.
#[derive(Clone)]
pub struct Sealed {
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    pub key_id: String,
}

fn associated_data(user_id: Uuid) -> Vec<u8> {
    let mut aad = b"rampart-totp-secret:".to_vec();
    aad.extend_from_slice(user_id.as_bytes());
    aad
}

fn cipher(key: &MfaKey) -> Result<Aes256Gcm, AppError> {
    Aes256Gcm::new_from_slice(key.bytes())
        .map_err(|_| AppError::internal(anyhow::anyhow!("AES-256-GCM refused a 32-byte key")))
}

/// Encrypts `secret` for `user_id` under the current key.
pub fn seal(config: &MfaConfig, user_id: Uuid, secret: &[u8]) -> Result<Sealed, AppError> {
    let nonce: [u8; NONCE_BYTES] = rand::random();
    let ciphertext = cipher(&config.key)?
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: &associated_data(user_id),
            },
        )
        .map_err(|_| AppError::internal(anyhow::anyhow!("encrypting a TOTP secret failed")))?;
    Ok(Sealed {
        ciphertext,
        nonce: nonce.to_vec(),
        key_id: config.key.id().to_owned(),
    })
}

/// A decrypted secret, and whether it was sealed under a previous key
/// (then the caller stores [`seal`] of it again).
pub struct Opened {
    pub secret: Vec<u8>,
    pub stale_key: bool,
}

/// Decrypts with the key the ciphertext names. A missing key (rotated out
/// of `MFA_ENCRYPTION_KEYS_PREVIOUS` too early) or a failed tag (tampering,
/// a swapped row) is an internal error: logged, never explained to the client.
pub fn open(config: &MfaConfig, user_id: Uuid, sealed: &Sealed) -> Result<Opened, AppError> {
    let key = std::iter::once(&config.key)
        .chain(config.previous_keys.iter())
        .find(|key| key.id() == sealed.key_id)
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "a TOTP secret is encrypted with key {} which is neither MFA_ENCRYPTION_KEY \
                 nor in MFA_ENCRYPTION_KEYS_PREVIOUS",
                sealed.key_id
            ))
        })?;
    if sealed.nonce.len() != NONCE_BYTES {
        return Err(AppError::internal(anyhow::anyhow!(
            "a stored TOTP nonce has the wrong length"
        )));
    }
    let secret = cipher(key)?
        .decrypt(
            Nonce::from_slice(&sealed.nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad: &associated_data(user_id),
            },
        )
        .map_err(|_| {
            AppError::internal(anyhow::anyhow!(
                "a TOTP secret failed to decrypt (tampered, or another user's row)"
            ))
        })?;
    Ok(Opened {
        secret,
        stale_key: key.id() != config.key.id(),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn config(key: MfaKey, previous: Vec<MfaKey>) -> MfaConfig {
        MfaConfig {
            key,
            previous_keys: previous,
            generated: false,
            kept_in: None,
            challenge_ttl: Duration::from_secs(300),
            enrolment_ttl: Duration::from_secs(900),
            required_for_superusers: false,
        }
    }

    #[test]
    fn sealed_secrets_open_only_for_their_user_and_key() {
        let (old, new) = (MfaKey::generate(), MfaKey::generate());
        let before = config(old.clone(), vec![]);
        let user = Uuid::now_v7();
        let sealed = seal(&before, user, b"0123456789abcdefghij").unwrap();
        assert_ne!(sealed.ciphertext, b"0123456789abcdefghij");
        let opened = open(&before, user, &sealed).unwrap();
        assert_eq!(opened.secret, b"0123456789abcdefghij");
        assert!(!opened.stale_key);
        assert!(
            open(&before, Uuid::now_v7(), &sealed).is_err(),
            "another user's row"
        );
        let rotated = config(new.clone(), vec![old]);
        let opened = open(&rotated, user, &sealed).unwrap();
        assert!(opened.stale_key, "decrypted with a previous key");
        assert!(
            open(&config(new, vec![]), user, &sealed).is_err(),
            "old key dropped"
        );
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert!(open(&before, user, &tampered).is_err());
    }
}
