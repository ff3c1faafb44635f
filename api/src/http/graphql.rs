//! The GraphQL-over-HTTP transport, written out rather than taken from the
//! stock extractor because the stock one executes mutations sent by GET,
//! accepts `text/plain` and form posts (CSRF "simple requests"), executes
//! JSON batches and echoes parser and extractor errors verbatim.
//!
//! A request goes: HTTP checks here → `ApiSchema::check` (parse once, the
//! operation limits) → the caller (bearer token, client address, request
//! id) → `ApiSchema::execute` → `outcome::respond` (codes, status).

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::{
    body::{Body, Bytes},
    extract::{rejection::QueryRejection, Query, State},
    http::{header, HeaderMap, HeaderValue, Request, StatusCode},
    response::Response,
};
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    client_ip::client_ip, errors::error_response, graphiql, outcome, ClientAddr, HttpState,
    REQUEST_ID,
};
use crate::{
    auth::authenticate,
    caller::Caller,
    config::Config,
    error::{code, AppError},
    graphql, metrics, mfa, sessions,
};

/// How much of a `User-Agent` header is kept for a session.
const USER_AGENT_BYTES: usize = 512;

/// Whether the refresh cookie may be read from this request. The cookie is
/// `SameSite=Strict` already; on top of that a request must come from the
/// SPA's own origin: a browser names the page that made a POST in
/// `Origin` (and in `Sec-Fetch-Site`), and a cross-site page can set
/// neither. Only JSON POSTs get here (`post_handler`), which a cross-site
/// page cannot send without a CORS preflight the allow-list refuses; and
/// CORS never allows credentials, so a cross-origin SPA gets no cookie at
/// all (cookie sessions are for same-origin deployments, docs/sessions.md).
fn cookie_allowed(headers: &HeaderMap, config: &Config) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site").is_some_and(|site| site != "same-origin" && site != "none") {
        return false;
    }
    let Some(origin) = header("origin") else {
        // Browsers send Origin on every POST; a client without one is not
        // a browser a third-party page could steer.
        return true;
    };
    let spa = config.frontend_host.origin().ascii_serialization();
    let same_host = url::Url::parse(origin).ok().is_some_and(|url| {
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return false,
        };
        header("host").is_some_and(|h| h.eq_ignore_ascii_case(&host))
    });
    origin == spa || same_host
}

/// The refresh cookie and the login challenge's binding cookie, when this
/// request may send cookies at all.
fn cookies(headers: &HeaderMap, config: &Config) -> Cookies {
    if !cookie_allowed(headers, config) {
        return Cookies::default();
    }
    let values = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
    };
    let secret = |value: &str| SecretString::from(value.to_owned());
    Cookies {
        refresh: sessions::cookie::read(&config.sessions, values()).map(secret),
        mfa: mfa::cookie::read(&config.sessions, values()).map(secret),
    }
}

#[derive(Default)]
struct Cookies {
    refresh: Option<SecretString>,
    mfa: Option<SecretString>,
}

/// A GET query must carry this header (any value). A browser cannot send a
/// custom header cross-site without a CORS preflight, which the exact-origin
/// allow-list refuses, so a third-party page cannot make a signed-in
/// browser run queries by GET.
pub const REQUIRE_PREFLIGHT: &str = "graphql-require-preflight";

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
        Err(message) => return bad_request(message),
    };
    // Only here, on a JSON POST: a GET never carries the refresh cookie in.
    let cookie = cookies(&parts.headers, &state.app.config);
    execute(
        &state,
        &parts.headers,
        parts.extensions.get::<ClientAddr>().copied(),
        cookie,
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
        return bad_request("Malformed query string.");
    };
    let Some(query) = params.query else {
        return if state.app.config.graphql.graphiql {
            graphiql::page()
        } else {
            error_response(StatusCode::NOT_FOUND, code::NOT_FOUND, "Not found.")
        };
    };
    if !state.app.config.graphql.allow_get_queries {
        return post_only("Send GraphQL requests with POST.");
    }
    // Parsed once here; `execute` and the executor reuse the document.
    let mut gql_request = async_graphql::Request::new(query);
    let is_query = gql_request.parsed_query().map_or(true, |document| {
        is_query_operation(document, params.operation_name.as_deref())
    });
    if !is_query {
        // GraphQL-over-HTTP: GET may only read. Mutations over GET are 405.
        return post_only("Mutations must be sent with POST.");
    }
    let (parts, _) = request.into_parts();
    if !parts.headers.contains_key(REQUIRE_PREFLIGHT) {
        return bad_request("GET queries need a GraphQL-Require-Preflight header.");
    }
    let variables = match params.variables.as_deref().map(serde_json::from_str) {
        None => async_graphql::Variables::default(),
        Some(Ok(variables)) => async_graphql::Variables::from_json(variables),
        Some(Err(_)) => return bad_request("variables must be a JSON object."),
    };
    gql_request = gql_request.variables(variables);
    if let Some(name) = params.operation_name {
        gql_request = gql_request.operation_name(name);
    }
    execute(
        &state,
        &parts.headers,
        parts.extensions.get::<ClientAddr>().copied(),
        Cookies::default(),
        gql_request,
    )
    .await
}

fn bad_request(message: &str) -> Response {
    error_response(StatusCode::BAD_REQUEST, code::BAD_USER_INPUT, message)
}

fn post_only(message: &str) -> Response {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        code::BAD_USER_INPUT,
        message,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
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
    let request: async_graphql::Request =
        serde_json::from_slice(bytes).map_err(|_| "The body is not a GraphQL request object.")?;
    if request.query.trim().is_empty() {
        return Err("The request has no query.");
    }
    Ok(request)
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
    cookies: Cookies,
    mut request: async_graphql::Request,
) -> Response {
    if headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        // Which of two a proxy or a library would pick differs; pick none.
        return bad_request("Send one Authorization header.");
    }
    let started = std::time::Instant::now();
    let request_id = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let checked = state.schema.check(&mut request);
    // After `check`, which parsed the document or took it from the cache:
    // asking for the label first would parse every document again.
    let operation = match checked {
        Ok(()) if metrics::recording() => graphql::operation_label(&mut request),
        _ => "other",
    };
    let response = if let Err(error) = checked {
        async_graphql::Response::from_errors(vec![error])
    } else if state.outage.is_open() {
        // The database is known to be down: answer at once instead of
        // letting every request wait out the pool's acquire timeout.
        outcome::from_app_error(&AppError::unavailable("the database is unreachable"))
    } else {
        match caller(state, headers, peer, cookies, request_id.clone()).await {
            Ok(caller) => state.schema.execute(request, caller).await,
            Err(error) => outcome::from_app_error(&error),
        }
    };
    let response = outcome::with_codes(response, &request_id, &state.app.config);
    if outcome::has_code(&response, code::UNAVAILABLE) {
        state.outage.suspect();
    }
    if metrics::recording() {
        let label = outcome::first_code(&response).unwrap_or_else(|| "ok".to_owned());
        metrics::graphql_request(operation, &label, started.elapsed());
    }
    outcome::respond(headers, response)
}

/// The request's one caller: who (the bearer token, checked against the
/// database), from where, which request.
async fn caller(
    state: &HttpState,
    headers: &HeaderMap,
    peer: Option<ClientAddr>,
    cookies: Cookies,
    request_id: String,
) -> Result<Caller, AppError> {
    let app = &state.app;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| truncate_at_char(ua, USER_AGENT_BYTES).to_owned());
    Ok(Caller {
        auth: authenticate(app, bearer).await?,
        ip: client_ip(peer, headers, app.config.http.trust_forwarded_for),
        request_id,
        user_agent,
        refresh_cookie: cookies.refresh,
        mfa_cookie: cookies.mfa,
    })
}

fn truncate_at_char(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
