//! Prometheus metrics: the names, their bounded labels, and the recorder.
//!
//! Every metric the API exposes is named here, once
//! (`deploy/monitoring/metrics.yml` is the operators' copy; a live test
//! compares the two). Label values come from closed sets (root field names,
//! error codes, matched routes), never from user input, so the number of
//! series cannot grow with traffic.
//!
//! Without `METRICS_BIND` no recorder is installed, and the per-request
//! calls here return before building their label sets (the `metrics`
//! macros build a key, with its allocations and hash, before they ask
//! whether anyone records it): the request path pays for metrics only when
//! someone scrapes them.

use std::{sync::OnceLock, time::Duration};

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const GRAPHQL_REQUESTS: &str = "rampart_graphql_requests_total";
pub const GRAPHQL_DURATION: &str = "rampart_graphql_request_duration_seconds";
pub const HTTP_REQUESTS: &str = "rampart_http_requests_total";
pub const LOGINS: &str = "rampart_logins_total";
pub const THROTTLE_DECISIONS: &str = "rampart_throttle_decisions_total";
pub const HASH_JOBS_RUNNING: &str = "rampart_password_hash_jobs_running";
pub const HASH_JOBS_WAITING: &str = "rampart_password_hash_jobs_waiting";
pub const HASH_SHED: &str = "rampart_password_hash_shed_total";
pub const DB_POOL_CONNECTIONS: &str = "rampart_db_pool_connections";
pub const DB_POOL_MAX: &str = "rampart_db_pool_max_connections";
pub const DB_ACQUIRE_TIMEOUTS: &str = "rampart_db_acquire_timeouts_total";
pub const DB_STATEMENT_DURATION: &str = "rampart_db_statement_duration_seconds";
pub const EMAILS: &str = "rampart_emails_total";
pub const READY: &str = "rampart_ready";
pub const BUILD_INFO: &str = "rampart_build_info";
pub const LOG_LINES_DROPPED: &str = "rampart_log_lines_dropped_total";

/// Latency buckets: a `me` is around a millisecond, a login tens of
/// milliseconds, a timeout seconds.
const SECONDS_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls return the same
/// handle) and records the build.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    // `get_or_init` runs one initialiser at a time, so a concurrent caller
    // (another app in the same test process) waits for the recorder that is
    // being installed instead of finding it set but its handle not yet kept.
    let handle = HANDLE
        .get_or_init(install_recorder)
        .clone()
        .map_err(anyhow::Error::msg)?;
    gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    start_at_zero();
    Ok(handle)
}

fn install_recorder() -> Result<PrometheusHandle, String> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
        .map_err(|e| format!("metrics buckets: {e}"))?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|_| "a metrics recorder was installed elsewhere".to_owned())?;
    Ok(handle)
}

/// Whether a recorder is installed: without one, the per-request
/// functions below skip building labels nobody would read.
pub fn recording() -> bool {
    matches!(HANDLE.get(), Some(Ok(_)))
}

/// The e-mails the API sends, as `kind` label values.
pub const EMAIL_KINDS: &[&str] = &[
    "password_reset",
    "welcome",
    "test",
    "verify_email",
    "signup_attempt",
    "confirm_email_change",
    "email_change_requested",
    "email_changed",
    "mfa_enabled",
    "mfa_disabled",
    "mfa_reset",
    "mfa_recovery_code_used",
];
const LOGIN_OUTCOMES: &[&str] = &["succeeded", "challenged", "failed", "throttled", "shed"];

/// Series that may stay quiet for days (failed e-mails, acquire timeouts,
/// shed logins) exist from the start at zero, so that a rate over them
/// and an alert on them work before the first event.
fn start_at_zero() {
    for kind in EMAIL_KINDS {
        for outcome in ["sent", "failed"] {
            counter!(EMAILS, "kind" => *kind, "outcome" => outcome).increment(0);
        }
    }
    for outcome in LOGIN_OUTCOMES {
        counter!(LOGINS, "outcome" => *outcome).increment(0);
    }
    counter!(DB_ACQUIRE_TIMEOUTS).increment(0);
    counter!(HASH_SHED).increment(0);
    gauge!(READY).set(0.0);
}

pub fn graphql_request(operation: &'static str, outcome: &str, elapsed: Duration) {
    if !recording() {
        return;
    }
    counter!(GRAPHQL_REQUESTS, "operation" => operation, "outcome" => outcome.to_owned())
        .increment(1);
    histogram!(GRAPHQL_DURATION, "operation" => operation).record(elapsed.as_secs_f64());
}

pub fn http_request(route: &str, status: u16) {
    if !recording() {
        return;
    }
    counter!(HTTP_REQUESTS, "route" => route.to_owned(), "status" => status.to_string())
        .increment(1);
}

/// `outcome`: succeeded, challenged (a second factor is next), failed, throttled or shed.
pub fn login(outcome: &'static str) {
    counter!(LOGINS, "outcome" => outcome).increment(1);
}

/// `scope`: the throttle key's namespace (`auth-ip`, `login-account`, …).
pub fn throttle_decision(scope: &'static str, limited: bool) {
    let decision = if limited { "limited" } else { "allowed" };
    counter!(THROTTLE_DECISIONS, "scope" => scope, "decision" => decision).increment(1);
}

pub fn db_acquire_timeout() {
    counter!(DB_ACQUIRE_TIMEOUTS).increment(1);
}

pub fn db_statement(elapsed: Duration) {
    histogram!(DB_STATEMENT_DURATION).record(elapsed.as_secs_f64());
}

/// `kind`: the e-mail's template; `sent` false when delivery failed.
pub fn email(kind: &'static str, sent: bool) {
    let outcome = if sent { "sent" } else { "failed" };
    counter!(EMAILS, "kind" => kind, "outcome" => outcome).increment(1);
}

pub fn ready(ready: bool) {
    gauge!(READY).set(if ready { 1.0 } else { 0.0 });
}

/// Values read at scrape time rather than counted on the request path.
pub struct Snapshot {
    pub hash_jobs_running: usize,
    pub hash_jobs_waiting: usize,
    pub hash_shed: u64,
    pub pool_idle: usize,
    pub pool_in_use: usize,
    pub pool_max: u32,
    pub log_lines_dropped: u64,
}

pub fn record_snapshot(now: &Snapshot) {
    gauge!(HASH_JOBS_RUNNING).set(now.hash_jobs_running as f64);
    gauge!(HASH_JOBS_WAITING).set(now.hash_jobs_waiting as f64);
    counter!(HASH_SHED).absolute(now.hash_shed);
    gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(now.pool_idle as f64);
    gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(now.pool_in_use as f64);
    gauge!(DB_POOL_MAX).set(f64::from(now.pool_max));
    counter!(LOG_LINES_DROPPED).absolute(now.log_lines_dropped);
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use super::*;

    /// Several apps in one process (the test suites) install at once: every
    /// one gets the one recorder. Before `get_or_init`, a caller could find
    /// the recorder set and its handle not yet kept, and fail.
    #[test]
    fn concurrent_installs_all_get_the_one_recorder() -> anyhow::Result<()> {
        let gate = Arc::new(Barrier::new(8));
        let installs: Vec<_> = (0..8)
            .map(|_| {
                let gate = gate.clone();
                std::thread::spawn(move || {
                    gate.wait();
                    install().map(|handle| handle.render())
                })
            })
            .collect();
        for install in installs {
            let rendered = install
                .join()
                .map_err(|_| anyhow::anyhow!("an install panicked"))??;
            assert!(rendered.contains(BUILD_INFO), "{rendered}");
        }
        Ok(())
    }
}
