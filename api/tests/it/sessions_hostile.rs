//! Sessions as someone who did not write them uses them: many tabs at
//! once, a refresh racing a logout or a revocation, a flood of guesses
//! from many addresses, hostile headers.

use futures_util::future::join_all;
use serde_json::json;

use crate::{
    common::{Backend, SignedIn, TestApp, REFRESH_SESSION},
    on_both_databases,
};

on_both_databases!(
    many_tabs_refreshing_at_once_get_one_rotation_and_no_server_fault,
    a_refresh_racing_a_revocation_never_outlives_it,
    logout_with_a_cookie_rotated_a_moment_ago_ends_the_session,
    guesses_from_one_ipv6_network_share_one_budget,
);

const ME: &str = "{ me { id } }";

async fn me_code(app: &TestApp, token: &str) -> String {
    app.gql(ME, json!({}), Some(token)).await.code().to_owned()
}

async fn session_of(app: &TestApp, name: &str) -> SignedIn {
    let user = app.user(name).await;
    app.sign_in(&user.email, &user.password, true).await
}

/// Eight tabs wake up together and all send the same cookie: one rotates,
/// the others get an access token inside the grace period, and none of
/// them is a server error (SQLite's writer lock, PostgreSQL's row lock).
async fn many_tabs_refreshing_at_once_get_one_rotation_and_no_server_fault(backend: Backend) {
    let app = TestApp::new(backend).await;
    let session = session_of(&app, "eight-tabs").await;
    let replies = join_all((0..8).map(|_| app.refresh(&session.refresh))).await;
    let codes: Vec<&str> = replies.iter().map(|r| r.code()).collect();
    assert!(codes.iter().all(|c| c.is_empty()), "{codes:?}");
    let rotated: Vec<String> = replies
        .iter()
        .filter_map(|r| r.refresh_token(app.cookie_name()))
        .collect();
    assert_eq!(rotated.len(), 1, "exactly one rotation");
    for reply in &replies {
        let access = reply.ok()["refreshSession"]["accessToken"].as_str().unwrap();
        assert_eq!(me_code(&app, access).await, "");
    }
    // The winner's cookie is the session's; the session is not revoked.
    let next = app.refresh(&rotated[0]).await;
    SignedIn::from_reply(&app, &next, "refreshSession");
}

/// "Sign out everywhere" while a tab refreshes: whatever the order, once
/// both have answered, nothing the refresh handed out still works.
async fn a_refresh_racing_a_revocation_never_outlives_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("racing-revoke").await;
    for round in 0..10 {
        let session = app.sign_in(&user.email, &user.password, true).await;
        let everywhere = "mutation { logoutEverywhere(keepCurrent: false) { message } }";
        let (refresh, revoke) = tokio::join!(
            app.refresh(&session.refresh),
            app.gql(everywhere, json!({}), Some(&session.access)),
        );
        assert!(
            ["", "UNAUTHENTICATED"].contains(&refresh.code()),
            "round {round}: {}",
            refresh.body
        );
        revoke.ok();
        if let Some(access) = refresh.data()["refreshSession"]["accessToken"].as_str() {
            assert_eq!(me_code(&app, access).await, "UNAUTHENTICATED", "round {round}");
        }
        if let Some(cookie) = refresh.refresh_token(app.cookie_name()) {
            assert_eq!(
                app.refresh(&cookie).await.code(),
                "UNAUTHENTICATED",
                "round {round}"
            );
        }
    }
}

/// The user clicks "Log out" while a silent refresh is in flight: both
/// requests carry the same cookie and the refresh rotates it first. The
/// logout must still end the session: otherwise the refresh's new cookie,
/// if the browser stores it after the logout's clearing one, keeps a
/// "logged out" browser signed in.
async fn logout_with_a_cookie_rotated_a_moment_ago_ends_the_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let session = session_of(&app, "logout-race").await;
    let winner = app.refresh(&session.refresh).await;
    let winner = SignedIn::from_reply(&app, &winner, "refreshSession");
    // The logout arrives with the old cookie and no usable bearer (the
    // access token it would send is what the refresh was renewing).
    let cookie = app.cookie(&session.refresh);
    app.post_with(
        json!({ "query": "mutation { logout { message } }" }),
        &[("cookie", cookie.as_str())],
    )
    .await
    .ok();
    assert_eq!(
        app.refresh(&winner.refresh).await.code(),
        "UNAUTHENTICATED",
        "the session the logout named is over"
    );
    assert_eq!(me_code(&app, &winner.access).await, "UNAUTHENTICATED");
}

/// Anyone with an IPv6 network has 2^64 addresses: a per-address budget
/// must count the /64, or every guess comes from a fresh address.
async fn guesses_from_one_ipv6_network_share_one_budget(backend: Backend) {
    let app = TestApp::with_env(backend, &[("REFRESH_IP_FAILURES_PER_MINUTE", "3")]).await;
    let mut codes = Vec::new();
    for host in 1..=6 {
        let cookie = app.cookie(&format!("{host:064x}"));
        let address = format!("2001:db8:7:9::{host:x}");
        let reply = app
            .post_with(
                json!({ "query": REFRESH_SESSION }),
                &[("cookie", cookie.as_str()), ("x-forwarded-for", &address)],
            )
            .await;
        codes.push(reply.code().to_owned());
    }
    assert_eq!(
        codes,
        [
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "RATE_LIMITED",
            "RATE_LIMITED",
            "RATE_LIMITED"
        ]
    );
    // Another /64 has its own budget.
    let cookie = app.cookie(&"e".repeat(64));
    let other = app
        .post_with(
            json!({ "query": REFRESH_SESSION }),
            &[
                ("cookie", cookie.as_str()),
                ("x-forwarded-for", "2001:db8:7:a::1"),
            ],
        )
        .await;
    assert_eq!(other.code(), "UNAUTHENTICATED");
}
