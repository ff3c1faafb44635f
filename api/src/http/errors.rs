//! Responses for failures outside GraphQL execution (bad transport, panics,
//! timeouts, oversize bodies), all in the GraphQL error shape with a code.

use std::any::Any;

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use crate::error::{code, INTERNAL_MESSAGE};

pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

pub async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, code::NOT_FOUND, "Not found.")
}

pub fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    // The payload can hold internal detail: it goes to stderr through the
    // default panic hook, never to the client.
    tracing::error!("request handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        code::INTERNAL,
        INTERNAL_MESSAGE,
    )
}

/// Layers below the handlers answer some failures with empty or plain-text
/// bodies; give clients the same JSON shape as every other error.
pub async fn json_for_bare_errors(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json") || v.contains("html"));
    if is_json {
        return response;
    }
    let (status, code, message) = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => (
            StatusCode::PAYLOAD_TOO_LARGE,
            code::PAYLOAD_TOO_LARGE,
            "Request body is too large.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            StatusCode::SERVICE_UNAVAILABLE,
            code::UNAVAILABLE,
            "The request took too long and was cancelled. Try again shortly.",
        ),
        _ => return response,
    };
    let mut shaped = error_response(status, code, message);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        shaped
            .headers_mut()
            .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(1));
    }
    shaped
}
