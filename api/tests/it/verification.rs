//! E-mail verification and no-enumeration sign-up (issue 14), with the
//! messages read from the real SMTP server on loopback.

use chrono::{Duration, Utc};
use entity::email_token;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::{
    common::{random, strong_password, Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    signup_sends_a_link_that_verifies_the_address_once,
    an_expired_verification_link_is_refused,
    forged_garbage_and_foreign_tokens_are_refused,
    a_required_verification_refuses_sign_in_only_after_the_right_password,
    without_the_requirement_unverified_accounts_sign_in,
    resend_answers_the_same_always_and_is_throttled,
    signup_with_an_existing_address_answers_the_same_and_tells_the_owner,
    the_owners_notice_shares_the_recovery_budget,
    a_reset_from_the_notice_verifies_and_ends_the_squatters_sessions,
    the_set_password_link_verifies_a_created_account,
    two_signups_racing_for_one_address_make_one_account,
    accounts_older_than_verification_count_as_verified,
    links_nobody_used_are_swept_once_expired,
);

const VERIFY: &str = "mutation($t: String!) { verifyEmail(input: {token: $t}) { message } }";
const RESEND: &str =
    "mutation($e: String!) { resendVerificationEmail(input: {email: $e}) { message } }";
const RESET: &str = "mutation($t: String!, $p: String!) { resetPassword(input: {token: $t, newPassword: $p}) { message } }";
const VERIFY_SUBJECT: &str = "verify your e-mail address";

fn new_address(name: &str) -> String {
    format!("{name}.{}@rampart.dev", random(8).to_lowercase())
}

async fn verified(app: &TestApp, token: &str) -> bool {
    let me = app
        .gql("{ me { emailVerified } }", json!({}), Some(token))
        .await;
    me.ok()["me"]["emailVerified"].as_bool().unwrap()
}

/// Signs up `email` and returns the token of the verification link it got.
async fn sign_up(app: &TestApp, email: &str, password: &str) -> String {
    app.signup(email, password, None).await.ok();
    app.smtp
        .wait_for_subject(email, VERIFY_SUBJECT)
        .await
        .link_token("verify-email")
}

async fn signup_sends_a_link_that_verifies_the_address_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, password) = (new_address("fresh"), strong_password());
    let link = sign_up(&app, &email, &password).await;
    assert_eq!(link.len(), 64);
    let mail = app.smtp.wait_for(&email).await.decoded();
    assert!(mail.contains("http://app.rampart.test/verify-email?token="));
    assert!(mail.contains("24 hours"), "the default lifetime: {mail}");
    let token = app.token(&email, &password).await;
    assert!(!verified(&app, &token).await);

    let reply = app.gql(VERIFY, json!({ "t": link }), None).await;
    assert_eq!(
        reply.ok()["verifyEmail"]["message"],
        "Your e-mail address is verified."
    );
    assert!(verified(&app, &token).await);
    let id = app.gql("{ me { id } }", json!({}), Some(&token)).await.ok()["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.audit_count("email.verified", &id).await, 1);

    let again = app.gql(VERIFY, json!({ "t": link }), None).await;
    assert_eq!((again.code(), again.field()), ("BAD_USER_INPUT", "token"));
}

async fn an_expired_verification_link_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, password) = (new_address("late"), strong_password());
    let link = sign_up(&app, &email, &password).await;
    email_token::Entity::update_many()
        .col_expr(
            email_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    let reply = app.gql(VERIFY, json!({ "t": link }), None).await;
    assert_eq!((reply.code(), reply.field()), ("BAD_USER_INPUT", "token"));
    let token = app.token(&email, &password).await;
    assert!(!verified(&app, &token).await);
}

async fn forged_garbage_and_foreign_tokens_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, password) = (new_address("target"), strong_password());
    let real = sign_up(&app, &email, &password).await;
    // A reset link of the same account is a token of another kind.
    app.gql(
        "mutation($e: String!) { recoverPassword(input: {email: $e}) { message } }",
        json!({ "e": email }),
        None,
    )
    .await
    .ok();
    let reset = app
        .smtp
        .wait_for_subject(&email, "reset your password")
        .await
        .token();
    let mut flipped = real.clone().into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    let forged = [
        String::from_utf8(flipped).unwrap(),
        "0".repeat(64),
        String::new(),
        "not-a-token".into(),
        format!("{real}0"),
        real[..63].to_owned(),
        format!("{}é", &real[..62]),
        format!("{}\u{0}", &real[..63]),
        "x".repeat(10_000),
        reset,
    ];
    for token in &forged {
        let reply = app.gql(VERIFY, json!({ "t": token }), None).await;
        assert_eq!(
            (reply.code(), reply.field()),
            ("BAD_USER_INPUT", "token"),
            "{token:?}: {}",
            reply.body
        );
    }
    // None of that used up or spoiled the real link.
    app.gql(VERIFY, json!({ "t": real }), None).await.ok();
}

async fn a_required_verification_refuses_sign_in_only_after_the_right_password(backend: Backend) {
    let app = TestApp::with_env(backend, &[("REQUIRE_EMAIL_VERIFICATION", "true")]).await;
    let settings = app
        .gql(
            "{ publicSettings { emailVerificationRequired } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        settings.ok()["publicSettings"]["emailVerificationRequired"],
        true
    );
    let (email, password) = (new_address("pending"), strong_password());
    let link = sign_up(&app, &email, &password).await;

    let wrong = app.login(&email, "Wrong-password-42").await;
    let unknown = app.login(&new_address("nobody"), "Wrong-password-42").await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED", "{}", wrong.body);
    assert_eq!(
        wrong.body, unknown.body,
        "a wrong password says nothing more"
    );

    let right = app.login(&email, &password).await;
    assert_eq!(right.code(), "EMAIL_NOT_VERIFIED", "{}", right.body);
    assert!(right.message().contains("not verified"));
    assert!(right.refresh_token(app.cookie_name()).is_none());
    assert!(right.data().is_null() || right.data()["login"].is_null());

    app.gql(VERIFY, json!({ "t": link }), None).await.ok();
    let token = app.token(&email, &password).await;
    assert!(verified(&app, &token).await);
    // The superuser from configuration is verified from the start.
    app.admin_token().await;
}

async fn without_the_requirement_unverified_accounts_sign_in(backend: Backend) {
    let app = TestApp::new(backend).await;
    let settings = app
        .gql(
            "{ publicSettings { emailVerificationRequired } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        settings.ok()["publicSettings"]["emailVerificationRequired"],
        false,
        "off in local mode"
    );
    let (email, password) = (new_address("relaxed"), strong_password());
    sign_up(&app, &email, &password).await;
    let token = app.token(&email, &password).await;
    assert!(!verified(&app, &token).await);
}

async fn resend_answers_the_same_always_and_is_throttled(backend: Backend) {
    let app = TestApp::with_env(
        backend,
        &[
            ("REQUIRE_EMAIL_VERIFICATION", "true"),
            ("VERIFICATION_EMAIL_ACCOUNT_PER_HOUR", "2"),
            ("VERIFICATION_EMAIL_IP_PER_HOUR", "7"),
        ],
    )
    .await;
    let (email, password) = (new_address("waiting"), strong_password());
    let first = sign_up(&app, &email, &password).await;
    let resend = |address: String| {
        let app = &app;
        async move { app.gql(RESEND, json!({ "e": address }), None).await }
    };
    let for_unverified = resend(email.to_uppercase()).await;
    let for_unknown = resend(new_address("ghost")).await;
    let for_verified = resend(app.admin_email.clone()).await;
    assert_eq!(for_unverified.body, for_unknown.body);
    assert_eq!(for_unverified.body, for_verified.body);
    assert!(for_unverified.ok()["resendVerificationEmail"]["message"]
        .as_str()
        .unwrap()
        .contains("If that address"));

    // The new link works; the earlier one no longer does.
    let wait = || async {
        for _ in 0..200 {
            if app.smtp.messages_to(&email).len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    wait().await;
    let messages = app.smtp.messages_to(&email);
    assert_eq!(messages.len(), 2);
    assert!(app.smtp.messages_to(&app.admin_email).is_empty());
    let second = messages[1].link_token("verify-email");
    assert_ne!(first, second);
    let stale = app.gql(VERIFY, json!({ "t": first }), None).await;
    assert_eq!(stale.code(), "BAD_USER_INPUT");

    // Per account: past two an hour, the same answer and nothing sent.
    let last_allowed = resend(email.clone()).await;
    let capped = resend(email.clone()).await;
    assert_eq!(last_allowed.body, for_unknown.body);
    assert_eq!(capped.body, for_unknown.body);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.smtp.messages_to(&email).len(), 3, "one more, then none");

    // Per IP: seven an hour, then RATE_LIMITED (about the IP, not an account).
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(resend(new_address("flood")).await.code().to_owned());
    }
    assert_eq!(codes, ["", "", "RATE_LIMITED"]);

    let newest = app.smtp.wait_for(&email).await.link_token("verify-email");
    app.gql(VERIFY, json!({ "t": newest }), None).await.ok();
    app.token(&email, &password).await;
}

async fn signup_with_an_existing_address_answers_the_same_and_tells_the_owner(backend: Backend) {
    let app = TestApp::new(backend).await;
    let owner = app.user("owner").await;
    let fresh = app
        .signup(
            &new_address("newcomer"),
            &strong_password(),
            Some("Newcomer"),
        )
        .await;
    let intruder_password = strong_password();
    let taken = app
        .signup(
            &owner.email.to_uppercase(),
            &intruder_password,
            Some("Intruder"),
        )
        .await;
    assert_eq!(
        serde_json::to_string(&taken.body).unwrap(),
        serde_json::to_string(&fresh.body).unwrap(),
        "byte for byte"
    );
    assert_eq!(taken.status, fresh.status);

    let notice = app
        .smtp
        .wait_for_subject(&owner.email, "someone tried to sign up with your address")
        .await;
    let text = notice.decoded();
    assert!(text.contains("Nothing was changed"), "{text}");
    assert!(text.contains("http://app.rampart.test/reset-password?token="));
    assert_eq!(
        app.smtp.messages_to(&owner.email).len(),
        1,
        "no verification link"
    );
    assert_eq!(app.audit_count("signup.existing_email", &owner.id).await, 1);

    // Nothing changed: the old password works, the intruder's does not,
    // the name is the owner's, and there is still one account.
    assert_eq!(
        app.login(&owner.email, &intruder_password).await.code(),
        "UNAUTHENTICATED"
    );
    let token = app.token(&owner.email, &owner.password).await;
    let me = app
        .gql("{ me { fullName emailVerified } }", json!({}), Some(&token))
        .await;
    assert_eq!(
        me.ok()["me"],
        json!({ "fullName": "owner", "emailVerified": false })
    );
    let accounts = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(owner.email.as_str()))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(accounts, 1);

    // The recovery link in the notice works, and proves the address.
    let new_password = strong_password();
    app.gql(
        RESET,
        json!({ "t": notice.token(), "p": new_password }),
        None,
    )
    .await
    .ok();
    let token = app.token(&owner.email, &new_password).await;
    assert!(verified(&app, &token).await);
}

async fn the_owners_notice_shares_the_recovery_budget(backend: Backend) {
    let app = TestApp::with_env(backend, &[("RECOVERY_ACCOUNT_PER_HOUR", "2")]).await;
    let owner = app.user("popular").await;
    app.gql(
        "mutation($e: String!) { recoverPassword(input: {email: $e}) { message } }",
        json!({ "e": owner.email }),
        None,
    )
    .await
    .ok();
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(
            app.signup(&owner.email, &strong_password(), None)
                .await
                .body,
        );
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let subjects: Vec<String> = app
        .smtp
        .messages_to(&owner.email)
        .iter()
        .map(|m| m.subject())
        .collect();
    assert_eq!(
        subjects.len(),
        2,
        "one reset, one notice, then silence: {subjects:?}"
    );
}

/// Account pre-hijacking: someone signs up first with another person's
/// address (and, with verification not required, signs in). When the real
/// owner tries to sign up, the notice's recovery link takes the account
/// back: new password, address verified, every session of the squatter
/// ended.
async fn a_reset_from_the_notice_verifies_and_ends_the_squatters_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let victim = new_address("victim");
    let squatter_password = strong_password();
    sign_up(&app, &victim, &squatter_password).await;
    let squatter = app.sign_in(&victim, &squatter_password, true).await;

    app.signup(&victim, &strong_password(), None).await.ok();
    let notice = app
        .smtp
        .wait_for_subject(&victim, "someone tried to sign up")
        .await;
    let password = strong_password();
    app.gql(RESET, json!({ "t": notice.token(), "p": password }), None)
        .await
        .ok();

    let me = app
        .gql("{ me { id } }", json!({}), Some(&squatter.access))
        .await;
    assert_eq!(me.code(), "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&squatter.refresh).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.login(&victim, &squatter_password).await.code(),
        "UNAUTHENTICATED"
    );
    let token = app.token(&victim, &password).await;
    assert!(verified(&app, &token).await);
}

async fn the_set_password_link_verifies_a_created_account(backend: Backend) {
    let app = TestApp::with_env(backend, &[("REQUIRE_EMAIL_VERIFICATION", "true")]).await;
    let admin = app.admin_token().await;
    let email = new_address("created");
    let created = app
        .gql(
            "mutation($e: String!) { createUser(input: {email: $e}) { id emailVerified } }",
            json!({ "e": email }),
            Some(&admin),
        )
        .await;
    assert_eq!(created.ok()["createUser"]["emailVerified"], false);
    let link = app.smtp.wait_for(&email).await.token();
    let password = strong_password();
    app.gql(RESET, json!({ "t": link, "p": password }), None)
        .await
        .ok();
    let token = app.token(&email, &password).await;
    assert!(verified(&app, &token).await);
}

async fn two_signups_racing_for_one_address_make_one_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = new_address("contested");
    let racers = (0..6).map(|_| {
        let password = strong_password();
        let app = &app;
        let email = email.clone();
        async move { app.signup(&email, &password, None).await }
    });
    let replies = futures_util::future::join_all(racers).await;
    let bodies: Vec<&Value> = replies.iter().map(|r| &r.body).collect();
    for body in &bodies {
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(*body, bodies[0]);
    }
    let accounts = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(email.as_str()))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(accounts, 1);
}

/// Rows that exist when migration 000011 runs predate verification and are
/// marked verified at their creation time; its `down` removes the column
/// and the link table again.
async fn accounts_older_than_verification_count_as_verified(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, password) = (new_address("veteran"), strong_password());
    sign_up(&app, &email, &password).await;
    // One connection, as `api migrate` runs them: on SQLite a schema change
    // made on one pooled connection and the next one made on another can
    // race under load.
    let mut config = app.state.config.database.clone();
    config.max_connections = 1;
    let migrations = rampart_api::db::connect(&config, false).await.unwrap();
    // Back to before the migration that added the column, however many
    // have shipped since.
    let since = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261202_000011_add_user_email_verified_at")
        .unwrap();
    Migrator::down(&migrations, Some(since as u32 + 1))
        .await
        .unwrap();
    Migrator::up(&migrations, None).await.unwrap();
    migrations.close().await.unwrap();
    let db = &app.state.db;
    let row = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(email.as_str()))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.email_verified_at, Some(row.created_at));
    assert_eq!(email_token::Entity::find().count(db).await.unwrap(), 0);
}

/// A sign-up nobody verifies leaves its link only until it expires: the
/// periodic sweep deletes it then, and nothing before.
async fn links_nobody_used_are_swept_once_expired(backend: Backend) {
    use rampart_api::auth::sweep;
    let app = TestApp::new(backend).await;
    for name in ["typo", "bot"] {
        sign_up(&app, &new_address(name), &strong_password()).await;
    }
    let links = || email_token::Entity::find().count(&app.state.db);
    let before = links().await.unwrap();
    assert!(before >= 2);
    let now = Utc::now();
    let swept = sweep::sweep(&app.state, now + Duration::hours(23))
        .await
        .unwrap();
    assert_eq!(swept.email_links, 0, "still usable for another hour");
    assert_eq!(links().await.unwrap(), before);
    let swept = sweep::sweep(&app.state, now + Duration::hours(25))
        .await
        .unwrap();
    assert_eq!(swept.email_links, before);
    assert_eq!(links().await.unwrap(), 0);
}
