//! Start-up: read and check the configuration, connect, migrate where
//! configured, make the first superuser, and assemble the shared state.

use migration::{Migrator, MigratorTrait};
use secrecy::ExposeSecret;

use crate::{
    config::{Config, ConfigError},
    credentials::PasswordPolicy,
    db, local_secret,
    state::AppState,
    users,
};

/// Reads the configuration and checks the rules that belong to the domains
/// rather than to configuration (the first superuser's address and
/// password), so that start-up still fails naming the variable.
pub fn configure(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let mut config = Config::from_lookup(lookup)?;
    let first = &mut config.first_superuser;
    first.email = users::normalize_email(&first.email)
        .map_err(|e| ConfigError::new("FIRST_SUPERUSER_EMAIL", e.to_string()))?;
    PasswordPolicy::new(&config.password)
        .check(first.password.expose_secret(), &[first.email.as_str()])
        .map_err(|e| ConfigError::new("FIRST_SUPERUSER_PASSWORD", e.to_string()))?;
    Ok(config)
}

/// [`configure`] over the real process environment (after an optional `.env`).
pub fn configure_from_env() -> Result<Config, ConfigError> {
    configure(&|var| std::env::var(var).ok())
}

/// Prepares the database for `serve`. With `AUTO_MIGRATE` (local mode's
/// default) it migrates and creates the first superuser, so one command is
/// enough; otherwise the pool connects lazily, so the API starts even if the
/// database is briefly down, reports not-ready, and recovers on its own.
///
/// In local mode without `JWT_SECRET`, the generated secret is the one kept
/// next to the SQLite file (`local_secret`), so a restart keeps tokens
/// valid; only the server needs it (the one-shot commands issue none).
pub async fn start(mut config: Config) -> anyhow::Result<AppState> {
    local_secret::keep(&mut config)?;
    let auto_migrate = config.database.auto_migrate;
    let state = open(config, !auto_migrate, auto_migrate).await?;
    warn_about_local_defaults(&state);
    Ok(state)
}

/// `api prestart` (migrate, then the first superuser) and
/// `api create-superuser` (the superuser only): one-shot jobs that need the
/// database now, so they connect eagerly.
pub async fn bootstrap(config: Config, migrate_first: bool) -> anyhow::Result<()> {
    open(config, false, migrate_first).await?;
    Ok(())
}

async fn open(config: Config, lazy: bool, migrate: bool) -> anyhow::Result<AppState> {
    let db = db::connect(&config.database, lazy).await?;
    let state = AppState::new(config, db)?;
    if migrate {
        Migrator::up(&state.db, None).await?;
    }
    if migrate || !lazy {
        ensure_first_superuser(&state).await?;
    }
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
    let jwt = &state.config.jwt;
    match &jwt.kept_in {
        Some(path) => tracing::info!(
            file = %path.display(),
            "JWT_SECRET is not set: using the development secret kept next to the database (local mode only)"
        ),
        None if jwt.generated => tracing::warn!(
            "JWT_SECRET is not set: using a random secret; tokens stop working on restart"
        ),
        None => {}
    }
    if state.config.email.smtp.is_none() {
        tracing::warn!("SMTP_HOST is not set: e-mails are written to the log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_support::{production, production_config_vars};

    #[test]
    fn production_refuses_a_weak_first_superuser_password() {
        let vars = production_config_vars(&[("FIRST_SUPERUSER_PASSWORD", "qwertyuiop12")]);
        assert!(production(&vars).is_ok(), "configuration alone accepts it");
        let error = configure(&|k| vars.get(k).cloned()).expect_err("policy refuses it");
        assert_eq!(error.var, "FIRST_SUPERUSER_PASSWORD");
    }

    #[test]
    fn the_first_superusers_address_is_normalised_or_refused() {
        let vars = production_config_vars(&[("FIRST_SUPERUSER_EMAIL", "  Ops@Rampart.DEV ")]);
        let config = configure(&|k| vars.get(k).cloned()).expect("valid");
        assert_eq!(config.first_superuser.email, "ops@rampart.dev");
        let vars = production_config_vars(&[("FIRST_SUPERUSER_EMAIL", "not-an-address")]);
        let error = configure(&|k| vars.get(k).cloned()).expect_err("invalid");
        assert_eq!(error.var, "FIRST_SUPERUSER_EMAIL");
    }
}
