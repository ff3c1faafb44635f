//! Log-in, sign-up and throttling.

use serde_json::json;

use crate::{
    common::{strong_password, Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    login_returns_a_bearer_token,
    every_login_failure_looks_the_same,
    emails_are_case_insensitive,
    signup_creates_a_normal_active_user,
    signup_cannot_assign_roles,
    signup_validates_its_input_and_changes_nothing,
    signup_with_a_taken_email_in_any_case_changes_nothing,
    signup_can_be_disabled,
    an_account_backs_off_after_five_failures,
    a_successful_login_ends_the_backoff_count,
    one_ip_gets_a_bounded_number_of_attempts,
    logins_are_audited,
);

async fn login_returns_a_bearer_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app.login(&app.admin_email, &app.admin_password).await;
    let login = &reply.ok()["login"];
    assert_eq!(login["tokenType"], "Bearer");
    // 15 minutes: the refresh cookie keeps a user signed in, not the token.
    assert_eq!(login["expiresIn"], 900);
    assert_eq!(login["accessToken"].as_str().unwrap().split('.').count(), 3);
    let me = app
        .gql(
            "{ me { email isSuperuser } }",
            json!({}),
            login["accessToken"].as_str(),
        )
        .await;
    assert_eq!(me.ok()["me"]["email"], app.admin_email.as_str());
}

async fn every_login_failure_looks_the_same(backend: Backend) {
    let app = TestApp::new(backend).await;
    let inactive = app.user("inactive").await;
    let admin = app.admin_token().await;
    app.gql(
        "mutation($id: UUID!) { updateUser(id: $id, input: {isActive: false}) { id } }",
        json!({ "id": inactive.id }),
        Some(&admin),
    )
    .await
    .ok();
    let wrong_password = app.login(&app.admin_email, "not-the-password-1").await;
    let unknown = app.login("nobody@rampart.dev", "not-the-password-1").await;
    let inactive_reply = app.login(&inactive.email, &inactive.password).await;
    let malformed = app.login("not an email", "x").await;
    let huge = app
        .login(&format!("{}@rampart.dev", "a".repeat(5000)), "x")
        .await;
    for reply in [
        &wrong_password,
        &unknown,
        &inactive_reply,
        &malformed,
        &huge,
    ] {
        assert_eq!(reply.code(), "UNAUTHENTICATED", "{}", reply.body);
        assert_eq!(reply.message(), "Incorrect e-mail or password.");
        assert!(reply.data().is_null());
    }
}

async fn emails_are_case_insensitive(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .login(
            &format!("  {}  ", app.admin_email.to_uppercase()),
            &app.admin_password,
        )
        .await;
    reply.ok();
}

async fn signup_creates_a_normal_active_user(backend: Backend) {
    let app = TestApp::new(backend).await;
    let password = strong_password();
    let reply = app
        .signup("New.User@Rampart.dev", &password, Some(" New User "))
        .await;
    assert!(reply.ok()["signup"]["message"]
        .as_str()
        .unwrap()
        .contains("Check your inbox"));
    let token = app.token("new.user@rampart.dev", &password).await;
    let me = app
        .gql(
            "{ me { email fullName isActive isSuperuser emailVerified } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        me.ok()["me"],
        json!({
            "email": "new.user@rampart.dev",
            "fullName": "New User",
            "isActive": true,
            "isSuperuser": false,
            "emailVerified": false,
        })
    );
}

async fn signup_cannot_assign_roles(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app
        .gql(
            "mutation($input: SignupInput!) { signup(input: $input) { message } }",
            json!({ "input": { "email": "sneaky@rampart.dev", "password": strong_password(), "isSuperuser": true } }),
            None,
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.body);
    assert_eq!(
        app.login("sneaky@rampart.dev", "whatever-at-all-9")
            .await
            .code(),
        "UNAUTHENTICATED"
    );
}

async fn signup_validates_its_input_and_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let count = || async {
        app.gql("{ users { totalCount } }", json!({}), Some(&admin))
            .await
            .ok()["users"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    let before = count().await;
    let cases = [
        (
            json!({ "email": "not-an-email", "password": strong_password() }),
            "email",
        ),
        (
            json!({ "email": format!("{}@rampart.dev", "a".repeat(250)), "password": strong_password() }),
            "email",
        ),
        (
            json!({ "email": "weak@rampart.dev", "password": "password1" }),
            "password",
        ),
        (
            json!({ "email": "short@rampart.dev", "password": "Ab1!x" }),
            "password",
        ),
        (
            json!({ "email": "long@rampart.dev", "password": "x".repeat(129) }),
            "password",
        ),
        (
            json!({ "email": "named@rampart.dev", "password": strong_password(), "fullName": "n".repeat(256) }),
            "fullName",
        ),
    ];
    for (input, field) in cases {
        let reply = app
            .gql(
                "mutation($input: SignupInput!) { signup(input: $input) { message } }",
                json!({ "input": input }),
                None,
            )
            .await;
        assert_eq!(
            (reply.code(), reply.field()),
            ("BAD_USER_INPUT", field),
            "{}",
            reply.body
        );
    }
    assert_eq!(count().await, before);
}

/// No enumeration (issue 14): a taken address, in any case, gets the
/// answer a new one gets, and the account is not touched (its password
/// still works, no second account appears).
async fn signup_with_a_taken_email_in_any_case_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fresh = app
        .signup("someone.new@rampart.dev", &strong_password(), None)
        .await;
    let taken = app
        .signup(&app.admin_email.to_uppercase(), &strong_password(), None)
        .await;
    assert_eq!(taken.body, fresh.body);
    app.admin_token().await;
}

async fn signup_can_be_disabled(backend: Backend) {
    let app = TestApp::with_env(backend, &[("SIGNUP_ENABLED", "false")]).await;
    let settings = app
        .gql(
            "{ publicSettings { signupEnabled passwordMinLength passwordMaxLength } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        settings.ok()["publicSettings"],
        json!({ "signupEnabled": false, "passwordMinLength": 8, "passwordMaxLength": 128 })
    );
    let reply = app
        .gql(
            "mutation($input: SignupInput!) { signup(input: $input) { message } }",
            json!({ "input": { "email": "late@rampart.dev", "password": strong_password() } }),
            None,
        )
        .await;
    assert_eq!(reply.code(), "FORBIDDEN");
}

async fn an_account_backs_off_after_five_failures(backend: Backend) {
    // A long base delay so the lock is still in force when the right password comes.
    let app = TestApp::with_env(backend, &[("LOGIN_BACKOFF_BASE_MS", "60000")]).await;
    let victim = app.user("victim").await;
    let bystander = app.user("bystander").await;
    for _ in 0..4 {
        assert_eq!(
            app.login(&victim.email, "wrong-password-9").await.code(),
            "UNAUTHENTICATED"
        );
    }
    // Four failures: not locked yet.
    app.login(&victim.email, &victim.password).await.ok();
    for _ in 0..5 {
        app.login(&victim.email, "wrong-password-9").await;
    }
    let locked = app.login(&victim.email, &victim.password).await;
    assert_eq!(
        locked.code(),
        "UNAUTHENTICATED",
        "the right password is refused while locked"
    );
    assert_eq!(
        locked.message(),
        "Incorrect e-mail or password.",
        "same answer as any failure"
    );
    app.login(&bystander.email, &bystander.password).await.ok();
}

async fn a_successful_login_ends_the_backoff_count(backend: Backend) {
    let app = TestApp::with_env(backend, &[("LOGIN_BACKOFF_BASE_MS", "60000")]).await;
    let user = app.user("forgetful").await;
    let (app, user) = (&app, &user);
    let fail = |times| async move {
        for _ in 0..times {
            app.login(&user.email, "wrong-password-9").await;
        }
    };
    fail(4).await;
    app.login(&user.email, &user.password).await.ok();
    fail(4).await;
    // Eight failures in all, but only four since the success: not locked.
    app.login(&user.email, &user.password).await.ok();
    fail(5).await;
    let locked = app.login(&user.email, &user.password).await;
    assert_eq!(locked.code(), "UNAUTHENTICATED", "five in a row still lock");
}

async fn one_ip_gets_a_bounded_number_of_attempts(backend: Backend) {
    let app = TestApp::with_env(backend, &[("LOGIN_IP_ATTEMPTS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_eq!(
            app.login(&app.admin_email, "wrong-password-9").await.code(),
            "UNAUTHENTICATED"
        );
    }
    let limited = app.login(&app.admin_email, &app.admin_password).await;
    assert_eq!(limited.code(), "RATE_LIMITED");
    let retry_after = limited.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // The budget is per IP: another client is unaffected.
    let mut other = app;
    other.ip = "203.0.113.77".into();
    other
        .login(&other.admin_email, &other.admin_password)
        .await
        .ok();
}

async fn logins_are_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.login(&app.admin_email, "wrong-password-9").await;
    let token = app.admin_token().await;
    let reply = app
        .gql(
            "{ auditEvents(limit: 5) { nodes { kind subjectEmail ip detail } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let nodes = reply.ok()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    // A sign-in is the check of the password, then the session it opens.
    assert_eq!(nodes[0]["kind"], "session.created");
    assert!(nodes[0]["detail"]
        .as_str()
        .unwrap()
        .ends_with("browser session"));
    assert_eq!(nodes[1]["kind"], "login.succeeded");
    assert_eq!(nodes[2]["kind"], "login.failed");
    assert_eq!(nodes[2]["detail"], "wrong password");
    assert_eq!(nodes[2]["ip"], app.ip.as_str());
    assert_eq!(nodes[2]["subjectEmail"], app.admin_email.as_str());
}
