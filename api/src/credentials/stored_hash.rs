//! Stored password hashes: which formats a log-in verifies, within which
//! costs, and whether a match is re-hashed at the configured parameters.
//!
//! Rampart writes argon2id PHC strings at the configured cost. Rows imported
//! from elsewhere keep working: the FastAPI template (pwdlib) writes argon2id
//! at m=65536,t=3,p=4 and older rows have bcrypt (`$2a$`, `$2b$`, `$2y$`), so
//! argon2 PHC strings of every variant and any parameters verify, and bcrypt
//! does. A stored value is a database row, so a corrupt or hostile row must
//! not decide how much memory or CPU one log-in spends: costs beyond the caps
//! below are refused like an unknown format (the log-in fails, the audit
//! trail and the log say why).

use argon2::{password_hash::PasswordHash, Algorithm, Params, Version};

/// bcrypt costs above this are refused: cost 16 is 2^16 rounds, seconds of
/// one core, and each step doubles it. Costs below 4 do not exist.
pub const MAX_BCRYPT_COST: u32 = 16;
const MIN_BCRYPT_COST: u32 = 4;

/// argon2 memory a stored hash may ask for beyond the configured cost (it
/// takes the one oversize block set, `hash_memory.rs`): 256 MiB, four times
/// the FastAPI template's.
pub const MAX_OVERSIZE_KIB: u32 = 262_144;

/// argon2 work (memory in KiB × passes) a stored hash may ask for beyond the
/// configured work: 64 MiB × 16 passes, or 256 MiB × 4; the template's is
/// 64 MiB × 3.
pub const MAX_ARGON2_WORK: u64 = 1_048_576;

/// argon2 lanes: this build computes them one after another, so they cost
/// no more than the memory, but no real hash has more than a few.
const MAX_ARGON2_LANES: u32 = 64;

/// What a stored value is, as far as verification goes. Lives on the stack
/// of one verification: the size of the parsed argon2 string is fine.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Stored<'a> {
    Argon2 {
        hash: PasswordHash<'a>,
        /// argon2id, version 0x13, the configured m, t, p and output length:
        /// nothing to re-hash.
        current: bool,
    },
    Bcrypt {
        cost: u32,
        /// `2a`, `2b` or `2y`.
        variant: &'a str,
    },
    /// The unusable marker (an account whose owner has not set a password):
    /// nothing verifies, and that is not an error.
    Unusable,
    /// Neither of the above, or a cost beyond the caps: the reason is logged
    /// and audited, never the value.
    Unverifiable(&'static str),
}

/// Reads `stored` against the configured parameters.
pub fn classify<'a>(stored: &'a str, configured: &Params) -> Stored<'a> {
    if stored == super::UNUSABLE_PASSWORD_HASH {
        return Stored::Unusable;
    }
    if stored.starts_with("$argon2") {
        return argon2(stored, configured);
    }
    if let Some(rest) = stored.strip_prefix('$') {
        let mut parts = rest.splitn(3, '$');
        if let (Some(variant @ ("2a" | "2b" | "2y")), Some(cost), Some(body)) =
            (parts.next(), parts.next(), parts.next())
        {
            // 22 characters of salt and 31 of digest, bcrypt's base64.
            let well_formed = body.len() == 53
                && body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
            return match cost.parse::<u32>() {
                Ok(_) if !well_formed => Stored::Unverifiable("malformed bcrypt hash"),
                Ok(cost) if (MIN_BCRYPT_COST..=MAX_BCRYPT_COST).contains(&cost) => {
                    Stored::Bcrypt { cost, variant }
                }
                Ok(_) => Stored::Unverifiable("bcrypt cost out of bounds"),
                Err(_) => Stored::Unverifiable("malformed bcrypt hash"),
            };
        }
    }
    Stored::Unverifiable("unknown hash format")
}

fn argon2<'a>(stored: &'a str, configured: &Params) -> Stored<'a> {
    let Ok(hash) = PasswordHash::new(stored) else {
        return Stored::Unverifiable("malformed argon2 hash");
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else {
        return Stored::Unverifiable("unknown argon2 variant");
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return Stored::Unverifiable("unknown argon2 version"),
    };
    let Ok(params) = Params::try_from(&hash) else {
        return Stored::Unverifiable("invalid argon2 parameters");
    };
    if hash.salt.is_none() || hash.hash.is_none() {
        return Stored::Unverifiable("malformed argon2 hash");
    }
    let work = |p: &Params| u64::from(p.m_cost()) * u64::from(p.t_cost());
    if params.m_cost() > configured.m_cost().max(MAX_OVERSIZE_KIB) {
        return Stored::Unverifiable("argon2 memory cost out of bounds");
    }
    if work(&params) > work(configured).max(MAX_ARGON2_WORK) {
        return Stored::Unverifiable("argon2 time cost out of bounds");
    }
    if params.p_cost() > configured.p_cost().max(MAX_ARGON2_LANES) {
        return Stored::Unverifiable("argon2 parallelism out of bounds");
    }
    let output_len = hash.hash.map_or(0, |h| h.len());
    let current = algorithm == Algorithm::Argon2id
        && version == Version::V0x13
        && params.m_cost() == configured.m_cost()
        && params.t_cost() == configured.t_cost()
        && params.p_cost() == configured.p_cost()
        && output_len
            == configured
                .output_len()
                .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Stored::Argon2 { hash, current }
}

impl Stored<'_> {
    /// Which format a re-hash replaced, for the audit trail: the scheme and
    /// its cost, never the salt or digest.
    pub fn describe(&self) -> String {
        match self {
            Stored::Argon2 { hash, .. } => {
                // Without `v=`, 0x13 (19), as the argon2 crate reads it.
                let version = hash.version.map_or(19, |v| v);
                let param = |name: &str| {
                    hash.params
                        .get_decimal(name)
                        .map_or_else(|| "?".to_owned(), |v| v.to_string())
                };
                format!(
                    "{} v={version} m={},t={},p={}",
                    hash.algorithm,
                    param("m"),
                    param("t"),
                    param("p")
                )
            }
            Stored::Bcrypt { cost, variant } => format!("bcrypt ${variant}$ cost {cost}"),
            Stored::Unusable => "unusable".to_owned(),
            Stored::Unverifiable(reason) => (*reason).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured() -> Params {
        Params::new(19_456, 2, 1, None).unwrap()
    }

    fn reason(stored: &str) -> &'static str {
        match classify(stored, &configured()) {
            Stored::Unverifiable(reason) => reason,
            other => panic!("{stored} classified as {other:?}"),
        }
    }

    const SALT_AND_DIGEST: &str =
        "c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG+7hHXJ8jdZo";

    #[test]
    fn argon2_of_any_variant_and_cost_within_the_caps_is_verifiable() {
        for variant in ["argon2id", "argon2i", "argon2d"] {
            let stored = format!("${variant}$v=19$m=65536,t=3,p=4${SALT_AND_DIGEST}");
            let Stored::Argon2 { current, .. } = classify(&stored, &configured()) else {
                panic!("{stored}");
            };
            assert!(!current, "{stored} is not the configured cost");
        }
        let old_version = format!("$argon2i$m=4096,t=3,p=1${SALT_AND_DIGEST}");
        assert!(matches!(
            classify(&old_version, &configured()),
            Stored::Argon2 { current: false, .. }
        ));
        let ours = format!("$argon2id$v=19$m=19456,t=2,p=1${SALT_AND_DIGEST}");
        assert!(matches!(
            classify(&ours, &configured()),
            Stored::Argon2 { current: true, .. }
        ));
        let other_params = format!("$argon2id$v=19$m=19456,t=3,p=1${SALT_AND_DIGEST}");
        assert!(matches!(
            classify(&other_params, &configured()),
            Stored::Argon2 { current: false, .. }
        ));
    }

    #[test]
    fn argon2_costs_beyond_the_caps_are_refused() {
        let hash =
            |m: u32, t: u32, p: u32| format!("$argon2id$v=19$m={m},t={t},p={p}${SALT_AND_DIGEST}");
        assert_eq!(
            reason(&hash(MAX_OVERSIZE_KIB * 2, 1, 1)),
            "argon2 memory cost out of bounds"
        );
        assert_eq!(
            reason(&hash(65_536, 17, 1)),
            "argon2 time cost out of bounds"
        );
        assert_eq!(
            reason(&hash(65_536, 1, 65)),
            "argon2 parallelism out of bounds"
        );
        // A configured cost above the caps is always verifiable.
        let large = Params::new(524_288, 4, 1, None).unwrap();
        assert!(matches!(
            classify(&hash(524_288, 4, 1), &large),
            Stored::Argon2 { current: true, .. }
        ));
    }

    #[test]
    fn bcrypt_variants_within_the_cost_cap_are_verifiable() {
        let body = "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
        for variant in ["2a", "2b", "2y"] {
            let stored = format!("${variant}$12${body}");
            assert!(matches!(
                classify(&stored, &configured()),
                Stored::Bcrypt { cost: 12, .. }
            ));
        }
        assert_eq!(
            reason(&format!("$2b$17${body}")),
            "bcrypt cost out of bounds"
        );
        assert_eq!(
            reason(&format!("$2b$03${body}")),
            "bcrypt cost out of bounds"
        );
        assert_eq!(reason(&format!("$2b$xx${body}")), "malformed bcrypt hash");
        assert_eq!(
            reason(&format!("$2b$12${}", &body[1..])),
            "malformed bcrypt hash"
        );
        assert_eq!(
            reason(&format!("$2b$12$%{}", &body[1..])),
            "malformed bcrypt hash"
        );
        // `$2x$` is the variant of a buggy implementation: not ours to accept.
        assert_eq!(reason(&format!("$2x$12${body}")), "unknown hash format");
    }

    #[test]
    fn anything_else_is_an_unknown_format() {
        for stored in [
            "",
            "plaintext-password",
            "pbkdf2_sha256$600000$salt$digest",
            "$6$rounds=5000$salt$digest",
            "$scrypt$ln=16,r=8,p=1$c2FsdA$ZGlnZXN0",
        ] {
            assert_eq!(reason(stored), "unknown hash format", "{stored}");
        }
        assert_eq!(reason("$argon2id$v=19$m=x$zz"), "malformed argon2 hash");
        assert_eq!(
            reason(&format!("$argon2x$v=19$m=65536,t=3,p=4${SALT_AND_DIGEST}")),
            "unknown argon2 variant"
        );
        assert!(matches!(
            classify(super::super::UNUSABLE_PASSWORD_HASH, &configured()),
            Stored::Unusable
        ));
    }

    #[test]
    fn the_description_names_the_scheme_and_cost_only() {
        let stored = format!("$argon2id$v=19$m=65536,t=3,p=4${SALT_AND_DIGEST}");
        let described = classify(&stored, &configured()).describe();
        assert_eq!(described, "argon2id v=19 m=65536,t=3,p=4");
        let bcrypt = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
        assert_eq!(
            classify(bcrypt, &configured()).describe(),
            "bcrypt $2b$ cost 12"
        );
    }
}
