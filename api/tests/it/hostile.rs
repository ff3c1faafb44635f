//! What outside testing threw at the API: hostile documents, malformed
//! input, duplicate headers, races, and every status the stack can answer
//! with. Each of these once answered with a server fault, an echo of the
//! document or a missing header.

use std::time::Duration;

use axum::{
    body::Body,
    http::{HeaderMap, Request},
    routing::get,
    Router,
};
use migration::MigratorTrait;
use rampart_api::http::with_middleware;
use serde_json::json;
use tower::ServiceExt;

use crate::{
    common::{Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    every_status_the_api_answers_with_carries_the_security_headers,
    a_request_without_a_query_is_a_400,
    two_authorization_headers_are_refused,
    rate_limited_requests_get_429_with_retry_after,
    a_rejected_document_is_never_echoed,
    fields_per_document_are_limited,
    the_standard_introspection_query_fits_the_field_limit,
    validation_messages_can_hide_the_schema,
    malformed_ids_and_variables_are_client_errors,
    control_and_invisible_characters_are_refused_the_same_everywhere,
    concurrent_deletes_of_one_item_have_one_winner,
    an_update_racing_a_delete_is_ok_or_not_found,
    concurrent_deletes_of_one_user_have_one_winner,
    a_stolen_token_is_not_a_password_oracle,
    a_draining_replica_is_not_ready_but_still_serves,
    a_replica_on_an_unmigrated_database_is_not_ready,
    a_shed_login_costs_no_database_work,
    a_login_whose_hash_would_wait_too_long_is_told_when_to_retry,
    a_login_admitted_to_the_line_is_shed_once_it_has_waited_the_bound,
);

#[track_caller]
fn assert_security_headers(what: &str, headers: &HeaderMap) {
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(
            headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{what}: {name}"
        );
    }
    assert!(
        headers.contains_key("content-security-policy"),
        "{what}: CSP"
    );
    assert!(headers.contains_key("x-request-id"), "{what}: request id");
}

async fn every_status_the_api_answers_with_carries_the_security_headers(backend: Backend) {
    let app = TestApp::with_env(backend, &[("LOGIN_IP_ATTEMPTS_PER_MINUTE", "1")]).await;
    let json_post = |body: String| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let oversize = "x".repeat(70 * 1024);
    let cases: Vec<(&str, u16, Request<Body>)> = vec![
        (
            "405 mutation over GET",
            405,
            Request::get("/graphql?query=mutation%7BdeleteMe%7Bmessage%7D%7D")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "413 by Content-Length",
            413,
            Request::post("/graphql")
                .header("content-type", "application/json")
                .header("content-length", oversize.len().to_string())
                .body(Body::from(oversize.clone()))
                .unwrap(),
        ),
        (
            "413 chunked",
            413,
            Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from_stream(futures_util::stream::iter(
                    (0..80).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])),
                )))
                .unwrap(),
        ),
        (
            "415 text/plain",
            415,
            Request::post("/graphql")
                .header("content-type", "text/plain")
                .body(Body::from("{}"))
                .unwrap(),
        ),
        ("400 no query", 400, json_post("{}".into())),
        (
            "404",
            404,
            Request::get("/nothing-here").body(Body::empty()).unwrap(),
        ),
    ];
    for (what, status, request) in cases {
        let reply = app.send(request).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        assert_security_headers(what, &reply.headers);
    }
    let login = json!({ "query": "mutation { login(input: {email: \"nobody@rampart.dev\", password: \"wrong-wrong-wrong\"}) { ... on AccessToken { accessToken } } }" }).to_string();
    app.send(json_post(login.clone())).await;
    let limited = app.send(json_post(login)).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_security_headers("429", &limited.headers);

    // 503 from the request timeout and 500 from a panic, behind the real
    // middleware stack with routes the API does not have.
    let mut http = app.state.config.http.clone();
    http.request_timeout = Duration::from_millis(200);
    let routes = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route("/boom", get(|| async { panic!("boom") as &'static str }));
    let router = with_middleware(routes, &http);
    for (path, status) in [("/slow", 503), ("/boom", 500)] {
        let response = router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_security_headers(path, response.headers());
        if status == 503 {
            assert_eq!(response.headers()["retry-after"], "1");
        }
    }
}

async fn a_request_without_a_query_is_a_400(backend: Backend) {
    let app = TestApp::new(backend).await;
    for body in [
        json!({}),
        json!({ "query": "  " }),
        json!({ "variables": {} }),
    ] {
        let reply = app.post_json(body.clone(), None).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(reply.code(), "BAD_USER_INPUT");
    }
}

async fn two_authorization_headers_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("two-headers").await;
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", "Bearer not-a-token")
        .header("authorization", format!("Bearer {}", user.token))
        .body(Body::from(json!({ "query": "{ me { id } }" }).to_string()))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.body["data"].is_null());
}

/// Takes the hash pool's only permit with a job that runs until the
/// returned sender is used; the handle tells whether the job ran.
async fn hold_the_only_hash_permit(
    app: &TestApp,
) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<bool>) {
    let (release, held) = std::sync::mpsc::channel::<()>();
    let state = app.state.clone();
    let holder = tokio::spawn(async move {
        state
            .hasher
            .jobs()
            .run(move || held.recv().ok())
            .await
            .is_ok()
    });
    while app.state.hasher.jobs().running() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (release, holder)
}

/// Under a login flood the logins the hash pool cannot take are refused
/// before their first statement: they spend no pooled connection, no
/// throttle row and no audit entry that the accepted ones need.
async fn a_shed_login_costs_no_database_work(backend: Backend) {
    let app = TestApp::with_env(
        backend,
        &[
            ("PASSWORD_HASH_CONCURRENCY", "1"),
            ("PASSWORD_HASH_QUEUE", "0"),
        ],
    )
    .await;
    let user = app.user("shed").await;
    // Hold the only permit with a hash that ends when the test says so.
    let (release, holder) = hold_the_only_hash_permit(&app).await;

    let before = app.query_count();
    let reply = app.login(&user.email, &user.password).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (429, "RATE_LIMITED"));
    assert_eq!(app.query_count(), before, "statements run by a shed login");
    assert_eq!(app.state.hasher.jobs().shed(), 1);

    release.send(()).unwrap();
    assert!(holder.await.unwrap(), "the holding job ran");
    let reply = app.login(&user.email, &user.password).await;
    assert!(
        reply.data()["login"]["accessToken"].is_string(),
        "{}",
        reply.body
    );
}

/// The line is bounded by time as well as by count: with hashes that take
/// long (a raised cost, or hash threads starved by other work) a login is
/// refused at once, long before the count is reached, with the expected
/// wait as its retry hint.
async fn a_login_whose_hash_would_wait_too_long_is_told_when_to_retry(backend: Backend) {
    let app = TestApp::with_env(
        backend,
        &[
            ("PASSWORD_HASH_CONCURRENCY", "1"),
            ("PASSWORD_HASH_QUEUE", "1000"),
            ("PASSWORD_HASH_MAX_WAIT_MS", "100"),
        ],
    )
    .await;
    let user = app.user("slow-hashes").await;
    let jobs = app.state.hasher.jobs();
    // Three jobs of 300 ms move the recent hash time (a moving average that
    // the sign-up's quick hashes started) to at least 99 ms: a login behind
    // the one running job would expect at least two of them, past 100 ms.
    for _ in 0..3 {
        jobs.run(|| std::thread::sleep(Duration::from_millis(300)))
            .await
            .expect("the pool runs a job");
    }
    assert!(jobs.recent_hash_time() >= Duration::from_millis(99));
    // Hold the only permit: a new login would wait for it and its own hash.
    let (release, holder) = hold_the_only_hash_permit(&app).await;

    let before = app.query_count();
    let reply = app.login(&user.email, &user.password).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (429, "RATE_LIMITED"));
    let retry_after = reply.retry_after();
    assert!(
        retry_after.is_some_and(|secs| (1..=60).contains(&secs)),
        "a hint of whole seconds: {retry_after:?}"
    );
    assert_eq!(app.query_count(), before, "statements run by a shed login");
    assert_eq!(jobs.shed(), 1);

    release.send(()).expect("the holder waits");
    assert!(
        holder.await.expect("the holder ends"),
        "the holding job ran"
    );
    let reply = app.login(&user.email, &user.password).await;
    assert!(
        reply.data()["login"]["accessToken"].is_string(),
        "with the permit free the login is served: {}",
        reply.body
    );
}

/// The wait a login is admitted with is an estimate from recent hashes.
/// When the hashes ahead turn out slower (here: one that never ends), the
/// login is still answered once it has waited `PASSWORD_HASH_MAX_WAIT_MS`
/// for its turn: `RATE_LIMITED` with a retry hint, not a wait into the
/// client's timeout. (On a saturated machine, logins beside a `me` load
/// once waited past wrk's 5 s: docs/benchmarks.md.)
async fn a_login_admitted_to_the_line_is_shed_once_it_has_waited_the_bound(backend: Backend) {
    let app = TestApp::with_env(
        backend,
        &[
            ("PASSWORD_HASH_CONCURRENCY", "1"),
            ("PASSWORD_HASH_MAX_WAIT_MS", "200"),
        ],
    )
    .await;
    let user = app.user("behind-a-slow-hash").await;
    let jobs = app.state.hasher.jobs();
    let (release, holder) = hold_the_only_hash_permit(&app).await;
    let shed = jobs.shed();

    let reply = tokio::time::timeout(
        Duration::from_secs(8),
        app.login(&user.email, &user.password),
    )
    .await
    .expect("answered while the hash ahead still runs");
    assert_eq!((reply.status.as_u16(), reply.code()), (429, "RATE_LIMITED"));
    assert!(reply
        .retry_after()
        .is_some_and(|secs| (1..=60).contains(&secs)));
    assert_eq!(jobs.shed(), shed + 1, "admitted, then shed at the bound");
    assert_eq!(jobs.waiting(), 0);

    release.send(()).expect("the holder waits");
    assert!(
        holder.await.expect("the holder ends"),
        "the holding job ran"
    );
    let reply = app.login(&user.email, &user.password).await;
    assert!(
        reply.data()["login"]["accessToken"].is_string(),
        "{}",
        reply.body
    );
}

async fn rate_limited_requests_get_429_with_retry_after(backend: Backend) {
    let app = TestApp::with_env(backend, &[("LOGIN_IP_ATTEMPTS_PER_MINUTE", "2")]).await;
    for _ in 0..2 {
        let reply = app.login("nobody@rampart.dev", "wrong-wrong-wrong").await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (200, "UNAUTHENTICATED")
        );
    }
    let reply = app.login("nobody@rampart.dev", "wrong-wrong-wrong").await;
    assert_eq!(reply.status, 429, "{}", reply.body);
    assert_eq!(reply.code(), "RATE_LIMITED");
    let retry_after = reply.retry_after().expect("a Retry-After of whole seconds");
    assert_eq!(
        retry_after,
        reply.body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
    );
    assert!((1..=60).contains(&retry_after));
}

async fn a_rejected_document_is_never_echoed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let marker = "zqxjkwvb";
    let deep = format!(
        "{{{}{}",
        format!("{marker}{{").repeat(5_000),
        "}".repeat(5_000)
    );
    let long_line = format!(
        "{{ publicSettings {{ signupEnabled }} }} # {} \n {{ {marker}",
        "y".repeat(58 * 1024)
    );
    let many_errors: String = (0..400)
        .map(|i| format!("{marker}{i} "))
        .collect::<String>();
    let many_errors = format!("{{ {many_errors} }}");
    for (what, query) in [
        ("deep", deep),
        ("syntax error at the end of a long line", long_line),
        ("400 unknown fields", many_errors),
    ] {
        let reply = app.gql(&query, json!({}), None).await;
        let text = reply.body.to_string();
        assert!(text.len() <= 4 * 1024, "{what}: {} bytes", text.len());
        assert!(
            !text.contains(&format!("{marker}{{")),
            "{what} echoed: {text}"
        );
        assert!(!text.contains("yyyyyyyy"), "{what} echoed");
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{what}: {text}");
        assert!(
            reply.body["errors"][0]["locations"].is_array() || what == "400 unknown fields",
            "{what}: a location: {text}"
        );
    }
}

async fn fields_per_document_are_limited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let typenames = "__typename ".repeat(500);
    let reply = app
        .gql(&format!("{{ {typenames} }}"), json!({}), None)
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.body);
    assert!(reply.message().contains("fields"), "{}", reply.message());
    assert!(reply.body["data"].is_null(), "nothing executed");
    let fine = app
        .gql(
            &format!("{{ {} }}", "__typename ".repeat(50)),
            json!({}),
            None,
        )
        .await;
    fine.ok();
}

async fn the_standard_introspection_query_fits_the_field_limit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app.gql(crate::limits::INTROSPECTION, json!({}), None).await;
    assert!(reply.ok()["__schema"]["types"].is_array());
}

async fn validation_messages_can_hide_the_schema(backend: Backend) {
    let documents = [
        "mutation { login(input: {password: \"x\"}) { ... on AccessToken { accessToken } } }",
        "{ user { id } }",
        "{ me { passwordHash } }",
        "{ auditEvents { nodes { nope } } }",
    ];
    let generic = TestApp::with_env(backend, &[("GRAPHQL_DETAILED_ERRORS", "false")]).await;
    for document in documents {
        let reply = generic.gql(document, json!({}), None).await;
        let text = reply.body.to_string();
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{document}: {text}");
        let words: Vec<&str> = reply
            .message()
            .split(|c: char| !c.is_alphanumeric())
            .collect();
        for name in [
            "email",
            "id",
            "String",
            "UUID",
            "AccessToken",
            "AuditEvent",
            "User",
            "passwordHash",
            "nope",
        ] {
            assert!(!words.contains(&name), "{document} names {name}: {text}");
        }
        assert!(reply.body["errors"][0]["locations"].is_array(), "{text}");
    }
    let detailed = TestApp::new(backend).await;
    let reply = detailed.gql(documents[0], json!({}), None).await;
    assert!(
        reply.message().contains("email"),
        "local mode explains: {}",
        reply.body
    );
}

async fn malformed_ids_and_variables_are_client_errors(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let cases = [
        ("{ item(id: \"not-a-uuid\") { id } }", json!({})),
        ("{ user(id: \"zz\") { id } }", json!({})),
        ("mutation($id: UUID!) { deleteItem(id: $id) }", json!({ "id": "zz" })),
        (
            "mutation($input: CreateItemInput!) { createItem(input: $input) { id } }",
            json!({ "input": "a string, not an object" }),
        ),
        (
            "mutation($input: CreateItemInput!) { createItem(input: $input) { id } }",
            json!({ "input": { "title": 5, "extra": true } }),
        ),
        (
            "mutation($id: UUID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }",
            json!({ "id": "00000000-0000-0000-0000-000000000000", "input": { "isActive": "yes" } }),
        ),
    ];
    for (query, variables) in cases {
        let reply = app.gql(query, variables.clone(), Some(&admin)).await;
        assert_eq!(
            reply.code(),
            "BAD_USER_INPUT",
            "{query} {variables}: {}",
            reply.body
        );
    }
    let generic = TestApp::with_env(backend, &[("GRAPHQL_DETAILED_ERRORS", "false")]).await;
    let admin = generic.admin_token().await;
    let reply = generic
        .gql(
            "{ item(id: \"not-a-uuid\") { id } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(!reply.message().contains("UUID"), "{}", reply.body);
}

async fn control_and_invisible_characters_are_refused_the_same_everywhere(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("texts").await;
    let create = "mutation($input: CreateItemInput!) { createItem(input: $input) { id } }";
    for (input, field) in [
        (json!({ "title": "nul\u{0}byte" }), "title"),
        (
            json!({ "title": "ok", "description": "nul\u{0}byte" }),
            "description",
        ),
        (json!({ "title": "bell\u{7}" }), "title"),
        (json!({ "title": "ad\u{202E}nimda" }), "title"),
        (json!({ "title": "two\nlines" }), "title"),
    ] {
        let reply = app
            .gql(create, json!({ "input": input }), Some(&user.token))
            .await;
        assert_eq!(
            (reply.code(), reply.field()),
            ("BAD_USER_INPUT", field),
            "{input}: {}",
            reply.body
        );
    }
    let ok = app
        .gql(
            create,
            json!({ "input": { "title": "Zoë's 👩‍💻 notes", "description": "line one\nline two" } }),
            Some(&user.token),
        )
        .await;
    ok.ok();
    let update_me = "mutation($input: UpdateMeInput!) { updateMe(input: $input) { id } }";
    let change_email = "mutation($input: RequestEmailChangeInput!) { requestEmailChange(input: $input) { message } }";
    let password = user.password.as_str();
    for (operation, input, field) in [
        (
            update_me,
            json!({ "fullName": "Jane\u{202E}eod" }),
            "fullName",
        ),
        (
            change_email,
            json!({ "newEmail": "ad\u{200B}min@rampart.dev", "password": password }),
            "newEmail",
        ),
        (
            change_email,
            json!({ "newEmail": "admin@rampart.dev\u{0}", "password": password }),
            "newEmail",
        ),
    ] {
        let reply = app
            .gql(operation, json!({ "input": input }), Some(&user.token))
            .await;
        assert_eq!(
            (reply.code(), reply.field()),
            ("BAD_USER_INPUT", field),
            "{input}: {}",
            reply.body
        );
    }
    let signup = app
        .gql(
            "mutation($input: SignupInput!) { signup(input: $input) { message } }",
            json!({ "input": { "email": "ad\u{200B}min@rampart.dev", "password": crate::common::strong_password() } }),
            None,
        )
        .await;
    assert_eq!((signup.code(), signup.field()), ("BAD_USER_INPUT", "email"));
}

async fn concurrent_deletes_of_one_item_have_one_winner(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("racer").await;
    let id = app.create_item(&user.token, "contested").await;
    let deletes = (0..20).map(|_| {
        app.gql(
            "mutation($id: UUID!) { deleteItem(id: $id) }",
            json!({ "id": id }),
            Some(&user.token),
        )
    });
    let replies = futures_util::future::join_all(deletes).await;
    let winners = replies
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    let not_found = replies.iter().filter(|r| r.code() == "NOT_FOUND").count();
    assert_eq!(
        (winners, not_found),
        (1, 19),
        "{:?}",
        replies
            .iter()
            .map(|r| r.body.to_string())
            .collect::<Vec<_>>()
    );
}

async fn an_update_racing_a_delete_is_ok_or_not_found(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("racer").await;
    for round in 0..15 {
        let id = app
            .create_item(&user.token, &format!("round {round}"))
            .await;
        let update = app.gql(
            "mutation($id: UUID!) { updateItem(id: $id, input: {title: \"changed\"}) { id title } }",
            json!({ "id": id }),
            Some(&user.token),
        );
        let delete = app.gql(
            "mutation($id: UUID!) { deleteItem(id: $id) }",
            json!({ "id": id }),
            Some(&user.token),
        );
        let (update, delete) = tokio::join!(update, delete);
        assert!(
            delete.body.get("errors").is_none(),
            "the delete wins or waits: {}",
            delete.body
        );
        match update.body.get("errors") {
            None => assert_eq!(update.ok()["updateItem"]["title"], "changed"),
            Some(_) => assert_eq!(update.code(), "NOT_FOUND", "{}", update.body),
        }
    }
}

async fn concurrent_deletes_of_one_user_have_one_winner(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let target = app.user("doomed").await;
    let deletes = (0..10).map(|_| {
        app.gql(
            "mutation($id: UUID!) { deleteUser(id: $id) }",
            json!({ "id": target.id }),
            Some(&admin),
        )
    });
    let replies = futures_util::future::join_all(deletes).await;
    let winners = replies
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(winners, 1);
    assert!(replies
        .iter()
        .filter(|r| r.body.get("errors").is_some())
        .all(|r| r.code() == "NOT_FOUND"));
    let deleted = app.audit_count("user.deleted", &target.id).await;
    assert_eq!(deleted, 1, "one deletion, audited once");
}

async fn a_stolen_token_is_not_a_password_oracle(backend: Backend) {
    let app = TestApp::with_env(backend, &[("LOGIN_BACKOFF_AFTER_FAILURES", "3")]).await;
    let user = app.user("victim").await;
    let change = |current: String| {
        app.gql(
            "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { message } }",
            json!({ "input": { "currentPassword": current, "newPassword": crate::common::strong_password() } }),
            Some(&user.token),
        )
    };
    for guess in 0..3 {
        let reply = change(format!("guess-number-{guess}")).await;
        assert_eq!(
            (reply.code(), reply.field()),
            ("BAD_USER_INPUT", "currentPassword")
        );
    }
    // Locked: even the right password is not checked now.
    let reply = change(user.password.clone()).await;
    assert_eq!(reply.code(), "RATE_LIMITED", "{}", reply.body);
    assert_eq!(reply.status, 429);
    // The same budget as logins: the account's sign-in is backed off too.
    let login = app.login(&user.email, &user.password).await;
    assert_eq!(login.code(), "UNAUTHENTICATED");
    let failed_checks = app.audit_count("password.check_failed", &user.id).await;
    assert_eq!(failed_checks, 3);
}

async fn a_draining_replica_is_not_ready_but_still_serves(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ready = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(ready.status, 200);
    app.state.begin_drain();
    let ready = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        (ready.status.as_u16(), ready.body["status"].as_str()),
        (503, Some("draining"))
    );
    let healthy = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(healthy.status, 200, "alive: not to be restarted");
    app.gql("{ publicSettings { signupEnabled } }", json!({}), None)
        .await
        .ok();
}

async fn a_replica_on_an_unmigrated_database_is_not_ready(backend: Backend) {
    let app = TestApp::new(backend).await;
    // Roll the newest migration back, as a database not yet upgraded by
    // `api prestart` would be for a replica of the new version.
    migration::Migrator::down(&app.state.db, Some(1))
        .await
        .unwrap();
    let router = rampart_api::http::build_router(app.state.clone());
    let ready = |router: Router| async move {
        let response = router
            .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
            .await
            .unwrap();
        response.status().as_u16()
    };
    assert_eq!(ready(router.clone()).await, 503, "a migration is pending");
    migration::Migrator::up(&app.state.db, None).await.unwrap();
    assert_eq!(ready(router).await, 200, "ready once migrated");
}
