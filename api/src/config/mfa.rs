//! The second factor's settings: the key that encrypts TOTP secrets at
//! rest (and the previous ones, decrypt-only, for rotation), how long a
//! login challenge lives, and whether superusers must have MFA.

use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{err, ConfigError, Source};

pub const KEY_VAR: &str = "MFA_ENCRYPTION_KEY";
pub const PREVIOUS_VAR: &str = "MFA_ENCRYPTION_KEYS_PREVIOUS";

/// A 256-bit AES key. It never prints (`Debug` shows only its id), so a
/// logged `Config` cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaKey {
    bytes: [u8; 32],
    id: String,
}

impl MfaKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        // The id names the key next to each ciphertext so rotation knows
        // which key to use; a hash prefix reveals nothing usable about it.
        let digest = Sha256::new()
            .chain_update(b"rampart-mfa-key-id:")
            .chain_update(bytes)
            .finalize();
        Self {
            bytes,
            id: hex::encode(&digest[..8]),
        }
    }

    /// Parses 64 hex digits or base64 (standard or URL-safe, padded or not)
    /// of exactly 32 bytes, refusing keys that are plainly not random.
    pub fn parse(var: &'static str, raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        let decoded = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(raw).ok()
        } else {
            let engines = [
                base64::engine::general_purpose::STANDARD,
                base64::engine::general_purpose::STANDARD_NO_PAD,
                base64::engine::general_purpose::URL_SAFE,
                base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ];
            engines.iter().find_map(|engine| engine.decode(raw).ok())
        };
        let Some(decoded) = decoded else {
            return Err(err(
                var,
                "expected 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)",
            ));
        };
        let bytes: [u8; 32] = decoded.try_into().map_err(|bytes: Vec<u8>| {
            err(
                var,
                format!("must be exactly 32 bytes, got {} bytes", bytes.len()),
            )
        })?;
        if looks_weak(&bytes) {
            return Err(err(
                var,
                "does not look random (repeated or few distinct bytes); generate one with openssl rand -base64 32",
            ));
        }
        Ok(Self::from_bytes(bytes))
    }

    pub fn generate() -> Self {
        Self::from_bytes(rand::random())
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key as 64 hex digits, for the local key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }
}

impl std::fmt::Debug for MfaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MfaKey({})", self.id)
    }
}

/// 32 random bytes have about 30 distinct values; fewer than 16 means a
/// pattern (all zeros, "aaaa…", a short word repeated), not randomness.
fn looks_weak(bytes: &[u8; 32]) -> bool {
    let mut seen = [false; 256];
    for b in bytes {
        seen[usize::from(*b)] = true;
    }
    seen.iter().filter(|s| **s).count() < 16
}

#[derive(Clone, Debug)]
pub struct MfaConfig {
    /// Encrypts new secrets and re-encrypts old ones on their next use.
    pub key: MfaKey,
    /// Decrypt-only: secrets written under an earlier key still work.
    pub previous_keys: Vec<MfaKey>,
    /// Generated at start-up (local mode only, see `local_secret`).
    pub generated: bool,
    /// Where local mode keeps its generated key across restarts.
    pub kept_in: Option<std::path::PathBuf>,
    /// How long the password step's challenge waits for a code.
    pub challenge_ttl: Duration,
    /// How long a begun enrolment waits for its first code.
    pub enrolment_ttl: Duration,
    /// A superuser without MFA gets `MFA_ENROLMENT_REQUIRED` on every
    /// superuser-only operation.
    pub required_for_superusers: bool,
}

pub(super) fn parse(src: &Source<'_>, hardened: bool) -> Result<MfaConfig, ConfigError> {
    let (key, generated) = match src.string(KEY_VAR) {
        Some(raw) => (MfaKey::parse(KEY_VAR, &raw)?, false),
        None if hardened => {
            return Err(err(
                KEY_VAR,
                "required outside local mode (32 random bytes: openssl rand -base64 32)",
            ))
        }
        None => (MfaKey::generate(), true),
    };
    let previous_keys = src
        .string(PREVIOUS_VAR)
        .map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(|k| MfaKey::parse(PREVIOUS_VAR, k))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    if previous_keys.iter().any(|old| old.id() == key.id()) {
        return Err(err(
            PREVIOUS_VAR,
            "must not contain the current MFA_ENCRYPTION_KEY",
        ));
    }
    Ok(MfaConfig {
        key,
        previous_keys,
        generated,
        kept_in: None,
        // Minutes: long enough to open the app and type, short enough that
        // a stolen challenge (with its cookie) is soon worthless.
        challenge_ttl: src
            .ranged("MFA_CHALLENGE_TTL_SECS", 300, 30, 1_800)
            .map(Duration::from_secs)?,
        enrolment_ttl: Duration::from_secs(15 * 60),
        required_for_superusers: src.bool("MFA_REQUIRED_FOR_SUPERUSERS", hardened)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_from_hex_and_base64_and_weak_ones_are_refused() {
        let key = MfaKey::generate();
        let hex = key.to_hex();
        assert_eq!(MfaKey::parse(KEY_VAR, &hex).unwrap(), key);
        let b64 = base64::engine::general_purpose::STANDARD.encode(key.bytes());
        assert_eq!(MfaKey::parse(KEY_VAR, &b64).unwrap(), key);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.bytes());
        assert_eq!(MfaKey::parse(KEY_VAR, &url).unwrap(), key);
        for weak in [
            "00".repeat(32),
            "ab".repeat(32),
            hex::encode(b"abcdefghabcdefghabcdefghabcdefgh"),
            base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
            "too-short".to_owned(),
            base64::engine::general_purpose::STANDARD.encode([1u8, 2, 3, 4, 5, 6, 7, 8]),
            hex[..62].to_owned(),
        ] {
            let error = MfaKey::parse(KEY_VAR, &weak).expect_err(&weak);
            assert_eq!(error.var, KEY_VAR);
        }
        assert!(!format!("{key:?}").contains(&hex));
    }
}
