//! The test kit: a fresh database per test (a temporary SQLite file, or a
//! new PostgreSQL database on 127.0.0.1:5432), real migrations, the real
//! router, and a real SMTP server on loopback.

pub mod smtp;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use axum::{
    body::Body,
    http::{HeaderMap, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use migration::{Migrator, MigratorTrait};
use rampart_api::{app, db, http::build_router, state::AppState};
use rand::{distr::Alphanumeric, Rng};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};
use tower::ServiceExt;

pub use smtp::SmtpSink;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Admin server for creating and dropping per-test databases.
pub const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Random letters and digits, never 'e', 'o' or 'x' in either case: every
/// word production refuses as a placeholder ("changeme", "secret", "todo",
/// "xxx", ...) has one of them, so a generated secret is never taken for a
/// copied example (plain alphanumerics did that about once in 140 runs).
pub fn random(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .map(char::from)
        .filter(|c| !matches!(c.to_ascii_lowercase(), 'e' | 'o' | 'x'))
        .take(len)
        .collect()
}

/// A password the policy accepts, different every time.
pub fn strong_password() -> String {
    format!("Rampart-{}-test", random(16))
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub admin_email: String,
    pub admin_password: String,
    pub smtp: SmtpSink,
    /// Each test gets its own client IP so per-IP throttles don't interfere.
    pub ip: String,
    /// Statements executed on the app's pool, for N+1 checks.
    pub queries: Arc<AtomicUsize>,
    postgres_db: Option<String>,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The first error's `extensions.code`, or "" when there is none.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn field(&self) -> &str {
        self.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// The `Retry-After` header in whole seconds, if there is one that parses.
    pub fn retry_after(&self) -> Option<u64> {
        self.headers.get("retry-after")?.to_str().ok()?.parse().ok()
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::with_env(backend, &[]).await
    }

    /// Builds the app with test defaults plus `overrides` (name, value).
    pub async fn with_env(backend: Backend, overrides: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let smtp = SmtpSink::start();
        let (database_url, postgres_db) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let name = format!("rampart_test_{}", random(12).to_lowercase());
                let admin = Database::connect(POSTGRES_ADMIN_URL)
                    .await
                    .expect("PostgreSQL must run on 127.0.0.1:5432 (user postgres, trust auth)");
                admin
                    .execute(Statement::from_string(
                        admin.get_database_backend(),
                        format!("CREATE DATABASE {name}"),
                    ))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                (
                    format!("postgres://postgres@127.0.0.1:5432/{name}"),
                    Some(name),
                )
            }
        };
        let admin_password = strong_password();
        let jwt_secret = random(48);
        let smtp_port = smtp.port().to_string();
        let mut vars: HashMap<String, String> = [
            ("ENVIRONMENT", "local"),
            ("DATABASE_URL", database_url.as_str()),
            ("JWT_SECRET", jwt_secret.as_str()),
            ("FIRST_SUPERUSER_EMAIL", "admin@rampart.dev"),
            ("FIRST_SUPERUSER_PASSWORD", admin_password.as_str()),
            ("FRONTEND_HOST", "http://app.rampart.test"),
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", smtp_port.as_str()),
            ("SMTP_TLS", "none"),
            ("EMAILS_FROM", "Rampart <noreply@rampart.dev>"),
            // Cheaper hashes keep the suite fast; production parameters are
            // covered by the config tests and measured by the benchmarks.
            ("ARGON2_MEMORY_KIB", "8192"),
            ("ARGON2_ITERATIONS", "1"),
            ("TRUST_FORWARDED_FOR", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = app::configure(&|k| vars.get(k).cloned()).unwrap();
        let mut connection = db::connect(&config.database, false).await.unwrap();
        Migrator::up(&connection, None).await.unwrap();
        let queries = Arc::new(AtomicUsize::new(0));
        let counter = queries.clone();
        connection.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let state = AppState::new(config, connection).unwrap();
        app::ensure_first_superuser(&state).await.unwrap();
        let router = build_router(state.clone());
        let ip = format!("198.51.100.{}", rand::rng().random_range(1..=254));
        TestApp {
            state,
            router,
            admin_email: "admin@rampart.dev".into(),
            admin_password,
            smtp,
            ip,
            queries,
            postgres_db,
            _dir: dir,
        }
    }

    /// Sends a raw HTTP request through the full middleware stack.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let mut request = request;
        let peer: SocketAddr = format!("{}:40000", self.ip).parse().unwrap();
        request
            .extensions_mut()
            .insert(rampart_api::http::ClientAddr(peer));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Statements run on both of the app's pools (SeaORM's and the
    /// per-request reads).
    pub fn query_count(&self) -> usize {
        self.queries.load(Ordering::SeqCst) + self.state.reads.statements() as usize
    }

    /// A JSON POST to `/graphql` with extra headers (name, value).
    pub async fn post_with(&self, body: Value, headers: &[(&str, &str)]) -> Reply {
        self.send(post_request(body, headers)).await
    }

    /// Another API process on the same database: its own state, pools and
    /// router, sharing nothing in memory with this one.
    pub async fn replica(&self) -> Router {
        let config = self.state.config.clone();
        let connection = db::connect(&config.database, false).await.unwrap();
        build_router(AppState::new(config, connection).unwrap())
    }

    /// Sends a request to another router (a replica), from this app's client IP.
    pub async fn send_to(&self, router: &Router, request: Request<Body>) -> Reply {
        let mut request = request;
        let peer: SocketAddr = format!("{}:40000", self.ip).parse().unwrap();
        request
            .extensions_mut()
            .insert(rampart_api::http::ClientAddr(peer));
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// The refresh cookie's name in this app's configuration.
    pub fn cookie_name(&self) -> &'static str {
        self.state.config.sessions.cookie_name()
    }

    /// `Cookie` header value carrying `token` as the refresh cookie.
    pub fn cookie(&self, token: &str) -> String {
        format!("{}={token}", self.cookie_name())
    }

    /// Logs in and returns the session: access token, refresh token, id.
    pub async fn sign_in(&self, email: &str, password: &str, remember_me: bool) -> SignedIn {
        let reply = self
            .post_with(
                json!({
                    "query": LOGIN_SESSION,
                    "variables": { "e": email, "p": password, "r": remember_me },
                }),
                &[],
            )
            .await;
        SignedIn::from_reply(self, &reply, "login")
    }

    /// `refreshSession` with the refresh cookie `token`.
    pub async fn refresh(&self, token: &str) -> Reply {
        let cookie = self.cookie(token);
        self.post_with(
            json!({ "query": REFRESH_SESSION }),
            &[("cookie", cookie.as_str())],
        )
        .await
    }

    pub async fn post_json(&self, body: Value, token: Option<&str>) -> Reply {
        let mut builder = Request::post("/graphql").header("content-type", "application/json");
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        self.send(builder.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Reply {
        self.post_json(json!({ "query": query, "variables": variables }), token)
            .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.gql(
            "mutation($email: String!, $password: String!) { login(input: {email: $email, password: $password}) { ... on AccessToken { accessToken tokenType expiresIn expiresAt } } }",
            json!({ "email": email, "password": password }),
            None,
        )
        .await
    }

    pub async fn token(&self, email: &str, password: &str) -> String {
        let reply = self.login(email, password).await;
        reply.ok()["login"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token(&self.admin_email.clone(), &self.admin_password.clone())
            .await
    }

    /// `signup` with this address and password (and name), as sent.
    pub async fn signup(&self, email: &str, password: &str, name: Option<&str>) -> Reply {
        self.gql(
            "mutation($input: SignupInput!) { signup(input: $input) { message } }",
            json!({ "input": { "email": email, "password": password, "fullName": name } }),
            None,
        )
        .await
    }

    /// Signs up a normal user, takes their verification e-mail out of the
    /// SMTP sink (so tests that read a user's mail see only their own), and
    /// logs them in. The address stays unverified; REQUIRE_EMAIL_VERIFICATION
    /// is off in local mode, as here.
    pub async fn user(&self, name: &str) -> TestUser {
        let email = format!("{name}.{}@rampart.dev", random(6).to_lowercase());
        let password = strong_password();
        self.signup(&email, &password, Some(name)).await.ok();
        self.smtp.take_for(&email).await;
        let token = self.token(&email, &password).await;
        let me = self.gql("{ me { id } }", json!({}), Some(&token)).await;
        let id = me.ok()["me"]["id"].as_str().unwrap().to_owned();
        TestUser {
            id,
            email,
            password,
            token,
        }
    }

    /// How many audit events of `kind` name `subject_id` (read as the admin).
    pub async fn audit_count(&self, kind: &str, subject_id: &str) -> usize {
        let admin = self.admin_token().await;
        let reply = self
            .gql(
                "{ auditEvents(limit: 100) { nodes { kind subjectId } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        reply.ok()["auditEvents"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind && e["subjectId"] == subject_id)
            .count()
    }

    pub async fn create_item(&self, token: &str, title: &str) -> String {
        let reply = self
            .gql(
                "mutation($t: String!) { createItem(input: {title: $t}) { id } }",
                json!({ "t": title }),
                Some(token),
            )
            .await;
        reply.ok()["createItem"]["id"].as_str().unwrap().to_owned()
    }
}

pub const LOGIN_SESSION: &str = "mutation($e: String!, $p: String!, $r: Boolean!) { login(input: {email: $e, password: $p, rememberMe: $r}) { ... on AccessToken { accessToken expiresAt sessionId securityNotice } } }";
pub const REFRESH_SESSION: &str =
    "mutation { refreshSession { accessToken expiresAt sessionId securityNotice } }";

pub fn post_request(body: Value, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::post("/graphql").header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

impl Reply {
    /// The `Set-Cookie` header of the refresh cookie named `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The refresh token a `Set-Cookie` hands out (`None` when absent or a
    /// clearing cookie).
    pub fn refresh_token(&self, name: &str) -> Option<String> {
        let header = self.set_cookie(name)?;
        let value = header.split(';').next()?.split_once('=')?.1.to_owned();
        (!value.is_empty()).then_some(value)
    }
}

/// A session as a client holds it.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub access: String,
    pub refresh: String,
    pub session_id: String,
    pub security_notice: Option<String>,
}

impl SignedIn {
    #[track_caller]
    pub fn from_reply(app: &TestApp, reply: &Reply, field: &str) -> Self {
        let data = &reply.ok()[field];
        Self {
            access: data["accessToken"].as_str().unwrap().to_owned(),
            refresh: reply
                .refresh_token(app.cookie_name())
                .expect("a refresh cookie"),
            session_id: data["sessionId"].as_str().unwrap().to_owned(),
            security_notice: data["securityNotice"].as_str().map(str::to_owned),
        }
    }
}

pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(name) = self.postgres_db.take() else {
            return;
        };
        // Async work cannot run in Drop; a short-lived runtime on another
        // thread drops the database, forcing off the pool's connections.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(POSTGRES_ADMIN_URL).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin
                        .execute(Statement::from_string(admin.get_database_backend(), sql))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Runs each named test once on SQLite and once on PostgreSQL. The test
/// functions take a `Backend`; the generated tests are
/// `<module>::sqlite::<name>` and `<module>::postgres::<name>`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            )+
        }
    };
}
