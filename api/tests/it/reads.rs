//! The per-request reads on PostgreSQL (`db::Reads`): no ping when a
//! connection goes back, and still no broken or half-used connection ever
//! handed to the next request.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
use serde_json::json;

use crate::common::{Backend, TestApp, POSTGRES_ADMIN_URL};

async fn current_database(app: &TestApp) -> String {
    let row = app
        .state
        .db
        .query_one(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT current_database() AS name",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "name").unwrap()
}

/// Ends the reads connections' server processes, as a PostgreSQL restart or
/// an administrator would.
async fn terminate_reads_connections(database: &str) -> i64 {
    let admin = Database::connect(POSTGRES_ADMIN_URL).await.unwrap();
    let row = admin
        .query_one(Statement::from_string(
            admin.get_database_backend(),
            format!(
                "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                 WHERE datname = '{database}' AND application_name = 'rampart-api-reads'"
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    admin.close().await.unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_identity_read_costs_one_statement_and_no_ping() {
    let app = TestApp::new(Backend::Postgres).await;
    let user = app.user("reader").await;
    app.gql("{ me { id } }", json!({}), Some(&user.token))
        .await
        .ok();
    let before = app.state.reads.statements();
    for _ in 0..5 {
        app.gql("{ me { id } }", json!({}), Some(&user.token))
            .await
            .ok();
    }
    assert_eq!(app.state.reads.statements() - before, 5);
    let (open, idle) = app.state.reads.stats().unwrap();
    assert_eq!(
        (open, idle),
        (1, 1),
        "one connection, reused, back in the pool"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_killed_while_idle_are_replaced_without_a_failed_request() {
    let app = TestApp::new(Backend::Postgres).await;
    let user = app.user("reader").await;
    app.gql("{ me { id } }", json!({}), Some(&user.token))
        .await
        .ok();
    let database = current_database(&app).await;
    assert!(terminate_reads_connections(&database).await >= 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The idle connection is dead; the read is retried on a fresh one.
    let reply = app.gql("{ me { id } }", json!({}), Some(&user.token)).await;
    assert_eq!(reply.ok()["me"]["id"], user.id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_read_discards_its_connection() {
    let app = TestApp::new(Backend::Postgres).await;
    let user = app.user("reader").await;
    app.gql("{ me { id } }", json!({}), Some(&user.token))
        .await
        .ok();
    assert_eq!(app.state.reads.stats(), Some((1, 1)));

    // Make the read hang mid-statement: an exclusive lock on users.
    let lock = app.state.db.begin().await.unwrap();
    lock.execute(Statement::from_string(
        lock.get_database_backend(),
        "LOCK TABLE users IN ACCESS EXCLUSIVE MODE",
    ))
    .await
    .unwrap();
    let cancelled = tokio::time::timeout(
        Duration::from_millis(300),
        app.gql("{ me { id } }", json!({}), Some(&user.token)),
    )
    .await;
    assert!(cancelled.is_err(), "the request was cancelled mid-read");
    assert_eq!(
        app.state.reads.stats(),
        Some((0, 0)),
        "the connection with a statement in flight left the pool"
    );
    lock.commit().await.unwrap();

    let reply = app.gql("{ me { id } }", json!({}), Some(&user.token)).await;
    assert_eq!(reply.ok()["me"]["id"], user.id.as_str());
    assert_eq!(app.state.reads.stats(), Some((1, 1)));
}
