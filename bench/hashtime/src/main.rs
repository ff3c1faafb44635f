//! Prints the CPU time of one argon2id hash, as JSON, for the parameters in
//! ARGON2_MEMORY_KIB / ARGON2_ITERATIONS / ARGON2_PARALLELISM (the API's
//! defaults when unset). CPU time, not wall time, so that a busy neighbour
//! on a shared machine slows the figure less; the median of N hashes is
//! reported (N from the first argument, default 20).

use std::time::Instant;

use argon2::{
    password_hash::{PasswordHasher, SaltString},
    Algorithm, Argon2, Params, Version,
};

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} must be a number")))
        .unwrap_or(default)
}

/// Process CPU time (user + system) in seconds, from /proc/self/stat: no
/// libc binding needed and the clock tick is 100 Hz on Linux, so the
/// median is taken over batches long enough for that resolution.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    let after_comm = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after "comm state".
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

fn main() {
    let memory = env_u32("ARGON2_MEMORY_KIB", 19_456);
    let iterations = env_u32("ARGON2_ITERATIONS", 2);
    let parallelism = env_u32("ARGON2_PARALLELISM", 1);
    let batches: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("batch count"))
        .unwrap_or(20);
    let params = Params::new(memory, iterations, parallelism, None).expect("argon2 params");
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::encode_b64(b"rampart-bench-salt").expect("salt");
    let hash = || {
        argon2
            .hash_password(b"violet-anchor-tundra-93", &salt)
            .expect("hash")
    };
    hash(); // warm-up: page in the memory block once
    // Each batch is >= 0.2 s of CPU so the 10 ms tick is under 5% of it.
    let per_batch = {
        let start = Instant::now();
        hash();
        let one = start.elapsed().as_secs_f64();
        ((0.2 / one).ceil() as usize).max(1)
    };
    let mut cpu = Vec::with_capacity(batches);
    let mut wall = Vec::with_capacity(batches);
    for _ in 0..batches {
        let (c0, w0) = (cpu_seconds(), Instant::now());
        for _ in 0..per_batch {
            std::hint::black_box(hash());
        }
        cpu.push((cpu_seconds() - c0) / per_batch as f64);
        wall.push(w0.elapsed().as_secs_f64() / per_batch as f64);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    println!(
        "{{\"memory_kib\":{memory},\"iterations\":{iterations},\"parallelism\":{parallelism},\
         \"hashes\":{},\"cpu_ms\":{:.3},\"wall_ms\":{:.3}}}",
        batches * per_batch,
        median(&mut cpu) * 1000.0,
        median(&mut wall) * 1000.0
    );
}
