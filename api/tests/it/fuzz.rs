//! Property tests over the transport: whatever a client sends, the answer
//! is a well-formed, bounded response with a client code, never a server
//! fault. One app (SQLite) serves every generated case.

use axum::{body::Body, http::Request};
use proptest::{prelude::*, test_runner::TestRunner};
use serde_json::{json, Value};

use crate::common::{Backend, Reply, TestApp};

const CLIENT_CODES: &[&str] = &[
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "RATE_LIMITED",
    "PAYLOAD_TOO_LARGE",
];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

/// The invariant every generated request must keep.
fn well_formed(reply: &Reply) -> Result<(), TestCaseError> {
    let status = reply.status.as_u16();
    prop_assert!(status < 500, "status {status}: {}", reply.body);
    let text = reply.body.to_string();
    prop_assert!(reply.body.is_object(), "not a JSON object: {text}");
    if let Some(errors) = reply.body.get("errors").and_then(Value::as_array) {
        prop_assert!(!errors.is_empty());
        for error in errors {
            let code = error["extensions"]["code"].as_str().unwrap_or_default();
            prop_assert!(CLIENT_CODES.contains(&code), "code {code:?}: {text}");
        }
        if reply.body["data"].is_null() {
            prop_assert!(text.len() <= 4 * 1024, "{} bytes: {text}", text.len());
        }
    }
    Ok(())
}

/// GraphQL-shaped noise: real tokens of the language and of the schema,
/// mixed with arbitrary strings, in any order.
fn document() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just(":".to_owned()),
        Just("...".to_owned()),
        Just("$id".to_owned()),
        Just("query".to_owned()),
        Just("mutation".to_owned()),
        Just("fragment F on Query".to_owned()),
        Just("me".to_owned()),
        Just("items".to_owned()),
        Just("nodes".to_owned()),
        Just("id".to_owned()),
        Just("login".to_owned()),
        Just("input".to_owned()),
        Just("__typename".to_owned()),
        Just("__schema".to_owned()),
        Just("@skip(if: true)".to_owned()),
        Just("\"not-a-uuid\"".to_owned()),
        Just("123".to_owned()),
        "[a-zA-Z_][a-zA-Z0-9_]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..50).prop_map(|tokens| tokens.join(" "))
}

fn variables() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        Just(json!("00000000-0000-0000-0000-000000000000")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

#[test]
fn any_document_gets_a_bounded_answer_with_a_client_code() {
    let rt = runtime();
    // The app's SMTP pool needs a runtime around it when it is dropped.
    let _inside = rt.enter();
    let app = rt.block_on(TestApp::with_env(
        Backend::Sqlite,
        &[("LOGIN_IP_ATTEMPTS_PER_MINUTE", "1000000")],
    ));
    let token = rt.block_on(app.user("fuzzer")).token;
    runner(300)
        .run(&(document(), any::<bool>()), |(query, signed_in)| {
            let reply =
                rt.block_on(app.gql(&query, json!({}), signed_in.then_some(token.as_str())));
            well_formed(&reply)
        })
        .unwrap();
}

#[test]
fn any_variables_for_real_operations_are_client_errors_or_work() {
    let rt = runtime();
    // The app's SMTP pool needs a runtime around it when it is dropped.
    let _inside = rt.enter();
    let app = rt.block_on(TestApp::new(Backend::Sqlite));
    let token = rt.block_on(app.user("fuzzer")).token;
    let operations = [
        "mutation($input: CreateItemInput!) { createItem(input: $input) { id } }",
        "mutation($id: UUID!, $input: UpdateItemInput!) { updateItem(id: $id, input: $input) { id } }",
        "mutation($id: UUID!) { deleteItem(id: $id) }",
        "mutation($input: UpdateMeInput!) { updateMe(input: $input) { id } }",
        "query($offset: Int!, $limit: Int!) { items(offset: $offset, limit: $limit) { totalCount } }",
    ];
    runner(300)
        .run(
            &(prop::sample::select(operations.to_vec()), variables()),
            |(query, variables)| {
                let variables = match variables {
                    Value::Object(_) => variables,
                    other => json!({ "input": other, "id": other, "limit": other }),
                };
                let reply = rt.block_on(app.gql(query, variables, Some(&token)));
                well_formed(&reply)
            },
        )
        .unwrap();
}

#[test]
fn any_body_bytes_get_a_json_answer_without_a_server_fault() {
    let rt = runtime();
    // The app's SMTP pool needs a runtime around it when it is dropped.
    let _inside = rt.enter();
    let app = rt.block_on(TestApp::new(Backend::Sqlite));
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        variables().prop_map(|v| v.to_string().into_bytes()),
        (document(), variables()).prop_map(|(q, v)| json!({ "query": q, "variables": v })
            .to_string()
            .into_bytes()),
    ];
    runner(300)
        .run(&body, |bytes| {
            let request = Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .unwrap();
            let reply = rt.block_on(app.send(request));
            well_formed(&reply)
        })
        .unwrap();
}
