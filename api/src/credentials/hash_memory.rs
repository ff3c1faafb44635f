//! argon2id with reusable working memory.
//!
//! Why not `Argon2::hash_password`/`verify_password`: each call allocates a
//! fresh 19 MiB block set, and glibc keeps freed blocks of that size in the
//! malloc arena of whichever blocking-pool thread ran the hash. Under a login
//! flood (bench/run, `login` and `me_flood`) that grew the server to
//! 700–830 MiB RSS although at most `PASSWORD_HASH_CONCURRENCY` hashes run at
//! once, and the memory was never given back; the allocation's memset was
//! also ~4% of the flood's CPU profile.
//!
//! Here at most one block set per hash permit exists. It is reused while
//! hashes keep coming (no allocation, no page faults, no memset: argon2
//! writes every block before reading it), and all of them are dropped once
//! no hash has run or waited for [`KEEP_IDLE_MEMORY_FOR`], so an idle server
//! returns to its base RSS. The grace period matters under a flood too: the
//! queue of hashes drains for an instant whenever the requests behind it
//! are in their database steps, and freeing and reallocating 19 MiB at each
//! of those instants made the allocator's footprint grow (mimalloc kept
//! the freed sets for a while: 150–200 MiB peaks, bench/run `me_flood`).
//! Each block set is allocated larger than 32 MiB (glibc's largest dynamic
//! mmap threshold, well above mimalloc's huge-object size), so it is its own
//! mapping, and only the pages argon2 touches become resident.
//!
//! The PHC strings produced and accepted are exactly those of the argon2
//! crate's `PasswordHasher`/`PasswordVerifier` (tests in `password.rs`).

use std::{
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use argon2::{
    password_hash::{Output, ParamsString, PasswordHash, Salt},
    Algorithm, Argon2, Block, Params, Version,
};

/// 32 MiB + 1 KiB: glibc's dynamic mmap threshold never rises above 32 MiB on
/// 64-bit, so a request this large is always its own mapping.
const ALWAYS_MAPPED_BLOCKS: usize = 32 * 1024 + 1;

/// How long block sets outlive the last hash: long enough for a stream of
/// log-ins to keep reusing them, short enough that an idle server is back
/// at its base memory at once.
pub const KEEP_IDLE_MEMORY_FOR: Duration = Duration::from_millis(500);

pub struct MemoryPool {
    idle: Mutex<Vec<Vec<Block>>>,
    /// Hashes running or waiting for a permit.
    demand: AtomicUsize,
    /// Counts the times demand fell to zero, so that a delayed release can
    /// tell whether any hash came and went since it was scheduled.
    quiet_periods: AtomicU64,
}

/// One unit of [`MemoryPool::demand`], released on drop (also on panic or
/// cancellation), when the pool is emptied if nobody else needs it.
pub struct Demand(Arc<MemoryPool>);

impl MemoryPool {
    pub fn new() -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            demand: AtomicUsize::new(0),
            quiet_periods: AtomicU64::new(0),
        }
    }

    /// Registers a hash before it waits for its permit.
    pub fn demand(self: &Arc<Self>) -> Demand {
        self.demand.fetch_add(1, Ordering::SeqCst);
        Demand(Arc::clone(self))
    }

    /// Runs `job` with a block set of at least `blocks` blocks.
    pub fn with_memory<T>(&self, blocks: usize, job: impl FnOnce(&mut [Block]) -> T) -> T {
        let reused = self.lock().pop();
        let mut memory = reused.unwrap_or_default();
        if memory.len() < blocks {
            memory = Vec::with_capacity(blocks.max(ALWAYS_MAPPED_BLOCKS));
            memory.resize(blocks, Block::default());
        }
        let result = job(&mut memory);
        self.lock().push(memory);
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        // A poisoned pool only holds scratch memory: keep using it.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Demand {
    fn drop(&mut self) {
        if self.0.demand.fetch_sub(1, Ordering::SeqCst) == 1 {
            MemoryPool::release_when_quiet(&self.0);
        }
    }
}

impl MemoryPool {
    /// Called when the last hash of a burst ends: frees the block sets
    /// [`KEEP_IDLE_MEMORY_FOR`] later unless another hash ran meanwhile.
    fn release_when_quiet(self: &Arc<Self>) {
        let period = self.quiet_periods.fetch_add(1, Ordering::SeqCst) + 1;
        let pool = Arc::clone(self);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    tokio::time::sleep(KEEP_IDLE_MEMORY_FOR).await;
                    pool.release_if_still_quiet(period);
                });
            }
            // Outside a runtime there is nothing to wait with: free now.
            Err(_) => pool.release_if_still_quiet(period),
        }
    }

    fn release_if_still_quiet(&self, period: u64) {
        let idle = {
            let mut idle = self.lock();
            let quiet = self.demand.load(Ordering::SeqCst) == 0
                && self.quiet_periods.load(Ordering::SeqCst) == period;
            if quiet {
                std::mem::take(&mut *idle)
            } else {
                Vec::new()
            }
        };
        // Unmapped here, outside the lock.
        drop(idle);
    }

    #[cfg(test)]
    fn idle_sets(&self) -> usize {
        self.lock().len()
    }
}

/// `$argon2id$v=19$m=…,t=…,p=…$salt$hash` for `password`, like
/// `PasswordHasher::hash_password`.
pub fn hash(
    pool: &MemoryPool,
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: Salt<'_>,
) -> Result<String, argon2::password_hash::Error> {
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    pool.with_memory(params.block_count(), |memory| {
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
    pool: &MemoryPool,
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
    pool.with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password, salt_bytes, &mut out, memory)
    })?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out)? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCKS: usize = 8;

    fn run_one_hash(pool: &Arc<MemoryPool>) {
        let demand = pool.demand();
        pool.with_memory(BLOCKS, |memory| assert!(memory.len() >= BLOCKS));
        drop(demand);
    }

    #[tokio::test(start_paused = true)]
    async fn memory_outlives_a_burst_briefly_then_is_released() {
        let pool = Arc::new(MemoryPool::new());
        run_one_hash(&pool);
        assert_eq!(pool.idle_sets(), 1, "kept for the next hash");
        tokio::time::sleep(KEEP_IDLE_MEMORY_FOR / 2).await;
        assert_eq!(pool.idle_sets(), 1);
        tokio::time::sleep(KEEP_IDLE_MEMORY_FOR).await;
        assert_eq!(pool.idle_sets(), 0, "released once quiet");
    }

    #[tokio::test(start_paused = true)]
    async fn a_steady_stream_of_hashes_keeps_reusing_one_set() {
        let pool = Arc::new(MemoryPool::new());
        for _ in 0..5 {
            run_one_hash(&pool);
            tokio::time::sleep(KEEP_IDLE_MEMORY_FOR / 2).await;
            assert_eq!(pool.idle_sets(), 1, "one set, reused");
        }
        tokio::time::sleep(KEEP_IDLE_MEMORY_FOR * 2).await;
        assert_eq!(pool.idle_sets(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn memory_in_use_is_never_released() {
        let pool = Arc::new(MemoryPool::new());
        run_one_hash(&pool);
        let waiting = pool.demand();
        tokio::time::sleep(KEEP_IDLE_MEMORY_FOR * 2).await;
        assert_eq!(pool.idle_sets(), 1, "a hash is waiting for it");
        drop(waiting);
        tokio::time::sleep(KEEP_IDLE_MEMORY_FOR * 2).await;
        assert_eq!(pool.idle_sets(), 0);
    }

    #[test]
    fn without_a_runtime_memory_is_released_at_once() {
        let pool = Arc::new(MemoryPool::new());
        run_one_hash(&pool);
        assert_eq!(pool.idle_sets(), 0);
    }
}
