//! Changing one's address (issue 14): password, a link to the new address,
//! a notice to the old, the move when the link is used; and a superuser's
//! direct change. E-mails are read from the real SMTP server on loopback.

use chrono::{Duration, Utc};
use entity::email_token;
use sea_orm::EntityTrait;
use serde_json::json;

use crate::{
    common::{random, strong_password, Backend, TestApp, TestUser},
    on_both_databases,
};

on_both_databases!(
    a_change_needs_the_password_and_a_wrong_one_counts,
    the_link_goes_to_the_new_address_and_a_notice_to_the_old,
    confirming_moves_the_account_and_ends_the_other_sessions,
    a_link_opened_in_another_browser_ends_every_session,
    a_used_expired_or_forged_change_link_is_refused,
    a_taken_new_address_gets_the_same_answer_and_no_link,
    an_address_taken_meanwhile_is_a_clear_conflict_and_changes_nothing,
    two_changes_racing_for_one_address_have_one_winner,
    a_password_change_cancels_a_pending_change,
    a_superuser_sets_an_address_directly_verified_and_audited,
    pending_email_is_shown_to_the_user_and_superusers_only,
    pending_emails_of_a_page_are_loaded_in_one_batch,
);

const REQUEST: &str = "mutation($e: String!, $p: String!) { requestEmailChange(input: {newEmail: $e, password: $p}) { message } }";
const CONFIRM: &str =
    "mutation($t: String!) { confirmEmailChange(input: {token: $t}) { message } }";
const CONFIRM_SUBJECT: &str = "confirm your new e-mail address";

fn new_address(name: &str) -> String {
    format!("{name}.{}@rampart.dev", random(8).to_lowercase())
}

async fn request(
    app: &TestApp,
    user: &TestUser,
    new_email: &str,
    password: &str,
) -> crate::common::Reply {
    app.gql(
        REQUEST,
        json!({ "e": new_email, "p": password }),
        Some(&user.token),
    )
    .await
}

/// Requests a change to `new_email` and returns the confirmation link's token.
async fn change_link(app: &TestApp, user: &TestUser, new_email: &str) -> String {
    request(app, user, new_email, &user.password).await.ok();
    app.smtp
        .wait_for_subject(new_email, CONFIRM_SUBJECT)
        .await
        .link_token("confirm-email")
}

async fn me(app: &TestApp, token: &str) -> serde_json::Value {
    app.gql(
        "{ me { email emailVerified pendingEmail } }",
        json!({}),
        Some(token),
    )
    .await
    .ok()["me"]
        .clone()
}

async fn a_change_needs_the_password_and_a_wrong_one_counts(backend: Backend) {
    let app = TestApp::with_env(
        backend,
        &[
            ("LOGIN_BACKOFF_AFTER_FAILURES", "2"),
            ("LOGIN_BACKOFF_BASE_MS", "60000"),
        ],
    )
    .await;
    let user = app.user("cautious").await;
    let target = new_address("elsewhere");
    let missing = app
        .gql(
            "mutation($e: String!) { requestEmailChange(input: {newEmail: $e}) { message } }",
            json!({ "e": target }),
            Some(&user.token),
        )
        .await;
    assert_eq!(missing.code(), "BAD_USER_INPUT");
    let anonymous = app
        .gql(REQUEST, json!({ "e": target, "p": user.password }), None)
        .await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    for _ in 0..2 {
        let wrong = request(&app, &user, &target, "Not-the-password-7").await;
        assert_eq!(
            (wrong.code(), wrong.field()),
            ("BAD_USER_INPUT", "password"),
            "{}",
            wrong.body
        );
    }
    assert_eq!(app.audit_count("password.check_failed", &user.id).await, 2);
    // The wrong guesses locked the account's password checks, the login's too.
    let right = request(&app, &user, &target, &user.password).await;
    assert_eq!(right.code(), "RATE_LIMITED", "{}", right.body);
    assert_eq!(
        app.login(&user.email, &user.password).await.code(),
        "UNAUTHENTICATED"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.smtp.messages_to(&target).is_empty());
    assert!(app.smtp.messages_to(&user.email).is_empty());
    assert!(me(&app, &user.token).await["pendingEmail"].is_null());

    let invalid = request(&app, &user, "not-an-address", &user.password).await;
    assert_eq!(
        (invalid.code(), invalid.field()),
        ("BAD_USER_INPUT", "newEmail")
    );
    let same = request(&app, &user, &user.email.to_uppercase(), &user.password).await;
    assert_eq!((same.code(), same.field()), ("BAD_USER_INPUT", "newEmail"));
}

async fn the_link_goes_to_the_new_address_and_a_notice_to_the_old(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("mover").await;
    let target = new_address("moved");
    let reply = request(&app, &user, &target.to_uppercase(), &user.password).await;
    assert!(reply.ok()["requestEmailChange"]["message"]
        .as_str()
        .unwrap()
        .contains("Check the new address"));
    let link = app.smtp.wait_for_subject(&target, CONFIRM_SUBJECT).await;
    assert!(link
        .decoded()
        .contains("http://app.rampart.test/confirm-email?token="));
    let notice = app
        .smtp
        .wait_for_subject(&user.email, "a change of your e-mail address was requested")
        .await;
    assert!(
        notice.decoded().contains(&target),
        "the notice names the new address"
    );
    assert!(
        !notice.decoded().contains("confirm-email?token="),
        "no link in the notice"
    );
    assert_eq!(
        me(&app, &user.token).await,
        json!({ "email": user.email, "emailVerified": false, "pendingEmail": target })
    );
    // Nothing moved yet.
    app.token(&user.email, &user.password).await;
    assert_eq!(
        app.login(&target, &user.password).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(app.audit_count("email.change_requested", &user.id).await, 1);
}

async fn confirming_moves_the_account_and_ends_the_other_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("settled").await;
    let here = app.sign_in(&user.email, &user.password, true).await;
    let other = app.sign_in(&user.email, &user.password, true).await;
    let target = new_address("settled.new");
    let link = change_link(&app, &user, &target).await;

    let reply = app
        .gql(CONFIRM, json!({ "t": link }), Some(&here.access))
        .await;
    assert!(reply.ok()["confirmEmailChange"]["message"]
        .as_str()
        .unwrap()
        .contains("changed"));
    assert_eq!(
        me(&app, &here.access).await,
        json!({ "email": target, "emailVerified": true, "pendingEmail": null })
    );
    // The session that used the link stays; every other one ended.
    let gone = app
        .gql("{ me { id } }", json!({}), Some(&other.access))
        .await;
    assert_eq!(gone.code(), "UNAUTHENTICATED");
    assert_eq!(app.refresh(&other.refresh).await.code(), "UNAUTHENTICATED");
    let gone = app.gql("{ me { id } }", json!({}), Some(&user.token)).await;
    assert_eq!(gone.code(), "UNAUTHENTICATED");
    app.refresh(&here.refresh).await.ok();

    assert_eq!(
        app.login(&user.email, &user.password).await.code(),
        "UNAUTHENTICATED"
    );
    app.token(&target, &user.password).await;
    let changed = app
        .smtp
        .wait_for_subject(&user.email, "your e-mail address was changed")
        .await;
    assert!(changed.decoded().contains(&target));
    assert_eq!(app.audit_count("email.changed", &user.id).await, 1);

    let reuse = app
        .gql(CONFIRM, json!({ "t": link }), Some(&here.access))
        .await;
    assert_eq!((reuse.code(), reuse.field()), ("BAD_USER_INPUT", "token"));
}

async fn a_link_opened_in_another_browser_ends_every_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("traveller").await;
    let session = app.sign_in(&user.email, &user.password, true).await;
    let target = new_address("traveller.new");
    let link = change_link(&app, &user, &target).await;
    app.gql(CONFIRM, json!({ "t": link }), None).await.ok();
    for token in [&session.access, &user.token] {
        let gone = app.gql("{ me { id } }", json!({}), Some(token)).await;
        assert_eq!(gone.code(), "UNAUTHENTICATED");
    }
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
    app.token(&target, &user.password).await;
}

async fn a_used_expired_or_forged_change_link_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("hesitant").await;
    let target = new_address("hesitant.new");
    let link = change_link(&app, &user, &target).await;
    // A verification link is a token of another kind.
    app.gql(
        "mutation($e: String!) { resendVerificationEmail(input: {email: $e}) { message } }",
        json!({ "e": user.email }),
        None,
    )
    .await
    .ok();
    let verify = app
        .smtp
        .wait_for_subject(&user.email, "verify your e-mail address")
        .await
        .link_token("verify-email");
    for forged in [verify, "0".repeat(64), "garbage".into(), String::new()] {
        let reply = app.gql(CONFIRM, json!({ "t": forged }), None).await;
        assert_eq!(
            (reply.code(), reply.field()),
            ("BAD_USER_INPUT", "token"),
            "{forged:?}"
        );
    }
    email_token::Entity::update_many()
        .col_expr(
            email_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    let expired = app.gql(CONFIRM, json!({ "t": link }), None).await;
    assert_eq!(
        (expired.code(), expired.field()),
        ("BAD_USER_INPUT", "token")
    );
    assert!(me(&app, &user.token).await["pendingEmail"].is_null());
    app.token(&user.email, &user.password).await;
}

/// No enumeration through the change either: an address that already has
/// an account gets the same answer and the same notice to the old address,
/// and shows as pending; only no link is sent (and its owner is told
/// nothing).
async fn a_taken_new_address_gets_the_same_answer_and_no_link(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("curious").await;
    let free = request(&app, &user, &new_address("free"), &user.password).await;
    let taken = request(&app, &user, &app.admin_email.to_uppercase(), &user.password).await;
    assert_eq!(taken.body, free.body);
    assert_eq!(
        me(&app, &user.token).await["pendingEmail"],
        app.admin_email.as_str()
    );
    for _ in 0..200 {
        if app.smtp.messages_to(&user.email).len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.smtp.messages_to(&user.email).len(),
        2,
        "a notice for each"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.smtp.messages_to(&app.admin_email).is_empty());
}

async fn an_address_taken_meanwhile_is_a_clear_conflict_and_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("slow").await;
    let session = app.sign_in(&user.email, &user.password, true).await;
    let target = new_address("wanted");
    let link = change_link(&app, &user, &target).await;
    // Someone else signs up with the address before the link is used.
    app.signup(&target, &strong_password(), None).await.ok();

    let reply = app
        .gql(CONFIRM, json!({ "t": link }), Some(&user.token))
        .await;
    assert_eq!(
        (reply.code(), reply.field()),
        ("CONFLICT", "email"),
        "{}",
        reply.body
    );
    assert!(reply.message().contains("taken"), "{}", reply.message());
    // Nothing changed: address, sessions, password.
    assert_eq!(me(&app, &user.token).await["email"], user.email.as_str());
    app.gql("{ me { id } }", json!({}), Some(&session.access))
        .await
        .ok();
    app.token(&user.email, &user.password).await;
    assert_eq!(app.audit_count("email.changed", &user.id).await, 0);
}

async fn two_changes_racing_for_one_address_have_one_winner(backend: Backend) {
    let app = TestApp::new(backend).await;
    let target = new_address("prize");
    let mut links = Vec::new();
    let mut users = Vec::new();
    for name in ["first", "second", "third"] {
        let user = app.user(name).await;
        request(&app, &user, &target, &user.password).await.ok();
        users.push(user);
    }
    // Each user got their own link to the same address.
    for _ in 0..200 {
        if app.smtp.messages_to(&target).len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for message in app.smtp.messages_to(&target) {
        links.push(message.link_token("confirm-email"));
    }
    assert_eq!(links.len(), 3);
    let confirms = links.iter().map(|link| {
        let app = &app;
        async move { app.gql(CONFIRM, json!({ "t": link }), None).await }
    });
    let replies = futures_util::future::join_all(confirms).await;
    let codes: Vec<&str> = replies.iter().map(|r| r.code()).collect();
    assert_eq!(
        codes.iter().filter(|c| c.is_empty()).count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == "CONFLICT").count(),
        2,
        "{codes:?}"
    );
    let mut moved = 0;
    for user in &users {
        if app.login(&target, &user.password).await.code().is_empty() {
            moved += 1;
        } else {
            app.token(&user.email, &user.password).await;
        }
    }
    assert_eq!(moved, 1);
}

async fn a_password_change_cancels_a_pending_change(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("owner").await;
    let target = new_address("attacker");
    let link = change_link(&app, &user, &target).await;
    let new_password = strong_password();
    app.gql(
        "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { message } }",
        json!({ "c": user.password, "n": new_password }),
        Some(&user.token),
    )
    .await
    .ok();
    let reply = app.gql(CONFIRM, json!({ "t": link }), None).await;
    assert_eq!((reply.code(), reply.field()), ("BAD_USER_INPUT", "token"));
    app.token(&user.email, &new_password).await;
}

async fn a_superuser_sets_an_address_directly_verified_and_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let user = app.user("renamed").await;
    let pending = change_link(&app, &user, &new_address("pending")).await;
    let target = new_address("assigned");
    let reply = app
        .gql(
            "mutation($id: UUID!, $e: String!) { updateUser(id: $id, input: {email: $e}) { email emailVerified pendingEmail } }",
            json!({ "id": user.id, "e": target.to_uppercase() }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        reply.ok()["updateUser"],
        json!({ "email": target, "emailVerified": true, "pendingEmail": null })
    );
    let events = app
        .gql(
            "{ auditEvents(limit: 100) { nodes { kind subjectId detail } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let details: Vec<String> = events.ok()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "email.changed" && e["subjectId"] == user.id.as_str())
        .map(|e| e["detail"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        details,
        [format!("set by a superuser: {} → {target}", user.email)]
    );
    app.smtp
        .wait_for_subject(&user.email, "your e-mail address was changed")
        .await;
    // The change the user had asked for is moot now.
    let stale = app.gql(CONFIRM, json!({ "t": pending }), None).await;
    assert_eq!(stale.code(), "BAD_USER_INPUT");
    app.token(&target, &user.password).await;

    let taken = app
        .gql(
            "mutation($id: UUID!, $e: String!) { updateUser(id: $id, input: {email: $e}) { email } }",
            json!({ "id": user.id, "e": app.admin_email }),
            Some(&admin),
        )
        .await;
    assert_eq!((taken.code(), taken.field()), ("CONFLICT", "email"));

    // A welcome link mailed to a mistyped address dies when a superuser
    // corrects the address: it can no longer set the account's password.
    let typo = new_address("typo");
    let created = app
        .gql(
            "mutation($e: String!) { createUser(input: {email: $e}) { id } }",
            json!({ "e": typo }),
            Some(&admin),
        )
        .await;
    let id = created.ok()["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let welcome = app.smtp.wait_for(&typo).await.token();
    app.gql(
        "mutation($id: UUID!, $e: String!) { updateUser(id: $id, input: {email: $e}) { id } }",
        json!({ "id": id, "e": new_address("corrected") }),
        Some(&admin),
    )
    .await
    .ok();
    let reset = app
        .gql(
            "mutation($t: String!, $p: String!) { resetPassword(input: {token: $t, newPassword: $p}) { message } }",
            json!({ "t": welcome, "p": strong_password() }),
            None,
        )
        .await;
    assert_eq!(reset.code(), "BAD_USER_INPUT", "{}", reset.body);
}

async fn pending_email_is_shown_to_the_user_and_superusers_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let user = app.user("private").await;
    let target = new_address("private.new");
    change_link(&app, &user, &target).await;
    let seen = app
        .gql(
            "query($id: UUID!) { user(id: $id) { pendingEmail } }",
            json!({ "id": user.id }),
            Some(&admin),
        )
        .await;
    assert_eq!(seen.ok()["user"]["pendingEmail"], target.as_str());
    let list = app
        .gql(
            "{ users(limit: 100) { nodes { email pendingEmail } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let pending: Vec<&serde_json::Value> = list.ok()["users"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| !u["pendingEmail"].is_null())
        .collect();
    assert_eq!(
        pending,
        [&json!({ "email": user.email, "pendingEmail": target })]
    );
    let own = app
        .gql("{ me { pendingEmail } }", json!({}), Some(&user.token))
        .await;
    assert_eq!(own.ok()["me"]["pendingEmail"], target.as_str());
}

async fn pending_emails_of_a_page_are_loaded_in_one_batch(backend: Backend) {
    let app = TestApp::new(backend).await;
    for name in ["a", "b", "c", "d", "e", "f"] {
        let user = app.user(name).await;
        request(&app, &user, &new_address(name), &user.password)
            .await
            .ok();
    }
    let admin = app.admin_token().await;
    let before = app.query_count();
    let reply = app
        .gql(
            "{ users(limit: 100) { totalCount nodes { pendingEmail } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let used = app.query_count() - before;
    let nodes = reply.ok()["users"]["nodes"].as_array().unwrap().clone();
    assert_eq!(
        nodes
            .iter()
            .filter(|u| u["pendingEmail"].is_string())
            .count(),
        6
    );
    // Viewer lookup, the page with its total, the pending addresses in one
    // batch (two if a busy machine splits DataLoader's window); N+1 is 9.
    assert!(used <= 4, "{used} queries for a page of 7 users");
}
