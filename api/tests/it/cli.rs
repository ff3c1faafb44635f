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
