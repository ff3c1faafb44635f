//! Access-token validation and revocation (RFC 8725 checks).

use chrono::Utc;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::{
    common::{random, strong_password, Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    tampered_and_foreign_tokens_are_refused,
    a_deleted_users_token_stops_working,
    a_password_change_revokes_earlier_tokens,
    deactivation_revokes_tokens,
    a_malformed_authorization_header_is_anonymous,
);

/// Claims as the server would sign them, for the session `sid`.
fn claims(app: &TestApp, sub: &str, sid: &str) -> Value {
    let now = Utc::now();
    json!({
        "sub": sub,
        "sid": sid,
        "exp": now.timestamp() + 600,
        "iat": now.timestamp(),
        "iat_ms": now.timestamp_millis(),
        "iss": app.state.config.jwt.issuer,
        "aud": app.state.config.jwt.audience,
    })
}

fn sign(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

async fn me_code(app: &TestApp, token: &str) -> String {
    app.gql("{ me { id } }", json!({}), Some(token))
        .await
        .code()
        .to_owned()
}

async fn tampered_and_foreign_tokens_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("jwt").await;
    let secret = app
        .state
        .config
        .jwt
        .secret
        .expose_secret()
        .as_bytes()
        .to_vec();
    let sid = session_of(&app, &user.token).await;
    let good = claims(&app, &user.id, &sid);
    assert_eq!(
        me_code(&app, &sign(&good, &secret)).await,
        "",
        "a correctly forged token works (sanity)"
    );

    let mut expired = good.clone();
    expired["exp"] = json!(Utc::now().timestamp() - 3600);
    let mut wrong_audience = good.clone();
    wrong_audience["aud"] = json!("someone-else");
    let mut wrong_issuer = good.clone();
    wrong_issuer["iss"] = json!("evil");
    let mut no_audience = good.clone();
    no_audience.as_object_mut().unwrap().remove("aud");
    let mut superuser_claim = good.clone();
    let admin_token = app.admin_token().await;
    superuser_claim["sub"] = json!(
        app.gql("{ me { id } }", json!({}), Some(&admin_token))
            .await
            .ok()["me"]["id"]
    );
    superuser_claim["sid"] = json!(session_of(&app, &admin_token).await);
    // Another user's session does not make a token for this one.
    let mut foreign_session = good.clone();
    foreign_session["sid"] = superuser_claim["sid"].clone();
    let mut no_session = good.clone();
    no_session.as_object_mut().unwrap().remove("sid");
    let mut unknown_session = good.clone();
    unknown_session["sid"] = json!(uuid::Uuid::new_v4());

    let header_none = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{header_none}.{}.", base64url(good.to_string().as_bytes()));
    let mut flipped = sign(&good, &secret).into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };

    let cases = [
        ("other key", sign(&good, random(48).as_bytes())),
        ("expired", sign(&expired, &secret)),
        ("wrong audience", sign(&wrong_audience, &secret)),
        ("wrong issuer", sign(&wrong_issuer, &secret)),
        ("missing audience", sign(&no_audience, &secret)),
        ("no session", sign(&no_session, &secret)),
        ("unknown session", sign(&unknown_session, &secret)),
        ("another user's session", sign(&foreign_session, &secret)),
        ("alg none", alg_none),
        ("flipped signature", String::from_utf8(flipped).unwrap()),
        ("garbage", "not.a.token".to_owned()),
        (
            "HS512",
            encode(
                &Header::new(Algorithm::HS512),
                &good,
                &EncodingKey::from_secret(&secret),
            )
            .unwrap(),
        ),
    ];
    for (name, token) in cases {
        assert_eq!(me_code(&app, &token).await, "UNAUTHENTICATED", "{name}");
    }
    // Forging a token for the admin needs the key; with it the token is valid
    // (the key is the secret to protect), without it nothing works.
    assert_eq!(
        me_code(&app, &sign(&superuser_claim, random(48).as_bytes())).await,
        "UNAUTHENTICATED"
    );
}

/// The current session of `token` (the first in the viewer's list).
async fn session_of(app: &TestApp, token: &str) -> String {
    let reply = app
        .gql("{ sessions { id current } }", json!({}), Some(token))
        .await;
    let sessions = reply.ok()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions[0]["current"], true);
    sessions[0]["id"].as_str().unwrap().to_owned()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

async fn a_deleted_users_token_stops_working(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("leaver").await;
    app.gql(
        "mutation { deleteMe { message } }",
        json!({}),
        Some(&user.token),
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &user.token).await, "UNAUTHENTICATED");
}

async fn a_password_change_revokes_earlier_tokens(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("changer").await;
    let other_session = app.token(&user.email, &user.password).await;
    let new_password = strong_password();
    app.gql(
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { message } }",
        json!({ "i": { "currentPassword": user.password, "newPassword": new_password,
                       "keepCurrentSession": false } }),
        Some(&user.token),
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &user.token).await, "UNAUTHENTICATED");
    assert_eq!(me_code(&app, &other_session).await, "UNAUTHENTICATED");
    let fresh = app.token(&user.email, &new_password).await;
    assert_eq!(me_code(&app, &fresh).await, "");
}

async fn deactivation_revokes_tokens(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user = app.user("deactivated").await;
    let admin = app.admin_token().await;
    app.gql(
        "mutation($id: UUID!) { updateUser(id: $id, input: {isActive: false}) { isActive } }",
        json!({ "id": user.id }),
        Some(&admin),
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &user.token).await, "UNAUTHENTICATED");
    // Reactivating does not bring the old token back.
    app.gql(
        "mutation($id: UUID!) { updateUser(id: $id, input: {isActive: true}) { isActive } }",
        json!({ "id": user.id }),
        Some(&admin),
    )
    .await
    .ok();
    assert_eq!(me_code(&app, &user.token).await, "UNAUTHENTICATED");
    app.token(&user.email, &user.password).await;
}

async fn a_malformed_authorization_header_is_anonymous(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let request = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Basic {token}"))
        .body(axum::body::Body::from(
            json!({ "query": "{ me { id } publicSettings { signupEnabled } }" }).to_string(),
        ))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.code(), "UNAUTHENTICATED");
}
