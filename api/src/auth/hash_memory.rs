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
//! hashes are queued (no allocation, no page faults, no memset: argon2 writes
//! every block before reading it), and all of them are dropped as soon as no
//! hash is running or waiting, so an idle server returns to its base RSS.
//! Each block set is allocated above glibc's largest dynamic mmap threshold
//! (32 MiB on 64-bit), so it gets its own mapping and dropping it really
//! unmaps it; only the pages argon2 touches become resident.
//!
//! The PHC strings produced and accepted are exactly those of the argon2
//! crate's `PasswordHasher`/`PasswordVerifier` (tests in `password.rs`).

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use argon2::{
    password_hash::{Output, ParamsString, PasswordHash, Salt},
    Algorithm, Argon2, Block, Params, Version,
};

/// 32 MiB + 1 KiB: glibc's dynamic mmap threshold never rises above 32 MiB on
/// 64-bit, so a request this large is always its own mapping.
const ALWAYS_MAPPED_BLOCKS: usize = 32 * 1024 + 1;

pub struct MemoryPool {
    idle: Mutex<Vec<Vec<Block>>>,
    /// Hashes running or waiting for a permit.
    demand: AtomicUsize,
}

/// One unit of [`MemoryPool::demand`], released on drop (also on panic or
/// cancellation), when the pool is emptied if nobody else needs it.
pub struct Demand(Arc<MemoryPool>);

impl MemoryPool {
    pub fn new() -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            demand: AtomicUsize::new(0),
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
            // The last hash of a burst: give the memory back to the OS. A hash
            // that registers meanwhile simply allocates again.
            let idle = std::mem::take(&mut *self.0.lock());
            drop(idle);
        }
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
