//! The GraphQL-over-HTTP rules of the security baseline.

use axum::{body::Body, http::Request};
use serde_json::json;

use crate::{
    common::{Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    mutations_over_get_are_refused_with_405,
    queries_over_get_are_answered,
    get_queries_need_a_header_that_forces_a_preflight,
    get_queries_are_off_unless_enabled,
    only_json_posts_reach_the_schema,
    batched_requests_are_refused,
    oversize_bodies_get_413_with_a_code,
    malformed_json_gets_a_fixed_message,
    api_responses_carry_the_baseline_headers,
    graphiql_is_served_from_the_binary_with_its_own_csp,
    graphiql_can_be_switched_off,
    health_and_readiness_answer,
    unknown_paths_are_json_404s,
    cors_allows_only_configured_origins,
    graphql_response_media_type_uses_status_codes,
);

async fn mutations_over_get_are_refused_with_405(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .send(
            Request::get("/graphql?query=mutation%7BdeleteMe%7Bmessage%7D%7D")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.headers["allow"], "POST");
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    // Also when the mutation hides behind an operation name.
    let reply = app
        .send(
            Request::get("/graphql?query=query%20A%7Bme%7Bid%7D%7D%20mutation%20B%7BdeleteMe%7Bmessage%7D%7D&operationName=B")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 405);
}

async fn queries_over_get_are_answered(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .send(
            Request::get("/graphql?query=%7BpublicSettings%7BsignupEnabled%7D%7D")
                .header("graphql-require-preflight", "1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.ok()["publicSettings"]["signupEnabled"], true);
}

/// A cross-site page can make a browser send a simple GET, never one with
/// a custom header (that needs a preflight the CORS allow-list refuses).
async fn get_queries_need_a_header_that_forces_a_preflight(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .send(
            Request::get("/graphql?query=%7BpublicSettings%7BsignupEnabled%7D%7D")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.message().contains("GraphQL-Require-Preflight"));
}

async fn get_queries_are_off_unless_enabled(backend: Backend) {
    let app = TestApp::with_env(backend, &[("GRAPHQL_ALLOW_GET_QUERIES", "false")]).await;
    let reply = app
        .send(
            Request::get("/graphql?query=%7BpublicSettings%7BsignupEnabled%7D%7D")
                .header("graphql-require-preflight", "1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.headers["allow"], "POST");
}

async fn only_json_posts_reach_the_schema(backend: Backend) {
    let app = TestApp::new(backend).await;
    let body = json!({ "query": "mutation { recoverPassword(input: {email: \"a@rampart.dev\"}) { message } }" }).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut request = Request::post("/graphql");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let reply = app
            .send(request.body(Body::from(body.clone())).unwrap())
            .await;
        assert_eq!(reply.status, 415, "{content_type:?}");
        assert_eq!(reply.code(), "BAD_USER_INPUT");
    }
    let reply = app
        .send(
            Request::post("/graphql")
                .header("content-type", "application/json; charset=utf-8")
                .body(Body::from(
                    json!({"query": "{ publicSettings { signupEnabled } }"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 200);
}

async fn batched_requests_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let login = json!({ "query": "mutation { login(input: {email: \"x@rampart.dev\", password: \"guess-guess-guess\"}) { ... on AccessToken { accessToken } } }" });
    let batch = json!([login, login, login]);
    let reply = app.post_json(batch, None).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.message().contains("Batched"));
}

async fn oversize_bodies_get_413_with_a_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let padding = "x".repeat(70 * 1024);
    let reply = app
        .post_json(
            json!({ "query": format!("{{ publicSettings {{ signupEnabled }} }} # {padding}") }),
            None,
        )
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.code(), "PAYLOAD_TOO_LARGE");
    // Without a Content-Length (chunked), the limit still holds.
    let stream =
        futures_util::stream::iter((0..80).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));
    let reply = app
        .send(
            Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from_stream(stream))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 413);
}

async fn malformed_json_gets_a_fixed_message(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .send(
            Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from(
                    "{\"query\": \"{ me { id } }\", \"variables\": [SECRET-ECHO",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(!reply.body.to_string().contains("SECRET-ECHO"));
    assert!(
        !reply.body.to_string().contains("line"),
        "no parser detail: {}",
        reply.body
    );
}

async fn api_responses_carry_the_baseline_headers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .gql("{ publicSettings { signupEnabled } }", json!({}), None)
        .await;
    let h = &reply.headers;
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        h["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-request-id"].len(), 36, "a UUID request id");
    assert!(h.get("server").is_none(), "no version banner");
}

async fn graphiql_is_served_from_the_binary_with_its_own_csp(backend: Backend) {
    let app = TestApp::new(backend).await;
    let page = app
        .send(Request::get("/graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status, 200);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'")
    );
    let html = page.body.as_str().unwrap();
    assert!(!html.contains("https://"), "no CDN: {html}");
    for src in html
        .split("src=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
    {
        let asset = app
            .send(Request::get(src).body(Body::empty()).unwrap())
            .await;
        assert_eq!(asset.status, 200, "{src}");
        assert!(asset.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
    }
    assert!(!html.contains("<script>"), "no inline script");
}

async fn graphiql_can_be_switched_off(backend: Backend) {
    let app = TestApp::with_env(backend, &[("GRAPHIQL_ENABLED", "false")]).await;
    let page = app
        .send(Request::get("/graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status, 404);
    let asset = app
        .send(
            Request::get("/graphql/assets/init.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(asset.status, 404);
}

async fn health_and_readiness_answer(backend: Backend) {
    let app = TestApp::new(backend).await;
    let health = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        (health.status.as_u16(), health.body["status"].as_str()),
        (200, Some("ok"))
    );
    let ready = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        (ready.status.as_u16(), ready.body["status"].as_str()),
        (200, Some("ready"))
    );
}

async fn unknown_paths_are_json_404s(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .send(Request::get("/admin").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.code(), "NOT_FOUND");
}

async fn cors_allows_only_configured_origins(backend: Backend) {
    let app = TestApp::with_env(backend, &[("CORS_ORIGINS", "https://app.rampart.dev")]).await;
    let preflight = |origin: &'static str| {
        Request::options("/graphql")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,authorization",
            )
            .body(Body::empty())
            .unwrap()
    };
    let allowed = app.send(preflight("https://app.rampart.dev")).await;
    assert_eq!(
        allowed.headers["access-control-allow-origin"],
        "https://app.rampart.dev"
    );
    assert!(allowed
        .headers
        .get("access-control-allow-credentials")
        .is_none());
    let refused = app.send(preflight("https://evil.example")).await;
    assert!(refused.headers.get("access-control-allow-origin").is_none());
}

async fn graphql_response_media_type_uses_status_codes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let request = |query: &str| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(Body::from(json!({ "query": query }).to_string()))
            .unwrap()
    };
    let invalid = app.send(request("{ nosuchfield }")).await;
    assert_eq!(invalid.status, 400);
    assert_eq!(
        invalid.headers["content-type"],
        "application/graphql-response+json"
    );
    assert_eq!(invalid.code(), "BAD_USER_INPUT");
    let valid = app
        .send(request("{ publicSettings { signupEnabled } }"))
        .await;
    assert_eq!(valid.status, 200);
}
