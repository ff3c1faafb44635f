//! Items: ownership, validation, pagination and batched owners.

use serde_json::json;

use crate::{
    common::{Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    a_user_creates_reads_updates_and_deletes_items,
    items_are_listed_newest_first_in_pages_with_a_total,
    another_users_item_looks_missing,
    superusers_see_and_manage_every_item,
    invalid_items_are_refused_and_change_nothing,
    partial_updates_keep_untouched_fields,
    owners_are_loaded_in_one_batch,
    a_page_and_its_total_are_one_statement,
);

const CREATE: &str = "mutation($i: CreateItemInput!) { createItem(input: $i) { id title description ownerId owner { email } } }";
const UPDATE: &str = "mutation($id: UUID!, $i: UpdateItemInput!) { updateItem(id: $id, input: $i) { id title description } }";
const GET: &str = "query($id: UUID!) { item(id: $id) { id title description } }";
const DELETE: &str = "mutation($id: UUID!) { deleteItem(id: $id) }";

async fn a_user_creates_reads_updates_and_deletes_items(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("owner").await;
    let created = app
        .gql(
            CREATE,
            json!({ "i": { "title": " Groceries ", "description": "milk" } }),
            Some(&user.token),
        )
        .await;
    let item = created.ok()["createItem"].clone();
    assert_eq!(item["title"], "Groceries");
    assert_eq!(item["ownerId"], user.id.as_str());
    assert_eq!(item["owner"]["email"], user.email.as_str());
    let id = item["id"].as_str().unwrap();
    let fetched = app.gql(GET, json!({ "id": id }), Some(&user.token)).await;
    assert_eq!(fetched.ok()["item"]["description"], "milk");
    let updated = app
        .gql(
            UPDATE,
            json!({ "id": id, "i": { "title": "Shopping" } }),
            Some(&user.token),
        )
        .await;
    assert_eq!(
        updated.ok()["updateItem"],
        json!({ "id": id, "title": "Shopping", "description": "milk" })
    );
    let deleted = app
        .gql(DELETE, json!({ "id": id }), Some(&user.token))
        .await;
    assert_eq!(deleted.ok()["deleteItem"], id);
    assert_eq!(
        app.gql(GET, json!({ "id": id }), Some(&user.token))
            .await
            .code(),
        "NOT_FOUND"
    );
}

async fn items_are_listed_newest_first_in_pages_with_a_total(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("lister").await;
    let other = app.user("other").await;
    app.create_item(&other.token, "not mine").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.create_item(&user.token, &format!("item {i}")).await);
    }
    ids.reverse();
    let page = |offset: i64, limit: i64| {
        let app = &app;
        let token = user.token.clone();
        async move {
            let reply = app
                .gql("query($o: Int!, $l: Int!) { items(offset: $o, limit: $l) { totalCount nodes { id } } }", json!({ "o": offset, "l": limit }), Some(&token))
                .await;
            let items = reply.ok()["items"].clone();
            let ids: Vec<String> = items["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_owned())
                .collect();
            (items["totalCount"].as_i64().unwrap(), ids)
        }
    };
    assert_eq!(page(0, 2).await, (5, ids[0..2].to_vec()));
    assert_eq!(page(2, 2).await, (5, ids[2..4].to_vec()));
    assert_eq!(page(4, 2).await, (5, ids[4..5].to_vec()));
    assert_eq!(page(10, 2).await, (5, vec![]));
}

async fn another_users_item_looks_missing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let item = app.create_item(&alice.token, "alice's").await;
    let missing = "0192f000-0000-7000-8000-000000000000";
    for (query, vars) in [
        (GET, json!({ "id": item })),
        (UPDATE, json!({ "id": item, "i": { "title": "pwned" } })),
        (DELETE, json!({ "id": item })),
    ] {
        let theirs = app.gql(query, vars.clone(), Some(&bob.token)).await;
        let mut absent_vars = vars;
        absent_vars["id"] = json!(missing);
        let absent = app.gql(query, absent_vars, Some(&bob.token)).await;
        assert_eq!(theirs.code(), "NOT_FOUND");
        assert_eq!(
            theirs.body, absent.body,
            "indistinguishable from a missing item"
        );
    }
    let list = app
        .gql("{ items { totalCount } }", json!({}), Some(&bob.token))
        .await;
    assert_eq!(list.ok()["items"]["totalCount"], 0);
    let intact = app
        .gql(GET, json!({ "id": item }), Some(&alice.token))
        .await;
    assert_eq!(intact.ok()["item"]["title"], "alice's");
}

async fn superusers_see_and_manage_every_item(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("user").await;
    let item = app.create_item(&user.token, "user's").await;
    let admin = app.admin_token().await;
    let list = app
        .gql(
            "{ items { totalCount nodes { owner { email } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(list.ok()["items"]["totalCount"], 1);
    assert_eq!(
        list.ok()["items"]["nodes"][0]["owner"]["email"],
        user.email.as_str()
    );
    app.gql(
        UPDATE,
        json!({ "id": item, "i": { "title": "moderated" } }),
        Some(&admin),
    )
    .await
    .ok();
    app.gql(DELETE, json!({ "id": item }), Some(&admin))
        .await
        .ok();
    assert_eq!(
        app.gql(GET, json!({ "id": item }), Some(&user.token))
            .await
            .code(),
        "NOT_FOUND"
    );
}

async fn invalid_items_are_refused_and_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("validator").await;
    let item = app.create_item(&user.token, "valid").await;
    for (input, field) in [
        (json!({ "title": "" }), "title"),
        (json!({ "title": "   " }), "title"),
        (json!({ "title": "t".repeat(256) }), "title"),
        (
            json!({ "title": "ok", "description": "d".repeat(256) }),
            "description",
        ),
    ] {
        let created = app
            .gql(CREATE, json!({ "i": input.clone() }), Some(&user.token))
            .await;
        assert_eq!(
            (created.code(), created.field()),
            ("BAD_USER_INPUT", field),
            "{input}"
        );
        let updated = app
            .gql(
                UPDATE,
                json!({ "id": item, "i": input.clone() }),
                Some(&user.token),
            )
            .await;
        assert_eq!(
            (updated.code(), updated.field()),
            ("BAD_USER_INPUT", field),
            "{input}"
        );
    }
    let list = app
        .gql(
            "{ items { totalCount nodes { title description } } }",
            json!({}),
            Some(&user.token),
        )
        .await;
    assert_eq!(
        list.ok()["items"],
        json!({ "totalCount": 1, "nodes": [{ "title": "valid", "description": null }] })
    );
    let max = app
        .gql(
            CREATE,
            json!({ "i": { "title": "t".repeat(255), "description": "é".repeat(255) } }),
            Some(&user.token),
        )
        .await;
    max.ok();
}

async fn partial_updates_keep_untouched_fields(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("partial").await;
    let created = app
        .gql(
            CREATE,
            json!({ "i": { "title": "a", "description": "b" } }),
            Some(&user.token),
        )
        .await;
    let id = created.ok()["createItem"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let desc_only = app
        .gql(
            UPDATE,
            json!({ "id": id, "i": { "description": "c" } }),
            Some(&user.token),
        )
        .await;
    assert_eq!(desc_only.ok()["updateItem"]["title"], "a");
    let cleared = app
        .gql(
            UPDATE,
            json!({ "id": id, "i": { "description": null } }),
            Some(&user.token),
        )
        .await;
    assert_eq!(
        cleared.ok()["updateItem"],
        json!({ "id": id, "title": "a", "description": null })
    );
}

async fn owners_are_loaded_in_one_batch(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut tokens = Vec::new();
    for name in ["one", "two", "three", "four"] {
        let user = app.user(name).await;
        for i in 0..5 {
            app.create_item(&user.token, &format!("{name} {i}")).await;
        }
        tokens.push(user.token);
    }
    let admin = app.admin_token().await;
    let before = app.query_count();
    let reply = app
        .gql(
            "{ items(limit: 100) { totalCount nodes { title owner { email } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let used = app.query_count() - before;
    assert_eq!(reply.ok()["items"]["totalCount"], 20);
    // Viewer lookup, the page with its total, then the owners in one batch,
    // or two when a busy machine stalls the resolvers past DataLoader's 1 ms
    // batching window. Either way independent of the 20 rows (N+1 is 22).
    assert!(used <= 4, "{used} queries for 20 items with 4 owners");
}

async fn a_page_and_its_total_are_one_statement(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("counted").await;
    for i in 0..3 {
        app.create_item(&user.token, &format!("item {i}")).await;
    }
    let list = |offset: i64| {
        let (app, token) = (&app, user.token.clone());
        async move {
            let before = app.query_count();
            let reply = app
                .gql(
                    "query($o: Int!) { items(offset: $o, limit: 2) { totalCount nodes { id } } }",
                    json!({ "o": offset }),
                    Some(&token),
                )
                .await;
            let total = reply.ok()["items"]["totalCount"].as_i64().unwrap();
            (total, app.query_count() - before)
        }
    };
    assert_eq!(list(0).await, (3, 2), "viewer lookup, then one statement");
    assert_eq!(list(2).await, (3, 2), "a partial last page");
    assert_eq!(
        list(5).await,
        (3, 3),
        "past the end the total is counted alone"
    );
}
