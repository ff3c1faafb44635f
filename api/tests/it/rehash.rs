//! Stored hashes that are not argon2id at the configured cost: every format
//! the FastAPI template writes logs in and is re-hashed once; Rampart's own
//! hashes are re-hashed after `ARGON2_*` changed; a re-hash never replaces
//! a password set meanwhile.

use entity::{audit_event, user};
use rampart_api::{config::PasswordConfig, credentials::PasswordHasher};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::{
    common::{Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    every_template_hash_format_logs_in_and_is_rehashed_once,
    changed_argon2_parameters_rehash_at_the_next_login
);

async fn set_hash(app: &TestApp, id: &str, hash: &str) {
    let id: Uuid = id.parse().unwrap();
    let row = user::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut active = row.into_active_model();
    active.password_hash = Set(hash.to_owned());
    active.update(&app.state.db).await.unwrap();
}

async fn stored_hash(app: &TestApp, id: &str) -> String {
    let id: Uuid = id.parse().unwrap();
    user::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .password_hash
}

async fn rehashed(app: &TestApp, id: &str) -> Vec<Option<String>> {
    let id: Uuid = id.parse().unwrap();
    audit_event::Entity::find()
        .filter(audit_event::Column::Kind.eq("password.rehashed"))
        .filter(audit_event::Column::SubjectId.eq(id))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect()
}

async fn every_template_hash_format_logs_in_and_is_rehashed_once(backend: Backend) {
    // Four auth mutations per fixture, all from the test's one address.
    let app = TestApp::with_env(backend, &[("LOGIN_IP_ATTEMPTS_PER_MINUTE", "100")]).await;
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../fixtures/legacy_hashes.json")).unwrap();
    for row in rows {
        let (name, password, hash) = (
            row["name"].as_str().unwrap(),
            row["password"].as_str().unwrap(),
            row["hash"].as_str().unwrap(),
        );
        let user = app.user(name).await;
        set_hash(&app, &user.id, hash).await;
        let reply = app.login(&user.email, password).await;
        assert!(
            reply.ok()["login"]["accessToken"].is_string(),
            "{name}: {}",
            reply.body
        );
        let now = stored_hash(&app, &user.id).await;
        assert!(
            now.starts_with("$argon2id$v=19$m=8192,t=1,p=1$"),
            "{name}: {now}"
        );
        let expected = usize::from(name != "argon2id_test_cost");
        assert_eq!(rehashed(&app, &user.id).await.len(), expected, "{name}");
        app.login(&user.email, password).await.ok();
        assert_eq!(
            rehashed(&app, &user.id).await.len(),
            expected,
            "{name}: once"
        );
    }
}

async fn changed_argon2_parameters_rehash_at_the_next_login(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("weaker").await;
    // The same password hashed as a Rampart configured with one more pass
    // (or an older release with other parameters) stored it.
    let before = PasswordHasher::new(&PasswordConfig {
        min_strength: 3,
        argon2_memory_kib: 8_192,
        argon2_iterations: 2,
        argon2_parallelism: 1,
        max_concurrent_hashes: 1,
        hash_queue_limit: 4,
        hash_max_wait: std::time::Duration::from_secs(2),
        hash_nice: 0,
    })
    .unwrap()
    .hash_new("password", &user.password, &[])
    .await
    .unwrap();
    set_hash(&app, &user.id, &before).await;
    let events_before = audit_event::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    app.login(&user.email, &user.password).await.ok();
    let now = stored_hash(&app, &user.id).await;
    assert!(now.starts_with("$argon2id$v=19$m=8192,t=1,p=1$"), "{now}");
    assert_eq!(
        rehashed(&app, &user.id).await,
        [Some("from argon2id v=19 m=8192,t=2,p=1".to_owned())]
    );
    // login.succeeded, password.rehashed and session.created.
    let events_after = audit_event::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(events_after, events_before + 3);
    // The old tokens stay valid: the password did not change.
    let me = app
        .gql("{ me { id } }", serde_json::json!({}), Some(&user.token))
        .await;
    assert_eq!(me.ok()["me"]["id"], user.id.as_str());
}
