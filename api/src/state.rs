//! Everything a request needs, built once at start-up and shared.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    credentials::{AccessTokens, PasswordHasher},
    db::{self, Reads},
    email::Mailer,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: DatabaseConnection,
    /// The per-request identity read, on connections of its own (`db::Reads`).
    pub reads: Reads,
    pub hasher: PasswordHasher,
    pub tokens: AccessTokens,
    pub mailer: Mailer,
    draining: AtomicBool,
}

impl AppState {
    pub fn new(config: Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let hasher = PasswordHasher::new(&config.password)?;
        let tokens = AccessTokens::new(&config.jwt);
        let mailer = Mailer::new(&config)?;
        let reads = db::reads(&config.database)?;
        Ok(Self(Arc::new(Inner {
            config,
            db,
            reads,
            hasher,
            tokens,
            mailer,
            draining: AtomicBool::new(false),
        })))
    }

    /// Shutdown has begun: readiness fails from now on while requests are
    /// still served (`SHUTDOWN_DRAIN_SECS`).
    pub fn begin_drain(&self) {
        self.0.draining.store(true, Ordering::Release);
    }

    pub fn is_draining(&self) -> bool {
        self.0.draining.load(Ordering::Acquire)
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
