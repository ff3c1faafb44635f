//! argon2id hashing and verification, on the bounded job pool
//! (`hash_jobs.rs`) with reused working memory (`hash_memory.rs`). Stored
//! hashes of other formats and costs (`stored_hash.rs`) verify in the same
//! jobs, and a match is re-hashed there at the configured cost.

use std::sync::Arc;

use argon2::{
    password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Params, Version,
};
use rand::RngCore;

use super::{
    hash_jobs::{HashJobs, JobError, Limits, Turn},
    hash_memory::{self, BlockSets},
    password::PasswordPolicy,
    stored_hash::{self, Stored},
};
use crate::{config::PasswordConfig, error::AppError};

/// A hash that no password verifies: accounts created by a superuser get it
/// until their owner sets a password through the welcome link.
pub const UNUSABLE_PASSWORD_HASH: &str = "!unusable";

/// argon2id hasher with bounded concurrency and a dummy hash that gives
/// unknown accounts the same verification cost as known ones. It carries
/// the policy too, so that no path hashes a new password unchecked.
#[derive(Clone)]
pub struct PasswordHasher(Arc<Inner>);

struct Inner {
    policy: PasswordPolicy,
    argon2: Argon2<'static>,
    params: Params,
    jobs: HashJobs,
    memory: BlockSets,
    dummy_hash: String,
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
        Ok(Self(Arc::new(Inner {
            policy: PasswordPolicy::new(config),
            dummy_hash: dummy_hash(&params)?,
            memory: BlockSets::new(params.block_count()),
            argon2,
            params,
            jobs: HashJobs::new(Limits {
                concurrency: config.max_concurrent_hashes,
                queue: config.hash_queue_limit,
                max_wait: config.hash_max_wait,
                nice: config.hash_nice,
            })
            .map_err(|e| anyhow::anyhow!("could not start the password hash threads: {e}"))?,
        })))
    }

    pub fn policy(&self) -> &PasswordPolicy {
        &self.0.policy
    }

    /// The job pool, for its gauges.
    pub fn jobs(&self) -> &HashJobs {
        &self.0.jobs
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
        self.hash_new_in(self.reserve()?, field, password, context)
            .await
    }

    /// Takes a place in the hash pool's line now, for a hash that comes
    /// after database work: under a flood, the requests that would be shed
    /// anyway are shed before they cost a statement or a pooled connection.
    pub fn reserve(&self) -> Result<HashTurn<'_>, AppError> {
        self.0.jobs.reserve().map(HashTurn).map_err(job_error)
    }

    /// [`hash_new`](Self::hash_new) in a turn taken with [`reserve`](Self::reserve).
    pub async fn hash_new_in(
        &self,
        turn: HashTurn<'_>,
        field: &'static str,
        password: &str,
        context: &[&str],
    ) -> Result<String, AppError> {
        self.0.policy.validate(field, password, context)?;
        let inner = Arc::clone(&self.0);
        let password = password.to_owned();
        self.run_in(turn, move || inner.hash(password.as_bytes()))
            .await?
    }

    /// Verifies `password` against `stored`; with `None` (unknown account) or
    /// an unusable hash it verifies against the dummy hash and returns false,
    /// taking the same time as a real check.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        self.verify_in(self.reserve()?, password, stored).await
    }

    /// [`verify`](Self::verify) in a turn taken with [`reserve`](Self::reserve).
    pub async fn verify_in(
        &self,
        turn: HashTurn<'_>,
        password: &str,
        stored: Option<&str>,
    ) -> Result<bool, AppError> {
        Ok(self
            .check_in(turn, password, stored, false)
            .await?
            .matches())
    }

    /// Verifies like [`verify_in`](Self::verify_in), for a log-in: a stored
    /// hash of another format or cost that matches is, with `upgrade`,
    /// re-hashed at the configured cost in the same job and turn (the caller
    /// stores it), and a stored value that cannot be verified says so rather
    /// than "no match". Give `upgrade` only when a match will sign the user
    /// in (an active, unthrottled account): then the extra hash reveals
    /// nothing.
    pub async fn check_in(
        &self,
        turn: HashTurn<'_>,
        password: &str,
        stored: Option<&str>,
        upgrade: bool,
    ) -> Result<Verification, AppError> {
        let inner = Arc::clone(&self.0);
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        self.run_in(turn, move || {
            inner.check(password.as_bytes(), stored.as_deref(), upgrade)
        })
        .await?
    }

    /// How a log-in would read `stored`: the format and cost it would
    /// verify (and re-hash unless it is the configured one), or why it
    /// cannot. Nothing is computed.
    pub fn stored_format(&self, stored: &str) -> Result<String, &'static str> {
        match stored_hash::classify(stored, &self.0.params) {
            Stored::Unverifiable(reason) => Err(reason),
            Stored::Unusable => Err("no password set"),
            known => Ok(known.describe()),
        }
    }

    async fn run_in<T: Send + 'static>(
        &self,
        turn: HashTurn<'_>,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        self.0.jobs.run_in(turn.0, job).await.map_err(job_error)
    }
}

/// A place in the hash pool's line (see [`PasswordHasher::reserve`]); given
/// back when dropped, also when the request is cancelled.
pub struct HashTurn<'a>(Turn<'a>);

fn job_error(error: JobError) -> AppError {
    match error {
        // Shed: the caller is told to come back when the line should have
        // drained, as for any rate limit.
        JobError::Busy { retry_after } => AppError::Overloaded {
            retry_after_secs: (retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0))
                .clamp(1, 60),
        },
        JobError::Failed => AppError::internal(anyhow::anyhow!("password hash job failed")),
    }
}

/// What a log-in's verification found.
#[derive(Debug)]
pub enum Verification {
    /// The password does not match, or there is no usable stored hash.
    Mismatch,
    /// The password matches; `upgrade` is set when the stored hash was of
    /// another format or cost and a re-hash was asked for.
    Match { upgrade: Option<Upgrade> },
    /// The stored value is of no format (or cost) this build verifies; the
    /// reason is for the log and the audit trail.
    Unverifiable(&'static str),
}

impl Verification {
    pub fn matches(&self) -> bool {
        matches!(self, Verification::Match { .. })
    }
}

/// A new hash of a matched password, at the configured cost.
#[derive(Debug)]
pub struct Upgrade {
    pub hash: String,
    /// The format it replaces (`stored_hash::Stored::describe`).
    pub from: String,
}

impl Inner {
    fn hash(&self, password: &[u8]) -> Result<String, AppError> {
        let salt = SaltString::generate(&mut OsRng);
        hash_memory::hash(
            &self.memory,
            &self.argon2,
            &self.params,
            password,
            salt.as_salt(),
        )
        .map_err(|e| AppError::internal(anyhow::anyhow!("argon2 hash failed: {e}")))
    }

    /// Runs on the job pool. Whatever the stored value, one verification's
    /// work is done: the dummy hash stands in for a missing, unusable or
    /// unverifiable one.
    fn check(
        &self,
        password: &[u8],
        stored: Option<&str>,
        upgrade: bool,
    ) -> Result<Verification, AppError> {
        let kind = stored.map_or(Stored::Unusable, |s| stored_hash::classify(s, &self.params));
        let (matches, current) = match &kind {
            // A stored hash whose parameters cannot be used fails to verify,
            // as with `PasswordVerifier`.
            Stored::Argon2 { hash, current } => (
                hash_memory::verify(&self.memory, password, hash).unwrap_or(false),
                *current,
            ),
            Stored::Bcrypt { .. } => (
                // Truncates at 72 bytes, as the implementations that wrote
                // these hashes did (newer ones refuse longer passwords).
                stored.is_some_and(|s| bcrypt::verify(password, s).unwrap_or(false)),
                false,
            ),
            Stored::Unusable | Stored::Unverifiable(_) => {
                self.verify_dummy(password)?;
                (false, true)
            }
        };
        if let Stored::Unverifiable(reason) = kind {
            return Ok(Verification::Unverifiable(reason));
        }
        if !matches {
            return Ok(Verification::Mismatch);
        }
        let upgrade = if upgrade && !current {
            Some(Upgrade {
                hash: self.hash(password)?,
                from: kind.describe(),
            })
        } else {
            None
        };
        Ok(Verification::Match { upgrade })
    }

    fn verify_dummy(&self, password: &[u8]) -> Result<(), AppError> {
        let dummy = PasswordHash::new(&self.dummy_hash)
            .map_err(|e| AppError::internal(anyhow::anyhow!("dummy hash unusable: {e}")))?;
        let _ = hash_memory::verify(&self.memory, password, &dummy);
        Ok(())
    }
}

/// A PHC string with the configured parameters, a random salt and a random
/// digest: verifying any password against it costs exactly what a real
/// verification costs and always fails. Nothing is hashed to make it, so
/// start-up (and readiness) does not wait for a hash.
fn dummy_hash(params: &Params) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut digest = [0u8; Params::DEFAULT_OUTPUT_LEN];
    rand::rng().fill_bytes(&mut digest);
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&digest).map_err(|e| anyhow::anyhow!("dummy digest: {e}"))?),
    };
    Ok(phc.to_string())
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
    async fn hashes_are_the_argon2_crates_own_format() {
        use argon2::PasswordVerifier;
        let hasher = PasswordHasher::new(&config()).unwrap();
        let ours = hasher
            .hash_new("password", "violet-anchor-tundra-93", &[])
            .await
            .unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"violet-anchor-tundra-93", &parsed)
            .is_ok());
    }

    #[tokio::test]
    async fn unknown_or_unusable_hashes_never_verify() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        assert!(!hasher.verify("anything at all", None).await.unwrap());
        assert!(!hasher
            .verify("anything", Some(UNUSABLE_PASSWORD_HASH))
            .await
            .unwrap());
    }

    /// Hashes made by the implementations the FastAPI template uses
    /// (`scripts/legacy-hash-fixtures.py`).
    fn fixtures() -> Vec<(String, String, String)> {
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../tests/fixtures/legacy_hashes.json")).unwrap();
        rows.into_iter()
            .map(|row| {
                let field = |name: &str| row[name].as_str().unwrap().to_owned();
                (field("name"), field("password"), field("hash"))
            })
            .collect()
    }

    #[tokio::test]
    async fn bcrypt_and_argon2_from_other_implementations_verify_and_upgrade() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        for (name, password, stored) in fixtures() {
            let wrong = hasher
                .check_in(
                    hasher.reserve().unwrap(),
                    "not-the-password",
                    Some(&stored),
                    true,
                )
                .await;
            assert!(
                matches!(wrong, Ok(Verification::Mismatch)),
                "{name}: {wrong:?}"
            );
            let right = hasher
                .check_in(hasher.reserve().unwrap(), &password, Some(&stored), true)
                .await
                .unwrap();
            let Verification::Match { upgrade } = right else {
                panic!("{name} does not verify: {right:?}");
            };
            if name == "argon2id_test_cost" {
                assert!(upgrade.is_none(), "{name} is at the configured cost");
                continue;
            }
            let upgrade = upgrade.unwrap_or_else(|| panic!("{name} is not upgraded"));
            assert!(
                upgrade.hash.starts_with("$argon2id$v=19$m=8192,t=1,p=1$"),
                "{name}: {}",
                upgrade.hash
            );
            assert!(!upgrade.from.contains(&stored[stored.len() - 10..]));
            assert!(hasher.verify(&password, Some(&upgrade.hash)).await.unwrap());
            // Without `upgrade` (a log-in that will not succeed) no re-hash.
            let plain = hasher
                .check_in(hasher.reserve().unwrap(), &password, Some(&stored), false)
                .await
                .unwrap();
            assert!(matches!(plain, Verification::Match { upgrade: None }));
        }
    }

    #[tokio::test]
    async fn the_upgrade_names_the_format_it_replaces() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        let from = |name: &str| {
            let (_, password, stored) = fixtures().into_iter().find(|f| f.0 == name).unwrap();
            let hasher = hasher.clone();
            async move {
                match hasher
                    .check_in(hasher.reserve().unwrap(), &password, Some(&stored), true)
                    .await
                    .unwrap()
                {
                    Verification::Match { upgrade: Some(u) } => u.from,
                    other => panic!("{other:?}"),
                }
            }
        };
        assert_eq!(from("bcrypt_2b_12").await, "bcrypt $2b$ cost 12");
        assert_eq!(from("bcrypt_2y_10").await, "bcrypt $2y$ cost 10");
        assert_eq!(
            from("argon2id_template").await,
            "argon2id v=19 m=65536,t=3,p=4"
        );
        assert_eq!(from("argon2i_small").await, "argon2i v=19 m=8192,t=2,p=1");
    }

    #[tokio::test]
    async fn a_larger_stored_cost_uses_the_one_oversize_set_only() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        let (_, password, stored) = fixtures()
            .into_iter()
            .find(|f| f.0 == "argon2id_template")
            .unwrap();
        assert!(hasher.verify(&password, Some(&stored)).await.unwrap());
        assert_eq!(hasher.0.memory.oversize_blocks(), 65_536);
        assert!(hasher
            .verify("violet-anchor-tundra-93", Some(&hasher.0.dummy_hash))
            .await
            .is_ok());
        assert_eq!(hasher.0.memory.oversize_blocks(), 65_536);
    }

    #[tokio::test]
    async fn changed_argon2_parameters_upgrade_rampart_s_own_hashes() {
        let old = PasswordHasher::new(&config()).unwrap();
        let stored = old
            .hash_new("password", "violet-anchor-tundra-93", &[])
            .await
            .unwrap();
        let new = PasswordHasher::new(&PasswordConfig {
            argon2_iterations: 2,
            ..config()
        })
        .unwrap();
        let checked = new
            .check_in(
                new.reserve().unwrap(),
                "violet-anchor-tundra-93",
                Some(&stored),
                true,
            )
            .await
            .unwrap();
        let Verification::Match {
            upgrade: Some(upgrade),
        } = checked
        else {
            panic!("{checked:?}");
        };
        assert!(upgrade.hash.starts_with("$argon2id$v=19$m=8192,t=2,p=1$"));
        assert_eq!(upgrade.from, "argon2id v=19 m=8192,t=1,p=1");
    }

    #[tokio::test]
    async fn unknown_formats_and_costs_beyond_the_caps_are_unverifiable() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        for (stored, reason) in [
            ("pbkdf2_sha256$600000$c2FsdA$ZGlnZXN0", "unknown hash format"),
            ("template-password-1", "unknown hash format"),
            (
                "$2b$31$c2PMpLlXYFMSytNEsWelHuBnnNsyzcJwByMOttCOstxcFiD5fVzFm",
                "bcrypt cost out of bounds",
            ),
            (
                "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG+7hHXJ8jdZo",
                "argon2 memory cost out of bounds",
            ),
        ] {
            let checked = hasher.check_in(hasher.reserve().unwrap(), "template-password-1", Some(stored), true).await;
            assert!(
                matches!(checked, Ok(Verification::Unverifiable(r)) if r == reason),
                "{stored}: {checked:?}"
            );
        }
        assert_eq!(hasher.0.memory.oversize_blocks(), 0, "nothing allocated");
    }

    #[test]
    fn the_dummy_hash_has_the_configured_cost() {
        let hasher = PasswordHasher::new(&config()).unwrap();
        let dummy = PasswordHash::new(&hasher.0.dummy_hash).unwrap();
        let params = Params::try_from(&dummy).unwrap();
        let configured = &hasher.0.params;
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (
                configured.m_cost(),
                configured.t_cost(),
                configured.p_cost()
            )
        );
        assert_eq!(dummy.hash.unwrap().len(), Params::DEFAULT_OUTPUT_LEN);
    }
}
