//! Database connection with the pool, timeouts and per-backend settings
//! from configuration.
//!
//! The sqlx pool is built here rather than by `sea_orm::Database::connect`
//! because SeaORM cannot express the one pool setting that matters most for
//! throughput: by default sqlx pings every connection before handing it out,
//! a full extra round trip to PostgreSQL per statement (and a second one
//! when the connection goes back). See `docs/benchmarks.md`.

use std::time::Duration;

use sea_orm::{
    sqlx::{
        pool::PoolOptions,
        postgres::{PgConnectOptions, Postgres},
        sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
        ConnectOptions as _, Connection as _, Database as SqlxDatabase,
    },
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, SqlxPostgresConnector,
    SqlxSqliteConnector,
};
use secrecy::ExposeSecret;

use crate::config::DatabaseConfig;

mod outage;
mod reads;

pub use outage::Outage;
pub use reads::Reads;

/// A connection that sat idle longer than this is pinged before use, so one
/// that died meanwhile (a database restart, a firewall dropping idle flows)
/// is replaced instead of failing a request. A busy pool never waits this
/// long between uses and skips the round trip; sqlx also pings every
/// connection when it is returned, so a broken one never goes back idle.
pub(crate) const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

pub async fn connect(config: &DatabaseConfig, lazy: bool) -> Result<DatabaseConnection, DbErr> {
    let url = config.url.expose_secret();
    if config.is_sqlite() {
        let options = sqlite_options(url)?;
        let pool = open(pool_options(config), options, config, lazy).await?;
        Ok(with_statement_metrics(
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
        ))
    } else {
        let options = postgres_options(url, config)?;
        let pool_options = pool_options::<Postgres>(config).before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_IF_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        });
        let pool = open(pool_options, options, config, lazy).await?;
        Ok(with_statement_metrics(
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
        ))
    }
}

/// Every statement's time in `rampart_db_statement_duration_seconds`
/// (a no-op unless metrics are on).
fn with_statement_metrics(mut db: DatabaseConnection) -> DatabaseConnection {
    db.set_metric_callback(|info| crate::metrics::db_statement(info.elapsed));
    db
}

fn pool_options<DB: SqlxDatabase>(config: &DatabaseConfig) -> PoolOptions<DB> {
    PoolOptions::new()
        .max_connections(config.max_connections)
        .min_connections(config.min_connections)
        // Fail fast when the pool is exhausted or the server is gone, rather
        // than queueing requests until the request timeout.
        .acquire_timeout(config.acquire_timeout)
        .test_before_acquire(false)
}

/// The first pause between attempts to reach the database, and the longest.
const FIRST_RETRY_AFTER: Duration = Duration::from_millis(250);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);

/// A lazy pool connects on first use; an eager one connects now, retrying
/// an unreachable database with exponential backoff (250 ms doubling to
/// 5 s) for up to `DATABASE_WAIT_SECS`, each retry logged: a prestart job
/// started beside its database (compose, Kubernetes) waits for it instead
/// of failing. Errors a wait cannot cure (a wrong password, a missing
/// database, a bad URL) fail at once.
async fn open<DB: SqlxDatabase>(
    pool_options: PoolOptions<DB>,
    options: <DB::Connection as sea_orm::sqlx::Connection>::Options,
    config: &DatabaseConfig,
    lazy: bool,
) -> Result<sea_orm::sqlx::Pool<DB>, DbErr> {
    if lazy {
        return Ok(pool_options.connect_lazy_with(options));
    }
    wait_for_database::<DB>(&options, config).await?;
    match tokio::time::timeout(config.connect_timeout, pool_options.connect_with(options)).await {
        Ok(result) => result.map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e))),
        Err(_) => Err(DbErr::Conn(sea_orm::RuntimeErr::Internal(format!(
            "no database connection within {} s",
            config.connect_timeout.as_secs()
        )))),
    }
}

/// Opens (and closes) one connection, retrying as [`open`] says. One plain
/// connection rather than the pool's: the pool retries on its own until
/// its acquire timeout and then reports only "pool timed out", hiding why.
async fn wait_for_database<DB: SqlxDatabase>(
    options: &<DB::Connection as sea_orm::sqlx::Connection>::Options,
    config: &DatabaseConfig,
) -> Result<(), DbErr> {
    let started = std::time::Instant::now();
    let mut retry_after = FIRST_RETRY_AFTER;
    let mut attempt: u32 = 1;
    loop {
        let error = match tokio::time::timeout(config.connect_timeout, options.connect()).await {
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
                if attempt > 1 {
                    tracing::info!(
                        attempt,
                        waited_ms = started.elapsed().as_millis() as u64,
                        "database reachable"
                    );
                }
                return Ok(());
            }
            Ok(Err(error)) if !worth_waiting_for(&error) => {
                return Err(DbErr::Conn(sea_orm::RuntimeErr::SqlxError(error)))
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!(
                "no connection within {} s (DATABASE_CONNECT_TIMEOUT_SECS)",
                config.connect_timeout.as_secs()
            ),
        };
        let waited = started.elapsed();
        let Some(left) = config.wait.checked_sub(waited).filter(|d| !d.is_zero()) else {
            // Custom, not Conn: its text is said once, not again as a cause.
            return Err(DbErr::Custom(format!(
                "the database was not reachable within {} s (DATABASE_WAIT_SECS) after {attempt} attempt{}: {error}",
                config.wait.as_secs(),
                if attempt == 1 { "" } else { "s" },
            )));
        };
        let pause = retry_after.min(left);
        tracing::warn!(
            attempt,
            waited_ms = waited.as_millis() as u64,
            retry_in_ms = pause.as_millis() as u64,
            wait_secs = config.wait.as_secs(),
            error = %error,
            "database not reachable yet; retrying"
        );
        tokio::time::sleep(pause).await;
        retry_after = (retry_after * 2).min(MAX_RETRY_AFTER);
        attempt += 1;
    }
}

/// The database is not there yet, as opposed to refusing us: nothing
/// listens, the connection broke, or PostgreSQL is starting up, shutting
/// down or full (SQLSTATE class 08, 57P01–57P03, 53300).
fn worth_waiting_for(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(_) | Error::PoolTimedOut => true,
        Error::Database(error) => error.code().is_some_and(|code| {
            code.starts_with("08") || ["57P01", "57P02", "57P03", "53300"].contains(&&*code)
        }),
        _ => false,
    }
}

/// The reads pool for `config`: PostgreSQL connections of its own (half the
/// configured pool size, at least two), nothing on SQLite.
pub fn reads(config: &DatabaseConfig) -> Result<Reads, DbErr> {
    if config.is_sqlite() {
        return Ok(Reads::sqlite());
    }
    let options =
        postgres_options(config.url.expose_secret(), config)?.application_name("rampart-api-reads");
    Reads::postgres(
        options,
        (config.max_connections as usize / 2).max(2),
        config.connect_timeout,
        config.acquire_timeout,
    )
}

fn postgres_options(url: &str, config: &DatabaseConfig) -> Result<PgConnectOptions, DbErr> {
    let statement_timeout = config.statement_timeout.as_millis().to_string();
    let options: PgConnectOptions = url.parse().map_err(invalid_url)?;
    Ok(options
        .options([("statement_timeout", statement_timeout.as_str())])
        .application_name("rampart-api")
        // Statements stay out of the log: they can carry e-mail addresses.
        .disable_statement_logging())
}

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, DbErr> {
    let options: SqliteConnectOptions = url.parse().map_err(invalid_url)?;
    // WAL lets readers proceed while one writer commits; the busy timeout
    // makes concurrent writers wait instead of failing with SQLITE_BUSY.
    Ok(options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        .disable_statement_logging())
}

/// The parser's message can quote the URL, password included: keep it out.
fn invalid_url(_: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Conn(sea_orm::RuntimeErr::Internal(
        "DATABASE_URL is not a valid database URL".to_owned(),
    ))
}

/// Connections the pool holds (busy and idle) and the idle ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: usize,
}

pub fn pool_stats(db: &DatabaseConnection) -> PoolStats {
    // The pool getters panic on the other backend; the match makes that
    // impossible.
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            PoolStats {
                size: pool.size(),
                idle: pool.num_idle(),
            }
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            PoolStats {
                size: pool.size(),
                idle: pool.num_idle(),
            }
        }
        _ => PoolStats::default(),
    }
}
