//! `api`: one binary for serving, migrating, bootstrapping and checking.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Parser, Subcommand, ValueEnum};
use migration::{Migrator, MigratorTrait};
use rampart_api::{
    app,
    config::Config,
    db,
    email::{Mailer, TestOrigin},
    http::{build_router, metrics_router},
    metrics, server, telemetry, users,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// glibc's malloc was a fifth of the server's CPU profile under load, much of
/// it arena lock contention between worker threads (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "api", version, about = "Rampart GraphQL API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply (or inspect, or roll back one) database migrations.
    Migrate {
        #[arg(value_enum, default_value_t = MigrateAction::Up)]
        action: MigrateAction,
    },
    /// Create the first superuser from FIRST_SUPERUSER_EMAIL/PASSWORD if missing.
    CreateSuperuser,
    /// Migrate, then create the first superuser: the one-shot job before replicas start.
    Prestart,
    /// Write the GraphQL schema (SDL) to a file; with --check, fail if it differs.
    ExportSchema {
        #[arg(long, default_value = "api/schema.graphql")]
        output: PathBuf,
        #[arg(long)]
        check: bool,
    },
    /// Probe /healthz on the local server and exit 0 or 1 (container health checks).
    Healthcheck,
    /// Copy users and items from a full-stack-fastapi-template database.
    ImportFastapiTemplate(ImportArgs),
    /// Re-encrypt every stored TOTP secret under MFA_ENCRYPTION_KEY (after
    /// a rotation, before dropping the old key from
    /// MFA_ENCRYPTION_KEYS_PREVIOUS). Exit 1 if a secret stayed unreadable.
    MfaRotateKey,
    /// Send a test e-mail through the configured SMTP server and print its
    /// answer (exit 0), or why it did not take the message (exit 1).
    SendTestEmail {
        /// The recipient's address.
        to: String,
    },
}

/// See docs/migrating-from-fastapi-template.md.
#[derive(clap::Args)]
struct ImportArgs {
    /// The template's PostgreSQL database (postgres://…); or the
    /// environment, to keep its password out of the process list.
    #[arg(long, env = "IMPORT_FROM_DATABASE_URL", hide_env_values = true)]
    from: String,
    /// Read everything and report what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Rows per transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=1000))]
    batch_size: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum MigrateAction {
    Up,
    Down,
    Status,
}

fn main() -> ExitCode {
    // A missing .env is normal; only the real environment is then used.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve))) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        // These two need no configuration (the probe runs in a bare container).
        Command::ExportSchema { output, check } => export_schema(&output, check),
        Command::Healthcheck => Ok(healthcheck().await),
        Command::Serve => configured(serve).await,
        Command::Migrate { action } => configured(|config| migrate(config, action)).await,
        Command::CreateSuperuser => configured(|config| bootstrap(config, false)).await,
        Command::Prestart => configured(|config| bootstrap(config, true)).await,
        Command::ImportFastapiTemplate(args) => configured(|config| import(config, args)).await,
        Command::MfaRotateKey => configured(mfa_rotate_key).await,
        Command::SendTestEmail { to } => configured(|config| send_test_email(config, to)).await,
    }
}

/// Runs `job` with the checked configuration and with logging (and trace
/// export) set up as it asks, flushed when the job ends.
async fn configured<Job, Done>(job: Job) -> anyhow::Result<ExitCode>
where
    Job: FnOnce(Config) -> Done,
    Done: std::future::Future<Output = anyhow::Result<ExitCode>>,
{
    let config = app::configure_from_env()?;
    let telemetry = telemetry::init(config.log_format, config.otlp.as_ref())?;
    let code = job(config).await;
    telemetry.shutdown();
    code
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let (bind, header_timeout, drain, grace) = (
        config.http.bind,
        config.http.header_read_timeout,
        config.http.shutdown_drain,
        config.http.shutdown_grace,
    );
    let environment = config.environment.as_str();
    let state = app::start(config).await?;
    let listener = TcpListener::bind(bind).await?;
    tracing::info!(
        address = %bind,
        environment,
        startup_ms = started.elapsed().as_millis() as u64,
        "listening; GraphQL at /graphql"
    );
    if let Some(metrics_bind) = state.config.http.metrics_bind {
        let handle = metrics::install()?;
        let listener = TcpListener::bind(metrics_bind).await?;
        tracing::info!(address = %metrics_bind, "metrics at /metrics");
        let router = metrics_router(state.clone(), handle);
        // Lives as long as the process: it stops when `serve` returns.
        tokio::spawn(server::serve(
            listener,
            router,
            header_timeout,
            grace,
            std::future::pending(),
        ));
    }
    rampart_api::auth::sweep::spawn(state.clone());
    let router = build_router(state.clone());
    let stop_accepting = async move {
        server::shutdown_signal().await;
        state.begin_drain();
        if !drain.is_zero() {
            tracing::info!(
                drain_secs = drain.as_secs(),
                "shutting down: not ready, still serving while load balancers notice"
            );
            tokio::time::sleep(drain).await;
        }
    };
    server::serve(listener, router, header_timeout, grace, stop_accepting).await;
    Ok(ExitCode::SUCCESS)
}

async fn migrate(config: Config, action: MigrateAction) -> anyhow::Result<ExitCode> {
    let db = db::connect(&config.database, false).await?;
    match action {
        MigrateAction::Up => Migrator::up(&db, None).await?,
        MigrateAction::Down => Migrator::down(&db, Some(1)).await?,
        MigrateAction::Status => Migrator::status(&db).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn bootstrap(config: Config, migrate_first: bool) -> anyhow::Result<ExitCode> {
    app::bootstrap(config, migrate_first).await?;
    Ok(ExitCode::SUCCESS)
}

async fn import(config: Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let db = db::connect(&config.database, false).await?;
    let hasher = rampart_api::credentials::PasswordHasher::new(&config.password)?;
    let options = rampart_api::import::Options {
        from: args.from,
        dry_run: args.dry_run,
        batch_size: args.batch_size,
    };
    let summary = rampart_api::import::fastapi_template(&db, &hasher, &options).await?;
    print!("{summary}");
    Ok(ExitCode::SUCCESS)
}

async fn mfa_rotate_key(config: Config) -> anyhow::Result<ExitCode> {
    let db = db::connect(&config.database, false).await?;
    let rotated =
        rampart_api::mfa::rotate::reencrypt_all(&db, &config.mfa, chrono::Utc::now()).await?;
    print!("{rotated}");
    Ok(if rotated.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Needs the SMTP settings only, not the database: it checks e-mail
/// delivery when little else may work yet. (Not audited for that reason;
/// the API's `sendTestEmail` is.)
async fn send_test_email(config: Config, to: String) -> anyhow::Result<ExitCode> {
    let to = users::normalize_email(&to).map_err(|e| anyhow::anyhow!("TO: {e}"))?;
    let mailer = Mailer::new(&config)?;
    match mailer.send_test(&to, TestOrigin::CommandLine).await {
        Ok(delivered) => {
            println!("accepted by the SMTP server: {}", delivered.reply);
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("not sent ({}): {}", error.failure.as_str(), error.message);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn export_schema(output: &std::path::Path, check: bool) -> anyhow::Result<ExitCode> {
    let sdl = rampart_api::schema_sdl();
    if check {
        let current = std::fs::read_to_string(output).unwrap_or_default();
        if current != sdl {
            eprintln!(
                "{} is stale: run `cargo run -p api -- export-schema`",
                output.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(output, sdl)?;
    Ok(ExitCode::SUCCESS)
}

/// A tiny HTTP/1.1 probe so the runtime image needs no curl or shell.
async fn healthcheck() -> ExitCode {
    let bind: SocketAddr = std::env::var("API_BIND")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8000)));
    let target = if bind.ip().is_unspecified() {
        SocketAddr::new([127, 0, 0, 1].into(), bind.port())
    } else {
        bind
    };
    let probe = async {
        let mut stream = TcpStream::connect(target).await?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        Ok::<bool, std::io::Error>(head.starts_with(b"HTTP/1.1 200"))
    };
    match tokio::time::timeout(Duration::from_secs(3), probe).await {
        Ok(Ok(true)) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
