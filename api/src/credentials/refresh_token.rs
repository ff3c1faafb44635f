//! Refresh tokens: 256 random bits, given to the browser once in an
//! HttpOnly cookie and stored only as their SHA-256, so a database leak
//! hands out no working session. Opaque on purpose: nothing in one can be
//! read or checked without the database (unlike an access token, which is
//! a signed JWT; the two never pass for each other).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token and the hash to store for it.
pub struct NewRefreshToken {
    pub raw: String,
    pub hash: String,
}

pub fn generate() -> NewRefreshToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let raw = hex::encode(bytes);
    let hash = digest(&raw);
    NewRefreshToken { raw, hash }
}

/// The stored form of a presented token, or `None` when it cannot be one
/// of ours (so no lookup is spent on it).
pub fn hash_of(raw: &str) -> Option<String> {
    let well_formed = raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then(|| digest(raw))
}

fn digest(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_well_formed_ones_hash() {
        let (a, b) = (generate(), generate());
        assert_ne!(a.raw, b.raw);
        assert_eq!(hash_of(&a.raw).as_deref(), Some(a.hash.as_str()));
        assert_ne!(a.raw, a.hash);
        assert!(hash_of("not-a-token").is_none());
        assert!(hash_of(&"g".repeat(64)).is_none());
        // A JWT is never mistaken for a refresh token.
        assert!(hash_of("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln").is_none());
    }
}
