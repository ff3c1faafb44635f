//! argon2 working memory: one block set per hash permit, allocated on first
//! use and reused by every hash after it, never freed.
//!
//! Why not allocate per hash (as `Argon2::hash_password` does): every
//! allocator tried made the footprint grow with ordinary traffic. glibc kept
//! each freed 19 MiB set in the arena of the blocking thread that ran the
//! hash (700–830 MiB RSS after a login flood); mimalloc marks a freed huge
//! block lazily-free and, with sparse logins more than about half a second
//! apart, mapped a fresh one for the next hash instead of reusing it (one
//! client logging in every 0.7 s took RSS from 185 to 445 MiB in 15 s, a
//! 5-minute soak to 4.5 GiB). Freeing the sets when idle only moved the
//! problem to whatever came next.
//!
//! Here the number of sets can never exceed the number of hash permits
//! (only a permit holder takes one), so the memory argon2 holds is bounded
//! by `PASSWORD_HASH_CONCURRENCY` × the largest cost in use, and it is
//! really reused: no allocation, page fault or memset per hash (argon2
//! writes every block before reading it).
//!
//! A stored hash with a larger cost than the configured one (a hash imported
//! from another application: the FastAPI template's are 64 MiB) does not
//! grow those sets, or every permit would end up holding the largest cost
//! ever seen. It takes the one oversize set instead, one verification at a
//! time: argon2 memory stays within `PASSWORD_HASH_CONCURRENCY` × the
//! configured cost plus one set of at most `stored_hash::MAX_OVERSIZE_KIB`.
//! Such a hash is re-hashed at the configured cost on its first successful
//! log-in, so the oversize set serves each imported account about once.
//!
//! The PHC strings produced and accepted are exactly those of the argon2
//! crate's `PasswordHasher`/`PasswordVerifier` (tests in `password.rs`).

use std::sync::Mutex;

use argon2::{
    password_hash::{Output, ParamsString, PasswordHash, Salt},
    Algorithm, Argon2, Block, Params, Version,
};

pub struct BlockSets {
    /// The configured cost's block count: what the per-permit sets hold.
    standard_blocks: usize,
    idle: Mutex<Vec<Vec<Block>>>,
    /// The one set for stored hashes above the configured cost.
    oversize: Mutex<Vec<Block>>,
}

impl BlockSets {
    pub fn new(standard_blocks: usize) -> Self {
        Self {
            standard_blocks,
            idle: Mutex::default(),
            oversize: Mutex::default(),
        }
    }

    /// Runs `job` with a block set of at least `blocks` blocks. Callers hold
    /// a hash permit, which is what bounds the number of sets.
    pub fn with_memory<T>(&self, blocks: usize, job: impl FnOnce(&mut [Block]) -> T) -> T {
        if blocks > self.standard_blocks {
            // Waits (on its blocking thread, holding its permit) for another
            // oversize verification to finish: one such set, never more.
            let mut memory = self.oversize.lock().unwrap_or_else(|e| e.into_inner());
            if memory.len() < blocks {
                memory.resize(blocks, Block::default());
            }
            return job(&mut memory);
        }
        let mut memory = self.lock().pop().unwrap_or_default();
        if memory.len() < blocks {
            // Only the first hash on this set.
            memory.resize(blocks, Block::default());
        }
        let result = job(&mut memory);
        self.lock().push(memory);
        result
    }

    /// Blocks held by the oversize set (0 until a larger hash is verified).
    #[cfg(test)]
    pub fn oversize_blocks(&self) -> usize {
        self.oversize.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// How many sets exist right now that no hash is using.
    #[cfg(test)]
    fn idle_sets(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        // A poisoned pool only holds scratch memory: keep using it.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `$argon2id$v=19$m=…,t=…,p=…$salt$hash` for `password`, like
/// `PasswordHasher::hash_password`.
pub fn hash(
    sets: &BlockSets,
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: Salt<'_>,
) -> Result<String, argon2::password_hash::Error> {
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    sets.with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password, salt_bytes, &mut out, memory)
    })?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)?,
        salt: Some(salt),
        hash: Some(Output::new(&out)?),
    }
    .to_string())
}

/// Whether `password` matches `stored`, with the algorithm, version and
/// parameters recorded in `stored` (as `PasswordVerifier` does), compared in
/// constant time.
pub fn verify(
    sets: &BlockSets,
    password: &[u8],
    stored: &PasswordHash<'_>,
) -> Result<bool, argon2::password_hash::Error> {
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(stored)?;
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Err(argon2::password_hash::Error::PhcStringField);
    };
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    sets.with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password, salt_bytes, &mut out, memory)
    })?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out)? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_reused_and_a_larger_cost_takes_the_oversize_set() {
        let sets = BlockSets::new(8);
        sets.with_memory(8, |memory| assert_eq!(memory.len(), 8));
        sets.with_memory(8, |memory| assert_eq!(memory.len(), 8));
        assert_eq!(sets.idle_sets(), 1, "one set, reused");
        sets.with_memory(16, |memory| assert_eq!(memory.len(), 16));
        assert_eq!(sets.oversize_blocks(), 16);
        sets.with_memory(8, |memory| {
            assert_eq!(memory.len(), 8, "the standard sets never grow")
        });
        sets.with_memory(12, |memory| assert_eq!(memory.len(), 16));
        assert_eq!(sets.idle_sets(), 1);
        assert_eq!(sets.oversize_blocks(), 16, "one oversize set, reused");
    }

    #[test]
    fn concurrent_hashes_each_get_their_own_set() {
        let sets = BlockSets::new(8);
        sets.with_memory(8, |_| {
            sets.with_memory(8, |_| assert_eq!(sets.idle_sets(), 0));
        });
        assert_eq!(sets.idle_sets(), 2);
    }
}
