//! What a GraphQL response looks like on the wire: every error with a
//! stable code, nothing that quotes the document or (in production) names
//! the schema, bounded in size, and an HTTP status that proxies and clients
//! can act on for rate limits and outages.

use async_graphql::{ErrorExtensionValues, ErrorExtensions, ServerError, Value};
use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use super::errors::error_response;
use crate::{
    config::Config,
    error::{code, AppError, INTERNAL_MESSAGE},
};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// A rejected document gets at most this many errors, each at most
/// `MAX_MESSAGE_CHARS` long: an answer of a few KiB whatever was sent.
const MAX_ERRORS: usize = 8;
const MAX_MESSAGE_CHARS: usize = 240;

/// Production's answer to a document the schema rejects: validation
/// messages name fields, arguments and types, which is what schema-guessing
/// tools feed on when introspection is off.
const INVALID_DOCUMENT: &str = "The document is not valid for this API.";
const INVALID_INPUT: &str = "An argument or a variable has an invalid value.";

/// Validation messages that name nothing of the schema, kept everywhere.
const SCHEMA_NEUTRAL: &[&str] = &["Query is too complex.", "Query is nested too deep."];

/// How async-graphql words its own input-coercion errors (a malformed
/// UUID, a variable of the wrong shape): the client's mistake, not ours.
const INPUT_ERRORS: &[&str] = &[
    "Failed to parse \"",
    "Expected input type \"",
    "Invalid value for argument",
    "Variable ",
];

pub fn from_app_error(error: &AppError) -> async_graphql::Response {
    let extended = error.extend();
    let mut server = ServerError::new(extended.message, None);
    server.extensions = extended.extensions;
    async_graphql::Response::from_errors(vec![server])
}

/// Gives every error its code, hides what must not leave, and bounds the
/// answer's size.
pub fn with_codes(
    mut response: async_graphql::Response,
    request_id: &str,
    config: &Config,
) -> async_graphql::Response {
    let generic = !config.graphql.detailed_errors;
    if response.errors.len() > MAX_ERRORS {
        let omitted = response.errors.len() - MAX_ERRORS + 1;
        response.errors.truncate(MAX_ERRORS - 1);
        let mut more = ServerError::new(format!("{omitted} more errors were omitted."), None);
        set_code(&mut more, code::BAD_USER_INPUT);
        response.errors.push(more);
    }
    for error in &mut response.errors {
        classify(error, request_id, generic);
        if error.message.chars().count() > MAX_MESSAGE_CHARS {
            error.message = error.message.chars().take(MAX_MESSAGE_CHARS).collect();
            error.message.push('…');
        }
    }
    response
}

/// Errors the executor made itself (parse, validation, limits, input
/// coercion) are the client's; any other error without a code is a bug, so
/// its text is logged and replaced rather than shown.
fn classify(error: &mut ServerError, request_id: &str, generic: bool) {
    let code = match code_of(error) {
        Some(code) => code,
        None if error.path.is_empty() => {
            if generic && !SCHEMA_NEUTRAL.contains(&error.message.as_str()) {
                error.message = INVALID_DOCUMENT.to_owned();
            }
            set_code(error, code::BAD_USER_INPUT)
        }
        None if INPUT_ERRORS.iter().any(|p| error.message.starts_with(p)) => {
            tracing::debug!(message = %error.message, "invalid input value");
            if generic {
                error.message = INVALID_INPUT.to_owned();
            }
            set_code(error, code::BAD_USER_INPUT)
        }
        None => {
            tracing::error!(message = %error.message, "resolver error without a code");
            error.message = INTERNAL_MESSAGE.to_owned();
            set_code(error, code::INTERNAL)
        }
    };
    if code == code::INTERNAL || code == code::UNAVAILABLE {
        extensions(error).set("requestId", request_id);
    }
}

fn code_of(error: &ServerError) -> Option<String> {
    match error.extensions.as_ref()?.get("code") {
        Some(Value::String(code)) => Some(code.clone()),
        _ => None,
    }
}

fn set_code(error: &mut ServerError, code: &'static str) -> String {
    extensions(error).set("code", code);
    code.to_owned()
}

fn extensions(error: &mut ServerError) -> &mut ErrorExtensionValues {
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
}

/// The first error's code, if any: a request's outcome as a metric label.
pub fn first_code(response: &async_graphql::Response) -> Option<String> {
    response.errors.first().and_then(code_of)
}

pub fn has_code(response: &async_graphql::Response, wanted: &str) -> bool {
    response
        .errors
        .iter()
        .any(|e| code_of(e).as_deref() == Some(wanted))
}

/// The HTTP answer. A request that produced no data because of a rate limit
/// is a 429 and an outage a 503, both with `Retry-After`, whatever the
/// media type: proxies, load balancers and retrying clients understand
/// those. Otherwise GraphQL errors travel in a 200 for `application/json`
/// clients; with the newer media type a request that never executed is a 400.
pub fn respond(headers: &HeaderMap, response: async_graphql::Response) -> Response {
    let wants_graphql_response = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(GRAPHQL_RESPONSE_JSON));
    let body = match serde_json::to_vec(&response) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(error = %error, "cannot serialise GraphQL response");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL,
                INTERNAL_MESSAGE,
            );
        }
    };
    let no_data = response.data == Value::Null && !response.errors.is_empty();
    let refusal = no_data.then(|| refusal(&response)).flatten();
    let status = match refusal {
        Some((status, _)) => status,
        None if no_data && wants_graphql_response => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    let content_type = if wants_graphql_response {
        GRAPHQL_RESPONSE_JSON
    } else {
        "application/json"
    };
    let mut http = (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
    // What resolvers set (the refresh cookie's `Set-Cookie`), appended so
    // that two cookies stay two headers.
    for (name, value) in &response.http_headers {
        http.headers_mut().append(name.clone(), value.clone());
    }
    if let Some((_, retry_after)) = refusal {
        http.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    http
}

/// 429 or 503 and the seconds to wait, when the response's errors say so.
fn refusal(response: &async_graphql::Response) -> Option<(StatusCode, u64)> {
    let retry_after =
        |error: &ServerError| match error.extensions.as_ref().and_then(|e| e.get("retryAfter")) {
            Some(Value::Number(n)) => n.as_u64().unwrap_or(1),
            _ => 1,
        };
    let worst = |wanted: &str| {
        response
            .errors
            .iter()
            .filter(|e| code_of(e).as_deref() == Some(wanted))
            .map(retry_after)
            .max()
    };
    if let Some(seconds) = worst(code::UNAVAILABLE) {
        return Some((StatusCode::SERVICE_UNAVAILABLE, seconds));
    }
    worst(code::RATE_LIMITED).map(|seconds| (StatusCode::TOO_MANY_REQUESTS, seconds))
}
