//! The signed-in user's profile and superuser user management.

use serde_json::json;

use crate::{
    common::{strong_password, Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    me_is_the_profile_without_secrets,
    a_user_updates_their_own_profile,
    update_me_refuses_email_and_role_fields,
    change_password_needs_the_current_one,
    delete_me_removes_the_user_and_their_items,
    a_superuser_cannot_delete_themself,
    normal_users_cannot_see_other_users,
    anonymous_callers_are_unauthenticated,
    superusers_list_users_newest_first_with_a_total,
    superusers_search_filter_and_order_users,
    user_search_takes_wildcards_literally_and_bounds_its_input,
    a_created_user_gets_a_welcome_link_not_a_password,
    superusers_update_users_partially,
    superusers_cannot_lock_themselves_out,
    deleting_a_user_takes_their_items,
    page_bounds_are_enforced,
);

const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id email fullName isActive isSuperuser } }";
const UPDATE_USER: &str = "mutation($id: UUID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id email fullName isActive isSuperuser } }";

async fn me_is_the_profile_without_secrets(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("jane").await;
    let reply = app
        .gql(
            "{ me { id email fullName isActive isSuperuser createdAt updatedAt } }",
            json!({}),
            Some(&user.token),
        )
        .await;
    let me = &reply.ok()["me"];
    assert_eq!(me["id"], user.id.as_str());
    assert_eq!(me["fullName"], "jane");
    let secret = app
        .gql("{ me { passwordHash } }", json!({}), Some(&user.token))
        .await;
    assert_eq!(secret.code(), "BAD_USER_INPUT");
}

async fn a_user_updates_their_own_profile(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("renamed").await;
    let reply = app
        .gql(
            "mutation($i: UpdateMeInput!) { updateMe(input: $i) { email fullName } }",
            json!({ "i": { "fullName": "Renamed Again" } }),
            Some(&user.token),
        )
        .await;
    assert_eq!(
        reply.ok()["updateMe"],
        json!({ "email": user.email, "fullName": "Renamed Again" })
    );
    // Leaving a field out keeps it; null clears the name.
    let keep = app
        .gql(
            "mutation { updateMe(input: {}) { email fullName } }",
            json!({}),
            Some(&user.token),
        )
        .await;
    assert_eq!(keep.ok()["updateMe"]["fullName"], "Renamed Again");
    let clear = app
        .gql(
            "mutation { updateMe(input: {fullName: null}) { fullName } }",
            json!({}),
            Some(&user.token),
        )
        .await;
    assert!(clear.ok()["updateMe"]["fullName"].is_null());
    app.token(&user.email, &user.password).await;
}

/// The address changes only through requestEmailChange (password and a
/// link to the new address); updateMe has no such field, nor role fields.
async fn update_me_refuses_email_and_role_fields(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("mallory").await;
    let update = |input: serde_json::Value| {
        let token = user.token.clone();
        let app = &app;
        async move {
            app.gql(
                "mutation($i: UpdateMeInput!) { updateMe(input: $i) { email isSuperuser } }",
                json!({ "i": input }),
                Some(&token),
            )
            .await
        }
    };
    let email = update(json!({ "email": "elsewhere@rampart.dev" })).await;
    assert_eq!(email.code(), "BAD_USER_INPUT", "{}", email.body);
    for field in ["isSuperuser", "isActive", "password"] {
        let reply = update(json!({ field: true })).await;
        assert_eq!(
            reply.code(),
            "BAD_USER_INPUT",
            "{field} must not be accepted: {}",
            reply.body
        );
    }
    let me = app
        .gql("{ me { email isSuperuser } }", json!({}), Some(&user.token))
        .await;
    assert_eq!(
        me.ok()["me"],
        json!({ "email": user.email, "isSuperuser": false })
    );
}

async fn change_password_needs_the_current_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("careful").await;
    let change = |current: String, new: String| {
        let token = user.token.clone();
        let app = &app;
        async move {
            app.gql(
                "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { message } }",
                json!({ "i": { "currentPassword": current, "newPassword": new } }),
                Some(&token),
            )
            .await
        }
    };
    let wrong = change("not-my-password-1".into(), strong_password()).await;
    assert_eq!(
        (wrong.code(), wrong.field()),
        ("BAD_USER_INPUT", "currentPassword")
    );
    let weak = change(user.password.clone(), "12345678".into()).await;
    assert_eq!(
        (weak.code(), weak.field()),
        ("BAD_USER_INPUT", "newPassword")
    );
    let same = change(user.password.clone(), user.password.clone()).await;
    assert_eq!(same.field(), "newPassword");
    app.token(&user.email, &user.password).await;
    let new_password = strong_password();
    change(user.password.clone(), new_password.clone())
        .await
        .ok();
    app.token(&user.email, &new_password).await;
}

async fn delete_me_removes_the_user_and_their_items(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("leaving").await;
    let item = app.create_item(&user.token, "mine").await;
    app.gql(
        "mutation { deleteMe { message } }",
        json!({}),
        Some(&user.token),
    )
    .await
    .ok();
    assert_eq!(
        app.login(&user.email, &user.password).await.code(),
        "UNAUTHENTICATED"
    );
    let admin = app.admin_token().await;
    let lookup = app
        .gql(
            "query($id: UUID!) { item(id: $id) { id } }",
            json!({ "id": item }),
            Some(&admin),
        )
        .await;
    assert_eq!(lookup.code(), "NOT_FOUND");
}

async fn a_superuser_cannot_delete_themself(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let reply = app
        .gql("mutation { deleteMe { message } }", json!({}), Some(&admin))
        .await;
    assert_eq!(reply.code(), "FORBIDDEN");
    let me = app.gql("{ me { id } }", json!({}), Some(&admin)).await.ok()["me"]["id"].clone();
    let reply = app
        .gql(
            "mutation($id: UUID!) { deleteUser(id: $id) }",
            json!({ "id": me }),
            Some(&admin),
        )
        .await;
    assert_eq!(reply.code(), "FORBIDDEN");
    app.admin_token().await;
}

async fn normal_users_cannot_see_other_users(backend: Backend) {
    let app = TestApp::new(backend).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let existing = app
        .gql(
            "query($id: UUID!) { user(id: $id) { email } }",
            json!({ "id": bob.id }),
            Some(&alice.token),
        )
        .await;
    let missing = app
        .gql(
            "query($id: UUID!) { user(id: $id) { email } }",
            json!({ "id": "0192f000-0000-7000-8000-000000000000" }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(existing.code(), "FORBIDDEN");
    assert_eq!(
        existing.body, missing.body,
        "no hint whether the user exists"
    );
    let own = app
        .gql(
            "query($id: UUID!) { user(id: $id) { email } }",
            json!({ "id": alice.id }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(own.ok()["user"]["email"], alice.email.as_str());
    for query in ["{ users { totalCount } }", "{ auditEvents { totalCount } }"] {
        assert_eq!(
            app.gql(query, json!({}), Some(&alice.token)).await.code(),
            "FORBIDDEN",
            "{query}"
        );
    }
    for (mutation, vars) in [
        (CREATE_USER, json!({ "i": { "email": "x@rampart.dev" } })),
        (
            UPDATE_USER,
            json!({ "id": bob.id, "i": { "isSuperuser": true } }),
        ),
        (
            UPDATE_USER,
            json!({ "id": alice.id, "i": { "isSuperuser": true } }),
        ),
        (
            "mutation($id: UUID!) { deleteUser(id: $id) }",
            json!({ "id": bob.id }),
        ),
    ] {
        assert_eq!(
            app.gql(mutation, vars, Some(&alice.token)).await.code(),
            "FORBIDDEN",
            "{mutation}"
        );
    }
    app.token(&bob.email, &bob.password).await;
    let me = app
        .gql("{ me { isSuperuser } }", json!({}), Some(&alice.token))
        .await;
    assert_eq!(me.ok()["me"]["isSuperuser"], false);
}

async fn anonymous_callers_are_unauthenticated(backend: Backend) {
    let app = TestApp::new(backend).await;
    for query in [
        "{ me { id } }",
        "{ users { totalCount } }",
        "{ items { totalCount } }",
        "{ auditEvents { totalCount } }",
        "mutation { deleteMe { message } }",
        "mutation { createItem(input: {title: \"x\"}) { id } }",
    ] {
        assert_eq!(
            app.gql(query, json!({}), None).await.code(),
            "UNAUTHENTICATED",
            "{query}"
        );
    }
}

async fn superusers_list_users_newest_first_with_a_total(backend: Backend) {
    let app = TestApp::new(backend).await;
    let first = app.user("first").await;
    let second = app.user("second").await;
    let admin = app.admin_token().await;
    let page = app
        .gql(
            "{ users(offset: 0, limit: 2) { totalCount nodes { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let users = &page.ok()["users"];
    assert_eq!(users["totalCount"], 3);
    let ids: Vec<&str> = users["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second.id.as_str(), first.id.as_str()]);
    let rest = app
        .gql(
            "{ users(offset: 2, limit: 2) { nodes { email } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        rest.ok()["users"]["nodes"],
        json!([{ "email": app.admin_email }])
    );
}

async fn a_created_user_gets_a_welcome_link_not_a_password(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let reply = app
        .gql(CREATE_USER, json!({ "i": { "email": "Hired@Rampart.dev", "fullName": "New <b>Hire</b>", "isSuperuser": true } }), Some(&admin))
        .await;
    let created = &reply.ok()["createUser"];
    assert_eq!(
        (
            created["email"].as_str(),
            created["isSuperuser"].as_bool(),
            created["isActive"].as_bool()
        ),
        (Some("hired@rampart.dev"), Some(true), Some(true))
    );
    let mail = app.smtp.wait_for("hired@rampart.dev").await;
    let decoded = mail.decoded();
    assert!(decoded.contains("your new account"), "{decoded}");
    assert!(
        decoded.contains("New &lt;b&gt;Hire&lt;/b&gt;"),
        "name escaped in HTML"
    );
    // No password works until the owner sets one.
    assert_eq!(
        app.login("hired@rampart.dev", "").await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.login("hired@rampart.dev", "!unusable").await.code(),
        "UNAUTHENTICATED"
    );
    let password = strong_password();
    app.gql(
        "mutation($t: String!, $p: String!) { resetPassword(input: {token: $t, newPassword: $p}) { message } }",
        json!({ "t": mail.token(), "p": password }),
        None,
    )
    .await
    .ok();
    app.token("hired@rampart.dev", &password).await;
    // A superuser cannot choose the password: the input has no such field.
    let with_password = app
        .gql(
            CREATE_USER,
            json!({ "i": { "email": "other@rampart.dev", "password": strong_password() } }),
            Some(&admin),
        )
        .await;
    assert_eq!(with_password.code(), "BAD_USER_INPUT");
    let duplicate = app
        .gql(
            CREATE_USER,
            json!({ "i": { "email": "hired@rampart.dev" } }),
            Some(&admin),
        )
        .await;
    assert_eq!((duplicate.code(), duplicate.field()), ("CONFLICT", "email"));
}

async fn superusers_update_users_partially(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("managed").await;
    let admin = app.admin_token().await;
    let promoted = app
        .gql(
            UPDATE_USER,
            json!({ "id": user.id, "i": { "isSuperuser": true } }),
            Some(&admin),
        )
        .await;
    assert_eq!(promoted.ok()["updateUser"]["isSuperuser"], true);
    assert_eq!(
        promoted.ok()["updateUser"]["fullName"],
        "managed",
        "untouched fields stay"
    );
    let new_password = strong_password();
    app.gql(
        UPDATE_USER,
        json!({ "id": user.id, "i": { "password": new_password, "fullName": null } }),
        Some(&admin),
    )
    .await
    .ok();
    assert_eq!(
        app.login(&user.email, &user.password).await.code(),
        "UNAUTHENTICATED"
    );
    app.token(&user.email, &new_password).await;
    let weak = app
        .gql(
            UPDATE_USER,
            json!({ "id": user.id, "i": { "password": "short" } }), // pragma: allowlist secret
            Some(&admin),
        )
        .await;
    assert_eq!((weak.code(), weak.field()), ("BAD_USER_INPUT", "password"));
    let missing = app
        .gql(
            UPDATE_USER,
            json!({ "id": "0192f000-0000-7000-8000-000000000000", "i": { "isActive": false } }),
            Some(&admin),
        )
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
    let events = app
        .gql(
            "{ auditEvents(limit: 10) { nodes { kind detail } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let kinds: Vec<String> = events.ok()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"user.role_changed".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"password.changed".to_owned()), "{kinds:?}");
}

async fn superusers_cannot_lock_themselves_out(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let me = app.gql("{ me { id } }", json!({}), Some(&admin)).await.ok()["me"]["id"].clone();
    for change in [
        json!({ "isActive": false }),
        json!({ "isSuperuser": false }),
    ] {
        let reply = app
            .gql(UPDATE_USER, json!({ "id": me, "i": change }), Some(&admin))
            .await;
        assert_eq!(reply.code(), "FORBIDDEN");
    }
}

async fn deleting_a_user_takes_their_items(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("removed").await;
    let other = app.user("stays").await;
    app.create_item(&user.token, "goes").await;
    let kept = app.create_item(&other.token, "stays").await;
    let admin = app.admin_token().await;
    let deleted = app
        .gql(
            "mutation($id: UUID!) { deleteUser(id: $id) }",
            json!({ "id": user.id }),
            Some(&admin),
        )
        .await;
    assert_eq!(deleted.ok()["deleteUser"], user.id.as_str());
    let items = app
        .gql(
            "{ items { totalCount nodes { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        items.ok()["items"],
        json!({ "totalCount": 1, "nodes": [{ "id": kept }] })
    );
    let again = app
        .gql(
            "mutation($id: UUID!) { deleteUser(id: $id) }",
            json!({ "id": user.id }),
            Some(&admin),
        )
        .await;
    assert_eq!(again.code(), "NOT_FOUND");
}

async fn page_bounds_are_enforced(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    for (args, field) in [
        ("limit: 0", "limit"),
        ("limit: 101", "limit"),
        ("offset: -1", "offset"),
    ] {
        for list in ["users", "items", "auditEvents"] {
            let reply = app
                .gql(
                    &format!("{{ {list}({args}) {{ totalCount }} }}"),
                    json!({}),
                    Some(&admin),
                )
                .await;
            assert_eq!(
                (reply.code(), reply.field()),
                ("BAD_USER_INPUT", field),
                "{list}({args})"
            );
        }
    }
    app.gql(
        "{ users(limit: 100) { totalCount } }",
        json!({}),
        Some(&admin),
    )
    .await
    .ok();
}

const USERS: &str = "query($search: String, $filter: UserFilter, $order: UserOrder!) { users(limit: 100, search: $search, filter: $filter, orderBy: $order) { totalCount nodes { email } } }";

async fn user_emails(app: &TestApp, token: &str, variables: serde_json::Value) -> Vec<String> {
    let reply = app.gql(USERS, variables, Some(token)).await;
    reply.ok()["users"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["email"].as_str().unwrap().to_owned())
        .collect()
}

async fn superusers_search_filter_and_order_users(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let zoe = app.user("zoe").await;
    let max = app.user("max").await;
    app.gql(
        "mutation($id: UUID!) { updateUser(id: $id, input: {isActive: false}) { id } }",
        json!({ "id": max.id }),
        Some(&admin),
    )
    .await
    .ok();
    let all = |order: &str| json!({ "order": order });
    assert_eq!(
        user_emails(&app, &admin, all("NEWEST_FIRST")).await,
        vec![
            max.email.clone(),
            zoe.email.clone(),
            app.admin_email.clone()
        ]
    );
    assert_eq!(
        user_emails(&app, &admin, all("OLDEST_FIRST")).await,
        vec![
            app.admin_email.clone(),
            zoe.email.clone(),
            max.email.clone()
        ],
        "the superuser's own row comes first, not on the last page"
    );
    let search = |term: &str| json!({ "search": term, "order": "NEWEST_FIRST" });
    assert_eq!(
        user_emails(&app, &admin, search("ZOE")).await,
        vec![zoe.email.clone()]
    );
    assert_eq!(
        user_emails(&app, &admin, search("  rampart.dev "))
            .await
            .len(),
        3,
        "e-mail substrings, trimmed"
    );
    assert_eq!(
        user_emails(&app, &admin, search("nobody-like-this"))
            .await
            .len(),
        0
    );
    let filtered = |filter: serde_json::Value| json!({ "filter": filter, "order": "NEWEST_FIRST" });
    assert_eq!(
        user_emails(&app, &admin, filtered(json!({ "isSuperuser": true }))).await,
        vec![app.admin_email.clone()]
    );
    assert_eq!(
        user_emails(&app, &admin, filtered(json!({ "isActive": false }))).await,
        vec![max.email.clone()]
    );
    assert_eq!(
        user_emails(
            &app,
            &admin,
            filtered(json!({ "isActive": true, "isSuperuser": false }))
        )
        .await,
        vec![zoe.email.clone()]
    );
    let total = app
        .gql(
            USERS,
            json!({ "search": "zoe", "order": "NEWEST_FIRST" }),
            Some(&admin),
        )
        .await;
    assert_eq!(total.ok()["users"]["totalCount"], 1);
    let normal = app.gql(USERS, all("NEWEST_FIRST"), Some(&zoe.token)).await;
    assert_eq!(normal.code(), "FORBIDDEN");
}

async fn user_search_takes_wildcards_literally_and_bounds_its_input(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    app.user("plain").await;
    for wildcard in ["%", "_", "\\"] {
        let found = user_emails(
            &app,
            &admin,
            json!({ "search": wildcard, "order": "NEWEST_FIRST" }),
        )
        .await;
        assert!(found.is_empty(), "{wildcard:?} matched {found:?}");
    }
    let long = app
        .gql(
            USERS,
            json!({ "search": "x".repeat(101), "order": "NEWEST_FIRST" }),
            Some(&admin),
        )
        .await;
    assert_eq!((long.code(), long.field()), ("BAD_USER_INPUT", "search"));
    let hidden = app
        .gql(
            USERS,
            json!({ "search": "a\u{202E}b", "order": "NEWEST_FIRST" }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        (hidden.code(), hidden.field()),
        ("BAD_USER_INPUT", "search")
    );
}
