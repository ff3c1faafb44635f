//! Configuration: read once from the environment at start-up, validated, and
//! then passed around as a typed value. Every error names the variable.
//!
//! `ENVIRONMENT=local` (the default) needs nothing: SQLite file, generated
//! JWT secret, generated first-superuser password. `staging` and
//! `production` refuse to start with missing, short or placeholder secrets.

use std::{net::SocketAddr, time::Duration};

use rand::{distr::Alphanumeric, Rng};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

mod mfa;
pub use mfa::{MfaConfig, MfaKey};

#[derive(Debug, thiserror::Error)]
#[error("configuration error in {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(var: &'static str, message: impl Into<String>) -> Self {
        Self {
            var,
            message: message.into(),
        }
    }
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(var, message)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Local,
    Staging,
    Production,
}

impl Environment {
    /// Staging is reachable from outside too, so it gets production's rules.
    pub fn is_hardened(self) -> bool {
        !matches!(self, Environment::Local)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Local => "local",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// OpenTelemetry trace export over OTLP/HTTP (protobuf); off unless an
/// endpoint is configured.
#[derive(Clone, Debug)]
pub struct OtlpConfig {
    /// The collector's base URL; spans go to `<endpoint>/v1/traces`.
    pub endpoint: Url,
    pub service_name: String,
    /// The share of traces kept (0–1), decided at the root span.
    pub sample_ratio: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (required, not opportunistic).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No TLS: only for a mail catcher on loopback or a private network.
    None,
}

#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    pub url: SecretString,
    pub max_connections: u32,
    pub min_connections: u32,
    pub connect_timeout: Duration,
    pub acquire_timeout: Duration,
    pub statement_timeout: Duration,
    pub auto_migrate: bool,
    /// How long a command that needs the database now (`api prestart`,
    /// `migrate`, `create-superuser`, `serve` with `AUTO_MIGRATE`) keeps
    /// retrying an unreachable database before it gives up (0: one attempt).
    pub wait: Duration,
}

impl DatabaseConfig {
    pub fn is_sqlite(&self) -> bool {
        self.url.expose_secret().starts_with("sqlite:")
    }
}

#[derive(Clone, Debug)]
pub struct JwtConfig {
    pub secret: SecretString,
    pub issuer: String,
    pub audience: String,
    pub ttl: Duration,
    /// True when the secret was generated at start-up (local mode only).
    pub generated: bool,
    /// Where the generated secret is kept across restarts (local mode with
    /// a SQLite file; set by `local_secret::keep`, not by parsing).
    pub kept_in: Option<std::path::PathBuf>,
}

/// Password strength and argon2id cost as plain values; the credentials
/// module builds its policy and hasher from them.
#[derive(Clone, Debug)]
pub struct PasswordConfig {
    /// zxcvbn score 0–4 a new password must reach.
    pub min_strength: u8,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub max_concurrent_hashes: usize,
    /// Hashes that may wait for a turn; more are refused at once.
    pub hash_queue_limit: usize,
    /// The longest expected wait for a hash a login may take a turn for.
    pub hash_max_wait: Duration,
    /// Niceness of the hash threads (0–19): below the request workers.
    pub hash_nice: i32,
}

#[derive(Clone, Debug)]
pub struct FirstSuperuser {
    /// As configured (trimmed); start-up normalises it with the users' rules.
    pub email: String,
    pub password: SecretString,
    pub generated: bool,
}

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<SecretString>,
    pub tls: SmtpTls,
    pub timeout: Duration,
}

#[derive(Clone, Debug)]
pub struct EmailConfig {
    /// `None` means: write messages to the log (local mode only).
    pub smtp: Option<SmtpConfig>,
    pub from: String,
    pub project_name: String,
}

#[derive(Clone, Debug)]
pub struct GraphqlConfig {
    pub introspection: bool,
    pub graphiql: bool,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_fields: usize,
    pub max_aliases: usize,
    /// Memory for parsed documents kept for reuse (0: none).
    pub document_cache_bytes: u64,
    /// Validation and input messages as async-graphql words them (naming
    /// fields, arguments and types), or one generic message per kind.
    pub detailed_errors: bool,
    pub allow_get_queries: bool,
}

#[derive(Clone, Debug)]
pub struct HttpConfig {
    pub bind: SocketAddr,
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub header_read_timeout: Duration,
    pub cors_origins: Vec<String>,
    /// Behind Traefik, the client address is the last `X-Forwarded-For` entry.
    pub trust_forwarded_for: bool,
    /// After SIGTERM, how long `/readyz` answers 503 while requests are
    /// still served, so that a load balancer stops sending new ones first.
    pub shutdown_drain: Duration,
    pub shutdown_grace: Duration,
    /// Where `/metrics` is served, on its own listener; `None`: nowhere.
    pub metrics_bind: Option<SocketAddr>,
}

/// Sessions (docs/sessions.md): how long a sign-in lasts and how its
/// refresh cookie is sent.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// A session not refreshed for this long ends.
    pub idle_timeout: Duration,
    /// The absolute lifetime of a "remember me" session (a persistent cookie).
    pub remember_lifetime: Duration,
    /// The absolute lifetime of a session without "remember me" (a cookie
    /// that ends with the browser; the server ends it by this time anyway).
    pub browser_lifetime: Duration,
    /// `Secure` on the refresh cookie (and the `__Host-` name). Off only in
    /// local mode, for a SPA served over plain http.
    pub cookie_secure: bool,
    /// A refresh token rotated less than this long ago gets an access
    /// token without another rotation instead of counting as theft: two
    /// tabs refreshing at the same moment both present the same cookie.
    pub reuse_grace: Duration,
}

impl SessionConfig {
    /// `__Host-` makes the browser refuse the cookie unless it is Secure,
    /// Path=/ and host-only, so a sibling subdomain cannot plant one.
    pub fn cookie_name(&self) -> &'static str {
        if self.cookie_secure {
            "__Host-rampart_refresh"
        } else {
            "rampart_refresh"
        }
    }

    /// `__Host-` requires Path=/; without it the cookie is kept to the one
    /// path that reads it.
    pub fn cookie_path(&self) -> &'static str {
        if self.cookie_secure {
            "/"
        } else {
            "/graphql"
        }
    }
}

#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    pub login_backoff_after_failures: u32,
    pub login_backoff_base: Duration,
    pub login_backoff_max: Duration,
    pub login_max_failures_per_hour: u32,
    pub auth_ip_attempts_per_minute: u32,
    pub recovery_per_account_per_hour: u32,
    pub recovery_per_ip_per_hour: u32,
    /// Refresh (and logout) attempts with an unknown refresh token per IP
    /// and minute; past it every refresh from that IP waits.
    pub refresh_ip_failures_per_minute: u32,
    /// Test e-mails one superuser may send an hour.
    pub test_email_per_hour: u32,
    /// `resendVerificationEmail` requests per IP and hour (answered RATE_LIMITED past it).
    pub verification_email_per_ip_per_hour: u32,
    /// Verification (and e-mail change) links one account may be sent an
    /// hour; past it the request is answered the same and nothing is sent.
    pub verification_email_per_account_per_hour: u32,
}

/// Issue 14: proving that an address belongs to its account.
#[derive(Clone, Debug)]
pub struct EmailVerificationConfig {
    /// An unverified account cannot sign in (refused with EMAIL_NOT_VERIFIED
    /// after a correct password).
    pub required: bool,
    /// How long a verification or e-mail change link works.
    pub link_ttl: Duration,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub environment: Environment,
    pub log_format: LogFormat,
    pub otlp: Option<OtlpConfig>,
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub jwt: JwtConfig,
    pub first_superuser: FirstSuperuser,
    pub signup_enabled: bool,
    pub frontend_host: Url,
    pub email: EmailConfig,
    pub graphql: GraphqlConfig,
    pub password: PasswordConfig,
    pub throttle: ThrottleConfig,
    pub sessions: SessionConfig,
    pub mfa: MfaConfig,
    pub reset_token_ttl: Duration,
    pub set_password_token_ttl: Duration,
    pub email_verification: EmailVerificationConfig,
}

/// Words that mark a value copied from an example file rather than chosen.
const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "placeholder",
    "example",
    "secret",
    "password",
    "default",
    "todo",
    "xxx",
];

fn looks_like_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.contains(p))
        || value
            .chars()
            .next()
            .is_some_and(|first| value.chars().all(|c| c == first))
}

/// Reads variables through a lookup function so tests can pass a map
/// instead of mutating the process environment.
struct Source<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Source<'_> {
    fn string(&self, var: &'static str) -> Option<String> {
        (self.lookup)(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn parse<T: std::str::FromStr>(&self, var: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.string(var) {
            None => Ok(default),
            Some(raw) => raw
                .parse()
                .map_err(|e| err(var, format!("cannot parse {raw:?}: {e}"))),
        }
    }

    fn bool(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.string(var).map(|v| v.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(err(var, format!("expected true or false, got {v:?}"))),
        }
    }

    fn ranged<T>(&self, var: &'static str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
        T::Err: std::fmt::Display,
    {
        let value = self.parse(var, default)?;
        if value < min || value > max {
            return Err(err(
                var,
                format!("must be between {min} and {max}, got {value}"),
            ));
        }
        Ok(value)
    }

    fn seconds(&self, var: &'static str, default: u64, max: u64) -> Result<Duration, ConfigError> {
        Ok(Duration::from_secs(self.ranged(var, default, 1, max)?))
    }
}

fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl Config {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let src = Source { lookup };
        let environment = match src.string("ENVIRONMENT").as_deref() {
            None | Some("local") => Environment::Local,
            Some("staging") => Environment::Staging,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(err(
                    "ENVIRONMENT",
                    format!("expected local, staging or production, got {other:?}"),
                ))
            }
        };
        let hardened = environment.is_hardened();

        let log_format = match src.string("LOG_FORMAT").as_deref() {
            None => {
                if hardened {
                    LogFormat::Json
                } else {
                    LogFormat::Text
                }
            }
            Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(err(
                    "LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ))
            }
        };

        let password = PasswordConfig {
            min_strength: src.ranged("PASSWORD_MIN_STRENGTH", 3, 0, 4)?,
            argon2_memory_kib: src.ranged("ARGON2_MEMORY_KIB", 19_456, 8_192, 1_048_576)?,
            argon2_iterations: src.ranged("ARGON2_ITERATIONS", 2, 1, 10)?,
            argon2_parallelism: src.ranged("ARGON2_PARALLELISM", 1, 1, 16)?,
            max_concurrent_hashes: src.ranged(
                "PASSWORD_HASH_CONCURRENCY",
                default_hash_concurrency(),
                1,
                256,
            )?,
            hash_queue_limit: 0,
            hash_max_wait: Duration::from_millis(src.ranged(
                "PASSWORD_HASH_MAX_WAIT_MS",
                2_000,
                10,
                300_000,
            )?),
            hash_nice: src.ranged("PASSWORD_HASH_NICE", 10, 0, 19)?,
        };
        // At the default cost a hash takes 15–30 ms of a core, so 16 waiting
        // per permit is at most about half a second of queue: a login that
        // would wait longer is told to retry instead of timing out.
        let password = PasswordConfig {
            hash_queue_limit: src.ranged(
                "PASSWORD_HASH_QUEUE",
                16 * password.max_concurrent_hashes,
                0,
                100_000,
            )?,
            ..password
        };

        let http = HttpConfig {
            bind: src.parse("API_BIND", SocketAddr::from(([127, 0, 0, 1], 8000)))?,
            body_limit: src.ranged(
                "REQUEST_BODY_LIMIT_BYTES",
                64 * 1024,
                1024,
                10 * 1024 * 1024,
            )?,
            request_timeout: src.seconds("REQUEST_TIMEOUT_SECS", 10, 300)?,
            header_read_timeout: src.seconds("HEADER_READ_TIMEOUT_SECS", 10, 300)?,
            cors_origins: parse_origins(src.string("CORS_ORIGINS"))?,
            trust_forwarded_for: src.bool("TRUST_FORWARDED_FOR", false)?,
            shutdown_drain: Duration::from_secs(src.ranged(
                "SHUTDOWN_DRAIN_SECS",
                if hardened { 5 } else { 0 },
                0,
                300,
            )?),
            shutdown_grace: src.seconds("SHUTDOWN_GRACE_SECS", 20, 600)?,
            metrics_bind: src
                .string("METRICS_BIND")
                .map(|raw| {
                    raw.parse::<SocketAddr>()
                        .map_err(|e| err("METRICS_BIND", format!("cannot parse {raw:?}: {e}")))
                })
                .transpose()?,
        };
        if http
            .metrics_bind
            .is_some_and(|m| m.port() == http.bind.port())
        {
            return Err(err(
                "METRICS_BIND",
                "must not share API_BIND's port: metrics never go on the public listener",
            ));
        }

        if password.hash_max_wait >= http.request_timeout {
            return Err(err(
                "PASSWORD_HASH_MAX_WAIT_MS",
                "must be below REQUEST_TIMEOUT_SECS: a login that may wait that long times out instead of being told to retry",
            ));
        }

        let otlp = parse_otlp(&src)?;
        let database = parse_database(&src, hardened)?;
        let jwt = parse_jwt(&src, hardened)?;
        let first_superuser = parse_first_superuser(&src, hardened)?;
        let frontend_host = parse_frontend_host(&src, hardened)?;
        let email = parse_email(&src, hardened)?;

        let graphql = GraphqlConfig {
            introspection: src.bool("GRAPHQL_INTROSPECTION", !hardened)?,
            graphiql: src.bool("GRAPHIQL_ENABLED", !hardened)?,
            // The standard introspection query is 14 levels deep.
            max_depth: src.ranged("GRAPHQL_MAX_DEPTH", if hardened { 10 } else { 15 }, 3, 64)?,
            max_complexity: src.ranged("GRAPHQL_MAX_COMPLEXITY", 2_000, 10, 100_000)?,
            max_fields: src.ranged("GRAPHQL_MAX_FIELDS", 300, 10, 100_000)?,
            document_cache_bytes: src.ranged(
                "GRAPHQL_DOCUMENT_CACHE_BYTES",
                4 * 1024 * 1024,
                0,
                1024 * 1024 * 1024,
            )?,
            max_aliases: src.ranged("GRAPHQL_MAX_ALIASES", 15, 0, 1_000)?,
            detailed_errors: src.bool("GRAPHQL_DETAILED_ERRORS", !hardened)?,
            // Off outside local mode: nothing of Rampart's uses GET, and a
            // read that needs no preflight is one less thing to reason about.
            allow_get_queries: src.bool("GRAPHQL_ALLOW_GET_QUERIES", !hardened)?,
        };

        let throttle = ThrottleConfig {
            login_backoff_after_failures: src.ranged(
                "LOGIN_BACKOFF_AFTER_FAILURES",
                5,
                1,
                1_000,
            )?,
            login_backoff_base: Duration::from_millis(src.ranged(
                "LOGIN_BACKOFF_BASE_MS",
                1_000,
                1,
                60_000,
            )?),
            login_backoff_max: src.seconds("LOGIN_BACKOFF_MAX_SECS", 15 * 60, 24 * 3600)?,
            login_max_failures_per_hour: src.ranged(
                "LOGIN_MAX_FAILURES_PER_HOUR",
                100,
                1,
                100_000,
            )?,
            auth_ip_attempts_per_minute: src.ranged(
                "LOGIN_IP_ATTEMPTS_PER_MINUTE",
                30,
                1,
                1_000_000,
            )?,
            recovery_per_account_per_hour: src.ranged("RECOVERY_ACCOUNT_PER_HOUR", 3, 1, 1_000)?,
            recovery_per_ip_per_hour: src.ranged("RECOVERY_IP_PER_HOUR", 10, 1, 1_000_000)?,
            refresh_ip_failures_per_minute: src.ranged(
                "REFRESH_IP_FAILURES_PER_MINUTE",
                20,
                1,
                1_000_000,
            )?,
            test_email_per_hour: src.ranged("TEST_EMAIL_PER_HOUR", 10, 1, 1_000)?,
            verification_email_per_ip_per_hour: src.ranged(
                "VERIFICATION_EMAIL_IP_PER_HOUR",
                10,
                1,
                1_000_000,
            )?,
            verification_email_per_account_per_hour: src.ranged(
                "VERIFICATION_EMAIL_ACCOUNT_PER_HOUR",
                3,
                1,
                1_000,
            )?,
        };
        let email_verification = EmailVerificationConfig {
            // Off in local mode so a fresh checkout signs up and in without
            // reading mail; on wherever real people sign up.
            required: src.bool("REQUIRE_EMAIL_VERIFICATION", hardened)?,
            link_ttl: src.seconds("EMAIL_VERIFICATION_TTL_SECS", 24 * 3600, 14 * 24 * 3600)?,
        };
        let sessions = parse_sessions(&src, hardened, &frontend_host)?;
        let mfa = mfa::parse(&src, hardened)?;

        Ok(Config {
            environment,
            log_format,
            otlp,
            http,
            database,
            jwt,
            first_superuser,
            signup_enabled: src.bool("SIGNUP_ENABLED", true)?,
            frontend_host,
            email,
            graphql,
            password,
            throttle,
            sessions,
            mfa,
            reset_token_ttl: Duration::from_secs(
                60 * src.ranged("RESET_TOKEN_TTL_MINUTES", 15, 1, 24 * 60)?,
            ),
            set_password_token_ttl: Duration::from_secs(
                3600 * src.ranged("SET_PASSWORD_TOKEN_TTL_HOURS", 48, 1, 24 * 14)?,
            ),
            email_verification,
        })
    }
}

/// One hash per core keeps the CPU busy without letting a login flood
/// allocate unbounded argon2 memory (19 MiB each). More than one per core
/// buys no login throughput (each hash is pure CPU) but time-slices the
/// cores against the async workers: in bench/run on 2 cores, 4 permits gave
/// the same logins/s as 2 while `me` during a login flood lost half its
/// requests/s and its p99 went from 2.7x to 3.6x its p99 without the flood.
fn default_hash_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

fn parse_origins(raw: Option<String>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            if origin == "*" {
                return Err(err(
                    "CORS_ORIGINS",
                    "a wildcard origin is not allowed; list origins",
                ));
            }
            let url = Url::parse(origin)
                .map_err(|e| err("CORS_ORIGINS", format!("{origin:?} is not a URL: {e}")))?;
            // An origin is scheme://host[:port] with nothing after it.
            Ok(url.origin().ascii_serialization())
        })
        .collect()
}

fn parse_otlp(src: &Source<'_>) -> Result<Option<OtlpConfig>, ConfigError> {
    let Some(raw) = src.string("OTEL_EXPORTER_OTLP_ENDPOINT") else {
        return Ok(None);
    };
    let endpoint = Url::parse(&raw)
        .map_err(|e| err("OTEL_EXPORTER_OTLP_ENDPOINT", format!("not a URL: {e}")))?;
    if !matches!(endpoint.scheme(), "http" | "https") {
        return Err(err(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "must be an http:// or https:// collector address",
        ));
    }
    let sample_ratio: f64 = src.parse("OTEL_TRACES_SAMPLE_RATIO", 1.0)?;
    if !(0.0..=1.0).contains(&sample_ratio) {
        return Err(err("OTEL_TRACES_SAMPLE_RATIO", "must be between 0 and 1"));
    }
    Ok(Some(OtlpConfig {
        endpoint,
        service_name: src
            .string("OTEL_SERVICE_NAME")
            .unwrap_or_else(|| "rampart-api".into()),
        sample_ratio,
    }))
}

fn parse_database(src: &Source<'_>, hardened: bool) -> Result<DatabaseConfig, ConfigError> {
    let url = match src.string("DATABASE_URL") {
        Some(url) => url,
        None if hardened => return Err(err("DATABASE_URL", "required outside local mode")),
        None => "sqlite://rampart.db?mode=rwc".to_string(),
    };
    let is_sqlite = url.starts_with("sqlite:");
    if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Err(err(
            "DATABASE_URL",
            "must start with postgres://, postgresql:// or sqlite:",
        ));
    }
    if hardened {
        if is_sqlite && !src.bool("ALLOW_SQLITE_IN_PRODUCTION", false)? {
            return Err(err(
                "DATABASE_URL",
                "SQLite outside local mode needs ALLOW_SQLITE_IN_PRODUCTION=true",
            ));
        }
        if !is_sqlite {
            let parsed = Url::parse(&url).map_err(|e| err("DATABASE_URL", e.to_string()))?;
            let password = parsed.password().unwrap_or_default();
            if password.len() < 12 || looks_like_placeholder(password) {
                return Err(err(
                    "DATABASE_URL",
                    "the database password must be at least 12 characters and not a placeholder",
                ));
            }
        }
    }
    Ok(DatabaseConfig {
        url: SecretString::from(url),
        max_connections: src.ranged("DATABASE_MAX_CONNECTIONS", 10, 1, 1_000)?,
        min_connections: src.ranged("DATABASE_MIN_CONNECTIONS", 0, 0, 1_000)?,
        connect_timeout: src.seconds("DATABASE_CONNECT_TIMEOUT_SECS", 5, 120)?,
        acquire_timeout: src.seconds("DATABASE_ACQUIRE_TIMEOUT_SECS", 3, 120)?,
        statement_timeout: Duration::from_millis(src.ranged(
            "DATABASE_STATEMENT_TIMEOUT_MS",
            5_000,
            100,
            600_000,
        )?),
        // Local mode migrates on start so one command is enough; elsewhere the
        // prestart job (`api prestart`) migrates before replicas start.
        auto_migrate: src.bool("AUTO_MIGRATE", !hardened)?,
        // A minute covers a database container that starts beside the API
        // (compose, a pod's first minutes); a wrong host fails within it
        // rather than hanging a deploy. The FastAPI template waits 300 s.
        wait: Duration::from_secs(src.ranged("DATABASE_WAIT_SECS", 60, 0, 3_600)?),
    })
}

fn parse_jwt(src: &Source<'_>, hardened: bool) -> Result<JwtConfig, ConfigError> {
    let (secret, generated) = match src.string("JWT_SECRET") {
        Some(secret) => (secret, false),
        None if hardened => return Err(err("JWT_SECRET", "required outside local mode")),
        None => (random_string(64), true),
    };
    // RFC 7518 §3.2: an HS256 key needs at least 256 bits.
    if secret.len() < 32 {
        return Err(err(
            "JWT_SECRET",
            "must be at least 32 bytes (use 48+ random characters)",
        ));
    }
    if hardened && looks_like_placeholder(&secret) {
        return Err(err(
            "JWT_SECRET",
            "looks like a placeholder; generate a random value",
        ));
    }
    Ok(JwtConfig {
        secret: SecretString::from(secret),
        issuer: src.string("JWT_ISSUER").unwrap_or_else(|| "rampart".into()),
        audience: src
            .string("JWT_AUDIENCE")
            .unwrap_or_else(|| "rampart-api".into()),
        // Short, because a stolen access token works until it expires or its
        // session is revoked; the refresh cookie keeps people signed in.
        ttl: Duration::from_secs(
            60 * src.ranged(
                "ACCESS_TOKEN_TTL_MINUTES",
                15,
                1,
                if hardened { 60 } else { 24 * 60 },
            )?,
        ),
        generated,
        kept_in: None,
    })
}

const DAY: u64 = 24 * 3600;

fn parse_sessions(
    src: &Source<'_>,
    hardened: bool,
    frontend_host: &Url,
) -> Result<SessionConfig, ConfigError> {
    // Tests and local experiments use lifetimes of seconds; a deployment
    // exposed to the Internet gets bounds that keep a stolen cookie's
    // worth limited.
    let (min, max_idle, max_remember) = if hardened {
        (300, 30 * DAY, 90 * DAY)
    } else {
        (1, 365 * DAY, 365 * DAY)
    };
    let remember = src.ranged(
        "SESSION_REMEMBER_LIFETIME_SECS",
        30 * DAY,
        min,
        max_remember,
    )?;
    let idle = src.ranged("SESSION_IDLE_TIMEOUT_SECS", 7 * DAY, min, max_idle)?;
    let browser = src.ranged("SESSION_BROWSER_LIFETIME_SECS", 12 * 3600, min, remember)?;
    let plain_http_spa = frontend_host.scheme() == "http";
    let cookie_secure = src.bool("SESSION_COOKIE_SECURE", hardened || !plain_http_spa)?;
    if hardened && !cookie_secure {
        return Err(err(
            "SESSION_COOKIE_SECURE",
            "must be true outside local mode (the refresh cookie must never travel over http)",
        ));
    }
    Ok(SessionConfig {
        idle_timeout: Duration::from_secs(idle),
        remember_lifetime: Duration::from_secs(remember),
        browser_lifetime: Duration::from_secs(browser),
        cookie_secure,
        reuse_grace: Duration::from_secs(src.ranged(
            "SESSION_REFRESH_REUSE_GRACE_SECS",
            10,
            0,
            60,
        )?),
    })
}

/// The address and password are checked against the users' and the
/// password policy's rules at start-up (`app::configure`), not here.
fn parse_first_superuser(src: &Source<'_>, hardened: bool) -> Result<FirstSuperuser, ConfigError> {
    let email = src
        .string("FIRST_SUPERUSER_EMAIL")
        .unwrap_or_else(|| "admin@example.com".into());
    let (password, generated) = match src.string("FIRST_SUPERUSER_PASSWORD") {
        Some(password) => (password, false),
        None if hardened => {
            return Err(err(
                "FIRST_SUPERUSER_PASSWORD",
                "required outside local mode",
            ))
        }
        None => (random_string(24), true),
    };
    if hardened && looks_like_placeholder(&password) {
        return Err(err("FIRST_SUPERUSER_PASSWORD", "looks like a placeholder"));
    }
    Ok(FirstSuperuser {
        email,
        password: SecretString::from(password),
        generated,
    })
}

fn parse_frontend_host(src: &Source<'_>, hardened: bool) -> Result<Url, ConfigError> {
    let raw = match src.string("FRONTEND_HOST") {
        Some(raw) => raw,
        None if hardened => return Err(err("FRONTEND_HOST", "required outside local mode")),
        None => "http://localhost:5173".into(),
    };
    let url = Url::parse(&raw).map_err(|e| err("FRONTEND_HOST", e.to_string()))?;
    if hardened && url.scheme() != "https" {
        return Err(err(
            "FRONTEND_HOST",
            "must be https:// outside local mode (links carry tokens)",
        ));
    }
    Ok(url)
}

fn parse_email(src: &Source<'_>, hardened: bool) -> Result<EmailConfig, ConfigError> {
    let smtp = match src.string("SMTP_HOST") {
        None if hardened => {
            // Without SMTP, recovery links would be written to the log, where
            // anyone with log access could take over accounts.
            return Err(err("SMTP_HOST", "required outside local mode"));
        }
        None => None,
        Some(host) => {
            let tls = match src.string("SMTP_TLS").as_deref() {
                None | Some("starttls") => SmtpTls::StartTls,
                Some("tls") => SmtpTls::Tls,
                Some("none") => SmtpTls::None,
                Some(other) => {
                    return Err(err(
                        "SMTP_TLS",
                        format!("expected starttls, tls or none, got {other:?}"),
                    ))
                }
            };
            let default_port = match tls {
                SmtpTls::StartTls => 587,
                SmtpTls::Tls => 465,
                SmtpTls::None => 25,
            };
            Some(SmtpConfig {
                host,
                port: src.parse("SMTP_PORT", default_port)?,
                user: src.string("SMTP_USER"),
                password: src.string("SMTP_PASSWORD").map(SecretString::from),
                tls,
                timeout: src.seconds("SMTP_TIMEOUT_SECS", 10, 300)?,
            })
        }
    };
    let from = src
        .string("EMAILS_FROM")
        .unwrap_or_else(|| "Rampart <noreply@example.com>".into());
    from.parse::<lettre::message::Mailbox>()
        .map_err(|e| err("EMAILS_FROM", format!("not a mailbox: {e}")))?;
    Ok(EmailConfig {
        smtp,
        from,
        project_name: src
            .string("PROJECT_NAME")
            .unwrap_or_else(|| "Rampart".into()),
    })
}

/// Production settings for tests, generated per test so that no
/// secret-shaped literal lives in the repository.
#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::HashMap;

    use super::*;

    pub struct Strong {
        pub db_password: String,
        pub jwt_secret: String,
        pub superuser_password: String,
        pub mfa_key: String,
    }

    impl Strong {
        pub fn new() -> Self {
            Self {
                db_password: unlike_placeholder(20),
                jwt_secret: unlike_placeholder(48),
                superuser_password: format!(
                    "{}-{}",
                    unlike_placeholder(12),
                    unlike_placeholder(12)
                ),
                mfa_key: MfaKey::generate().to_hex(),
            }
        }
    }

    /// A random string the placeholder check cannot mistake for a copied
    /// example: about one random 48-character string in 140 contains "xxx"
    /// or "todo", which made tests built on `Strong` fail now and then.
    fn unlike_placeholder(len: usize) -> String {
        loop {
            let candidate = random_string(len);
            if !looks_like_placeholder(&candidate) {
                return candidate;
            }
        }
    }

    /// A valid production environment with `overrides` applied (an empty
    /// value removes the variable).
    pub fn production_vars_with(
        strong: &Strong,
        overrides: &[(&str, &str)],
    ) -> HashMap<String, String> {
        let database_url = format!("postgres://rampart:{}@db/rampart", strong.db_password);
        let mut vars: HashMap<String, String> = [
            ("ENVIRONMENT", "production"),
            ("DATABASE_URL", database_url.as_str()),
            ("JWT_SECRET", strong.jwt_secret.as_str()),
            ("FIRST_SUPERUSER_EMAIL", "ops@rampart.dev"),
            (
                "FIRST_SUPERUSER_PASSWORD",
                strong.superuser_password.as_str(),
            ),
            ("FRONTEND_HOST", "https://rampart.dev"),
            ("SMTP_HOST", "smtp.rampart.dev"),
            ("MFA_ENCRYPTION_KEY", strong.mfa_key.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            vars.remove(*k);
            if !v.is_empty() {
                vars.insert((*k).to_owned(), (*v).to_owned());
            }
        }
        vars
    }

    pub fn production_config_vars(overrides: &[(&str, &str)]) -> HashMap<String, String> {
        production_vars_with(&Strong::new(), overrides)
    }

    pub fn production(vars: &HashMap<String, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(&|k| vars.get(k).cloned())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{test_support::*, *};

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(&|k| map.get(k).cloned())
    }

    fn production_with_overrides(overrides: &[(&str, &str)]) -> Result<Config, ConfigError> {
        production(&production_config_vars(overrides))
    }

    #[test]
    fn local_mode_needs_no_configuration() {
        let cfg = config(&[]).expect("local defaults");
        assert_eq!(cfg.environment, Environment::Local);
        assert!(cfg.database.is_sqlite());
        assert!(cfg.jwt.generated && cfg.jwt.secret.expose_secret().len() >= 32);
        assert!(cfg.first_superuser.generated);
        assert!(cfg.graphql.graphiql && cfg.graphql.introspection);
        assert!(cfg.email.smtp.is_none());
    }

    #[test]
    fn production_accepts_strong_settings_and_locks_down_graphql() {
        let cfg = production_with_overrides(&[]).expect("valid production config");
        assert!(!cfg.graphql.graphiql && !cfg.graphql.introspection);
        assert_eq!(cfg.graphql.max_depth, 10);
        assert!(!cfg.database.auto_migrate);
        assert!(cfg.sessions.cookie_secure);
        assert_eq!(cfg.sessions.cookie_name(), "__Host-rampart_refresh");
        assert_eq!(cfg.sessions.cookie_path(), "/");
        assert_eq!(cfg.jwt.ttl, Duration::from_secs(15 * 60));
    }

    #[test]
    fn session_defaults_and_local_http_cookie() {
        let cfg = config(&[]).expect("local defaults");
        assert_eq!(cfg.sessions.idle_timeout, Duration::from_secs(7 * DAY));
        assert_eq!(
            cfg.sessions.remember_lifetime,
            Duration::from_secs(30 * DAY)
        );
        assert_eq!(
            cfg.sessions.browser_lifetime,
            Duration::from_secs(12 * 3600)
        );
        // The local SPA is http://localhost:5173: a Secure cookie would not be kept.
        assert!(!cfg.sessions.cookie_secure);
        assert_eq!(cfg.sessions.cookie_name(), "rampart_refresh");
        assert_eq!(cfg.sessions.cookie_path(), "/graphql");
        let cfg = config(&[("FRONTEND_HOST", "https://app.rampart.dev")]).expect("https SPA");
        assert!(cfg.sessions.cookie_secure);
        let error = config(&[
            ("SESSION_REMEMBER_LIFETIME_SECS", "100"),
            ("SESSION_BROWSER_LIFETIME_SECS", "200"),
        ])
        .expect_err("a browser session longer than a remembered one");
        assert_eq!(error.var, "SESSION_BROWSER_LIFETIME_SECS");
    }

    /// The first superuser's password is also held to the password policy,
    /// at start-up (`app::configure`, tested there).
    #[test]
    fn production_refuses_weak_or_missing_secrets() {
        let cases: &[(&'static str, &'static str)] = &[
            ("JWT_SECRET", ""),
            ("JWT_SECRET", "too-short"),
            ("JWT_SECRET", "changethis-changethis-changethis-changethis"),
            ("FIRST_SUPERUSER_PASSWORD", ""),
            ("FIRST_SUPERUSER_PASSWORD", "changethis"),
            ("DATABASE_URL", ""),
            ("DATABASE_URL", "postgres://rampart:changethis@db/rampart"),
            ("DATABASE_URL", "sqlite://rampart.db?mode=rwc"),
            ("FRONTEND_HOST", "http://rampart.dev"),
            ("SMTP_HOST", ""),
            ("SESSION_COOKIE_SECURE", "false"),
            ("SESSION_IDLE_TIMEOUT_SECS", "10"),
            ("SESSION_REMEMBER_LIFETIME_SECS", "31536000"),
            ("ACCESS_TOKEN_TTL_MINUTES", "600"),
            ("MFA_ENCRYPTION_KEY", ""),
            ("MFA_ENCRYPTION_KEY", "changethis-changethis-changethis"),
            (
                "MFA_ENCRYPTION_KEY",
                "0000000000000000000000000000000000000000000000000000000000000000",
            ),
            ("MFA_ENCRYPTION_KEYS_PREVIOUS", "too-short"),
            ("MFA_CHALLENGE_TTL_SECS", "86400"),
        ];
        for (var, value) in cases {
            let error =
                production_with_overrides(&[(var, value)]).expect_err(&format!("{var}={value:?}"));
            assert_eq!(error.var, *var, "{var}={value:?} blamed {}", error.var);
        }
    }

    #[test]
    fn sqlite_in_production_needs_explicit_opt_in() {
        let cfg = production_with_overrides(&[
            ("DATABASE_URL", "sqlite:///data/rampart.db?mode=rwc"),
            ("ALLOW_SQLITE_IN_PRODUCTION", "true"),
        ]);
        assert!(cfg.is_ok());
    }

    #[test]
    fn errors_name_the_variable() {
        let error = config(&[("REQUEST_TIMEOUT_SECS", "ten")]).expect_err("not a number");
        assert_eq!(error.var, "REQUEST_TIMEOUT_SECS");
        assert!(error.to_string().contains("REQUEST_TIMEOUT_SECS"));
        let error = config(&[("CORS_ORIGINS", "*")]).expect_err("wildcard");
        assert_eq!(error.var, "CORS_ORIGINS");
        let error = config(&[("ENVIRONMENT", "prod")]).expect_err("unknown environment");
        assert_eq!(error.var, "ENVIRONMENT");
    }

    #[test]
    fn metrics_never_share_the_public_listener() {
        let error = config(&[
            ("API_BIND", "0.0.0.0:8000"),
            ("METRICS_BIND", "127.0.0.1:8000"),
        ])
        .expect_err("same port");
        assert_eq!(error.var, "METRICS_BIND");
        let cfg = config(&[("METRICS_BIND", "127.0.0.1:9100")]).expect("own port");
        assert_eq!(
            cfg.http.metrics_bind,
            Some("127.0.0.1:9100".parse().unwrap())
        );
        assert!(config(&[]).expect("default").http.metrics_bind.is_none());
    }

    #[test]
    fn a_login_never_waits_for_its_hash_as_long_as_the_request_may_take(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let refused = config(&[
            ("REQUEST_TIMEOUT_SECS", "5"),
            ("PASSWORD_HASH_MAX_WAIT_MS", "5000"),
        ])
        .err()
        .ok_or("a wait as long as the timeout was accepted")?;
        assert_eq!(refused.var, "PASSWORD_HASH_MAX_WAIT_MS");
        let below = config(&[
            ("REQUEST_TIMEOUT_SECS", "5"),
            ("PASSWORD_HASH_MAX_WAIT_MS", "4999"),
        ])?;
        assert_eq!(below.password.hash_max_wait, Duration::from_millis(4_999));
        let defaults = config(&[])?;
        assert_eq!(defaults.password.hash_max_wait, Duration::from_secs(2));
        assert!(defaults.password.hash_max_wait < defaults.http.request_timeout);
        Ok(())
    }

    #[test]
    fn cors_origins_are_normalised_to_origins() {
        let cfg = config(&[(
            "CORS_ORIGINS",
            "https://app.rampart.dev/, http://localhost:5173",
        )])
        .expect("valid origins");
        assert_eq!(
            cfg.http.cors_origins,
            vec!["https://app.rampart.dev", "http://localhost:5173"]
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let strong = Strong::new();
        let cfg = production(&production_vars_with(&strong, &[])).expect("valid production config");
        let printed = format!("{cfg:?}");
        assert!(!printed.contains(&strong.jwt_secret));
        assert!(!printed.contains(&strong.superuser_password));
        assert!(!printed.contains(&strong.db_password));
        assert!(!printed.contains(&strong.mfa_key));
    }

    #[test]
    fn mfa_defaults_differ_by_environment() {
        let local = config(&[]).expect("local defaults");
        assert!(local.mfa.generated && !local.mfa.required_for_superusers);
        assert_eq!(local.mfa.challenge_ttl, Duration::from_secs(300));
        let cfg = production_with_overrides(&[]).expect("valid production config");
        assert!(!cfg.mfa.generated && cfg.mfa.required_for_superusers);
        let old = MfaKey::generate().to_hex();
        let current = cfg.mfa.key.to_hex();
        let rotated = production_with_overrides(&[
            ("MFA_ENCRYPTION_KEY", &MfaKey::generate().to_hex()),
            ("MFA_ENCRYPTION_KEYS_PREVIOUS", &format!("{old}, {current}")),
        ])
        .expect("two previous keys");
        assert_eq!(rotated.mfa.previous_keys.len(), 2);
        let error = production_with_overrides(&[
            ("MFA_ENCRYPTION_KEY", &current),
            ("MFA_ENCRYPTION_KEYS_PREVIOUS", &current),
        ])
        .expect_err("the current key among the previous ones");
        assert_eq!(error.var, "MFA_ENCRYPTION_KEYS_PREVIOUS");
    }
}

#[cfg(test)]
mod documentation {
    /// Every variable the parser reads is documented in `.env.example`.
    #[test]
    fn env_example_lists_every_variable() {
        let source = [include_str!("config.rs"), include_str!("config/mfa.rs")].concat();
        let example = include_str!("../../.env.example");
        let documented: Vec<&str> = example
            .lines()
            .filter_map(|l| l.split('=').next())
            .map(str::trim)
            .collect();
        let mut read = Vec::new();
        for chunk in source.split('"').skip(1).step_by(2) {
            let is_name = chunk.len() > 2
                && chunk
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && chunk.contains('_');
            if is_name && !read.contains(&chunk) {
                read.push(chunk);
            }
        }
        assert!(read.len() > 40, "parser reads {} variables?", read.len());
        let missing: Vec<&&str> = read.iter().filter(|v| !documented.contains(v)).collect();
        assert!(missing.is_empty(), "not in .env.example: {missing:?}");
    }
}
