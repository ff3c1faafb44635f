use std::{sync::atomic::Ordering, time::Duration};

use axum::{extract::State, http::StatusCode, Json};
use migration::{Migrator, MigratorTrait};
use serde_json::{json, Value};

use super::HttpState;

/// Liveness: the process answers. Never touches the database, so a database
/// outage does not make an orchestrator restart healthy API processes.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the process is not shutting down (a draining replica keeps
/// serving but takes no new work), the database answers within a second,
/// and its schema has every migration this build knows (a replica started
/// before `api prestart` would answer every request with a server error).
pub async fn readyz(State(state): State<HttpState>) -> (StatusCode, Json<Value>) {
    let status = readiness(&state).await;
    crate::metrics::ready(status == "ready");
    let code = if status == "ready" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(json!({ "status": status })))
}

async fn readiness(state: &HttpState) -> &'static str {
    if state.app.is_draining() {
        return "draining";
    }
    match tokio::time::timeout(Duration::from_secs(1), state.app.db.ping()).await {
        Ok(Ok(())) => {
            // The database answers: stop refusing requests at once rather
            // than at the outage probe's next round.
            state.outage.close();
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "readiness check: database unreachable");
            return "unavailable";
        }
        Err(_) => {
            tracing::warn!("readiness check: database ping timed out");
            return "unavailable";
        }
    }
    if schema_is_current(state).await {
        "ready"
    } else {
        "migrations pending"
    }
}

/// Asked until it is true once: a schema does not lose migrations.
async fn schema_is_current(state: &HttpState) -> bool {
    if state.schema_current.load(Ordering::Acquire) {
        return true;
    }
    let pending = tokio::time::timeout(
        Duration::from_secs(1),
        Migrator::get_pending_migrations(&state.app.db),
    )
    .await;
    match pending {
        Ok(Ok(pending)) if pending.is_empty() => {
            state.schema_current.store(true, Ordering::Release);
            true
        }
        Ok(Ok(pending)) => {
            tracing::warn!(
                pending = pending.len(),
                "readiness check: migrations pending; run `api prestart`"
            );
            false
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "readiness check: cannot read the migrations table");
            false
        }
        Err(_) => false,
    }
}
