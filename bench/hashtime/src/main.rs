//! Prints the CPU time of one argon2id hash, as JSON, for the parameters in
//! ARGON2_MEMORY_KIB / ARGON2_ITERATIONS / ARGON2_PARALLELISM (the API's
//! defaults when unset). CPU time, not wall time, so that a busy neighbour
//! on a shared machine slows the figure less; the median over N batches is
//! reported (N from the first argument, default 20).
//!
//! Timed the way the server hashes (`api/src/credentials/hash_memory.rs`):
//! one block set allocated once and reused by every hash, so no allocation,
//! page fault or zeroing per hash. `Argon2::hash_password` allocates and
//! zeroes its memory on every call; at 64 MiB that is a large share of the
//! hash and made the server look faster than its ceiling (issue 18). The
//! second argument `both` also times that per-hash allocation, for the
//! report's comparison; `reused` (the default) times only the server's way.
//!
//! HASH_THREADS (default 1) hashes run at once, each on its own thread with
//! its own block set, each thread timing its own CPU: a login flood keeps
//! one hash per permit running, and hashes running side by side share the
//! caches and the memory bus, so each one may cost more CPU than a hash
//! alone (on the two-core machine of docs/benchmarks.md: no difference in
//! one process, 2-10% as two processes). The figure is the median over
//! every thread's batches.

use std::{sync::Barrier, thread, time::Instant};

use argon2::{Algorithm, Argon2, Block, Params, Version};

const PASSWORD: &[u8] = b"violet-anchor-tundra-93";
const SALT: &[u8] = b"rampart-bench-salt";

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} must be a number")))
        .unwrap_or(default)
}

/// This thread's CPU time (user + system) in seconds, from
/// /proc/thread-self/stat: no libc binding needed and the clock tick is
/// 100 Hz on Linux, so the median is taken over batches long enough for
/// that resolution.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("read /proc/thread-self/stat");
    let after_comm = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after "comm state".
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// CPU and wall seconds per call of `hash`, one pair per batch, and the
/// call count.
fn time_per_hash(batches: usize, mut hash: impl FnMut()) -> (Vec<f64>, Vec<f64>, usize) {
    hash(); // warm-up: page in the memory once
    // Each batch is >= 0.2 s of CPU so the 10 ms tick is under 5% of it.
    let per_batch = {
        let start = Instant::now();
        hash();
        ((0.2 / start.elapsed().as_secs_f64()).ceil() as usize).max(1)
    };
    let mut cpu = Vec::with_capacity(batches);
    let mut wall = Vec::with_capacity(batches);
    for _ in 0..batches {
        let (c0, w0) = (cpu_seconds(), Instant::now());
        for _ in 0..per_batch {
            hash();
        }
        cpu.push((cpu_seconds() - c0) / per_batch as f64);
        wall.push(w0.elapsed().as_secs_f64() / per_batch as f64);
    }
    (cpu, wall, batches * per_batch)
}

/// `threads` threads each timing `batches` batches of `hash(their own
/// block set)`, started together: median CPU and wall milliseconds per
/// hash over all their batches, and the hash count.
fn time_side_by_side(
    threads: usize,
    batches: usize,
    blocks: usize,
    hash: impl Fn(&mut [Block]) + Sync,
) -> (f64, f64, usize) {
    let start = Barrier::new(threads);
    let per_thread: Vec<_> = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut set = vec![Block::default(); blocks];
                    start.wait();
                    time_per_hash(batches, || hash(&mut set))
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("hash thread")).collect()
    });
    let (mut cpu, mut wall, mut hashes) = (Vec::new(), Vec::new(), 0);
    for (c, w, n) in per_thread {
        cpu.extend(c);
        wall.extend(w);
        hashes += n;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2] * 1000.0
    };
    (median(&mut cpu), median(&mut wall), hashes)
}

fn main() {
    let memory = env_u32("ARGON2_MEMORY_KIB", 19_456);
    let iterations = env_u32("ARGON2_ITERATIONS", 2);
    let parallelism = env_u32("ARGON2_PARALLELISM", 1);
    let mut args = std::env::args().skip(1);
    let batches: usize = args
        .next()
        .map(|n| n.parse().expect("batch count"))
        .unwrap_or(20);
    let also_fresh = match args.next().as_deref() {
        None | Some("reused") => false,
        Some("both") => true,
        Some(other) => panic!("expected `reused` or `both`, got {other:?}"),
    };
    let threads = env_u32("HASH_THREADS", 1).max(1) as usize;
    let params = Params::new(memory, iterations, parallelism, None).expect("argon2 params");
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());

    let (cpu_ms, wall_ms, hashes) =
        time_side_by_side(threads, batches, params.block_count(), |set| {
            let mut out = [0u8; 32];
            argon2
                .hash_password_into_with_memory(PASSWORD, SALT, &mut out, set)
                .expect("hash");
            std::hint::black_box(&out);
        });
    // Reused (dirty) memory must give the hash a fresh set gives, or the
    // figure would time something other than a real hash.
    let mut reused = [0u8; 32];
    let mut dirty = vec![Block::default(); params.block_count()];
    for _ in 0..2 {
        argon2
            .hash_password_into_with_memory(PASSWORD, SALT, &mut reused, &mut dirty)
            .expect("hash");
    }
    let mut expected = [0u8; 32];
    argon2
        .hash_password_into(PASSWORD, SALT, &mut expected)
        .expect("hash");
    assert_eq!(reused, expected, "a reused block set changed the hash");
    drop(dirty);

    let fresh = also_fresh.then(|| {
        // What `hash_password` does: a zeroed block set per call (the
        // thread's own set stays unused).
        time_side_by_side(threads, batches, 0, |_| {
            let mut out = [0u8; 32];
            argon2
                .hash_password_into(PASSWORD, SALT, &mut out)
                .expect("hash");
            std::hint::black_box(&out);
        })
    });
    let fresh_json = fresh
        .map(|(cpu, wall, _)| format!(",\"fresh_cpu_ms\":{cpu:.3},\"fresh_wall_ms\":{wall:.3}"))
        .unwrap_or_default();
    println!(
        "{{\"memory_kib\":{memory},\"iterations\":{iterations},\"parallelism\":{parallelism},\
         \"threads\":{threads},\"memory\":\"reused\",\"hashes\":{hashes},\"cpu_ms\":{cpu_ms:.3},\"wall_ms\":{wall_ms:.3}{fresh_json}}}"
    );
}
