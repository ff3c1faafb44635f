//! The GraphQL-over-HTTP transport, written out rather than taken from the
//! stock extractor because the stock one executes mutations sent by GET,
//! accepts `text/plain` and form posts (CSRF "simple requests"), executes
//! JSON batches and echoes parser and extractor errors verbatim.

use async_graphql::{
    parser::types::{ExecutableDocument, OperationType},
    ErrorExtensionValues, ServerError,
};
use axum::{
    body::{Body, Bytes},
    extract::{rejection::QueryRejection, Query, State},
    http::{header, HeaderMap, HeaderValue, Request, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    client_ip::client_ip, errors::error_response, graphiql, ClientAddr, HttpState, REQUEST_ID,
};
use crate::{
    auth::authenticate,
    caller::Caller,
    error::{code, INTERNAL_MESSAGE},
};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

#[derive(Deserialize)]
pub struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
}

pub async fn post_handler(State(state): State<HttpState>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    if !is_json(&parts.headers) {
        // Only JSON: a cross-site form or text/plain post never reaches a resolver.
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::BAD_USER_INPUT,
            "Send GraphQL requests as Content-Type: application/json.",
        );
    }
    // The RequestBodyLimitLayer bounds this read; past it, collecting fails.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::PAYLOAD_TOO_LARGE,
            "Request body is too large.",
        );
    };
    let request = match parse_body(&bytes) {
        Ok(request) => request,
        Err(message) => {
            return error_response(StatusCode::BAD_REQUEST, code::BAD_USER_INPUT, message)
        }
    };
    execute(
        &state,
        &parts.headers,
        parts.extensions.get::<ClientAddr>().copied(),
        request,
    )
    .await
}

pub async fn get_handler(
    State(state): State<HttpState>,
    params: Result<Query<GetParams>, QueryRejection>,
    request: Request<Body>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error_response(
            StatusCode::BAD_REQUEST,
            code::BAD_USER_INPUT,
            "Malformed query string.",
        );
    };
    let Some(query) = params.query else {
        return if state.app.config.graphql.graphiql {
            graphiql::page()
        } else {
            error_response(StatusCode::NOT_FOUND, code::NOT_FOUND, "Not found.")
        };
    };
    // Parsed once here; `execute` and the executor reuse the document.
    let mut gql_request = async_graphql::Request::new(query);
    let is_query = gql_request.parsed_query().map_or(true, |document| {
        is_query_operation(document, params.operation_name.as_deref())
    });
    if !state.app.config.graphql.allow_get_queries || !is_query {
        // GraphQL-over-HTTP: GET may only read. Mutations over GET are 405.
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            code::BAD_USER_INPUT,
            "Mutations must be sent with POST.",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let variables = match params.variables.as_deref().map(serde_json::from_str) {
        None => async_graphql::Variables::default(),
        Some(Ok(variables)) => async_graphql::Variables::from_json(variables),
        Some(Err(_)) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                code::BAD_USER_INPUT,
                "variables must be a JSON object.",
            )
        }
    };
    gql_request = gql_request.variables(variables);
    if let Some(name) = params.operation_name {
        gql_request = gql_request.operation_name(name);
    }
    let (parts, _) = request.into_parts();
    execute(
        &state,
        &parts.headers,
        parts.extensions.get::<ClientAddr>().copied(),
        gql_request,
    )
    .await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

fn parse_body(bytes: &Bytes) -> Result<async_graphql::Request, &'static str> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err("Batched requests are not supported; send one operation per request.");
    }
    // serde's message would echo parts of the body; the client gets a fixed one.
    serde_json::from_slice(bytes).map_err(|_| "The body is not a GraphQL request object.")
}

/// True if the operation that would run is a query. (Unparseable documents
/// count as queries too, so that the syntax error is what gets reported.)
fn is_query_operation(document: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let selected = match operation_name {
        Some(name) => document
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name)),
        None => document.operations.iter().next(),
    };
    selected.is_none_or(|(_, op)| op.node.ty == OperationType::Query)
}

async fn execute(
    state: &HttpState,
    headers: &HeaderMap,
    peer: Option<ClientAddr>,
    mut request: async_graphql::Request,
) -> Response {
    let request_id = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut response = match state.schema.check(&mut request) {
        Err(error) => async_graphql::Response::from_errors(vec![error]),
        Ok(()) => authenticate_and_execute(state, headers, peer, request_id.clone(), request).await,
    };
    for error in &mut response.errors {
        ensure_code(error, &request_id);
    }
    respond(headers, response)
}

/// Builds the request's one caller (who, from where, which request) and
/// executes for it.
async fn authenticate_and_execute(
    state: &HttpState,
    headers: &HeaderMap,
    peer: Option<ClientAddr>,
    request_id: String,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let app = &state.app;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let auth = match authenticate(app, bearer).await {
        Ok(auth) => auth,
        Err(error) => {
            let error = async_graphql::ErrorExtensions::extend(&error);
            return async_graphql::Response::from_errors(vec![
                error.into_server_error(Default::default())
            ]);
        }
    };
    let caller = Caller {
        auth,
        ip: client_ip(peer, headers, app.config.http.trust_forwarded_for),
        request_id,
    };
    state.schema.execute(request, caller).await
}

/// Every error leaves with a code. Errors the executor made itself (parse,
/// validation, limits) are the client's; a resolver error without a code is
/// a bug, so its text is replaced rather than shown.
fn ensure_code(error: &mut ServerError, request_id: &str) {
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    let code = match extensions.get("code") {
        Some(async_graphql::Value::String(code)) => code.clone(),
        _ if error.path.is_empty() => {
            extensions.set("code", code::BAD_USER_INPUT);
            code::BAD_USER_INPUT.to_owned()
        }
        _ => {
            tracing::error!(message = %error.message, "resolver error without a code");
            error.message = INTERNAL_MESSAGE.to_owned();
            extensions.set("code", code::INTERNAL);
            code::INTERNAL.to_owned()
        }
    };
    if code == code::INTERNAL {
        extensions.set("requestId", request_id);
    }
}

fn respond(headers: &HeaderMap, response: async_graphql::Response) -> Response {
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
    // With the newer media type a request that never executed is a 400; with
    // plain JSON, GraphQL errors travel in a 200 as clients expect.
    let failed_before_execution =
        response.data == async_graphql::Value::Null && !response.errors.is_empty();
    let (status, content_type) = if wants_graphql_response {
        let status = if failed_before_execution {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        (status, GRAPHQL_RESPONSE_JSON)
    } else {
        (StatusCode::OK, "application/json")
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}
