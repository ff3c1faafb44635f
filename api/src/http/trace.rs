//! The request span (method, matched path, request id, status) and the
//! one log line per response, for `tower_http::trace::TraceLayer`.

use std::time::Duration;

use axum::{body::Body, extract::MatchedPath, http::Request};
use tracing::Span;

use super::REQUEST_ID;

pub fn request_span(request: &Request<Body>) -> Span {
    // Borrowed, not copied: a span records its fields when it is created.
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = request.method().as_str(),
        path,
        request_id,
        status = tracing::field::Empty
    )
}

pub fn log_response<B>(response: &axum::http::Response<B>, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_millis() as u64,
        "response"
    );
}
