//! One error type for the whole API, mapped once to GraphQL error codes.
//!
//! Client-facing messages are written here, never derived from the text of
//! an internal error: database and library errors are logged with detail
//! and reach the client as a generic message plus the request id.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Stable `extensions.code` values. The SPA and other clients switch on these.
pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const CONFLICT: &str = "CONFLICT";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The password was right but the account's address is not verified yet
    /// and REQUIRE_EMAIL_VERIFICATION is on: the client offers "resend".
    pub const EMAIL_NOT_VERIFIED: &str = "EMAIL_NOT_VERIFIED";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// A superuser without a second factor asked for a superuser-only
    /// operation while `MFA_REQUIRED_FOR_SUPERUSERS` is on: enrol first.
    pub const MFA_ENROLMENT_REQUIRED: &str = "MFA_ENROLMENT_REQUIRED";
    /// A dependency (the database) is down: retry later; not a bug.
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    pub const INTERNAL: &str = "INTERNAL";
}

pub const INTERNAL_MESSAGE: &str =
    "Something went wrong on our side. Quote the request id if you report it.";
pub const UNAVAILABLE_MESSAGE: &str = "The service is temporarily unavailable. Try again shortly.";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("You must be signed in.")]
    Unauthenticated,
    /// One message for a wrong password, an unknown e-mail, an inactive and a
    /// throttled account, so a login attempt reveals nothing about the account.
    #[error("Incorrect e-mail or password.")]
    InvalidCredentials,
    /// Only ever after a correct password, so it reveals nothing to someone
    /// who does not already hold the account's password.
    #[error(
        "Your e-mail address is not verified yet. Open the link we sent you, or ask for a new one."
    )]
    EmailNotVerified,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("Set up two-step sign-in (Settings, Security) before using administrator operations.")]
    MfaEnrolmentRequired,
    #[error("{0} not found.")]
    NotFound(&'static str),
    #[error("{message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// Shed: too much work of this kind (password hashes) is queued already.
    #[error("The server is busy. Try again in {retry_after_secs} seconds.")]
    Overloaded { retry_after_secs: u64 },
    /// The database (or another dependency) cannot be reached.
    #[error("{UNAVAILABLE_MESSAGE}")]
    Unavailable(#[source] anyhow::Error),
    #[error("{INTERNAL_MESSAGE}")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn bad_input(field: &'static str, message: impl Into<String>) -> Self {
        Self::BadInput {
            field,
            message: message.into(),
        }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            field,
            message: message.into(),
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }

    pub fn unavailable(reason: &'static str) -> Self {
        Self::Unavailable(anyhow::anyhow!(reason))
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated | Self::InvalidCredentials => code::UNAUTHENTICATED,
            Self::EmailNotVerified => code::EMAIL_NOT_VERIFIED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::MfaEnrolmentRequired => code::MFA_ENROLMENT_REQUIRED,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::BadInput { .. } => code::BAD_USER_INPUT,
            Self::Conflict { .. } => code::CONFLICT,
            Self::RateLimited { .. } | Self::Overloaded { .. } => code::RATE_LIMITED,
            Self::Unavailable(_) => code::UNAVAILABLE,
            Self::Internal(_) => code::INTERNAL,
        }
    }
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        if let DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout) = &error {
            crate::metrics::db_acquire_timeout();
        }
        if is_outage(&error) {
            Self::Unavailable(error.into())
        } else {
            Self::Internal(error.into())
        }
    }
}

/// The database is down or going away, as opposed to a statement that is
/// wrong: no connection could be had, the connection broke mid-request, or
/// the server says it is shutting down or not accepting connections
/// (SQLSTATE class 08, 57P01–57P05, 53300).
fn is_outage(error: &DbErr) -> bool {
    use sea_orm::{sqlx::Error, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(error)) | DbErr::Exec(RuntimeErr::SqlxError(error)) => {
            match error {
                Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => {
                    true
                }
                Error::Database(error) => error.code().is_some_and(|code| {
                    code.starts_with("08") || code.starts_with("57P") || code == "53300"
                }),
                _ => false,
            }
        }
        _ => false,
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            // The detail goes to the log (inside the request span, which
            // carries the request id); the client gets the generic text.
            Self::Internal(source) => tracing::error!(error = ?source, "internal error"),
            // Once per request during an outage: debug only. The outage
            // itself is logged once when it starts and when it ends
            // (`db::Outage`).
            Self::Unavailable(source) => tracing::debug!(error = %source, "dependency unavailable"),
            _ => {}
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::BadInput { field, .. } | Self::Conflict { field, .. } => {
                    ext.set("field", *field)
                }
                Self::RateLimited { retry_after_secs } | Self::Overloaded { retry_after_secs } => {
                    ext.set("retryAfter", *retry_after_secs)
                }
                Self::Unavailable(_) => ext.set("retryAfter", 1),
                _ => {}
            }
        })
    }
}

/// `?`-friendly conversion for resolvers: `service::x(..).await.gql()?`.
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, AppError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

/// True when a database error is a unique-constraint violation, the one
/// database error a client is told about (as `CONFLICT`).
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
