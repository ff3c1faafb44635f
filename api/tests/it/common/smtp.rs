//! A real SMTP server on loopback (mailin-embedded) that keeps what it
//! receives, so e-mail tests read the delivered message. It refuses any
//! recipient whose address starts with `refused` (550), as a real server
//! refuses an unknown mailbox.

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
    time::Duration,
};

use mailin_embedded::{response, Handler, Response, Server};

#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The message with quoted-printable soft line breaks and `=3D` undone,
    /// enough to read links from it.
    pub fn decoded(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The token from the reset (or set-password) link in the message.
    pub fn token(&self) -> String {
        self.link_token("set-password")
    }

    /// The token of the link to the SPA page `page` (`verify-email`,
    /// `confirm-email`, `reset-password`) in the message.
    pub fn link_token(&self, page: &str) -> String {
        let decoded = self.decoded();
        let marker = format!("{page}?token=");
        let start = decoded
            .find(&marker)
            .unwrap_or_else(|| panic!("no {page} link in {decoded}"))
            + marker.len();
        decoded[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect()
    }

    /// The `Subject:` line's value.
    pub fn subject(&self) -> String {
        self.decoded()
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_owned()
    }
}

#[derive(Clone, Default)]
struct Collector {
    store: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

/// The server's answer to a refused recipient, as the tests expect it.
pub const REFUSED_REPLY: &str = "Mailbox unavailable";

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.trim_start_matches('<').starts_with("refused") {
            return response::NO_MAILBOX;
        }
        response::OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            to: self.to.clone(),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        };
        self.store.lock().unwrap().push(message);
        response::OK
    }
}

pub struct SmtpSink {
    port: u16,
    store: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let collector = Collector::default();
        let store = collector.store.clone();
        let mut server = Server::new(collector);
        // lettre keeps pooled connections open and each holds a server thread.
        server
            .with_name("sink.rampart.test")
            .with_num_threads(16)
            .with_tcp_listener(listener);
        // The server thread lives until the test process exits.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, store }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits (up to 10 s) for a message to `to`, since mail is sent in the background.
    pub async fn wait_for(&self, to: &str) -> Received {
        for _ in 0..200 {
            if let Some(found) = self.messages_to(to).pop() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no e-mail to {to} arrived");
    }

    /// Waits for a message to `to`, then removes every message to `to`
    /// from the sink and returns them.
    pub async fn take_for(&self, to: &str) -> Vec<Received> {
        self.wait_for(to).await;
        let mut store = self.store.lock().unwrap();
        let (taken, kept) = store
            .drain(..)
            .partition(|m| m.to.iter().any(|t| t.contains(to)));
        *store = kept;
        taken
    }

    /// Waits (up to 10 s) for a message to `to` whose subject contains
    /// `subject`, since mail is sent in the background.
    pub async fn wait_for_subject(&self, to: &str, subject: &str) -> Received {
        for _ in 0..200 {
            if let Some(found) = self
                .messages_to(to)
                .into_iter()
                .rev()
                .find(|m| m.subject().contains(subject))
            {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no e-mail to {to} about {subject:?} arrived");
    }

    pub fn messages_to(&self, to: &str) -> Vec<Received> {
        let store = self.store.lock().unwrap();
        store
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains(to)))
            .cloned()
            .collect()
    }
}
