//! The outage gate.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use sea_orm::DatabaseConnection;

use super::pool_stats;

/// Knows when the database is down, so that requests are refused at once
/// (`UNAVAILABLE`, HTTP 503) instead of each waiting out the pool's acquire
/// timeout while the pool retries connections that are refused anyway.
///
/// It opens when a request failed as unavailable and the pool holds no
/// connection at all (a pool that is merely busy keeps its connections),
/// and closes as soon as a background ping gets through again.
#[derive(Clone)]
pub struct Outage(Arc<OutageState>);

struct OutageState {
    db: DatabaseConnection,
    open: AtomicBool,
}

const PROBE_EVERY: Duration = Duration::from_millis(250);
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

impl Outage {
    pub fn new(db: DatabaseConnection) -> Self {
        Self(Arc::new(OutageState {
            db,
            open: AtomicBool::new(false),
        }))
    }

    pub fn is_open(&self) -> bool {
        self.0.open.load(Ordering::Acquire)
    }

    /// The database answered (readiness): serve again.
    pub fn close(&self) {
        if self.0.open.swap(false, Ordering::AcqRel) {
            tracing::info!("database reachable again: serving requests");
        }
    }

    /// A request failed as unavailable: open if the pool has nothing left.
    pub fn suspect(&self) {
        if pool_stats(&self.0.db).size > 0 {
            return;
        }
        if self.0.open.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::warn!("database unreachable: refusing requests until it answers again");
        let state = Arc::clone(&self.0);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                if !state.open.load(Ordering::Acquire) {
                    return;
                }
                if let Ok(Ok(())) = tokio::time::timeout(PROBE_TIMEOUT, state.db.ping()).await {
                    Outage(Arc::clone(&state)).close();
                    return;
                }
            }
        });
    }
}
