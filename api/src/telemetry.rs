//! Logs and traces: one `tracing` subscriber with the request span and the
//! service spans, written as text or JSON, and optionally exported as
//! OpenTelemetry traces over OTLP/HTTP.
//!
//! Log lines are written by a background thread through a bounded buffer
//! (tracing-appender's non-blocking writer): a request never waits for
//! stdout, and when the buffer is full (a stalled log collector) lines are
//! dropped and counted (`rampart_log_lines_dropped_total`) instead of
//! stalling every request behind the slowest pipe.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::{
    trace::{Sampler, SdkTracerProvider},
    Resource,
};
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{fmt, prelude::*, EnvFilter, Layer, Registry};

use crate::config::{LogFormat, OtlpConfig};

/// Lines the buffer holds before it drops: about a second of a loaded
/// server's request logs.
const BUFFERED_LINES: usize = 16_384;

/// What the writer thread gathers before one `write`: it writes whatever
/// it has once the queue is empty, so a line is never held back, and under
/// load one system call carries many lines instead of one each.
const WRITE_BATCH_BYTES: usize = 64 * 1024;

static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();

/// Log lines dropped since start (0 before logging is set up).
pub fn dropped_log_lines() -> usize {
    DROPPED.get().map_or(0, ErrorCounter::dropped_lines)
}

/// Keeps the writer thread and the trace exporter alive; `shutdown` flushes
/// both (at the end of `main`, after the last request).
pub struct Telemetry {
    _writer: WorkerGuard,
    dropped: ErrorCounter,
    traces: Option<SdkTracerProvider>,
}

impl Telemetry {
    pub fn shutdown(self) {
        if let Some(provider) = &self.traces {
            if let Err(error) = provider.shutdown() {
                eprintln!("trace export did not flush: {error}");
            }
        }
        let dropped = self.dropped.dropped_lines();
        if dropped > 0 {
            eprintln!("{dropped} log lines were dropped (the log pipe was too slow)");
        }
    }
}

/// `RUST_LOG` overrides the default filter (info for us, warn for libraries).
pub fn init(format: LogFormat, otlp: Option<&OtlpConfig>) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,api=info,rampart_api=info,tower_http=warn"));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(BUFFERED_LINES)
        .thread_name("rampart-log-writer")
        .finish(std::io::BufWriter::with_capacity(
            WRITE_BATCH_BYTES,
            std::io::stdout(),
        ));
    let dropped = writer.error_counter();
    let _ = DROPPED.set(dropped.clone());
    let logs: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Json => json_subscriber::fmt::layer()
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(writer)
            .boxed(),
        LogFormat::Text => fmt::layer().with_writer(writer).boxed(),
    };
    let traces = otlp.map(tracer_provider).transpose()?;
    let export = traces
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("rampart-api")));
    let result = tracing_subscriber::registry()
        .with(logs)
        .with(export)
        .with(filter)
        .try_init();
    if let Err(error) = result {
        eprintln!("logging was already initialised: {error}");
    }
    Ok(Telemetry {
        _writer: guard,
        dropped,
        traces,
    })
}

fn tracer_provider(config: &OtlpConfig) -> anyhow::Result<SdkTracerProvider> {
    // `join` replaces a last segment without a slash: keep a base path.
    let mut base = config.endpoint.clone();
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    let endpoint = base.join("v1/traces")?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.as_str())
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            config.sample_ratio,
        ))))
        .with_resource(
            Resource::builder()
                .with_service_name(config.service_name.clone())
                .build(),
        )
        .build())
}
