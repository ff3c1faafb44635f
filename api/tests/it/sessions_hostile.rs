//! Sessions as someone who did not write them uses them: many tabs at
//! once, a refresh racing a logout or a revocation, a flood of guesses
//! from many addresses, hostile headers.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;

use crate::{
    common::{post_request, Backend, SignedIn, TestApp, LOGIN_SESSION, REFRESH_SESSION},
    on_both_databases,
};

on_both_databases!(
    many_tabs_refreshing_at_once_get_one_rotation_and_no_server_fault,
    a_refresh_racing_a_revocation_never_outlives_it,
    logout_with_a_cookie_rotated_a_moment_ago_ends_the_session,
    guesses_from_one_ipv6_network_share_one_budget,
    a_refresh_whose_client_hangs_up_leaves_the_session_usable,
    hostile_user_agents_and_ipv6_addresses_are_stored_bounded,
    tabs_at_the_grace_boundary_never_get_a_server_fault,
    two_replicas_refreshing_one_cookie_rotate_it_once,
    a_long_night_of_refreshes_and_guesses_leaves_no_rows_forever,
    sign_ins_racing_a_revoke_all_are_never_a_server_fault,
    a_sign_in_reads_only_the_pending_reuse_notices_not_every_session,
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
        let access = reply.ok()["refreshSession"]["accessToken"]
            .as_str()
            .unwrap();
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
            assert_eq!(
                me_code(&app, access).await,
                "UNAUTHENTICATED",
                "round {round}"
            );
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

/// The client hangs up while its refresh is being answered (the future is
/// dropped at every stage, from before the lookup to after the commit):
/// the next refresh with the cookie it still holds is answered, never a
/// server error or a hang, and the session is never revoked by it.
async fn a_refresh_whose_client_hangs_up_leaves_the_session_usable(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("hang-up").await;
    for micros in (0..4000).step_by(250) {
        let session = app.sign_in(&user.email, &user.password, true).await;
        let abandoned =
            tokio::time::timeout(Duration::from_micros(micros), app.refresh(&session.refresh))
                .await;
        let retry = tokio::time::timeout(Duration::from_secs(10), app.refresh(&session.refresh))
            .await
            .expect("the retry is answered");
        assert_eq!(retry.code(), "", "after {micros} µs: {}", retry.body);
        let access = retry.ok()["refreshSession"]["accessToken"]
            .as_str()
            .unwrap();
        assert_eq!(me_code(&app, access).await, "", "after {micros} µs");
        if abandoned.is_ok() {
            break;
        }
    }
}

/// A 64 KiB user agent, one with non-ASCII bytes, one with a tab, and an
/// IPv6 client: the session list answers, with the user agent bounded.
async fn hostile_user_agents_and_ipv6_addresses_are_stored_bounded(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("hostile-ua").await;
    let huge = "Mozilla/5.0 ".repeat(64 * 1024 / 12);
    let mut tokens = Vec::new();
    for (ua, ip) in [
        (huge.as_bytes().to_vec(), "2001:db8::1"),
        (b"Bot/1 \xff\xfe caf\xc3\xa9".to_vec(), "::ffff:192.0.2.1"),
        (
            b"Tab\tseparated".to_vec(),
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
        ),
    ] {
        let body = json!({
            "query": LOGIN_SESSION,
            "variables": { "e": user.email, "p": user.password, "r": true },
        });
        let request = axum::http::Request::post("/graphql")
            .header("content-type", "application/json")
            .header("x-forwarded-for", ip)
            .header(
                "user-agent",
                axum::http::HeaderValue::from_bytes(&ua).unwrap(),
            )
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        let reply = app.send(request).await;
        tokens.push(
            reply.ok()["login"]["accessToken"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let list = app
        .gql(
            "{ sessions { userAgent ip lastIp browser } }",
            json!({}),
            Some(&tokens[0]),
        )
        .await;
    let sessions = list.ok()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 4, "sign-up's and these three: {sessions:?}");
    for session in &sessions {
        let ua = session["userAgent"].as_str().unwrap_or_default();
        assert!(ua.len() <= 512, "{} bytes", ua.len());
    }
    let ips: Vec<&str> = sessions.iter().filter_map(|s| s["ip"].as_str()).collect();
    assert!(ips.contains(&"2001:db8::1"), "{ips:?}");
}

/// Tabs that send the rotated cookie around the end of the grace period:
/// each gets an access token or UNAUTHENTICATED (the session then revoked
/// as reuse), never a server error.
async fn tabs_at_the_grace_boundary_never_get_a_server_fault(backend: Backend) {
    let app = TestApp::with_env(backend, &[("SESSION_REFRESH_REUSE_GRACE_SECS", "1")]).await;
    let session = session_of(&app, "grace-boundary").await;
    let winner = app.refresh(&session.refresh).await;
    SignedIn::from_reply(&app, &winner, "refreshSession");
    tokio::time::sleep(Duration::from_millis(950)).await;
    let (app_ref, old) = (&app, session.refresh.as_str());
    let late = join_all((0..6).map(|i| async move {
        tokio::time::sleep(Duration::from_millis(20 * i)).await;
        app_ref.refresh(old).await
    }))
    .await;
    for reply in &late {
        assert!(
            ["", "UNAUTHENTICATED"].contains(&reply.code()),
            "{}",
            reply.body
        );
        assert!(reply.refresh_token(app.cookie_name()).is_none());
    }
    // After the boundary the old cookie is theft: the session ended.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
}

/// The same cookie through two API processes at once: one rotation, and
/// the loser answered from the grace period, on both databases.
async fn two_replicas_refreshing_one_cookie_rotate_it_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let other = app.replica().await;
    for round in 0..5 {
        let session = session_of(&app, &format!("replicas-{round}")).await;
        let cookie = app.cookie(&session.refresh);
        let request = || {
            post_request(
                json!({ "query": REFRESH_SESSION }),
                &[("cookie", cookie.as_str())],
            )
        };
        let (here, there) = tokio::join!(app.send(request()), app.send_to(&other, request()));
        assert_eq!((here.code(), there.code()), ("", ""), "round {round}");
        let rotations = [&here, &there]
            .iter()
            .filter(|r| r.refresh_token(app.cookie_name()).is_some())
            .count();
        assert_eq!(rotations, 1, "round {round}");
    }
}

async fn rows<E: sea_orm::EntityTrait>(app: &TestApp, _: E) -> u64
where
    E::Model: Sync,
{
    sea_orm::PaginatorTrait::count(E::find(), &app.state.db)
        .await
        .unwrap()
}

/// A night of guesses from many addresses and of refreshes every quarter
/// hour, by users who then never sign in again: the sweep deletes the
/// throttle rows once they are a day old and the sessions a week after
/// they ended, with every token they rotated away from; a live session
/// and its tokens stay.
async fn a_long_night_of_refreshes_and_guesses_leaves_no_rows_forever(backend: Backend) {
    use entity::{rotated_refresh_token as rotated, session, throttle};
    use rampart_api::auth::sweep;

    let app = TestApp::new(backend).await;
    let before = rows(&app, throttle::Entity).await;
    for host in 1..=30 {
        let cookie = app.cookie(&format!("{host:064x}"));
        let address = format!("192.0.2.{host}");
        let reply = app
            .post_with(
                json!({ "query": REFRESH_SESSION }),
                &[("cookie", cookie.as_str()), ("x-forwarded-for", &address)],
            )
            .await;
        assert_eq!(reply.code(), "UNAUTHENTICATED");
    }
    assert!(rows(&app, throttle::Entity).await >= before + 30);

    let gone = session_of(&app, "gone-for-good").await;
    let mut refresh = gone.refresh.clone();
    for _ in 0..20 {
        let reply = app.refresh(&refresh).await;
        refresh = SignedIn::from_reply(&app, &reply, "refreshSession").refresh;
    }
    let cookie = app.cookie(&refresh);
    app.post_with(
        json!({ "query": "mutation { logout { message } }" }),
        &[("cookie", cookie.as_str())],
    )
    .await
    .ok();
    let staying = session_of(&app, "staying").await;
    app.refresh(&staying.refresh).await.ok();
    let sessions = rows(&app, session::Entity).await;
    assert!(rows(&app, rotated::Entity).await >= 21);

    let now = chrono::Utc::now();
    // An hour later nothing is stale yet.
    let swept = sweep::sweep(&app.state, now + chrono::TimeDelta::hours(1))
        .await
        .unwrap();
    assert_eq!(swept, sweep::Swept::default());
    // Two days later the throttle rows are gone; the ended session is kept
    // for its week (the audit trail names it).
    let swept = sweep::sweep(&app.state, now + chrono::TimeDelta::days(2))
        .await
        .unwrap();
    assert!(swept.throttles >= 30, "{swept:?}");
    assert_eq!(swept.sessions, 0);
    assert_eq!(rows(&app, throttle::Entity).await, 0);
    // Eight days later the logged-out session goes, with its 20 rotated
    // tokens, and so do the two sign-ups' browser sessions (ended after
    // 12 hours); the staying one (idle from day 7) is kept another week.
    let swept = sweep::sweep(&app.state, now + chrono::TimeDelta::days(8))
        .await
        .unwrap();
    assert_eq!(swept.sessions, 3, "{swept:?}");
    assert_eq!(rows(&app, session::Entity).await, sessions - 3);
    assert_eq!(
        rows(&app, rotated::Entity).await,
        1,
        "the staying session's one"
    );
}

/// Sign-ins insert a session and take the reuse notice in one
/// transaction; "sign out everywhere" updates the same rows. Run together
/// (with old ended sessions and pending notices to take), none of them is
/// a server error (a PostgreSQL deadlock would be INTERNAL).
async fn sign_ins_racing_a_revoke_all_are_never_a_server_fault(backend: Backend) {
    use entity::session;
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};

    let app = TestApp::new(backend).await;
    let user = app.user("crowded").await;
    for round in 0..3 {
        for _ in 0..4 {
            app.sign_in(&user.email, &user.password, false).await;
        }
        let long_ago = chrono::Utc::now() - chrono::TimeDelta::days(8);
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(long_ago))
            .col_expr(
                session::Column::ReuseNoticePending,
                Expr::value(round % 2 == 1),
            )
            .filter(session::Column::UserId.eq(uuid::Uuid::parse_str(&user.id).unwrap()))
            .exec(&app.state.db)
            .await
            .unwrap();
        let current = app.sign_in(&user.email, &user.password, false).await;
        let everywhere = "mutation { logoutEverywhere(keepCurrent: true) { message } }";
        let (a, b, c, revoke) = tokio::join!(
            app.login(&user.email, &user.password),
            app.login(&user.email, &user.password),
            app.login(&user.email, &user.password),
            app.gql(everywhere, json!({}), Some(&current.access)),
        );
        for reply in [&a, &b, &c, &revoke] {
            assert_eq!(reply.code(), "", "round {round}: {}", reply.body);
        }
    }
}

/// Every sign-in clears the user's pending reuse notice. That statement
/// must read the pending rows only (both columns of the index bound), on
/// both backends and in PostgreSQL's generic plan (which a prepared
/// statement gets after five runs): reading every session the user ever
/// opened made a sign-in's database work grow with each sign-in (a user
/// with thousands of sessions cost PostgreSQL milliseconds per sign-in;
/// docs/benchmarks.md).
async fn a_sign_in_reads_only_the_pending_reuse_notices_not_every_session(backend: Backend) {
    use entity::session;
    use rampart_api::sessions::store;
    use sea_orm::{
        ConnectionTrait, DbBackend, EntityTrait, QueryTrait, Set, Statement, TransactionTrait,
    };

    let app = TestApp::new(backend).await;
    let user = app.user("many-sessions").await;
    app.sign_in(&user.email, &user.password, false).await;
    let user_id = uuid::Uuid::parse_str(&user.id).unwrap();
    // Hundreds of sessions, as a user who signed in every day for a year.
    let opened = session::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let more = (0..400).map(|n| {
        let mut copy: session::ActiveModel = opened.clone().into();
        copy.id = Set(uuid::Uuid::now_v7());
        copy.refresh_hash = Set(format!("{n:064x}"));
        copy
    });
    session::Entity::insert_many(more)
        .exec(&app.state.db)
        .await
        .unwrap();
    let taken = store::reuse_notice_taken(user_id).build(app.state.db.get_database_backend());
    let plan: Vec<String> = match backend {
        Backend::Postgres => {
            let txn = app.state.db.begin().await.unwrap();
            // A table of one user's sessions is best read whole; among
            // many users' it is not. Without the scan, the planner shows
            // which index it would read and how far.
            txn.execute_unprepared(
                "SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off",
            )
            .await
            .unwrap();
            txn.execute_unprepared(&format!("PREPARE take_notice AS {}", taken.sql))
                .await
                .unwrap();
            let explain = format!("EXPLAIN EXECUTE take_notice(false, '{user_id}', true)");
            let rows = txn
                .query_all(Statement::from_string(DbBackend::Postgres, explain))
                .await
                .unwrap();
            rows.iter()
                .map(|row| row.try_get::<String>("", "QUERY PLAN").unwrap())
                .collect()
        }
        Backend::Sqlite => {
            let explain = format!("EXPLAIN QUERY PLAN {}", taken.sql);
            let values = taken.values.unwrap();
            let rows = app
                .state
                .db
                .query_all(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    explain,
                    values,
                ))
                .await
                .unwrap();
            rows.iter()
                .map(|row| row.try_get::<String>("", "detail").unwrap())
                .collect()
        }
    };
    let plan = plan.join("\n");
    let bound = match backend {
        Backend::Postgres => "Index Cond: ((user_id = $2) AND (reuse_notice_pending = $3))",
        Backend::Sqlite => {
            "USING INDEX idx_sessions_user_notice (user_id=? AND reuse_notice_pending=?)"
        }
    };
    assert!(
        plan.contains(bound),
        "the notice is taken through the user's pending sessions only:\n{}\n{plan}",
        taken.sql
    );
}
