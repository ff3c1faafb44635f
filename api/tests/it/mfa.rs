//! The second factor (issue 14): enrolment, sign-in with a TOTP or
//! recovery code, replay and window edges, throttling of wrong codes,
//! recovery codes, disable and superuser reset, superuser enforcement,
//! sessions ended by MFA changes, encryption at rest and key rotation.
//! Codes are computed from the secret the API shows, with totp-rs, as an
//! authenticator app would.

use std::time::{SystemTime, UNIX_EPOCH};

use entity::{session, user_mfa};
use rampart_api::{
    caller::{Auth, Caller, Viewer},
    config::MfaKey,
    http::build_router,
    state::AppState,
};
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use serde_json::json;
use uuid::Uuid;

use crate::{
    common::{Backend, Reply, SignedIn, TestApp, TestUser},
    on_both_databases,
};

on_both_databases!(
    enrolment_stays_pending_until_a_right_first_code,
    the_password_step_alone_gives_no_session,
    a_challenge_needs_its_cookie_is_single_use_and_expires,
    a_code_is_accepted_once,
    two_concurrent_completions_with_one_code_one_wins,
    codes_are_accepted_one_step_each_way_and_no_further,
    wrong_codes_count_toward_the_account_throttle_and_are_audited,
    a_challenge_dies_after_five_wrong_codes,
    recovery_codes_are_single_use_and_regeneration_replaces_them,
    disabling_needs_the_password_and_a_code,
    a_superuser_resets_a_users_mfa,
    superusers_without_mfa_must_enrol_first,
    mfa_changes_end_the_other_sessions,
    the_secret_is_encrypted_at_rest_and_never_shown_again,
    a_rotated_key_still_decrypts_and_the_secret_is_re_encrypted,
    the_rotate_command_re_encrypts_every_secret_so_the_old_key_can_go,
    two_rotate_runs_at_once_re_seal_each_secret_once,
    confirm_code_passes_without_mfa_and_checks_with_it,
    an_email_change_needs_a_code_with_mfa_on,
);

const LOGIN: &str = "mutation($e: String!, $p: String!, $r: Boolean!) { login(input: {email: $e, password: $p, rememberMe: $r}) { __typename ... on AccessToken { accessToken sessionId } ... on MfaChallenge { challengeToken expiresAt } } }";
const COMPLETE: &str = "mutation($t: String!, $c: String!) { completeMfaLogin(input: {challengeToken: $t, code: $c}) { accessToken expiresAt sessionId securityNotice } }";
const BEGIN: &str = "mutation($p: String!) { beginMfaEnrolment(input: {password: $p}) { secret otpauthUri expiresAt } }";
const CONFIRM: &str = "mutation($c: String!) { confirmMfaEnrolment(input: {code: $c}) { codes } }";
const STATUS: &str = "{ mfaStatus { enabled enabledAt recoveryCodesRemaining } me { mfaEnabled } }";
const REGENERATE: &str = "mutation($p: String!, $c: String!) { regenerateRecoveryCodes(input: {password: $p, code: $c}) { codes } }";
const DISABLE: &str =
    "mutation($p: String!, $c: String!) { disableMfa(input: {password: $p, code: $c}) { message } }";
const RESET: &str = "mutation($id: UUID!) { resetUserMfa(userId: $id) { message } }";

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The code an authenticator app shows at `unix` for `secret`.
fn code_at(secret: &[u8], unix: u64) -> String {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .build()
        .unwrap()
        .generate(unix)
        .to_string()
}

/// Waits out the last seconds of a 30-second step, so a code computed
/// now is checked by the server in the same step (window-edge tests
/// would otherwise be flaky at a boundary).
async fn steady_step() {
    while unix_now() % 30 > 26 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

struct Enrolled {
    secret: Vec<u8>,
    codes: Vec<String>,
}

async fn begin(app: &TestApp, user: &TestUser) -> Reply {
    app.gql(BEGIN, json!({ "p": user.password }), Some(&user.token))
        .await
}

async fn enrol_with(app: &TestApp, token: &str, password: &str) -> Enrolled {
    let reply = app.gql(BEGIN, json!({ "p": password }), Some(token)).await;
    let base32 = reply.ok()["beginMfaEnrolment"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = totp_rs::Secret::try_from_base32(&base32)
        .unwrap()
        .as_bytes()
        .to_vec();
    steady_step().await;
    let reply = app
        .gql(
            CONFIRM,
            json!({ "c": code_at(&secret, unix_now()) }),
            Some(token),
        )
        .await;
    let codes = reply.ok()["confirmMfaEnrolment"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    Enrolled { secret, codes }
}

async fn enrol(app: &TestApp, user: &TestUser) -> Enrolled {
    enrol_with(app, &user.token, &user.password).await
}

/// Forgets which time steps were used, as if a minute had passed: the
/// next code of the current step is then new. (Replay tests never call it.)
async fn let_time_pass(app: &TestApp, user_id: &str) {
    user_mfa::Entity::update_many()
        .col_expr(
            user_mfa::Column::LastUsedStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(user_mfa::Column::UserId.eq(Uuid::parse_str(user_id).unwrap()))
        .exec(&app.state.db)
        .await
        .unwrap();
}

async fn fresh_code(app: &TestApp, user_id: &str, secret: &[u8]) -> String {
    let_time_pass(app, user_id).await;
    steady_step().await;
    code_at(secret, unix_now())
}

/// The password step's answer with MFA on, as a browser holds it.
struct Challenge {
    token: String,
    cookie: String,
}

fn mfa_cookie_name(app: &TestApp) -> &'static str {
    rampart_api::mfa::cookie::name(&app.state.config.sessions)
}

async fn password_step(app: &TestApp, email: &str, password: &str) -> (Reply, Option<Challenge>) {
    let reply = app
        .post_with(
            json!({ "query": LOGIN, "variables": { "e": email, "p": password, "r": false } }),
            &[],
        )
        .await;
    let challenge = (reply.data()["login"]["__typename"] == "MfaChallenge").then(|| {
        let name = mfa_cookie_name(app);
        let binding = reply.refresh_token(name).expect("the challenge cookie");
        Challenge {
            token: reply.data()["login"]["challengeToken"]
                .as_str()
                .unwrap()
                .to_owned(),
            cookie: format!("{name}={binding}"),
        }
    });
    (reply, challenge)
}

async fn challenge_for(app: &TestApp, user: &TestUser) -> Challenge {
    let (reply, challenge) = password_step(app, &user.email, &user.password).await;
    challenge.unwrap_or_else(|| panic!("expected a challenge: {}", reply.body))
}

async fn complete(app: &TestApp, challenge: &Challenge, code: &str) -> Reply {
    app.post_with(
        json!({ "query": COMPLETE, "variables": { "t": challenge.token, "c": code } }),
        &[("cookie", challenge.cookie.as_str())],
    )
    .await
}

async fn status(app: &TestApp, token: &str) -> serde_json::Value {
    app.gql(STATUS, json!({}), Some(token)).await.ok().clone()
}

async fn me_code(app: &TestApp, token: &str) -> String {
    app.gql("{ me { id } }", json!({}), Some(token))
        .await
        .code()
        .to_owned()
}

async fn enrolment_stays_pending_until_a_right_first_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("enroller").await;
    let wrong_password = app
        .gql(
            BEGIN,
            json!({ "p": "not-my-password-1" }),
            Some(&user.token),
        )
        .await;
    assert_eq!(wrong_password.code(), "BAD_USER_INPUT");
    assert_eq!(wrong_password.field(), "password");

    let reply = begin(&app, &user).await;
    let enrolment = &reply.ok()["beginMfaEnrolment"];
    let base32 = enrolment["secret"].as_str().unwrap();
    assert!(base32.len() >= 32 && !base32.contains('='), "{base32}");
    let uri = enrolment["otpauthUri"].as_str().unwrap();
    let label = user.email.replace('@', "%40");
    assert_eq!(
        uri,
        format!(
            "otpauth://totp/Rampart:{label}?secret={base32}&issuer=Rampart&algorithm=SHA1&digits=6&period=30"
        )
    );
    // Pending: not on yet, and the password alone still signs in.
    let now = status(&app, &user.token).await;
    assert_eq!(now["mfaStatus"]["enabled"], false);
    assert_eq!(now["me"]["mfaEnabled"], false);
    let (reply, challenge) = password_step(&app, &user.email, &user.password).await;
    assert!(challenge.is_none());
    assert_eq!(reply.ok()["login"]["__typename"], "AccessToken");

    let secret = totp_rs::Secret::try_from_base32(base32)
        .unwrap()
        .as_bytes()
        .to_vec();
    steady_step().await;
    let wrong = code_at(&secret, unix_now() + 300);
    let reply = app
        .gql(CONFIRM, json!({ "c": wrong }), Some(&user.token))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert_eq!(reply.field(), "code");
    assert_eq!(
        status(&app, &user.token).await["mfaStatus"]["enabled"],
        false
    );
    assert_eq!(app.audit_count("mfa.code_failed", &user.id).await, 1);

    let reply = app
        .gql(
            CONFIRM,
            json!({ "c": code_at(&secret, unix_now()) }),
            Some(&user.token),
        )
        .await;
    let codes = reply.ok()["confirmMfaEnrolment"]["codes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(codes.len(), 10);
    for code in &codes {
        let code = code.as_str().unwrap();
        assert_eq!(code.len(), 11, "{code}");
        assert_eq!(&code[5..6], "-");
    }
    let now = status(&app, &user.token).await;
    assert_eq!(now["mfaStatus"]["enabled"], true);
    assert!(now["mfaStatus"]["enabledAt"].is_string());
    assert_eq!(now["mfaStatus"]["recoveryCodesRemaining"], 10);
    assert_eq!(now["me"]["mfaEnabled"], true);
    assert_eq!(app.audit_count("mfa.enabled", &user.id).await, 1);
    let mail = app.smtp.wait_for(&user.email).await;
    assert!(
        mail.decoded().contains("two-step sign-in is on"),
        "{}",
        mail.data
    );
}

async fn the_password_step_alone_gives_no_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("guarded").await;
    let enrolled = enrol(&app, &user).await;
    let sessions_before = session::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .len();

    let (reply, challenge) = password_step(&app, &user.email, &user.password).await;
    let challenge = challenge.expect("a challenge");
    assert!(reply.data()["login"].get("accessToken").is_none());
    assert!(
        reply.set_cookie(app.cookie_name()).is_none(),
        "no refresh cookie for the password step"
    );
    let cookie = reply.set_cookie(mfa_cookie_name(&app)).unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(cookie.contains("Max-Age=300"), "{cookie}");
    assert_eq!(
        session::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .len(),
        sessions_before,
        "the password step opened no session"
    );
    assert_eq!(app.audit_count("mfa.challenge_issued", &user.id).await, 1);
    // A challenge token is no bearer token.
    assert_eq!(me_code(&app, &challenge.token).await, "UNAUTHENTICATED");

    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    let reply = complete(&app, &challenge, &code).await;
    let signed_in = SignedIn::from_reply(&app, &reply, "completeMfaLogin");
    assert!(reply
        .set_cookie(mfa_cookie_name(&app))
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(me_code(&app, &signed_in.access).await, "");
    let row = session::Entity::find_by_id(Uuid::parse_str(&signed_in.session_id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.mfa_used, "the session records the second factor");
    let listed = app
        .gql(
            "{ sessions { current mfaUsed } }",
            json!({}),
            Some(&signed_in.access),
        )
        .await;
    // The new session first; the one that enrolled used the password alone.
    assert_eq!(
        listed.ok()["sessions"],
        json!([{ "current": true, "mfaUsed": true }, { "current": false, "mfaUsed": false }]),
        "and shows it to its user"
    );
    // Wrong password with MFA on: the same generic failure as ever.
    let (reply, challenge) = password_step(&app, &user.email, "wrong-password-1").await;
    assert!(challenge.is_none());
    assert_eq!(reply.code(), "UNAUTHENTICATED");
}

async fn a_challenge_needs_its_cookie_is_single_use_and_expires(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("bound").await;
    let enrolled = enrol(&app, &user).await;

    let challenge = challenge_for(&app, &user).await;
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    let no_cookie = app
        .post_with(
            json!({ "query": COMPLETE, "variables": { "t": challenge.token, "c": code } }),
            &[],
        )
        .await;
    assert_eq!(no_cookie.code(), "UNAUTHENTICATED");
    let other = challenge_for(&app, &user).await;
    let wrong_cookie = Challenge {
        token: challenge.token.clone(),
        cookie: other.cookie.clone(),
    };
    assert_eq!(
        complete(&app, &wrong_cookie, &code).await.code(),
        "UNAUTHENTICATED"
    );
    let unknown = Challenge {
        token: "not-a-challenge".into(),
        cookie: challenge.cookie.clone(),
    };
    assert_eq!(
        complete(&app, &unknown, &code).await.code(),
        "UNAUTHENTICATED"
    );

    // The refusals above spent nothing: the real pair still works, once.
    complete(&app, &challenge, &code).await.ok();
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    assert_eq!(
        complete(&app, &challenge, &code).await.code(),
        "UNAUTHENTICATED"
    );

    // Expired: the clock of the row is moved back past its deadline.
    let late = challenge_for(&app, &user).await;
    entity::mfa_challenge::Entity::update_many()
        .col_expr(
            entity::mfa_challenge::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::TimeDelta::seconds(1)),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    assert_eq!(complete(&app, &late, &code).await.code(), "UNAUTHENTICATED");
}

async fn a_code_is_accepted_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("replayer").await;
    let enrolled = enrol(&app, &user).await;
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    let first = challenge_for(&app, &user).await;
    complete(&app, &first, &code).await.ok();
    let second = challenge_for(&app, &user).await;
    let replay = complete(&app, &second, &code).await;
    assert_eq!(replay.code(), "BAD_USER_INPUT");
    assert_eq!(replay.field(), "code");
    // An earlier step's code than the one used is refused too.
    let earlier = code_at(&enrolled.secret, unix_now() - 30);
    assert_eq!(
        complete(&app, &second, &earlier).await.code(),
        "BAD_USER_INPUT"
    );
}

async fn two_concurrent_completions_with_one_code_one_wins(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("racer").await;
    let enrolled = enrol(&app, &user).await;
    for _ in 0..3 {
        let code = fresh_code(&app, &user.id, &enrolled.secret).await;
        // Two challenges (two browsers with the password) and one challenge
        // sent twice, each racing with the same code.
        let (a, b) = (
            challenge_for(&app, &user).await,
            challenge_for(&app, &user).await,
        );
        let (one, two) = tokio::join!(complete(&app, &a, &code), complete(&app, &b, &code));
        let wins = [&one, &two].iter().filter(|r| r.code().is_empty()).count();
        assert_eq!(wins, 1, "{} / {}", one.body, two.body);
        let code = fresh_code(&app, &user.id, &enrolled.secret).await;
        let c = challenge_for(&app, &user).await;
        let (one, two) = tokio::join!(complete(&app, &c, &code), complete(&app, &c, &code));
        let wins = [&one, &two].iter().filter(|r| r.code().is_empty()).count();
        assert_eq!(wins, 1, "{} / {}", one.body, two.body);
    }
}

async fn codes_are_accepted_one_step_each_way_and_no_further(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("drifter").await;
    let enrolled = enrol(&app, &user).await;
    let_time_pass(&app, &user.id).await;
    steady_step().await;
    let now = unix_now();
    let challenge = challenge_for(&app, &user).await;
    for offset in [-60i64, 60, -90, 90] {
        let code = code_at(&enrolled.secret, (now as i64 + offset) as u64);
        assert_eq!(
            complete(&app, &challenge, &code).await.code(),
            "BAD_USER_INPUT",
            "{offset} s"
        );
    }
    let challenge = challenge_for(&app, &user).await;
    complete(&app, &challenge, &code_at(&enrolled.secret, now - 30))
        .await
        .ok();
    // A later step than the one used: accepted without forgetting anything.
    let challenge = challenge_for(&app, &user).await;
    complete(&app, &challenge, &code_at(&enrolled.secret, now + 30))
        .await
        .ok();
}

async fn wrong_codes_count_toward_the_account_throttle_and_are_audited(backend: Backend) {
    let app = TestApp::with_env(
        backend,
        &[
            ("LOGIN_BACKOFF_AFTER_FAILURES", "3"),
            ("LOGIN_BACKOFF_BASE_MS", "60000"),
        ],
    )
    .await;
    let user = app.user("guesser").await;
    let enrolled = enrol(&app, &user).await;
    let challenge = challenge_for(&app, &user).await;
    for guess in ["000000", "111111", "222222"] {
        let reply = complete(&app, &challenge, guess).await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.body);
    }
    assert_eq!(app.audit_count("mfa.code_failed", &user.id).await, 3);
    // Locked: even the right code is refused without being checked, and
    // so is the password (one budget for both).
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    let reply = complete(&app, &challenge, &code).await;
    assert_eq!(reply.code(), "RATE_LIMITED", "{}", reply.body);
    let (reply, _) = password_step(&app, &user.email, &user.password).await;
    assert_eq!(reply.code(), "UNAUTHENTICATED");
    let audits = app.audit_count("mfa.code_failed", &user.id).await;
    assert_eq!(audits, 3, "a refused attempt is not a checked one");
}

async fn a_challenge_dies_after_five_wrong_codes(backend: Backend) {
    let app = TestApp::with_env(backend, &[("LOGIN_BACKOFF_AFTER_FAILURES", "100")]).await;
    let user = app.user("fumbler").await;
    let enrolled = enrol(&app, &user).await;
    let challenge = challenge_for(&app, &user).await;
    for _ in 0..5 {
        assert_eq!(
            complete(&app, &challenge, "123456").await.code(),
            "BAD_USER_INPUT"
        );
    }
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    assert_eq!(
        complete(&app, &challenge, &code).await.code(),
        "UNAUTHENTICATED"
    );
    // A new password step gives a new challenge.
    let challenge = challenge_for(&app, &user).await;
    complete(&app, &challenge, &code).await.ok();
}

async fn recovery_codes_are_single_use_and_regeneration_replaces_them(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("lostphone").await;
    let enrolled = enrol(&app, &user).await;
    let code = enrolled.codes[0].to_uppercase().replace('-', " ");
    let challenge = challenge_for(&app, &user).await;
    let reply = complete(&app, &challenge, &code).await;
    let signed_in = SignedIn::from_reply(&app, &reply, "completeMfaLogin");
    assert_eq!(app.audit_count("mfa.recovery_code_used", &user.id).await, 1);
    let mail = loop {
        let found = app
            .smtp
            .messages_to(&user.email)
            .into_iter()
            .find(|m| m.decoded().contains("recovery code was used"));
        if let Some(found) = found {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(
        mail.decoded().contains("You have 9 recovery codes left."),
        "{}",
        mail.decoded()
    );
    let now = status(&app, &signed_in.access).await;
    assert_eq!(now["mfaStatus"]["recoveryCodesRemaining"], 9);

    let challenge = challenge_for(&app, &user).await;
    let again = complete(&app, &challenge, &enrolled.codes[0]).await;
    assert_eq!(again.code(), "BAD_USER_INPUT", "a spent code");

    let wrong = app
        .gql(
            REGENERATE,
            json!({ "p": user.password, "c": enrolled.codes[1] }),
            Some(&signed_in.access),
        )
        .await;
    assert_eq!(
        wrong.code(),
        "BAD_USER_INPUT",
        "regeneration wants the app's code"
    );
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    let reply = app
        .gql(
            REGENERATE,
            json!({ "p": user.password, "c": code }),
            Some(&signed_in.access),
        )
        .await;
    let fresh: Vec<String> = reply.ok()["regenerateRecoveryCodes"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !enrolled.codes.contains(c)));
    assert_eq!(
        app.audit_count("mfa.recovery_codes_regenerated", &user.id)
            .await,
        1
    );
    let challenge = challenge_for(&app, &user).await;
    let old = complete(&app, &challenge, &enrolled.codes[2]).await;
    assert_eq!(old.code(), "BAD_USER_INPUT", "old codes stopped working");
    complete(&app, &challenge, &fresh[0]).await.ok();
}

async fn disabling_needs_the_password_and_a_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("disabler").await;
    let enrolled = enrol(&app, &user).await;
    let current = {
        let challenge = challenge_for(&app, &user).await;
        let code = fresh_code(&app, &user.id, &enrolled.secret).await;
        SignedIn::from_reply(
            &app,
            &complete(&app, &challenge, &code).await,
            "completeMfaLogin",
        )
    };
    let other = {
        let challenge = challenge_for(&app, &user).await;
        let code = fresh_code(&app, &user.id, &enrolled.secret).await;
        SignedIn::from_reply(
            &app,
            &complete(&app, &challenge, &code).await,
            "completeMfaLogin",
        )
    };
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    let reply = app
        .gql(
            DISABLE,
            json!({ "p": "wrong-password-1", "c": code }),
            Some(&current.access),
        )
        .await;
    assert_eq!(
        (reply.code(), reply.field()),
        ("BAD_USER_INPUT", "password")
    );
    let reply = app
        .gql(
            DISABLE,
            json!({ "p": user.password, "c": "000000" }),
            Some(&current.access),
        )
        .await;
    assert_eq!((reply.code(), reply.field()), ("BAD_USER_INPUT", "code"));
    let reply = app
        .gql(
            DISABLE,
            json!({ "p": user.password, "c": code }),
            Some(&current.access),
        )
        .await;
    reply.ok();
    assert_eq!(
        status(&app, &current.access).await["mfaStatus"]["enabled"],
        false
    );
    assert_eq!(me_code(&app, &other.access).await, "UNAUTHENTICATED");
    assert_eq!(app.audit_count("mfa.disabled", &user.id).await, 1);
    let (reply, challenge) = password_step(&app, &user.email, &user.password).await;
    assert!(challenge.is_none());
    assert_eq!(reply.ok()["login"]["__typename"], "AccessToken");
    let mail = loop {
        let found = app
            .smtp
            .messages_to(&user.email)
            .into_iter()
            .find(|m| m.decoded().contains("two-step sign-in is off"));
        if let Some(found) = found {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(mail.decoded().contains("other sessions were signed out"));

    // A recovery code disables too.
    let token = app.token(&user.email, &user.password).await;
    let enrolled = enrol_with(&app, &token, &user.password).await;
    let reply = app
        .gql(
            DISABLE,
            json!({ "p": user.password, "c": enrolled.codes[4] }),
            Some(&token),
        )
        .await;
    reply.ok();
}

async fn a_superuser_resets_a_users_mfa(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("resettee").await;
    let enrolled = enrol(&app, &user).await;
    let session = {
        let challenge = challenge_for(&app, &user).await;
        let code = fresh_code(&app, &user.id, &enrolled.secret).await;
        SignedIn::from_reply(
            &app,
            &complete(&app, &challenge, &code).await,
            "completeMfaLogin",
        )
    };
    let other = app.user("bystander").await;
    let refused = app
        .gql(RESET, json!({ "id": user.id }), Some(&other.token))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");

    let admin = app.admin_token().await;
    let reply = app.gql(RESET, json!({ "id": user.id }), Some(&admin)).await;
    reply.ok();
    assert_eq!(app.audit_count("mfa.reset", &user.id).await, 1);
    assert_eq!(me_code(&app, &session.access).await, "UNAUTHENTICATED");
    assert_eq!(me_code(&app, &user.token).await, "UNAUTHENTICATED");
    assert_eq!(
        app.refresh(&session.refresh).await.code(),
        "UNAUTHENTICATED"
    );
    let mail = loop {
        let found = app.smtp.messages_to(&user.email).into_iter().find(|m| {
            m.decoded()
                .contains("administrator turned off two-step sign-in")
        });
        if let Some(found) = found {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(mail
        .decoded()
        .contains("set up your authenticator app again"));
    let (reply, challenge) = password_step(&app, &user.email, &user.password).await;
    assert!(challenge.is_none(), "{}", reply.body);
    let again = app.gql(RESET, json!({ "id": user.id }), Some(&admin)).await;
    assert_eq!(again.code(), "BAD_USER_INPUT", "nothing left to reset");
}

async fn superusers_without_mfa_must_enrol_first(backend: Backend) {
    let app = TestApp::with_env(backend, &[("MFA_REQUIRED_FOR_SUPERUSERS", "true")]).await;
    let settings = app
        .gql(
            "{ publicSettings { mfaRequiredForSuperusers } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        settings.ok()["publicSettings"]["mfaRequiredForSuperusers"],
        true
    );
    let admin = app.admin_token().await;
    let users = "{ users(limit: 5) { totalCount } }";
    let refused = app.gql(users, json!({}), Some(&admin)).await;
    assert_eq!(refused.code(), "MFA_ENROLMENT_REQUIRED", "{}", refused.body);
    let user = app.user("plain").await;
    let refused = app.gql(RESET, json!({ "id": user.id }), Some(&admin)).await;
    assert_eq!(refused.code(), "MFA_ENROLMENT_REQUIRED");
    // A normal user is not affected, and still gets FORBIDDEN for admin work.
    assert_eq!(
        app.gql(users, json!({}), Some(&user.token)).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(me_code(&app, &user.token).await, "");

    // The first superuser can enrol, and is then let in at once.
    let admin_password = app.admin_password.clone();
    enrol_with(&app, &admin, &admin_password).await;
    app.gql(users, json!({}), Some(&admin)).await.ok();
}

async fn mfa_changes_end_the_other_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("multidevice").await;
    let laptop = app.sign_in(&user.email, &user.password, true).await;
    let phone = app.sign_in(&user.email, &user.password, false).await;
    enrol_with(&app, &laptop.access, &user.password).await;
    assert_eq!(
        me_code(&app, &laptop.access).await,
        "",
        "the current one stays"
    );
    assert_eq!(me_code(&app, &phone.access).await, "UNAUTHENTICATED");
    assert_eq!(me_code(&app, &user.token).await, "UNAUTHENTICATED");
    let row = session::Entity::find_by_id(Uuid::parse_str(&phone.session_id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.revoked_reason.as_deref(), Some("mfa_changed"));
}

async fn the_secret_is_encrypted_at_rest_and_never_shown_again(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("vault").await;
    let enrolled = enrol(&app, &user).await;
    let row = user_mfa::Entity::find_by_id(Uuid::parse_str(&user.id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let stored = row.secret_ciphertext.unwrap();
    assert!(
        !stored
            .windows(enrolled.secret.len())
            .any(|w| w == enrolled.secret.as_slice()),
        "the plaintext secret is not in the row"
    );
    let base32 = totp_rs::Secret::from(enrolled.secret.clone()).to_base32();
    assert!(!String::from_utf8_lossy(&stored).contains(&base32));
    assert_eq!(
        row.secret_key_id.as_deref(),
        Some(app.state.config.mfa.key.id())
    );
    // No field returns the secret after enrolment; starting again is refused.
    let probe = app
        .gql("{ mfaStatus { secret } }", json!({}), Some(&user.token))
        .await;
    assert_eq!(probe.code(), "BAD_USER_INPUT", "{}", probe.body);
    let again = begin(&app, &user).await;
    assert_eq!(again.code(), "CONFLICT");
    // A ciphertext copied into another user's row does not decrypt there.
    let thief = app.user("thief").await;
    let thief_enrolled = enrol(&app, &thief).await;
    let backend = app.state.db.get_database_backend();
    let copy = match backend {
        sea_orm::DatabaseBackend::Postgres => "UPDATE user_mfa SET secret_ciphertext = (SELECT secret_ciphertext FROM user_mfa WHERE user_id = $1), secret_nonce = (SELECT secret_nonce FROM user_mfa WHERE user_id = $1), last_used_step = NULL WHERE user_id = $2",
        _ => "UPDATE user_mfa SET secret_ciphertext = (SELECT secret_ciphertext FROM user_mfa WHERE user_id = ?1), secret_nonce = (SELECT secret_nonce FROM user_mfa WHERE user_id = ?1), last_used_step = NULL WHERE user_id = ?2",
    };
    app.state
        .db
        .execute(Statement::from_sql_and_values(
            backend,
            copy,
            [
                Uuid::parse_str(&user.id).unwrap().into(),
                Uuid::parse_str(&thief.id).unwrap().into(),
            ],
        ))
        .await
        .unwrap();
    let challenge = challenge_for(&app, &thief).await;
    steady_step().await;
    let stolen = code_at(&enrolled.secret, unix_now());
    let reply = complete(&app, &challenge, &stolen).await;
    assert_eq!(reply.code(), "INTERNAL", "{}", reply.body);
    let _ = thief_enrolled;
}

/// A replica of the app on the same database with another MFA key setup.
fn with_keys(
    app: &TestApp,
    key: MfaKey,
    previous: Vec<MfaKey>,
    db: sea_orm::DatabaseConnection,
) -> axum::Router {
    let mut config = app.state.config.clone();
    config.mfa.key = key;
    config.mfa.previous_keys = previous;
    build_router(AppState::new(config, db).unwrap())
}

async fn complete_on(app: &TestApp, router: &axum::Router, user: &TestUser, code: &str) -> Reply {
    let login = crate::common::post_request(
        json!({ "query": LOGIN, "variables": { "e": user.email, "p": user.password, "r": false } }),
        &[],
    );
    let reply = app.send_to(router, login).await;
    let name = mfa_cookie_name(app);
    let binding = reply.refresh_token(name).expect("a challenge cookie");
    let token = reply.ok()["login"]["challengeToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookie = format!("{name}={binding}");
    let request = crate::common::post_request(
        json!({ "query": COMPLETE, "variables": { "t": token, "c": code } }),
        &[("cookie", cookie.as_str())],
    );
    app.send_to(router, request).await
}

async fn a_rotated_key_still_decrypts_and_the_secret_is_re_encrypted(backend: Backend) {
    let old = MfaKey::generate();
    let old_hex = old.to_hex();
    let app = TestApp::with_env(backend, &[("MFA_ENCRYPTION_KEY", old_hex.as_str())]).await;
    let user = app.user("rotator").await;
    let enrolled = enrol(&app, &user).await;
    let new = MfaKey::generate();
    let connect = || rampart_api::db::connect(&app.state.config.database, false);

    let rotated = with_keys(
        &app,
        new.clone(),
        vec![old.clone()],
        connect().await.unwrap(),
    );
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    complete_on(&app, &rotated, &user, &code).await.ok();
    let row = user_mfa::Entity::find_by_id(Uuid::parse_str(&user.id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.secret_key_id.as_deref(), Some(new.id()), "re-encrypted");
    // Recovery codes issued under the old key still work after rotation.
    let reply = complete_on(&app, &rotated, &user, &enrolled.codes[0]).await;
    reply.ok();

    // The old key can now be dropped: the new one alone decrypts.
    let only_new = with_keys(&app, new.clone(), vec![], connect().await.unwrap());
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    complete_on(&app, &only_new, &user, &code).await.ok();
    // A key that never encrypted it cannot, and says nothing about why.
    let stranger = with_keys(&app, MfaKey::generate(), vec![], connect().await.unwrap());
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    let reply = complete_on(&app, &stranger, &user, &code).await;
    assert_eq!(reply.code(), "INTERNAL");
    assert!(!reply.message().contains(new.id()));
}

async fn confirm_code_passes_without_mfa_and_checks_with_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("confirmer").await;
    let model = entity::user::Entity::find_by_id(Uuid::parse_str(&user.id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let caller = |mfa_enabled| Caller {
        auth: Auth::User(Viewer {
            user: model.clone(),
            session_id: Uuid::now_v7(),
            mfa_enabled,
            superuser_needs_mfa: false,
        }),
        ip: None,
        request_id: String::new(),
        user_agent: None,
        refresh_cookie: None,
        mfa_cookie: None,
    };
    use rampart_api::mfa::service::confirm_code;
    confirm_code(&app.state, &caller(false), "code", None)
        .await
        .unwrap();
    let enrolled = enrol(&app, &user).await;
    let missing = confirm_code(&app.state, &caller(true), "code", None).await;
    assert!(matches!(
        missing,
        Err(rampart_api::error::AppError::BadInput { field: "code", .. })
    ));
    let wrong = confirm_code(&app.state, &caller(true), "code", Some("000000")).await;
    assert!(matches!(
        wrong,
        Err(rampart_api::error::AppError::BadInput { .. })
    ));
    let recovery = confirm_code(&app.state, &caller(true), "code", Some(&enrolled.codes[0])).await;
    assert!(
        recovery.is_err(),
        "a recovery code does not confirm a change"
    );
    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    confirm_code(&app.state, &caller(true), "code", Some(&code))
        .await
        .unwrap();
    let replay = confirm_code(&app.state, &caller(true), "code", Some(&code)).await;
    assert!(replay.is_err(), "replay refused");
    assert_eq!(app.audit_count("mfa.code_failed", &user.id).await, 3);
}

/// With MFA on, the password alone does not move the account to another
/// address: no code, a wrong one or a recovery code is refused before any
/// link is minted or mailed; a current code lets the change start.
async fn an_email_change_needs_a_code_with_mfa_on(backend: Backend) {
    const CHANGE: &str = "mutation($e: String!, $p: String!, $c: String) { requestEmailChange(input: {newEmail: $e, password: $p, code: $c}) { message } }";
    let app = TestApp::new(backend).await;
    let user = app.user("mover").await;
    let enrolled = enrol(&app, &user).await;
    let new_email = format!(
        "moved.{}@rampart.dev",
        crate::common::random(8).to_lowercase()
    );
    let change = |code: Option<String>| {
        let vars = json!({ "e": new_email, "p": user.password, "c": code });
        app.gql(CHANGE, vars, Some(&user.token))
    };
    for (code, what) in [
        (None, "no code"),
        (Some("000000".to_owned()), "a wrong code"),
        (Some(enrolled.codes[0].clone()), "a recovery code"),
    ] {
        let reply = change(code).await;
        assert_eq!(
            (reply.code(), reply.field()),
            ("BAD_USER_INPUT", "code"),
            "{what}"
        );
    }
    let links = entity::email_token::Entity::find()
        .filter(entity::email_token::Column::Email.eq(new_email.as_str()))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(links.is_empty(), "no link minted without a code");
    assert!(
        app.smtp.messages_to(&new_email).is_empty(),
        "nothing mailed"
    );
    // The wrong code and the recovery code counted (a missing one does not).
    assert_eq!(app.audit_count("mfa.code_failed", &user.id).await, 2);

    let code = fresh_code(&app, &user.id, &enrolled.secret).await;
    change(Some(code)).await.ok();
    app.smtp
        .wait_for_subject(&new_email, "confirm your new e-mail address")
        .await;
}

fn key_ids(rows: &[user_mfa::Model]) -> Vec<(Option<String>, Option<String>)> {
    rows.iter()
        .map(|row| (row.secret_key_id.clone(), row.pending_key_id.clone()))
        .collect()
}

async fn the_rotate_command_re_encrypts_every_secret_so_the_old_key_can_go(backend: Backend) {
    use rampart_api::mfa::rotate::reencrypt_all;

    let old = MfaKey::generate();
    let old_hex = old.to_hex();
    let app = TestApp::with_env(backend, &[("MFA_ENCRYPTION_KEY", old_hex.as_str())]).await;
    let (alice, bob, carol) = (
        app.user("rot-alice").await,
        app.user("rot-bob").await,
        app.user("rot-carol").await,
    );
    let alice_mfa = enrol(&app, &alice).await;
    enrol(&app, &bob).await;
    // Carol is half-way through enrolment: her pending secret is sealed too.
    let pending = begin(&app, &carol).await;
    let carol_secret = totp_rs::Secret::try_from_base32(
        pending.ok()["beginMfaEnrolment"]["secret"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
    .as_bytes()
    .to_vec();
    let rows = || async { user_mfa::Entity::find().all(&app.state.db).await.unwrap() };
    let before = rows().await;
    let now = chrono::Utc::now();

    // With a key that never sealed them, nothing is readable and nothing
    // is touched: every user is named, the run still finishes.
    let mut wrong = app.state.config.mfa.clone();
    wrong.key = MfaKey::generate();
    wrong.previous_keys = vec![];
    let report = reencrypt_all(&app.state.db, &wrong, now).await.unwrap();
    assert_eq!((report.secrets, report.pending), (0, 0));
    assert_eq!(report.unreadable.len(), 3, "{report}");
    assert!(!report.complete());
    assert_eq!(key_ids(&rows().await), key_ids(&before));

    let new = MfaKey::generate();
    let mut rotated = app.state.config.mfa.clone();
    rotated.key = new.clone();
    rotated.previous_keys = vec![old.clone()];
    let report = reencrypt_all(&app.state.db, &rotated, now).await.unwrap();
    assert_eq!(
        (report.secrets, report.pending, report.raced),
        (2, 1, 0),
        "{report}"
    );
    assert!(report.complete());
    assert_eq!(report.users_with_old_recovery_codes, 2);
    for row in rows().await {
        let ids = [row.secret_key_id.as_deref(), row.pending_key_id.as_deref()];
        assert!(
            ids.iter().flatten().all(|id| *id == new.id()),
            "every secret is under the new key: {ids:?}"
        );
    }
    // A second run finds nothing left to do.
    let again = reencrypt_all(&app.state.db, &rotated, now).await.unwrap();
    assert_eq!((again.secrets, again.pending), (0, 0));

    // The old key dropped: a sign-in with a code and Carol's confirmation
    // both work with the new key alone.
    let connect = || rampart_api::db::connect(&app.state.config.database, false);
    let only_new = with_keys(&app, new.clone(), vec![], connect().await.unwrap());
    let code = fresh_code(&app, &alice.id, &alice_mfa.secret).await;
    complete_on(&app, &only_new, &alice, &code).await.ok();
    steady_step().await;
    let bearer = format!("Bearer {}", carol.token);
    let confirm = crate::common::post_request(
        json!({ "query": CONFIRM, "variables": { "c": code_at(&carol_secret, unix_now()) } }),
        &[("authorization", bearer.as_str())],
    );
    let codes = app.send_to(&only_new, confirm).await;
    assert_eq!(
        codes.ok()["confirmMfaEnrolment"]["codes"]
            .as_array()
            .map(Vec::len),
        Some(10)
    );
}

async fn two_rotate_runs_at_once_re_seal_each_secret_once(backend: Backend) {
    use rampart_api::mfa::rotate::reencrypt_all;

    let old = MfaKey::generate();
    let old_hex = old.to_hex();
    let app = TestApp::with_env(backend, &[("MFA_ENCRYPTION_KEY", old_hex.as_str())]).await;
    for name in ["twin-a", "twin-b", "twin-c"] {
        let user = app.user(name).await;
        enrol(&app, &user).await;
    }
    let pending = app.user("twin-pending").await;
    begin(&app, &pending).await.ok();

    // Two operators (or two deploy jobs) running the command at once.
    let new = MfaKey::generate();
    let mut rotated = app.state.config.mfa.clone();
    rotated.key = new.clone();
    rotated.previous_keys = vec![old];
    let now = chrono::Utc::now();
    let (first, second) = tokio::join!(
        reencrypt_all(&app.state.db, &rotated, now),
        reencrypt_all(&app.state.db, &rotated, now),
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    // Each secret is re-sealed by exactly one of them; the other either
    // lost the conditional update (counted as changed meanwhile) or never
    // saw the row stale.
    assert_eq!(first.secrets + second.secrets, 3, "{first}{second}");
    assert_eq!(first.pending + second.pending, 1, "{first}{second}");
    assert!(first.complete() && second.complete(), "{first}{second}");
    for row in user_mfa::Entity::find().all(&app.state.db).await.unwrap() {
        let ids = [row.secret_key_id.as_deref(), row.pending_key_id.as_deref()];
        assert!(ids.iter().flatten().all(|id| *id == new.id()), "{ids:?}");
    }
}
