//! Single-statement reads on PostgreSQL connections of their own, for the
//! one statement nearly every request makes: who is calling.
//!
//! Why not SeaORM's pool: sqlx 0.8 pings every connection when it goes back
//! to its pool (hard-coded in `return_to_pool`), a full round trip to
//! PostgreSQL on top of the statement itself; for a `me` request that
//! doubles the database's work and most of the kernel's (docs/benchmarks.md).
//!
//! Here a connection goes back without a ping when its statement completed.
//! One whose statement failed, or whose request was cancelled mid-flight,
//! is discarded instead, so a connection in an unknown state is never
//! handed to the next request. One idle for more than a second is pinged
//! before reuse (a restart or a firewall may have dropped it meanwhile),
//! and a read that fails on a reused connection because the connection is
//! gone is tried once more on a fresh one: reads are idempotent.
//! On SQLite there is no socket and no such cost: reads go through SeaORM.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use deadpool::managed::{self, Metrics, Object, Pool, PoolError, RecycleResult};
use sea_orm::{
    sqlx::{postgres::PgConnectOptions, ConnectOptions as _, Connection as _, PgConnection},
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbErr, QueryResult, RuntimeErr, Statement,
};
use sea_query_binder::SqlxValues;

use super::PING_IF_IDLE_FOR;

pub struct Manager {
    options: PgConnectOptions,
}

impl managed::Manager for Manager {
    type Type = PgConnection;
    type Error = sea_orm::sqlx::Error;

    async fn create(&self) -> Result<PgConnection, Self::Error> {
        self.options.connect().await
    }

    async fn recycle(
        &self,
        conn: &mut PgConnection,
        metrics: &Metrics,
    ) -> RecycleResult<Self::Error> {
        if metrics.last_used() > PING_IF_IDLE_FOR {
            conn.ping().await?;
        }
        Ok(())
    }
}

/// The reads pool, or nothing on SQLite.
pub struct Reads {
    pool: Option<Pool<Manager>>,
    /// Statements run here, since start (SeaORM's own statement callback
    /// does not see them).
    statements: AtomicU64,
}

impl Reads {
    pub fn sqlite() -> Self {
        Self {
            pool: None,
            statements: AtomicU64::new(0),
        }
    }

    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub fn postgres(
        options: PgConnectOptions,
        max_size: usize,
        connect_timeout: Duration,
        acquire_timeout: Duration,
    ) -> Result<Self, DbErr> {
        let pool = Pool::builder(Manager { options })
            .max_size(max_size.max(1))
            .runtime(deadpool::Runtime::Tokio1)
            .create_timeout(Some(connect_timeout))
            .wait_timeout(Some(acquire_timeout))
            .recycle_timeout(Some(connect_timeout))
            .build()
            .map_err(|e| DbErr::Conn(RuntimeErr::Internal(format!("reads pool: {e}"))))?;
        Ok(Self {
            pool: Some(pool),
            statements: AtomicU64::new(0),
        })
    }

    /// Runs one read and returns its first row.
    pub async fn query_one(
        &self,
        db: &DatabaseConnection,
        statement: Statement,
    ) -> Result<Option<QueryResult>, DbErr> {
        let Some(pool) = &self.pool else {
            return db.query_one(statement).await;
        };
        self.statements.fetch_add(1, Ordering::Relaxed);
        match read_once(pool, &statement).await {
            Err(Failure::Gone(_)) => match read_once(pool, &statement).await {
                Ok(row) => Ok(row),
                Err(Failure::Gone(error) | Failure::Other(error)) => Err(error),
            },
            Ok(row) => Ok(row),
            Err(Failure::Other(error)) => Err(error),
        }
    }

    /// The most connections this pool opens (0 on SQLite).
    pub fn max_size(&self) -> usize {
        self.pool.as_ref().map_or(0, |pool| pool.status().max_size)
    }

    /// Connections open now and the idle ones, for the pool gauges.
    pub fn stats(&self) -> Option<(usize, usize)> {
        self.pool.as_ref().map(|pool| {
            let status = pool.status();
            (status.size, status.available)
        })
    }
}

enum Failure {
    /// A reused connection turned out to be closed: worth one more try.
    Gone(DbErr),
    Other(DbErr),
}

async fn read_once(
    pool: &Pool<Manager>,
    statement: &Statement,
) -> Result<Option<QueryResult>, Failure> {
    let mut checkout = Checkout::new(
        pool.get()
            .await
            .map_err(|e| Failure::Other(pool_error(e)))?,
    );
    let reused = checkout.reused();
    let values = statement
        .values
        .clone()
        .unwrap_or(sea_orm::Values(Vec::new()));
    let Some(connection) = checkout.connection.as_deref_mut() else {
        return Err(Failure::Other(DbErr::Conn(RuntimeErr::Internal(
            "reads pool: checkout without a connection".to_owned(),
        ))));
    };
    let started = std::time::Instant::now();
    let result = sea_orm::sqlx::query_with(&statement.sql, SqlxValues(values))
        .fetch_optional(connection)
        .await;
    crate::metrics::db_statement(started.elapsed());
    match result {
        Ok(row) => {
            checkout.completed();
            Ok(row.map(QueryResult::from))
        }
        Err(error) => {
            let gone = reused && connection_is_gone(&error);
            let error = DbErr::Query(RuntimeErr::SqlxError(error));
            Err(if gone {
                Failure::Gone(error)
            } else {
                Failure::Other(error)
            })
        }
    }
}

fn connection_is_gone(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(_) | Error::Protocol(_) => true,
        Error::Database(error) => error
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

fn pool_error(error: PoolError<sea_orm::sqlx::Error>) -> DbErr {
    match error {
        PoolError::Timeout(_) => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        PoolError::Backend(error) => DbErr::Conn(RuntimeErr::SqlxError(error)),
        other => DbErr::Conn(RuntimeErr::Internal(format!("reads pool: {other}"))),
    }
}

/// A checked-out connection that goes back to the pool only if its
/// statement completed; dropped any other way (an error, a cancelled
/// request), it is closed and a fresh one takes its place later.
struct Checkout {
    connection: Option<Object<Manager>>,
    completed: bool,
}

impl Checkout {
    fn new(connection: Object<Manager>) -> Self {
        Self {
            connection: Some(connection),
            completed: false,
        }
    }

    fn reused(&self) -> bool {
        self.connection
            .as_ref()
            .is_some_and(|c| Object::metrics(c).recycle_count > 0)
    }

    fn completed(&mut self) {
        self.completed = true;
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        if self.completed {
            return;
        }
        if let Some(connection) = self.connection.take() {
            // Detached from the pool; its socket closes when it is dropped.
            drop(Object::take(connection));
        }
    }
}
