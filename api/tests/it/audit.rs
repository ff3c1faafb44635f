//! The audit trail of security events.

use serde_json::json;

use crate::{
    common::{Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    security_events_are_recorded_newest_first,
    the_trail_outlives_deleted_users
);

async fn security_events_are_recorded_newest_first(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let user = app.user("audited").await;
    app.gql(
        "mutation($id: UUID!) { updateUser(id: $id, input: {isActive: false}) { id } }",
        json!({ "id": user.id }),
        Some(&admin),
    )
    .await
    .ok();
    app.gql(
        "mutation($id: UUID!) { updateUser(id: $id, input: {isActive: true, isSuperuser: true, password: \"Rotated-Passphrase-Seven\"}) { id } }",
        json!({ "id": user.id }),
        Some(&admin),
    )
    .await
    .ok();
    let reply = app
        .gql(
            "{ auditEvents(limit: 100) { totalCount nodes { kind actorId subjectId createdAt } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let nodes = reply.ok()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let kinds: Vec<&str> = nodes.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    for expected in [
        "user.created",
        "login.succeeded",
        "user.deactivated",
        "user.activated",
        "user.role_changed",
        "password.changed",
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected} missing from {kinds:?}"
        );
    }
    let times: Vec<&str> = nodes
        .iter()
        .map(|n| n["createdAt"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    let deactivation = nodes
        .iter()
        .find(|n| n["kind"] == "user.deactivated")
        .unwrap();
    assert_eq!(deactivation["subjectId"], user.id.as_str());
    assert!(deactivation["actorId"].is_string());
}

async fn the_trail_outlives_deleted_users(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("gone").await;
    app.gql(
        "mutation { deleteMe { message } }",
        json!({}),
        Some(&user.token),
    )
    .await
    .ok();
    let admin = app.admin_token().await;
    let reply = app
        .gql(
            "{ auditEvents(limit: 100) { nodes { kind subjectId subjectEmail } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let nodes = reply.ok()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(nodes
        .iter()
        .any(|n| n["kind"] == "user.deleted" && n["subjectEmail"] == user.email.as_str()));
    assert!(nodes
        .iter()
        .any(|n| n["kind"] == "user.created" && n["subjectId"] == user.id.as_str()));
}
