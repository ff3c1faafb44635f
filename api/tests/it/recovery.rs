//! Password recovery by e-mail, read from a real SMTP server on loopback.

use chrono::{Duration, Utc};
use entity::password_reset_token;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::{
    common::{strong_password, Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    a_reset_link_arrives_and_sets_a_new_password,
    the_answer_is_the_same_for_unknown_addresses,
    a_reset_token_works_once,
    an_expired_token_is_refused,
    a_newer_token_kills_the_older_one,
    a_password_change_kills_open_reset_links,
    a_weak_new_password_changes_nothing,
    recovery_mail_is_throttled_per_account_and_ip,
    a_link_can_be_checked_before_it_is_used,
    checking_links_spends_the_reset_budget,
    links_keep_the_frontends_path_prefix,
);

const RECOVER: &str = "mutation($e: String!) { recoverPassword(input: {email: $e}) { message } }";
const RESET: &str = "mutation($t: String!, $p: String!) { resetPassword(input: {token: $t, newPassword: $p}) { message } }";

async fn recover(app: &TestApp, email: &str) -> String {
    app.gql(RECOVER, json!({ "e": email }), None).await.ok()["recoverPassword"]["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_reset_link_arrives_and_sets_a_new_password(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("forgetful").await;
    recover(&app, &user.email.to_uppercase()).await;
    let mail = app.smtp.wait_for(&user.email).await;
    let decoded = mail.decoded();
    assert!(
        decoded.contains("Subject: Rampart: reset your password"),
        "{decoded}"
    );
    assert!(decoded.contains("http://app.rampart.test/reset-password?token="));
    assert!(
        decoded.contains("text/html") && decoded.contains("text/plain"),
        "HTML and text parts"
    );
    let token = mail.token();
    assert_eq!(token.len(), 64);

    let new_password = strong_password();
    app.gql(RESET, json!({ "t": token, "p": new_password }), None)
        .await
        .ok();
    assert_eq!(
        app.login(&user.email, &user.password).await.code(),
        "UNAUTHENTICATED"
    );
    app.token(&user.email, &new_password).await;
    // Sessions from before the reset are revoked.
    assert_eq!(
        app.gql("{ me { id } }", json!({}), Some(&user.token))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
}

async fn the_answer_is_the_same_for_unknown_addresses(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("known").await;
    let known = recover(&app, &user.email).await;
    let unknown = recover(&app, "ghost@rampart.dev").await;
    assert_eq!(known, unknown);
    app.smtp.wait_for(&user.email).await;
    assert!(app.smtp.messages_to("ghost@rampart.dev").is_empty());
}

async fn a_reset_token_works_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("once").await;
    recover(&app, &user.email).await;
    let token = app.smtp.wait_for(&user.email).await.token();
    app.gql(RESET, json!({ "t": token, "p": strong_password() }), None)
        .await
        .ok();
    let again = app
        .gql(RESET, json!({ "t": token, "p": strong_password() }), None)
        .await;
    assert_eq!((again.code(), again.field()), ("BAD_USER_INPUT", "token"));
}

async fn an_expired_token_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("late").await;
    recover(&app, &user.email).await;
    let token = app.smtp.wait_for(&user.email).await.token();
    for row in password_reset_token::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
    {
        let mut active: password_reset_token::ActiveModel = row.into();
        active.expires_at = Set(Utc::now() - Duration::seconds(1));
        active.update(&app.state.db).await.unwrap();
    }
    let reply = app
        .gql(RESET, json!({ "t": token, "p": strong_password() }), None)
        .await;
    assert_eq!((reply.code(), reply.field()), ("BAD_USER_INPUT", "token"));
    app.token(&user.email, &user.password).await;
}

async fn a_newer_token_kills_the_older_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("twice").await;
    recover(&app, &user.email).await;
    let first = app.smtp.wait_for(&user.email).await.token();
    recover(&app, &user.email).await;
    let mut second = first.clone();
    for _ in 0..200 {
        let mails = app.smtp.messages_to(&user.email);
        if mails.len() == 2 {
            second = mails[1].token();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_ne!(first, second);
    assert_eq!(
        app.gql(RESET, json!({ "t": first, "p": strong_password() }), None)
            .await
            .code(),
        "BAD_USER_INPUT"
    );
    app.gql(RESET, json!({ "t": second, "p": strong_password() }), None)
        .await
        .ok();
}

async fn a_password_change_kills_open_reset_links(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("changer").await;
    recover(&app, &user.email).await;
    let token = app.smtp.wait_for(&user.email).await.token();
    app.gql(
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { message } }",
        json!({ "i": { "currentPassword": user.password, "newPassword": strong_password() } }),
        Some(&user.token),
    )
    .await
    .ok();
    assert_eq!(
        app.gql(RESET, json!({ "t": token, "p": strong_password() }), None)
            .await
            .code(),
        "BAD_USER_INPUT"
    );
}

async fn a_weak_new_password_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("weakling").await;
    recover(&app, &user.email).await;
    let token = app.smtp.wait_for(&user.email).await.token();
    let weak = app
        .gql(RESET, json!({ "t": token, "p": "password123" }), None)
        .await;
    assert_eq!(
        (weak.code(), weak.field()),
        ("BAD_USER_INPUT", "newPassword")
    );
    app.token(&user.email, &user.password).await;
    // The token was not spent by the failed attempt.
    app.gql(RESET, json!({ "t": token, "p": strong_password() }), None)
        .await
        .ok();
}

async fn recovery_mail_is_throttled_per_account_and_ip(backend: Backend) {
    let app = TestApp::with_env(backend, &[("RECOVERY_IP_PER_HOUR", "5")]).await;
    let user = app.user("spammed").await;
    let answers: Vec<String> =
        futures_util::future::join_all((0..4).map(|_| recover(&app, &user.email))).await;
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the answer never changes"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    app.smtp.wait_for(&user.email).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        app.smtp.messages_to(&user.email).len(),
        3,
        "at most 3 e-mails per account per hour"
    );
    // Fifth request from this IP is allowed, the sixth is not.
    recover(&app, "ghost@rampart.dev").await;
    let limited = app
        .gql(RECOVER, json!({ "e": "ghost@rampart.dev" }), None)
        .await;
    assert_eq!(limited.code(), "RATE_LIMITED");
}

const CHECK: &str = "query($t: String!) { passwordTokenValid(token: $t) }";

async fn a_link_can_be_checked_before_it_is_used(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("checker").await;
    recover(&app, &user.email).await;
    let token = app.smtp.wait_for(&user.email).await.token();
    let check = |t: String| app.gql(CHECK, json!({ "t": t }), None);
    assert_eq!(check(token.clone()).await.ok()["passwordTokenValid"], true);
    assert_eq!(
        check(token.clone()).await.ok()["passwordTokenValid"],
        true,
        "checking does not use the link up"
    );
    for forged in ["", "zz", &"0".repeat(64), &token[..63]] {
        assert_eq!(
            check(forged.to_owned()).await.ok()["passwordTokenValid"],
            false,
            "{forged:?}"
        );
    }
    app.gql(RESET, json!({ "t": token, "p": strong_password() }), None)
        .await
        .ok();
    assert_eq!(check(token).await.ok()["passwordTokenValid"], false, "used");
}

async fn checking_links_spends_the_reset_budget(backend: Backend) {
    let app = TestApp::with_env(backend, &[("LOGIN_IP_ATTEMPTS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        let reply = app.gql(CHECK, json!({ "t": "0".repeat(64) }), None).await;
        reply.ok();
    }
    let limited = app.gql(CHECK, json!({ "t": "0".repeat(64) }), None).await;
    assert_eq!(limited.code(), "RATE_LIMITED");
    let reset = app
        .gql(
            RESET,
            json!({ "t": "0".repeat(64), "p": strong_password() }),
            None,
        )
        .await;
    assert_eq!(
        reset.code(),
        "RATE_LIMITED",
        "one budget for checking and resetting"
    );
}

/// An SPA served under a prefix (`FRONTEND_HOST=http://localhost:5173/app`)
/// gets links under that prefix, in the recovery and the welcome e-mail.
async fn links_keep_the_frontends_path_prefix(backend: Backend) {
    let app = TestApp::with_env(backend, &[("FRONTEND_HOST", "http://localhost:5173/app")]).await;
    let user = app.user("prefixed").await;
    recover(&app, &user.email).await;
    let decoded = app.smtp.wait_for(&user.email).await.decoded();
    assert!(
        decoded.contains("http://localhost:5173/app/reset-password?token="),
        "{decoded}"
    );
    assert!(!decoded.contains("5173/reset-password"), "{decoded}");

    let admin = app.admin_token().await;
    app.gql(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": "welcomed@rampart.dev" } }),
        Some(&admin),
    )
    .await
    .ok();
    let welcome = app.smtp.wait_for("welcomed@rampart.dev").await;
    let decoded = welcome.decoded();
    assert!(
        decoded.contains("http://localhost:5173/app/set-password?token="),
        "{decoded}"
    );
    // The link's token is the real one: it sets the password.
    let password = strong_password();
    app.gql(RESET, json!({ "t": welcome.token(), "p": password }), None)
        .await
        .ok();
    app.token("welcomed@rampart.dev", &password).await;
}
