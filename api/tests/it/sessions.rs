//! Sessions (issue 13): refresh-cookie rotation and reuse detection, idle
//! and absolute expiry, logout and revocation, the cookie's attributes and
//! who may use it, and two API processes on one database.

use std::time::{Duration, Instant};

use axum::{body::Body, http::Request};
use serde_json::{json, Value};

use crate::{
    common::{post_request, strong_password, Backend, Reply, SignedIn, TestApp, REFRESH_SESSION},
    on_both_databases,
};

on_both_databases!(
    a_refresh_rotates_the_cookie_and_gives_a_working_token,
    a_rotated_token_presented_again_revokes_the_session,
    a_concurrent_refresh_within_the_grace_period_is_not_theft,
    an_idle_session_ends,
    a_session_ends_at_its_absolute_lifetime,
    logout_ends_the_session_with_a_bearer_or_only_the_cookie,
    a_user_lists_and_revokes_their_own_sessions_only,
    logout_everywhere_can_keep_the_current_session,
    a_password_change_ends_the_other_sessions,
    a_password_reset_ends_every_session,
    deactivation_and_deletion_end_every_session,
    a_superuser_lists_and_ends_a_users_sessions,
    the_cookie_has_safe_attributes,
    cross_site_refresh_attempts_are_refused,
    a_refresh_token_is_no_bearer_and_an_access_token_no_refresh_token,
    one_refresh_per_document,
    invalid_refresh_attempts_are_throttled_per_ip,
    a_session_revoked_through_one_replica_is_refused_by_another,
);

const ME: &str = "{ me { id } }";
const SESSIONS: &str =
    "{ sessions { id current createdAt lastUsedAt expiresAt idleExpiresAt rememberMe mfaUsed browser os device ip lastIp userAgent } }";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";

async fn me_code(app: &TestApp, token: &str) -> String {
    app.gql(ME, json!({}), Some(token)).await.code().to_owned()
}

/// A session of a fresh user, with its password.
async fn user_session(app: &TestApp, name: &str) -> (crate::common::TestUser, SignedIn) {
    let user = app.user(name).await;
    let session = app.sign_in(&user.email, &user.password, false).await;
    (user, session)
}

fn sessions_of(reply: &Reply) -> Vec<Value> {
    reply.ok()["sessions"].as_array().unwrap().clone()
}

async fn a_refresh_rotates_the_cookie_and_gives_a_working_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("rotating").await;
    let first = app.sign_in(&user.email, &user.password, true).await;
    assert_eq!(me_code(&app, &first.access).await, "");

    let reply = app.refresh(&first.refresh).await;
    let second = SignedIn::from_reply(&app, &reply, "refreshSession");
    assert_eq!(second.session_id, first.session_id, "the same session");
    assert_ne!(second.refresh, first.refresh, "a new refresh token");
    assert_eq!(me_code(&app, &second.access).await, "");
    assert_eq!(second.security_notice, None);

    // The new token rotates again; last use moved on.
    let reply = app.refresh(&second.refresh).await;
    let third = SignedIn::from_reply(&app, &reply, "refreshSession");
    assert_ne!(third.refresh, second.refresh);
    let listed = sessions_of(&app.gql(SESSIONS, json!({}), Some(&third.access)).await);
    assert_eq!(listed.len(), 2, "sign-up's log-in and this one");
    assert_eq!(listed[0]["id"], first.session_id.as_str());
    assert!(listed[0]["lastUsedAt"].as_str() > listed[0]["createdAt"].as_str());
}

async fn a_rotated_token_presented_again_revokes_the_session(backend: Backend) {
    let app = TestApp::with_env(backend, &[("SESSION_REFRESH_REUSE_GRACE_SECS", "0")]).await;
    let user = app.user("stolen").await;
    let first = app.sign_in(&user.email, &user.password, false).await;
    let second = SignedIn::from_reply(&app, &app.refresh(&first.refresh).await, "refreshSession");
    let third = SignedIn::from_reply(&app, &app.refresh(&second.refresh).await, "refreshSession");

    // Not only the token just before: any token this session rotated away.
    let reuse = app.refresh(&first.refresh).await;
    assert_eq!(reuse.code(), "UNAUTHENTICATED");
    assert!(
        reuse
            .set_cookie(app.cookie_name())
            .unwrap()
            .contains("Max-Age=0"),
        "the cookie is cleared"
    );
    // The whole session is over: its current token and its access tokens.
    assert_eq!(app.refresh(&third.refresh).await.code(), "UNAUTHENTICATED");
    assert_eq!(me_code(&app, &third.access).await, "UNAUTHENTICATED");
    assert_eq!(app.audit_count("session.reuse_detected", &user.id).await, 1);

    // The next sign-in says so, once.
    let next = app.sign_in(&user.email, &user.password, false).await;
    assert!(next.security_notice.unwrap().contains("signed out"));
    let after = app.sign_in(&user.email, &user.password, false).await;
    assert_eq!(after.security_notice, None);
}

async fn a_concurrent_refresh_within_the_grace_period_is_not_theft(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, first) = user_session(&app, "two-tabs").await;
    let winner = app.refresh(&first.refresh).await;
    let winner = SignedIn::from_reply(&app, &winner, "refreshSession");
    // The other tab sent the same (now rotated) cookie a moment later.
    let loser = app.refresh(&first.refresh).await;
    assert_eq!(
        loser.ok()["refreshSession"]["sessionId"],
        first.session_id.as_str()
    );
    assert!(
        loser.set_cookie(app.cookie_name()).is_none(),
        "no second rotation: the browser keeps the winner's cookie"
    );
    let loser_access = loser.ok()["refreshSession"]["accessToken"]
        .as_str()
        .unwrap();
    assert_eq!(me_code(&app, loser_access).await, "");
    SignedIn::from_reply(&app, &app.refresh(&winner.refresh).await, "refreshSession");
}

async fn an_idle_session_ends(backend: Backend) {
    let app = TestApp::with_env(backend, &[("SESSION_IDLE_TIMEOUT_SECS", "2")]).await;
    let user = app.user("idle").await;
    let started = Instant::now();
    let session = app.sign_in(&user.email, &user.password, false).await;
    assert_eq!(me_code(&app, &session.access).await, "");
    tokio::time::sleep(Duration::from_millis(2100).saturating_sub(started.elapsed())).await;
    // The access token has 15 minutes left, but its session is idle.
    assert_eq!(me_code(&app, &session.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
}

async fn a_session_ends_at_its_absolute_lifetime(backend: Backend) {
    let app = TestApp::with_env(backend, &[("SESSION_BROWSER_LIFETIME_SECS", "3")]).await;
    let user = app.user("lifetime").await;
    let started = Instant::now();
    let session = app.sign_in(&user.email, &user.password, false).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    // Use keeps a session from going idle but never past its lifetime.
    let refreshed =
        SignedIn::from_reply(&app, &app.refresh(&session.refresh).await, "refreshSession");
    let listed = sessions_of(&app.gql(SESSIONS, json!({}), Some(&refreshed.access)).await);
    assert_eq!(listed[0]["idleExpiresAt"], listed[0]["expiresAt"]);
    tokio::time::sleep(Duration::from_millis(3100).saturating_sub(started.elapsed())).await;
    assert_eq!(me_code(&app, &refreshed.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&refreshed.refresh).await.code(),
        "UNAUTHENTICATED"
    );
}

async fn logout_ends_the_session_with_a_bearer_or_only_the_cookie(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (user, session) = user_session(&app, "leaving").await;
    let bearer = format!("Bearer {}", session.access);
    let reply = app
        .post_with(
            json!({ "query": "mutation { logout { message } }" }),
            &[("authorization", bearer.as_str())],
        )
        .await;
    reply.ok();
    let cleared = reply.set_cookie(app.cookie_name()).unwrap();
    assert!(cleared.starts_with(&format!("{}=;", app.cookie_name())));
    assert!(cleared.contains("Max-Age=0"));
    assert_eq!(me_code(&app, &session.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );

    // With the access token expired (none sent), the cookie is enough.
    let other = app.sign_in(&user.email, &user.password, false).await;
    let cookie = app.cookie(&other.refresh);
    app.post_with(
        json!({ "query": "mutation { logout { message } }" }),
        &[("cookie", cookie.as_str())],
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &other.access).await, "UNAUTHENTICATED");
    assert_eq!(app.refresh(&other.refresh).await.code(), "UNAUTHENTICATED");
    // An access token that no longer works (expired, forged) beside the
    // cookie: the cookie's session still ends.
    let third = app.sign_in(&user.email, &user.password, false).await;
    let cookie = app.cookie(&third.refresh);
    app.post_with(
        json!({ "query": "mutation { logout { message } }" }),
        &[
            ("cookie", cookie.as_str()),
            ("authorization", "Bearer not.a.token"),
        ],
    )
    .await
    .ok();
    assert_eq!(app.refresh(&third.refresh).await.code(), "UNAUTHENTICATED");
    assert_eq!(app.audit_count("session.logout", &user.id).await, 3);
    // Logging out again, signed out already, is harmless.
    app.post_with(json!({ "query": "mutation { logout { message } }" }), &[])
        .await
        .ok();
}

async fn a_user_lists_and_revokes_their_own_sessions_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("two-devices").await;
    let laptop = app
        .post_with(
            json!({
                "query": crate::common::LOGIN_SESSION,
                "variables": { "e": user.email, "p": user.password, "r": true },
            }),
            &[("user-agent", FIREFOX)],
        )
        .await;
    let laptop = SignedIn::from_reply(&app, &laptop, "login");
    let phone = app.sign_in(&user.email, &user.password, false).await;

    let listed = sessions_of(&app.gql(SESSIONS, json!({}), Some(&phone.access)).await);
    assert_eq!(listed.len(), 3, "sign-up's log-in, the laptop, the phone");
    assert_eq!(listed[0]["id"], phone.session_id.as_str(), "current first");
    assert_eq!(listed[0]["current"], true);
    assert!(listed[1..].iter().all(|s| s["current"] == false));
    let entry = listed
        .iter()
        .find(|s| s["id"] == laptop.session_id.as_str())
        .unwrap();
    assert_eq!(entry["browser"], "Firefox 132");
    assert_eq!(entry["os"], "Linux");
    assert_eq!(entry["device"], "Desktop");
    assert_eq!(entry["userAgent"], FIREFOX);
    assert_eq!(entry["ip"], app.ip.as_str());
    assert_eq!(entry["rememberMe"], true);
    assert_eq!(entry["mfaUsed"], false, "a password-only sign-in");

    // Someone else's session looks like a missing one.
    let (_, stranger) = user_session(&app, "stranger").await;
    let revoke = "mutation($id: UUID!) { revokeSession(id: $id) { message } }";
    let foreign = app
        .gql(
            revoke,
            json!({ "id": stranger.session_id }),
            Some(&phone.access),
        )
        .await;
    assert_eq!(foreign.code(), "NOT_FOUND");
    assert_eq!(me_code(&app, &stranger.access).await, "");

    app.gql(
        revoke,
        json!({ "id": laptop.session_id }),
        Some(&phone.access),
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &laptop.access).await, "UNAUTHENTICATED");
    assert_eq!(app.refresh(&laptop.refresh).await.code(), "UNAUTHENTICATED");
    let again = app
        .gql(
            revoke,
            json!({ "id": laptop.session_id }),
            Some(&phone.access),
        )
        .await;
    assert_eq!(again.code(), "NOT_FOUND");
    let listed = sessions_of(&app.gql(SESSIONS, json!({}), Some(&phone.access)).await);
    assert_eq!(listed.len(), 2);
    assert_eq!(app.audit_count("session.revoked", &user.id).await, 1);
}

async fn logout_everywhere_can_keep_the_current_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (user, current) = user_session(&app, "everywhere").await;
    let other = app.sign_in(&user.email, &user.password, true).await;
    let everywhere = "mutation($k: Boolean!) { logoutEverywhere(keepCurrent: $k) { message } }";
    let kept = app
        .gql(everywhere, json!({ "k": true }), Some(&current.access))
        .await;
    kept.ok();
    assert!(kept.set_cookie(app.cookie_name()).is_none(), "cookie kept");
    assert_eq!(me_code(&app, &current.access).await, "");
    assert_eq!(me_code(&app, &user.token).await, "UNAUTHENTICATED");
    assert_eq!(me_code(&app, &other.access).await, "UNAUTHENTICATED");
    assert_eq!(app.refresh(&other.refresh).await.code(), "UNAUTHENTICATED");

    let all = app
        .gql(
            "mutation { logoutEverywhere { message } }",
            json!({}),
            Some(&current.access),
        )
        .await;
    all.ok();
    assert!(all
        .set_cookie(app.cookie_name())
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(me_code(&app, &current.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&current.refresh).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(app.audit_count("session.revoked_all", &user.id).await, 2);
}

async fn change_password(app: &TestApp, token: &str, current: &str, keep: Option<bool>) -> Reply {
    let mut input = json!({ "currentPassword": current, "newPassword": strong_password() });
    if let Some(keep) = keep {
        input["keepCurrentSession"] = json!(keep);
    }
    app.gql(
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { message } }",
        json!({ "i": input }),
        Some(token),
    )
    .await
}

async fn a_password_change_ends_the_other_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (user, current) = user_session(&app, "changer").await;
    let other = app.sign_in(&user.email, &user.password, true).await;
    let reply = change_password(&app, &current.access, &user.password, None).await;
    reply.ok();
    // Kept by default: the same access token and cookie go on working.
    assert_eq!(me_code(&app, &current.access).await, "");
    SignedIn::from_reply(&app, &app.refresh(&current.refresh).await, "refreshSession");
    assert_eq!(me_code(&app, &other.access).await, "UNAUTHENTICATED");
    assert_eq!(app.refresh(&other.refresh).await.code(), "UNAUTHENTICATED");

    // Not kept: this session ends too, and the cookie is cleared.
    let (user, current) = user_session(&app, "leaver").await;
    let reply = change_password(&app, &current.access, &user.password, Some(false)).await;
    assert!(reply
        .set_cookie(app.cookie_name())
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(me_code(&app, &current.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&current.refresh).await.code(),
        "UNAUTHENTICATED"
    );
}

async fn a_password_reset_ends_every_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (user, session) = user_session(&app, "forgetful").await;
    app.gql(
        "mutation($e: String!) { recoverPassword(input: {email: $e}) { message } }",
        json!({ "e": user.email }),
        None,
    )
    .await
    .ok();
    let token = app.smtp.wait_for(&user.email).await.token();
    app.gql(
        "mutation($t: String!, $p: String!) { resetPassword(input: {token: $t, newPassword: $p}) { message } }",
        json!({ "t": token, "p": strong_password() }),
        None,
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &session.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
}

async fn deactivation_and_deletion_end_every_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let (user, session) = user_session(&app, "deactivated").await;
    let set_active =
        "mutation($id: UUID!, $a: Boolean!) { updateUser(id: $id, input: {isActive: $a}) { id } }";
    app.gql(
        set_active,
        json!({ "id": user.id, "a": false }),
        Some(&admin),
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &session.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
    // Reactivation does not bring the sessions back.
    app.gql(
        set_active,
        json!({ "id": user.id, "a": true }),
        Some(&admin),
    )
    .await
    .ok();
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );

    let (user, session) = user_session(&app, "deleted").await;
    app.gql(
        "mutation($id: UUID!) { deleteUser(id: $id) }",
        json!({ "id": user.id }),
        Some(&admin),
    )
    .await;
    assert_eq!(me_code(&app, &session.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
}

async fn a_superuser_lists_and_ends_a_users_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let (user, session) = user_session(&app, "lost-laptop").await;
    let list = "query($u: UUID!) { userSessions(userId: $u) { id current } }";
    let revoke = "mutation($u: UUID!) { revokeUserSessions(userId: $u) { message } }";
    let listed = app.gql(list, json!({ "u": user.id }), Some(&admin)).await;
    assert_eq!(listed.ok()["userSessions"].as_array().unwrap().len(), 2);
    // Normal users can do neither, not even about themselves.
    let own = app
        .gql(list, json!({ "u": user.id }), Some(&session.access))
        .await;
    assert_eq!(own.code(), "FORBIDDEN");
    let own = app
        .gql(revoke, json!({ "u": user.id }), Some(&session.access))
        .await;
    assert_eq!(own.code(), "FORBIDDEN");
    let unknown = app
        .gql(revoke, json!({ "u": uuid::Uuid::new_v4() }), Some(&admin))
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");

    app.gql(revoke, json!({ "u": user.id }), Some(&admin))
        .await
        .ok();
    assert_eq!(me_code(&app, &session.access).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
    let listed = app.gql(list, json!({ "u": user.id }), Some(&admin)).await;
    assert_eq!(listed.ok()["userSessions"], json!([]));
    assert_eq!(
        me_code(&app, &admin).await,
        "",
        "the admin's own session is not touched"
    );
    assert_eq!(app.audit_count("session.revoked_all", &user.id).await, 1);
}

async fn the_cookie_has_safe_attributes(backend: Backend) {
    // Local mode with an http SPA: no Secure (the browser would drop it),
    // so no __Host- either, and the narrowest path.
    let app = TestApp::new(backend).await;
    let user = app.user("cookies").await;
    let login = |remember: bool| {
        app.post_with(
            json!({
                "query": crate::common::LOGIN_SESSION,
                "variables": { "e": user.email, "p": user.password, "r": remember },
            }),
            &[],
        )
    };
    let browser = login(false).await;
    let cookie = browser.set_cookie("rampart_refresh").unwrap();
    let token = browser.refresh_token("rampart_refresh").unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(
        cookie,
        format!("rampart_refresh={token}; Path=/graphql; HttpOnly; SameSite=Strict"),
        "a browser session: no Max-Age"
    );
    assert_eq!(browser.headers["cache-control"], "no-store");
    let remembered = login(true).await.set_cookie("rampart_refresh").unwrap();
    let max_age: u64 = remembered
        .rsplit_once("Max-Age=")
        .unwrap()
        .1
        .parse()
        .unwrap();
    assert!(
        (30 * 86_400 - 60..=30 * 86_400).contains(&max_age),
        "{max_age}"
    );

    // Anywhere served over https: Secure, and the __Host- prefix (Path=/).
    let app = TestApp::with_env(backend, &[("SESSION_COOKIE_SECURE", "true")]).await;
    let reply = app.login(&app.admin_email, &app.admin_password).await;
    let cookie = reply.set_cookie("__Host-rampart_refresh").unwrap();
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict; Secure"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "host-only");
}

async fn cross_site_refresh_attempts_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, session) = user_session(&app, "csrf").await;
    let cookie = app.cookie(&session.refresh);
    let body = json!({ "query": REFRESH_SESSION }).to_string();
    let raw = |content_type: &str, body: String| {
        Request::post("/graphql")
            .header("content-type", content_type)
            .header("cookie", cookie.as_str())
            .body(Body::from(body))
            .unwrap()
    };
    // The "simple requests" a cross-site form or fetch can send: never executed.
    let form = format!(
        "query={}",
        "mutation%20%7B%20refreshSession%20%7B%20accessToken%20%7D%20%7D"
    );
    for request in [
        raw("application/x-www-form-urlencoded", form),
        raw("text/plain", body.clone()),
        raw("multipart/form-data; boundary=x", body.clone()),
    ] {
        let reply = app.send(request).await;
        assert_eq!(reply.status, 415);
        assert!(reply.set_cookie(app.cookie_name()).is_none());
    }
    let get = Request::get("/graphql?query=mutation%7BrefreshSession%7BaccessToken%7D%7D")
        .header("cookie", cookie.as_str())
        .header("graphql-require-preflight", "1")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(get).await.status, 405);

    // JSON, but from another site's page: the cookie is not read.
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", "https://x.app.rampart.test"),
        ],
    ] {
        let mut headers = headers;
        headers.push(("cookie", cookie.as_str()));
        let reply = app
            .post_with(json!({ "query": REFRESH_SESSION }), &headers)
            .await;
        assert_eq!(reply.code(), "UNAUTHENTICATED", "{headers:?}");
    }
    // None of that rotated or revoked anything: the SPA's own origin
    // (FRONTEND_HOST, or the API's own host) still refreshes.
    let own = app
        .post_with(
            json!({ "query": REFRESH_SESSION }),
            &[
                ("cookie", cookie.as_str()),
                ("origin", "http://app.rampart.test"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    let next = SignedIn::from_reply(&app, &own, "refreshSession");
    let cookie = app.cookie(&next.refresh);
    let same_host = app
        .post_with(
            json!({ "query": REFRESH_SESSION }),
            &[
                ("cookie", cookie.as_str()),
                ("origin", "https://api.rampart.test:8443"),
                ("host", "api.rampart.test:8443"),
            ],
        )
        .await;
    SignedIn::from_reply(&app, &same_host, "refreshSession");
}

async fn a_refresh_token_is_no_bearer_and_an_access_token_no_refresh_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, session) = user_session(&app, "confused").await;
    assert_eq!(me_code(&app, &session.refresh).await, "UNAUTHENTICATED");
    let as_cookie = app.refresh(&session.access).await;
    assert_eq!(as_cookie.code(), "UNAUTHENTICATED");
    // A bearer token alone does not refresh: only the cookie does.
    let bearer = format!("Bearer {}", session.access);
    let reply = app
        .post_with(
            json!({ "query": REFRESH_SESSION }),
            &[("authorization", bearer.as_str())],
        )
        .await;
    assert_eq!(reply.code(), "UNAUTHENTICATED");
    // Both mistakes left the session alone.
    assert_eq!(me_code(&app, &session.access).await, "");
    SignedIn::from_reply(&app, &app.refresh(&session.refresh).await, "refreshSession");
}

async fn one_refresh_per_document(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, session) = user_session(&app, "aliases").await;
    let cookie = app.cookie(&session.refresh);
    let twice = "mutation { a: refreshSession { accessToken } b: refreshSession { accessToken } }";
    let reply = app
        .post_with(json!({ "query": twice }), &[("cookie", cookie.as_str())])
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.set_cookie(app.cookie_name()).is_none(), "nothing ran");
    SignedIn::from_reply(&app, &app.refresh(&session.refresh).await, "refreshSession");
}

async fn invalid_refresh_attempts_are_throttled_per_ip(backend: Backend) {
    let app = TestApp::with_env(backend, &[("REFRESH_IP_FAILURES_PER_MINUTE", "3")]).await;
    let (_, session) = user_session(&app, "guessed").await;
    // A visitor without a cookie (every SPA load before sign-in) guesses nothing.
    for _ in 0..5 {
        let reply = app
            .post_with(json!({ "query": REFRESH_SESSION }), &[])
            .await;
        assert_eq!(reply.code(), "UNAUTHENTICATED");
    }
    for guess in 0..3 {
        let reply = app.refresh(&format!("{guess:064x}")).await;
        assert_eq!(reply.code(), "UNAUTHENTICATED", "guess {guess}");
    }
    let limited = app.refresh(&"f".repeat(64)).await;
    assert_eq!(limited.code(), "RATE_LIMITED");
    assert_eq!(limited.status, 429);
    assert!(limited.headers.contains_key("retry-after"));
    // From that address nothing is tried now, not even a valid cookie.
    assert_eq!(app.refresh(&session.refresh).await.code(), "RATE_LIMITED");
    // Another address is not affected (the proxy's X-Forwarded-For is trusted here).
    let cookie = app.cookie(&session.refresh);
    let elsewhere = app
        .post_with(
            json!({ "query": REFRESH_SESSION }),
            &[
                ("cookie", cookie.as_str()),
                ("x-forwarded-for", "203.0.113.77"),
            ],
        )
        .await;
    SignedIn::from_reply(&app, &elsewhere, "refreshSession");
}

async fn a_session_revoked_through_one_replica_is_refused_by_another(backend: Backend) {
    let app = TestApp::new(backend).await;
    let other = app.replica().await;
    let (user, session) = user_session(&app, "replicated").await;
    let me = |token: &str| {
        post_request(
            json!({ "query": ME }),
            &[("authorization", &format!("Bearer {token}"))],
        )
    };
    app.send_to(&other, me(&session.access)).await.ok();

    // Revoked through this process: the other refuses the next request.
    let bearer = format!("Bearer {}", session.access);
    app.post_with(
        json!({ "query": "mutation { logout { message } }" }),
        &[("authorization", bearer.as_str())],
    )
    .await
    .ok();
    assert_eq!(
        app.send_to(&other, me(&session.access)).await.code(),
        "UNAUTHENTICATED"
    );
    let cookie = app.cookie(&session.refresh);
    let refresh = post_request(
        json!({ "query": REFRESH_SESSION }),
        &[("cookie", cookie.as_str())],
    );
    assert_eq!(app.send_to(&other, refresh).await.code(), "UNAUTHENTICATED");

    // And the other way round: rotated on the other, the old cookie is
    // theft here.
    let session = app.sign_in(&user.email, &user.password, false).await;
    let cookie = app.cookie(&session.refresh);
    let refresh = post_request(
        json!({ "query": REFRESH_SESSION }),
        &[("cookie", cookie.as_str())],
    );
    let rotated = app.send_to(&other, refresh).await;
    let rotated = SignedIn::from_reply(&app, &rotated, "refreshSession");
    assert_eq!(me_code(&app, &rotated.access).await, "");
    let revoke = "mutation($id: UUID!) { revokeSession(id: $id) { message } }";
    let bearer = format!("Bearer {}", rotated.access);
    let request = post_request(
        json!({ "query": revoke, "variables": { "id": rotated.session_id } }),
        &[("authorization", bearer.as_str())],
    );
    app.send_to(&other, request).await.ok();
    assert_eq!(me_code(&app, &rotated.access).await, "UNAUTHENTICATED");
}
