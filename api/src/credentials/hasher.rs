//! argon2id hashing and verification, on the bounded job pool
//! (`hash_jobs.rs`) with reused working memory (`hash_memory.rs`).

use std::sync::Arc;

use argon2::{
    password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Params, Version,
};
use rand::RngCore;

use super::{
    hash_jobs::{HashJobs, JobError, Turn},
    hash_memory::{self, BlockSets},
    password::PasswordPolicy,
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
            argon2,
            params,
            jobs: HashJobs::new(config.max_concurrent_hashes, config.hash_queue_limit),
            memory: BlockSets::default(),
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
        self.run_in(turn, move || {
            let salt = SaltString::generate(&mut OsRng);
            hash_memory::hash(
                &inner.memory,
                &inner.argon2,
                &inner.params,
                password.as_bytes(),
                salt.as_salt(),
            )
            .map_err(|e| AppError::internal(anyhow::anyhow!("argon2 hash failed: {e}")))
        })
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
        let inner = Arc::clone(&self.0);
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        self.run_in(turn, move || {
            let real = stored.as_deref().and_then(|s| PasswordHash::new(s).ok());
            let (hash, is_real) = match real {
                Some(hash) => (hash, true),
                None => match PasswordHash::new(&inner.dummy_hash) {
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
            let matches =
                hash_memory::verify(&inner.memory, password.as_bytes(), &hash).unwrap_or(false);
            Ok(is_real && matches)
        })
        .await?
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
        // Shed: the caller is told to come back, as for any rate limit.
        JobError::Busy => AppError::Overloaded {
            retry_after_secs: 1,
        },
        JobError::Failed => AppError::internal(anyhow::anyhow!("password hash job failed")),
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
