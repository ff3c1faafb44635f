//! The `api` binary's subcommands, run as a container or operator would.

use std::{process::Command, time::Duration};

use crate::common::{random, strong_password};

fn api() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    // Only what each test sets: no developer .env or shell variables leak in.
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

#[test]
fn export_schema_check_passes_on_the_committed_file_and_fails_on_a_stale_one() {
    let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let ok = api()
        .args(["export-schema", "--check", "--output", committed])
        .status()
        .unwrap();
    assert!(ok.success());
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("schema.graphql");
    std::fs::write(&stale, "type Query { old: Int }").unwrap();
    let output = api()
        .args(["export-schema", "--check", "--output"])
        .arg(&stale)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("stale"));
    let written = api()
        .args(["export-schema", "--output"])
        .arg(&stale)
        .status()
        .unwrap();
    assert!(written.success());
    assert_eq!(
        std::fs::read_to_string(&stale).unwrap(),
        rampart_api::schema_sdl()
    );
}

#[test]
fn production_refuses_to_start_without_secrets_and_names_the_variable() {
    let output = api()
        .args(["serve"])
        .env("ENVIRONMENT", "production")
        .env(
            "DATABASE_URL",
            format!("postgres://rampart:{}@127.0.0.1:1/rampart", random(16)),
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");
}

#[test]
fn prestart_migrates_and_creates_the_first_superuser_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("prestart.db").display()
    );
    let password = strong_password();
    let run = |args: &[&str]| {
        api()
            .args(args)
            .env("DATABASE_URL", &url)
            .env("FIRST_SUPERUSER_EMAIL", "root@rampart.dev")
            .env("FIRST_SUPERUSER_PASSWORD", &password)
            .env("ARGON2_MEMORY_KIB", "8192")
            .env("ARGON2_ITERATIONS", "1")
            .output()
            .unwrap()
    };
    assert!(run(&["prestart"]).status.success());
    // Idempotent: a second prestart (next deploy) changes nothing and succeeds.
    assert!(run(&["prestart"]).status.success());
    assert!(run(&["create-superuser"]).status.success());
    let status = run(&["migrate", "status"]);
    assert!(status.status.success());
    let db = count_users(&dir.path().join("prestart.db"));
    assert_eq!(db, 1, "exactly one superuser");
    // The key-rotation command runs against the same database (nobody has
    // enrolled yet: nothing to re-encrypt, success).
    let rotate = run(&["mfa-rotate-key"]);
    assert!(rotate.status.success(), "{}", output_text(&rotate));
    assert!(
        output_text(&rotate).contains("re-encrypted secrets: 0"),
        "{}",
        output_text(&rotate)
    );
}

/// Counts users through the API's own database layer.
fn count_users(path: &std::path::Path) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let url = format!("sqlite://{}?mode=ro", path.display());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = sea_orm::Database::connect(url).await.unwrap();
        entity::user::Entity::find().count(&db).await.unwrap()
    })
}

#[test]
fn healthcheck_reports_a_live_server_and_a_dead_one() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let dead = api()
        .arg("healthcheck")
        .env("API_BIND", &bind)
        .status()
        .unwrap();
    assert!(!dead.success(), "nothing listens yet");

    let dir = tempfile::tempdir().unwrap();
    let mut server = api()
        .arg("serve")
        .env("API_BIND", &bind)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("hc.db").display()),
        )
        .env("JWT_SECRET", random(48))
        .env("FIRST_SUPERUSER_PASSWORD", strong_password())
        .env("ARGON2_MEMORY_KIB", "8192")
        .env("ARGON2_ITERATIONS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut healthy = false;
    for _ in 0..100 {
        if api()
            .arg("healthcheck")
            .env("API_BIND", &bind)
            .status()
            .unwrap()
            .success()
        {
            healthy = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // SIGTERM: the server shuts down gracefully and exits 0.
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status();
    let exit = server.wait().unwrap();
    assert!(healthy, "healthcheck never succeeded");
    assert!(exit.success(), "graceful exit on SIGTERM: {exit:?}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// stdout and stderr of a finished command, as one text.
fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn send_test_email_prints_the_smtp_servers_answer() {
    let sink = crate::common::SmtpSink::start();
    let output = api()
        .args(["send-test-email", "Ops@Rampart.dev"])
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", sink.port().to_string())
        .env("SMTP_TLS", "none")
        .env("FRONTEND_HOST", "http://localhost:5173/app")
        .output()
        .unwrap();
    let text = output_text(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("accepted by the SMTP server: 250 OK"),
        "{text}"
    );
    let mail = sink
        .messages_to("ops@rampart.dev")
        .pop()
        .expect("delivered");
    let decoded = mail.decoded();
    assert!(
        decoded.contains("Subject: Rampart: test e-mail"),
        "{decoded}"
    );
    assert!(decoded.contains("from the command line"), "{decoded}");
    assert!(decoded.contains("http://localhost:5173/app/"), "{decoded}");
}

#[test]
fn send_test_email_fails_clearly_without_leaking_the_smtp_password() {
    let port = free_port().to_string();
    let password = format!("smtp-{}", random(20));
    let output = api()
        .args(["send-test-email", "ops@rampart.dev"])
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", &port)
        .env("SMTP_TLS", "none")
        .env("SMTP_USER", "mailer")
        .env("SMTP_PASSWORD", &password)
        .output()
        .unwrap();
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not sent (CONNECTION): cannot connect to the SMTP server 127.0.0.1:")
            && stderr.contains("check SMTP_HOST and SMTP_PORT"),
        "{stderr}"
    );
    assert!(!text.contains(&password), "{text}");
    // A recipient that is no address is refused before anything is sent.
    let output = api()
        .args(["send-test-email", "nobody"])
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", &port)
        .env("SMTP_TLS", "none")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output_text(&output).contains("TO: Enter a valid e-mail address."));
}

#[test]
fn prestart_waits_for_an_unreachable_database_then_fails_naming_the_deadline() {
    let started = std::time::Instant::now();
    let output = api()
        .arg("prestart")
        .env(
            "DATABASE_URL",
            format!("postgres://postgres@127.0.0.1:{}/rampart", free_port()),
        )
        .env("DATABASE_WAIT_SECS", "2")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let text = output_text(&output);
    assert!(!output.status.success(), "{text}");
    assert!(
        elapsed >= Duration::from_secs(2),
        "gave up after {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    let retries = text.matches("database not reachable yet; retrying").count();
    assert!(retries >= 3, "{retries} retries logged:\n{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the database was not reachable within 2 s (DATABASE_WAIT_SECS)"),
        "{stderr}"
    );
}

#[test]
fn prestart_waits_for_a_database_that_comes_up_during_the_wait() {
    use std::io::{Read as _, Write as _};

    let name = format!("rampart_test_{}", random(12).to_lowercase());
    let admin = |sql: String| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use sea_orm::ConnectionTrait;
            let db = sea_orm::Database::connect(crate::common::POSTGRES_ADMIN_URL)
                .await
                .unwrap();
            db.execute_unprepared(&sql).await.unwrap();
            db.close().await.unwrap();
        });
    };
    admin(format!("CREATE DATABASE {name}"));
    let port = free_port();
    let child = api()
        .arg("prestart")
        .env(
            "DATABASE_URL",
            format!("postgres://postgres@127.0.0.1:{port}/{name}"),
        )
        .env("DATABASE_WAIT_SECS", "30")
        .env("FIRST_SUPERUSER_PASSWORD", strong_password())
        .env("ARGON2_MEMORY_KIB", "8192")
        .env("ARGON2_ITERATIONS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The database "starts" 1.5 s later: a TCP proxy to PostgreSQL begins
    // listening on the port prestart was told to use.
    std::thread::sleep(Duration::from_millis(1500));
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            let Ok(server) = std::net::TcpStream::connect("127.0.0.1:5432") else {
                break;
            };
            let pipe = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            };
            pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
            pipe(server, client);
        }
    });
    let output = child.wait_with_output().unwrap();
    let text = output_text(&output);
    admin(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("database not reachable yet; retrying"),
        "{text}"
    );
    assert!(text.contains("database reachable"), "{text}");
}

/// Serves local mode on `dir`'s database until `body` returns, then stops it.
fn with_local_server<T>(dir: &std::path::Path, password: &str, body: impl FnOnce(&str) -> T) -> T {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = api()
        .arg("serve")
        .env("API_BIND", &bind)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("local.db").display()),
        )
        .env("FIRST_SUPERUSER_EMAIL", "dev@rampart.dev")
        .env("FIRST_SUPERUSER_PASSWORD", password)
        .env("ARGON2_MEMORY_KIB", "8192")
        .env("ARGON2_ITERATIONS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(&bind).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let result = up.then(|| body(&bind));
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status();
    let _ = server.wait();
    result.expect("the server never listened")
}

/// POSTs a GraphQL document over a plain HTTP/1.1 connection.
fn post_graphql(bind: &str, query: &str, token: Option<&str>) -> serde_json::Value {
    use std::io::{Read as _, Write as _};
    let body = serde_json::json!({ "query": query }).to_string();
    let auth = token.map_or_else(String::new, |t| format!("Authorization: Bearer {t}\r\n"));
    let mut stream = std::net::TcpStream::connect(bind).unwrap();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    // The body may be chunked: take the JSON object inside.
    let start = json.find('{').unwrap_or(0);
    let end = json.rfind('}').map_or(json.len(), |i| i + 1);
    serde_json::from_str(&json[start..end]).unwrap_or(serde_json::Value::Null)
}

#[test]
fn local_mode_keeps_its_generated_jwt_secret_so_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let password = strong_password();
    let login = format!(
        r#"mutation {{ login(input: {{email: "dev@rampart.dev", password: "{password}"}}) {{ ... on AccessToken {{ accessToken }} }} }}"#
    );
    let token = with_local_server(dir.path(), &password, |bind| {
        let reply = post_graphql(bind, &login, None);
        reply["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{reply}"))
            .to_owned()
    });
    let secret_file = dir.path().join("local.db.jwt-secret");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    let me = with_local_server(dir.path(), &password, |bind| {
        post_graphql(bind, "{ me { email } }", Some(&token))
    });
    assert_eq!(me["data"]["me"]["email"], "dev@rampart.dev", "{me}");
    // Without the kept secret, a restart signs everyone out again.
    std::fs::remove_file(&secret_file).unwrap();
    let me = with_local_server(dir.path(), &password, |bind| {
        post_graphql(bind, "{ me { email } }", Some(&token))
    });
    assert_eq!(
        me["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{me}"
    );
}

#[test]
fn only_local_mode_reads_the_development_secret_file() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("prod.db");
    // A file no local start would accept (short, readable by others).
    let secret_file = dir.path().join("prod.db.jwt-secret");
    std::fs::write(&secret_file, "short").unwrap();
    let url = format!("sqlite://{}?mode=rwc", database.display());
    let local = api()
        .arg("serve")
        .env("API_BIND", format!("127.0.0.1:{}", free_port()))
        .env("DATABASE_URL", &url)
        .env("FIRST_SUPERUSER_PASSWORD", strong_password())
        .output()
        .unwrap();
    let text = output_text(&local);
    assert!(!local.status.success());
    assert!(
        text.contains("configuration error in JWT_SECRET") && text.contains("prod.db.jwt-secret"),
        "{text}"
    );
    // Production serves with its JWT_SECRET and never looks at the file.
    let bind = format!("127.0.0.1:{}", free_port());
    let production = |command: &mut Command| {
        command
            .env("ENVIRONMENT", "production")
            .env("DATABASE_URL", &url)
            .env("ALLOW_SQLITE_IN_PRODUCTION", "true")
            .env("FIRST_SUPERUSER_EMAIL", "ops@rampart.dev")
            .env("FIRST_SUPERUSER_PASSWORD", strong_password())
            .env("FRONTEND_HOST", "https://rampart.dev")
            .env("SMTP_HOST", "127.0.0.1")
            .env(
                "MFA_ENCRYPTION_KEY",
                rampart_api::config::MfaKey::generate().to_hex(),
            )
            .env("API_BIND", &bind)
            .env("SHUTDOWN_DRAIN_SECS", "0");
    };
    let mut server = api();
    production(&mut server);
    let mut server = server
        .arg("serve")
        .env("JWT_SECRET", random(48))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut listening = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(&bind).is_ok() {
            listening = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status();
    let _ = server.wait();
    assert!(listening, "production refused to start");
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap(), "short");
    // And production without JWT_SECRET still refuses, file or not.
    let mut refused = api();
    production(&mut refused);
    let refused = refused.arg("serve").output().unwrap();
    assert!(!refused.status.success());
    assert!(output_text(&refused)
        .contains("configuration error in JWT_SECRET: required outside local mode"));
}
