//! Prometheus metrics: served on their own router only, every series the
//! operators' catalogue names, label values from closed sets.

use std::collections::BTreeSet;

use axum::{body::Body, http::Request};
use http_body_util::BodyExt;
use rampart_api::{http::metrics_router, metrics};
use serde_json::json;
use tower::ServiceExt;

use crate::common::{random, Backend, TestApp};

async fn scrape(app: &TestApp) -> String {
    let router = metrics_router(app.state.clone(), metrics::install().unwrap());
    let response = router
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The values one label takes across a metric's series.
fn label_values(text: &str, metric: &str, label: &str) -> BTreeSet<String> {
    let needle = format!("{label}=\"");
    text.lines()
        .filter(|line| line.starts_with(&format!("{metric}{{")))
        .filter_map(|line| {
            let start = line.find(&needle)? + needle.len();
            let end = line[start..].find('"')? + start;
            Some(line[start..end].to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogued_series_are_exposed_with_bounded_labels() {
    metrics::install().unwrap();
    let app = TestApp::new(Backend::Sqlite).await;
    let token = app.admin_token().await;
    app.login("nobody@rampart.dev", "wrong-wrong-wrong").await;
    app.gql("{ me { id } }", json!({}), Some(&token)).await.ok();
    app.send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    // Hostile label material: unknown root fields and paths, many of them.
    for _ in 0..30 {
        let field = format!("f{}", random(12));
        app.gql(&format!("{{ {field} }}"), json!({}), None).await;
        let path = format!("/{}", random(16));
        app.send(Request::get(path.as_str()).body(Body::empty()).unwrap())
            .await;
    }
    let text = scrape(&app).await;
    for family in [
        metrics::GRAPHQL_REQUESTS,
        metrics::GRAPHQL_DURATION,
        metrics::HTTP_REQUESTS,
        metrics::LOGINS,
        metrics::THROTTLE_DECISIONS,
        metrics::HASH_JOBS_RUNNING,
        metrics::HASH_JOBS_WAITING,
        metrics::HASH_SHED,
        metrics::DB_POOL_CONNECTIONS,
        metrics::DB_POOL_MAX,
        metrics::READY,
        metrics::BUILD_INFO,
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "{family} missing:\n{text}"
        );
    }
    let operations = label_values(&text, metrics::GRAPHQL_REQUESTS, "operation");
    assert!(
        operations.contains("me") && operations.contains("login"),
        "{operations:?}"
    );
    assert!(
        operations
            .iter()
            .all(|op| op == "other" || !op.starts_with('f')),
        "unknown fields are \"other\": {operations:?}"
    );
    let routes = label_values(&text, metrics::HTTP_REQUESTS, "route");
    assert!(
        routes.contains("/graphql") && routes.contains("unmatched"),
        "{routes:?}"
    );
    assert!(routes.len() <= 6, "raw paths are never labels: {routes:?}");
    let outcomes = label_values(&text, metrics::LOGINS, "outcome");
    assert!(
        outcomes.contains("succeeded") && outcomes.contains("failed"),
        "{outcomes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_never_on_the_public_router() {
    metrics::install().unwrap();
    let app = TestApp::new(Backend::Sqlite).await;
    let reply = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, 404);
}
