//! Telemetry of the real `api serve` process: its request and service
//! spans over OTLP/HTTP (protobuf) to a receiver on loopback, which decodes
//! them as a collector would, and the JSON log lines an operator's log
//! pipeline parses.

use std::{
    net::SocketAddr,
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{body::Bytes, extract::State, routing::post, Router};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use serde_json::json;

use crate::common::random;

type Received = Arc<Mutex<Vec<ExportTraceServiceRequest>>>;

async fn collector() -> (SocketAddr, Received) {
    let received = Received::default();
    let app = Router::new()
        .route(
            "/v1/traces",
            post(|State(store): State<Received>, body: Bytes| async move {
                let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
                store.lock().unwrap().push(request);
                ""
            }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, received)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_service_spans_reach_an_otlp_collector() {
    let (collector, received) = collector().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut api = api_command(dir.path(), port)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{collector}"))
        .env("OTEL_SERVICE_NAME", "rampart-under-test")
        // The SDK's batch delay: export within a fraction of a second.
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .spawn()
        .unwrap();
    let client = plain_http::Client::new(port);
    client.wait_until_up().await;
    client
        .graphql(json!({ "query": "mutation { login(input: {email: \"nobody@rampart.dev\", password: \"wrong-wrong-wrong\"}) { ... on AccessToken { accessToken } } }" }))
        .await;
    let mut names = Vec::new();
    for _ in 0..300 {
        names = span_names(&received, "rampart-under-test");
        if names.iter().any(|n| n == "auth.login") && names.iter().any(|n| n == "request") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop(&mut api);
    let log = std::fs::read_to_string(dir.path().join("api.err")).unwrap_or_default()
        + &std::fs::read_to_string(dir.path().join("api.log")).unwrap_or_default();
    assert!(
        names.iter().any(|n| n == "request"),
        "spans: {names:?}\n{log}"
    );
    assert!(
        names.iter().any(|n| n == "auth.login"),
        "spans: {names:?}\n{log}"
    );
}

/// The contract a log pipeline relies on: every line is one JSON object;
/// the response line carries the status and latency, and its request span
/// the method, matched path, request id and status, in `span` and in the
/// `spans` list that events inside service spans carry too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_lines_carry_the_request_fields() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut api = api_command(dir.path(), port)
        .env("LOG_FORMAT", "json")
        .spawn()
        .unwrap();
    let client = plain_http::Client::new(port);
    client.wait_until_up().await;
    let request_id = format!("log-shape-{}", random(8));
    let response = client
        .graphql_with_request_id(
            json!({ "query": "mutation { login(input: {email: \"nobody@rampart.dev\", password: \"wrong-wrong-wrong\"}) { __typename } }" }),
            &request_id,
        )
        .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    stop(&mut api);
    let log = std::fs::read_to_string(dir.path().join("api.log")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let ours = |line: &&serde_json::Value| {
        line["spans"]
            .as_array()
            .is_some_and(|spans| spans.iter().any(|s| s["request_id"] == request_id.as_str()))
    };

    let responses: Vec<_> = lines
        .iter()
        .filter(ours)
        .filter(|line| line["fields"]["message"] == "response")
        .collect();
    assert_eq!(responses.len(), 1, "{log}");
    let line = responses[0];
    assert_eq!(line["level"], "INFO", "{line}");
    assert!(line["timestamp"].is_string(), "{line}");
    assert_eq!(line["fields"]["status"], 200, "{line}");
    assert!(line["fields"]["latency_ms"].is_u64(), "{line}");
    let span = &line["span"];
    assert_eq!(span["name"], "request", "{line}");
    assert_eq!(span["method"], "POST", "{line}");
    assert_eq!(span["path"], "/graphql", "{line}");
    assert_eq!(span["request_id"], request_id.as_str(), "{line}");
    assert_eq!(span["status"], 200, "{line}");
    assert_eq!(line["spans"][0], *span, "{line}");
}

/// A log collector that stops reading (a stuck sidecar, a full pipe) must
/// not stall the API: the writer thread blocks on the pipe, the bounded
/// queue fills, and lines beyond it are dropped and counted instead of
/// making requests wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_log_pipe_drops_and_counts_lines_but_never_stalls_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (port, metrics_port) = (free_port(), free_port());
    let mut api = api_command(dir.path(), port)
        .env("LOG_FORMAT", "json")
        .env("METRICS_BIND", format!("127.0.0.1:{metrics_port}"))
        // A pipe nobody reads: about 64 KiB fit, then every write blocks.
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let client = plain_http::Client::new(port);
    client.wait_until_up().await;
    // Well past the pipe, the writer's batch and the 16,384-line queue.
    let (connections, per_connection) = (8, 2_500);
    let body = json!({ "query": "{ __typename }" });
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let (client, body) = (plain_http::Client::new(port), body.clone());
            tokio::spawn(async move { client.keep_alive_posts(&body, per_connection).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for answers in clients {
        let answers = tokio::time::timeout(Duration::from_secs(300), answers)
            .await
            .expect("requests stalled behind the log pipe")
            .unwrap();
        statuses.extend(answers);
    }
    assert_eq!(statuses.len(), connections * per_connection);
    assert!(statuses.iter().all(|s| *s == 200), "non-200 answers");
    let scrape = plain_http::Client::new(metrics_port).get("/metrics").await;
    let _ = api.kill();
    let _ = api.wait();
    let dropped: f64 = scrape
        .lines()
        .find_map(|line| line.strip_prefix("rampart_log_lines_dropped_total "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no dropped-lines counter:\n{scrape}"));
    assert!(dropped > 0.0, "{scrape}");
}

/// The API on a fresh SQLite file in `dir`, logging to `dir/api.log`.
fn api_command(dir: &std::path::Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("API_BIND", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("t.db").display()),
        )
        .env("JWT_SECRET", random(48))
        .env("ARGON2_MEMORY_KIB", "8192")
        .env("ARGON2_ITERATIONS", "1")
        .stdout(Stdio::from(
            std::fs::File::create(dir.join("api.log")).unwrap(),
        ))
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("api.err")).unwrap(),
        ));
    command
}

/// SIGTERM, as an orchestrator stops it; the log writer flushes on exit.
fn stop(api: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &api.id().to_string()])
        .status();
    let _ = api.wait();
}

/// Span names exported under `service` (checking the resource too).
fn span_names(received: &Received, service: &str) -> Vec<String> {
    let batches = received.lock().unwrap();
    batches
        .iter()
        .flat_map(|batch| &batch.resource_spans)
        .filter(|spans| {
            spans.resource.as_ref().is_some_and(|resource| {
                resource
                    .attributes
                    .iter()
                    .any(|a| a.key == "service.name" && format!("{:?}", a.value).contains(service))
            })
        })
        .flat_map(|spans| &spans.scope_spans)
        .flat_map(|scope| &scope.spans)
        .map(|span| span.name.clone())
        .collect()
}

/// A tiny HTTP/1.1 client over tokio, enough for these two calls.
mod plain_http {
    use std::time::Duration;

    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpStream,
    };

    pub struct Client {
        port: u16,
    }

    impl Client {
        pub fn new(port: u16) -> Self {
            Self { port }
        }

        pub async fn wait_until_up(&self) {
            for _ in 0..200 {
                if TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("the API did not start");
        }

        pub async fn graphql(&self, body: serde_json::Value) -> String {
            self.graphql_with_request_id(body, "").await
        }

        /// `count` POSTs of `body` on one keep-alive connection; the
        /// status of each answer.
        pub async fn keep_alive_posts(&self, body: &serde_json::Value, count: usize) -> Vec<u16> {
            let body = body.to_string();
            let request = format!(
                "POST /graphql HTTP/1.1\r\nHost: rampart\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
            let mut buffer = Vec::new();
            let mut statuses = Vec::with_capacity(count);
            for _ in 0..count {
                stream.write_all(request.as_bytes()).await.unwrap();
                statuses.push(read_response(&mut stream, &mut buffer).await);
            }
            statuses
        }

        pub async fn get(&self, path: &str) -> String {
            let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
            let head = format!("GET {path} HTTP/1.1\r\nHost: rampart\r\nConnection: close\r\n\r\n");
            stream.write_all(head.as_bytes()).await.unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).await.unwrap();
            response
        }

        /// An empty `request_id` sends no `x-request-id` (the API makes one).
        pub async fn graphql_with_request_id(
            &self,
            body: serde_json::Value,
            request_id: &str,
        ) -> String {
            let body = body.to_string();
            let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
            let id_header = if request_id.is_empty() {
                String::new()
            } else {
                format!("x-request-id: {request_id}\r\n")
            };
            let head = format!(
                "POST /graphql HTTP/1.1\r\nHost: rampart\r\nContent-Type: application/json\r\n{id_header}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(body.as_bytes()).await.unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).await.unwrap();
            response
        }
    }

    /// One response off a keep-alive stream (headers, then `Content-Length`
    /// bytes of body); what follows it stays in `buffer`. Its status.
    async fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> u16 {
        let mut chunk = [0_u8; 16 * 1024];
        loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if buffer.len() >= end + 4 + length {
                    let status = head[9..12].parse().unwrap();
                    buffer.drain(..end + 4 + length);
                    return status;
                }
            }
            let read = stream.read(&mut chunk).await.unwrap();
            assert!(read > 0, "connection closed mid-response");
            buffer.extend_from_slice(&chunk[..read]);
        }
    }
}
