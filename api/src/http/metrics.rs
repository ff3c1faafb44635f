//! `/metrics` on its own listener (`METRICS_BIND`), never on the public
//! router: the series say how busy the service is and how sign-ins fail,
//! which is for the operator's Prometheus, not for the internet.

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::{
    db,
    metrics::{self, Snapshot},
    state::AppState,
};

#[derive(Clone)]
struct Scrape {
    app: AppState,
    handle: PrometheusHandle,
}

/// The router for the metrics listener.
pub fn metrics_router(app: AppState, handle: PrometheusHandle) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(Scrape { app, handle })
}

async fn render(State(scrape): State<Scrape>) -> Response {
    let jobs = scrape.app.hasher.jobs();
    let pool = db::pool_stats(&scrape.app.db);
    // Both pools together: the per-request reads and everything else.
    let (reads_size, reads_idle) = scrape.app.reads.stats().unwrap_or_default();
    let idle = pool.idle + reads_idle;
    let in_use =
        (pool.size as usize).saturating_sub(pool.idle) + reads_size.saturating_sub(reads_idle);
    metrics::record_snapshot(&Snapshot {
        hash_jobs_running: jobs.running(),
        hash_jobs_waiting: jobs.waiting(),
        hash_shed: jobs.shed(),
        pool_idle: idle,
        pool_in_use: in_use,
        pool_max: scrape.app.config.database.max_connections + scrape.app.reads.max_size() as u32,
        log_lines_dropped: crate::telemetry::dropped_log_lines() as u64,
    });
    scrape.handle.run_upkeep();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        scrape.handle.render(),
    )
        .into_response()
}

/// Counts every response by matched route (or "unmatched") and status.
pub async fn count_requests(request: Request, next: Next) -> Response {
    if !metrics::recording() {
        return next.run(request).await;
    }
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    metrics::http_request(route, response.status().as_u16());
    response
}
