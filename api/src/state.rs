//! Everything a request needs, built once at start-up and shared.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    credentials::{AccessTokens, PasswordHasher},
    email::Mailer,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: DatabaseConnection,
    pub hasher: PasswordHasher,
    pub tokens: AccessTokens,
    pub mailer: Mailer,
}

impl AppState {
    pub fn new(config: Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let hasher = PasswordHasher::new(&config.password)?;
        let tokens = AccessTokens::new(&config.jwt);
        let mailer = Mailer::new(&config)?;
        Ok(Self(Arc::new(Inner {
            config,
            db,
            hasher,
            tokens,
            mailer,
        })))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
