//! Database connection with the pool, timeouts and per-backend settings
//! from configuration.

use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use secrecy::ExposeSecret;

use crate::config::DatabaseConfig;

pub async fn connect(
    config: &DatabaseConfig,
    lazy: bool,
) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(config.url.expose_secret().to_owned());
    options
        .max_connections(config.max_connections)
        .min_connections(config.min_connections)
        .connect_timeout(config.connect_timeout)
        // Fail fast when the pool is exhausted or the server is gone, rather
        // than queueing requests until the request timeout.
        .acquire_timeout(config.acquire_timeout)
        .connect_lazy(lazy)
        // SQL goes to the log only at debug level: it can carry e-mail addresses.
        .sqlx_logging(false);
    let statement_timeout = config.statement_timeout.as_millis().to_string();
    options.map_sqlx_postgres_opts(move |pg| {
        pg.options([("statement_timeout", statement_timeout.as_str())])
            .application_name("rampart-api")
    });
    options.map_sqlx_sqlite_opts(|sqlite| {
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        // WAL lets readers proceed while one writer commits; the busy timeout
        // makes concurrent writers wait instead of failing with SQLITE_BUSY.
        sqlite
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5))
            .foreign_keys(true)
    });
    Database::connect(options).await
}
