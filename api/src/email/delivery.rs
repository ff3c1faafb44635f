//! What became of a message sent now (the test e-mail): the SMTP server's
//! answer, or a stable failure code with a message a superuser can act on.
//!
//! The messages name the setting to check and quote the server's reply; they
//! never carry the SMTP password (a server that echoes what it was sent
//! could put it in its reply, so it is masked here whatever lettre says).

use lettre::transport::smtp::{self, response::Response};
use secrecy::{ExposeSecret, SecretString};

/// Why a message did not go out. The names are stable: clients, the audit
/// log and the command line's exit report use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `SMTP_HOST` is not set (local mode): messages go to the log.
    NotConfigured,
    /// The message could not be built (an address lettre refuses).
    InvalidMessage,
    /// No connection to the SMTP server (refused, unreachable, reset).
    Connection,
    /// The TLS handshake failed or the server offers no STARTTLS.
    Tls,
    /// The server did not answer within `SMTP_TIMEOUT_SECS`.
    Timeout,
    /// The server refused the credentials or requires some (530/534/535/538/454).
    Authentication,
    /// The server answered with an error for the sender, recipient or message.
    Rejected,
    /// Anything else (an unparsable reply, an internal client error).
    Other,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::NotConfigured => "NOT_CONFIGURED",
            Failure::InvalidMessage => "INVALID_MESSAGE",
            Failure::Connection => "CONNECTION",
            Failure::Tls => "TLS",
            Failure::Timeout => "TIMEOUT",
            Failure::Authentication => "AUTHENTICATION",
            Failure::Rejected => "REJECTED",
            Failure::Other => "OTHER",
        }
    }
}

/// The server took the message; `reply` is its answer to the end of data
/// (e.g. `250 2.0.0 Ok: queued as 4F2A1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub reply: String,
}

impl Delivered {
    pub(super) fn from_response(response: &Response) -> Self {
        Self {
            reply: reply_text(response),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} ({message})", failure.as_str())]
pub struct DeliveryError {
    pub failure: Failure,
    pub message: String,
}

impl DeliveryError {
    pub(super) fn not_configured() -> Self {
        Self {
            failure: Failure::NotConfigured,
            message: "SMTP_HOST is not set: the message was written to the server's log, not sent"
                .to_owned(),
        }
    }

    pub(super) fn invalid(error: &anyhow::Error) -> Self {
        Self {
            failure: Failure::InvalidMessage,
            message: format!("the message could not be built: {error}"),
        }
    }

    /// `server` is `host:port`; `password` the configured SMTP password, to
    /// be masked in whatever text the error carries.
    pub(super) fn from_smtp(
        error: &smtp::Error,
        server: &str,
        password: Option<&SecretString>,
    ) -> Self {
        let detail = error_chain(error);
        let (failure, message) = if error.is_timeout() {
            (
                Failure::Timeout,
                format!(
                    "the SMTP server {server} did not answer in time (SMTP_TIMEOUT_SECS): {detail}"
                ),
            )
        } else if error.is_tls() {
            (
                Failure::Tls,
                format!("TLS with the SMTP server {server} failed (check SMTP_TLS and SMTP_PORT): {detail}"),
            )
        } else if let Some(code) = error.status() {
            let code = code.to_string();
            if ["530", "534", "535", "538", "454"].contains(&code.as_str()) {
                (
                    Failure::Authentication,
                    format!("the SMTP server {server} refused to authenticate (check SMTP_USER and SMTP_PASSWORD): {detail}"),
                )
            } else if error.is_transient() {
                (
                    Failure::Rejected,
                    format!("the SMTP server {server} refused the message for now (a temporary error): {detail}"),
                )
            } else {
                (
                    Failure::Rejected,
                    format!("the SMTP server {server} refused the message: {detail}"),
                )
            }
        } else if error.is_response() || error.is_client() || error.is_transport_shutdown() {
            (
                Failure::Other,
                format!("sending through the SMTP server {server} failed: {detail}"),
            )
        } else {
            (
                Failure::Connection,
                format!("cannot connect to the SMTP server {server} (check SMTP_HOST and SMTP_PORT): {detail}"),
            )
        };
        Self {
            failure,
            message: mask(message, password),
        }
    }
}

fn reply_text(response: &Response) -> String {
    let lines: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), lines.join(" "))
        .trim()
        .to_owned()
}

/// The error and its causes on one line: lettre's own text stops at the
/// first cause ("Connection error: Connection refused (os error 111)").
fn error_chain(error: &smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error).and_then(std::error::Error::source);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn mask(message: String, password: Option<&SecretString>) -> String {
    match password.map(ExposeSecret::expose_secret) {
        Some(password) if !password.is_empty() => message.replace(password, "[redacted]"),
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_password_never_reaches_the_message() {
        let password = SecretString::from("hunter2-but-longer");
        let text = mask(
            "535 bad credentials for hunter2-but-longer".to_owned(),
            Some(&password),
        );
        assert_eq!(text, "535 bad credentials for [redacted]");
        assert_eq!(mask("250 OK".to_owned(), None), "250 OK");
    }

    #[test]
    fn failure_codes_are_stable() {
        let all = [
            Failure::NotConfigured,
            Failure::InvalidMessage,
            Failure::Connection,
            Failure::Tls,
            Failure::Timeout,
            Failure::Authentication,
            Failure::Rejected,
            Failure::Other,
        ];
        let names: Vec<&str> = all.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            names,
            [
                "NOT_CONFIGURED",
                "INVALID_MESSAGE",
                "CONNECTION",
                "TLS",
                "TIMEOUT",
                "AUTHENTICATION",
                "REJECTED",
                "OTHER"
            ]
        );
    }
}
