use std::time::Duration;

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

use super::HttpState;

/// Liveness: the process answers. Never touches the database, so a database
/// outage does not make an orchestrator restart healthy API processes.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers within a second, and the process is not
/// shutting down (a draining replica keeps serving but takes no new work).
pub async fn readyz(State(state): State<HttpState>) -> (StatusCode, Json<Value>) {
    if state.app.is_draining() {
        crate::metrics::ready(false);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "draining" })),
        );
    }
    let ping = tokio::time::timeout(Duration::from_secs(1), state.app.db.ping()).await;
    match ping {
        Ok(Ok(())) => {
            // The database answers: stop refusing requests at once rather
            // than at the outage probe's next round.
            state.outage.close();
            crate::metrics::ready(true);
            (StatusCode::OK, Json(json!({ "status": "ready" })))
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "readiness check: database unreachable");
            crate::metrics::ready(false);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
        Err(_) => {
            tracing::warn!("readiness check: database ping timed out");
            crate::metrics::ready(false);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
    }
}
