//! Start-up: connect, migrate where configured, make the first superuser,
//! and assemble the state the router needs.

use migration::{Migrator, MigratorTrait};
use secrecy::ExposeSecret;

use crate::{config::Config, db, state::AppState, users};

/// Connects and prepares the database for `serve`. In local mode this
/// migrates and creates the first superuser, so one command is enough.
pub async fn start(config: Config) -> anyhow::Result<AppState> {
    // Outside local mode the pool connects lazily: the API starts even if the
    // database is briefly down, reports not-ready, and recovers on its own.
    let lazy = !config.database.auto_migrate;
    let db = db::connect(&config.database, lazy).await?;
    let state = AppState::new(config, db)?;
    if state.config.database.auto_migrate {
        Migrator::up(&state.db, None).await?;
        ensure_first_superuser(&state).await?;
    }
    warn_about_local_defaults(&state);
    Ok(state)
}

pub async fn ensure_first_superuser(state: &AppState) -> anyhow::Result<()> {
    let first = &state.config.first_superuser;
    if users::service::ensure_first_superuser(state)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
    {
        if first.generated {
            // Printed once, to the operator's terminal, in local mode only.
            eprintln!(
                "\n  First superuser created: {}\n  Generated password (shown once): {}\n",
                first.email,
                first.password.expose_secret()
            );
        }
        tracing::info!(email = %first.email, "first superuser created");
    }
    Ok(())
}

fn warn_about_local_defaults(state: &AppState) {
    if state.config.jwt.generated {
        tracing::warn!(
            "JWT_SECRET is not set: using a random secret; tokens stop working on restart"
        );
    }
    if state.config.email.smtp.is_none() {
        tracing::warn!("SMTP_HOST is not set: e-mails are written to the log");
    }
}
