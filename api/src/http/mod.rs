//! The HTTP surface: router, middleware stack and the GraphQL transport.

mod client_ip;
mod errors;
mod graphiql;
mod graphql;
mod health;
mod metrics;
mod outcome;
mod trace;

use std::{
    sync::{atomic::AtomicBool, Arc},
    time::Duration,
};

use axum::{
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    routing::get,
    Router,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

pub use client_ip::ClientAddr;
pub use metrics::metrics_router;

use crate::{config::HttpConfig, db::Outage, graphql::ApiSchema, state::AppState};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub schema: ApiSchema,
    pub outage: Outage,
    /// Set once readiness found every migration applied.
    pub schema_current: Arc<AtomicBool>,
}

pub fn build_router(app: AppState) -> Router {
    let config = app.config.http.clone();
    let schema = ApiSchema::new(app.clone());
    let outage = Outage::new(app.db.clone());
    let state = HttpState {
        app,
        schema,
        outage,
        schema_current: Arc::default(),
    };

    let routes = Router::new()
        .route(
            "/graphql",
            get(graphql::get_handler).post(graphql::post_handler),
        )
        .route("/graphql/assets/{file}", get(graphiql::asset))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(errors::not_found)
        .with_state(state);
    with_middleware(routes, &config)
}

/// The middleware every route gets. Public so that tests can put a route
/// the API does not have (one that panics) behind the real stack.
pub fn with_middleware(routes: Router, config: &HttpConfig) -> Router {
    // Router::layer wraps what is already there, so the last layer listed is
    // the outermost: request ids and tracing see everything, the security
    // headers wrap every layer that can answer on its own (the JSON shaping
    // of bare errors, the timeout's 503, the panic's 500, CORS, the body
    // limit's 413), and the body limit sits closest to the handlers.
    routes
        // The only body limit that reaches every extractor; 413 beyond it.
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(cors(&config.cors_origins))
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(axum::middleware::map_response(errors::json_for_bare_errors))
        // Security headers on every response; a route that sets its own (the
        // GraphiQL page's CSP, cacheable assets) keeps it.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(axum::middleware::from_fn(metrics::count_requests))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(trace::request_span)
                .on_response(trace::log_response),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Exact origins only, no credentials (tokens travel in a header, not cookies).
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static(graphql::REQUIRE_PREFLIGHT),
        ])
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(600))
}
