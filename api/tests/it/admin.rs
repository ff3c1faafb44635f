//! The superuser's e-mail utilities: a test e-mail through the configured
//! SMTP server (the real one on loopback, a refusing recipient, a port
//! nothing listens on) and previews of every template.

use serde_json::{json, Value};

use crate::{
    common::{smtp::REFUSED_REPLY, Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    the_test_email_arrives_and_the_servers_answer_is_reported,
    a_refused_recipient_is_reported_with_the_servers_reply,
    an_unreachable_server_is_reported_naming_the_settings,
    without_smtp_the_test_email_says_it_was_not_sent,
    only_superusers_send_test_emails_or_see_previews,
    the_recipient_must_be_an_address,
    test_emails_are_throttled_per_superuser,
    previews_render_every_template_with_sample_data,
);

const SEND: &str =
    "mutation($to: String!) { sendTestEmail(to: $to) { accepted serverReply failure error } }";
const PREVIEWS: &str = "{ emailPreviews { name subject html text } }";

async fn send(app: &TestApp, token: &str, to: &str) -> Value {
    app.gql(SEND, json!({ "to": to }), Some(token)).await.ok()["sendTestEmail"].clone()
}

/// The `email.test_sent` events as (subject e-mail, detail).
async fn test_email_events(app: &TestApp) -> Vec<(String, String)> {
    let admin = app.admin_token().await;
    let reply = app
        .gql(
            "{ auditEvents(limit: 100) { nodes { kind subjectEmail detail actorId } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    reply.ok()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "email.test_sent")
        .map(|e| {
            assert!(e["actorId"].is_string(), "the superuser is the actor");
            (
                e["subjectEmail"].as_str().unwrap().to_owned(),
                e["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn the_test_email_arrives_and_the_servers_answer_is_reported(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let result = send(&app, &admin, " Ops@Rampart.dev ").await;
    assert_eq!(result["accepted"], true, "{result}");
    assert!(result["failure"].is_null() && result["error"].is_null());
    // mailin answers the end of data with "250 OK".
    assert_eq!(result["serverReply"], "250 OK");
    // Sent before the answer: the message is already there.
    let mail = app
        .smtp
        .messages_to("ops@rampart.dev")
        .pop()
        .expect("delivered");
    let decoded = mail.decoded();
    assert!(
        decoded.contains("Subject: Rampart: test e-mail"),
        "{decoded}"
    );
    assert!(decoded.contains("sent from the admin area"), "{decoded}");
    assert!(
        !decoded.contains("admin@rampart.dev"),
        "the superuser's address stays out of a message to anyone"
    );
    assert!(decoded.contains("http://app.rampart.test/"));
    assert!(
        !decoded.contains("token="),
        "a test e-mail carries no token"
    );
    assert_eq!(
        test_email_events(&app).await,
        [("ops@rampart.dev".to_owned(), "accepted".to_owned())]
    );
}

async fn a_refused_recipient_is_reported_with_the_servers_reply(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let result = send(&app, &admin, "refused@rampart.dev").await;
    assert_eq!(result["accepted"], false);
    assert_eq!(result["failure"], "REJECTED");
    assert!(result["serverReply"].is_null());
    let error = result["error"].as_str().unwrap();
    assert!(
        error.contains("550") && error.contains(REFUSED_REPLY),
        "{error}"
    );
    assert!(error.contains(&format!("127.0.0.1:{}", app.smtp.port())));
    assert!(app.smtp.messages_to("refused@rampart.dev").is_empty());
    assert_eq!(
        test_email_events(&app).await,
        [(
            "refused@rampart.dev".to_owned(),
            "failed: REJECTED".to_owned()
        )]
    );
}

async fn an_unreachable_server_is_reported_naming_the_settings(backend: Backend) {
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let smtp_password = format!("smtp-{}", crate::common::random(20));
    let app = TestApp::with_env(
        backend,
        &[
            ("SMTP_PORT", dead_port.as_str()),
            ("SMTP_USER", "mailer"),
            ("SMTP_PASSWORD", smtp_password.as_str()),
        ],
    )
    .await;
    let admin = app.admin_token().await;
    let result = send(&app, &admin, "ops@rampart.dev").await;
    assert_eq!(result["accepted"], false);
    assert_eq!(result["failure"], "CONNECTION");
    let error = result["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("127.0.0.1:{dead_port}")) && error.contains("SMTP_HOST"),
        "{error}"
    );
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(!error.contains(&smtp_password));
    assert_eq!(
        test_email_events(&app).await,
        [(
            "ops@rampart.dev".to_owned(),
            "failed: CONNECTION".to_owned()
        )]
    );
}

async fn without_smtp_the_test_email_says_it_was_not_sent(backend: Backend) {
    // Local mode without SMTP_HOST writes e-mails to the log.
    let app = TestApp::with_env(backend, &[("SMTP_HOST", "")]).await;
    let admin = app.admin_token().await;
    let result = send(&app, &admin, "ops@rampart.dev").await;
    assert_eq!(result["accepted"], false);
    assert_eq!(result["failure"], "NOT_CONFIGURED");
    assert!(result["error"].as_str().unwrap().contains("SMTP_HOST"));
}

async fn only_superusers_send_test_emails_or_see_previews(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("plain").await;
    for query in [SEND, PREVIEWS] {
        let variables = json!({ "to": "ops@rampart.dev" });
        let as_user = app.gql(query, variables.clone(), Some(&user.token)).await;
        assert_eq!(as_user.code(), "FORBIDDEN", "{query}");
        let anonymous = app.gql(query, variables, None).await;
        assert_eq!(anonymous.code(), "UNAUTHENTICATED", "{query}");
    }
    assert!(app.smtp.messages_to("ops@rampart.dev").is_empty());
    assert!(test_email_events(&app).await.is_empty());
}

async fn the_recipient_must_be_an_address(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    for to in ["", "not-an-address", "a@b\r\nBcc: x@y.dev"] {
        let reply = app.gql(SEND, json!({ "to": to }), Some(&admin)).await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{to:?}");
        assert_eq!(reply.field(), "to", "{to:?}");
    }
    assert!(test_email_events(&app).await.is_empty());
}

async fn test_emails_are_throttled_per_superuser(backend: Backend) {
    let app = TestApp::with_env(backend, &[("TEST_EMAIL_PER_HOUR", "2")]).await;
    let admin = app.admin_token().await;
    for _ in 0..2 {
        assert_eq!(
            send(&app, &admin, "ops@rampart.dev").await["accepted"],
            true
        );
    }
    let third = app
        .gql(SEND, json!({ "to": "ops@rampart.dev" }), Some(&admin))
        .await;
    assert_eq!(third.code(), "RATE_LIMITED");
    assert!(third.body["errors"][0]["extensions"]["retryAfter"].as_u64() > Some(3000));
    assert_eq!(app.smtp.messages_to("ops@rampart.dev").len(), 2);
    assert_eq!(test_email_events(&app).await.len(), 2);
}

async fn previews_render_every_template_with_sample_data(backend: Backend) {
    let app = TestApp::with_env(backend, &[("PROJECT_NAME", "Acme & Co")]).await;
    let admin = app.admin_token().await;
    let reply = app.gql(PREVIEWS, json!({}), Some(&admin)).await;
    let previews = reply.ok()["emailPreviews"].as_array().unwrap().clone();
    let names: Vec<&str> = previews
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "password_reset",
            "welcome",
            "test",
            "verify_email",
            "signup_attempt",
            "confirm_email_change",
            "email_change_requested",
            "email_changed",
            "mfa_enabled",
            "mfa_disabled",
            "mfa_reset",
            "mfa_recovery_code_used"
        ]
    );
    let subjects: Vec<&str> = previews
        .iter()
        .map(|p| p["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "Acme & Co: reset your password",
            "Acme & Co: set up your new account",
            "Acme & Co: test e-mail",
            "Acme & Co: verify your e-mail address",
            "Acme & Co: someone tried to sign up with your address",
            "Acme & Co: confirm your new e-mail address",
            "Acme & Co: a change of your e-mail address was requested",
            "Acme & Co: your e-mail address was changed",
            "Acme & Co: two-step sign-in is on",
            "Acme & Co: two-step sign-in is off",
            "Acme & Co: an administrator turned off two-step sign-in",
            "Acme & Co: a recovery code was used"
        ]
    );
    for preview in &previews {
        let (html, text) = (
            preview["html"].as_str().unwrap(),
            preview["text"].as_str().unwrap(),
        );
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(html.contains("Acme &amp; Co") && !html.contains("Acme & Co"));
        assert!(text.contains("Acme & Co") && text.contains("jane.doe@example.com"));
        assert!(text.contains("http://app.rampart.test/"), "{text}");
    }
    assert!(previews[0]["text"]
        .as_str()
        .unwrap()
        .contains("http://app.rampart.test/reset-password?token=sample-token"));
    assert!(previews[1]["html"]
        .as_str()
        .unwrap()
        .contains("Hello Jane Doe"));
    // A preview sends nothing.
    assert!(app.smtp.messages_to("jane.doe@example.com").is_empty());
}
