use async_graphql::{Context, Enum, Object, SimpleObject};

use crate::{email, error::GqlResult, resolver::request};

/// Why a test e-mail did not go out (stable values).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum EmailFailure {
    /// `SMTP_HOST` is not set: e-mails are written to the server's log.
    NotConfigured,
    InvalidMessage,
    /// The SMTP server could not be reached.
    Connection,
    Tls,
    Timeout,
    /// The SMTP server refused the credentials or requires some.
    Authentication,
    /// The SMTP server refused the sender, the recipient or the message.
    Rejected,
    Other,
}

impl From<email::Failure> for EmailFailure {
    fn from(failure: email::Failure) -> Self {
        match failure {
            email::Failure::NotConfigured => Self::NotConfigured,
            email::Failure::InvalidMessage => Self::InvalidMessage,
            email::Failure::Connection => Self::Connection,
            email::Failure::Tls => Self::Tls,
            email::Failure::Timeout => Self::Timeout,
            email::Failure::Authentication => Self::Authentication,
            email::Failure::Rejected => Self::Rejected,
            email::Failure::Other => Self::Other,
        }
    }
}

/// What the SMTP server said to the test e-mail.
#[derive(SimpleObject)]
pub struct TestEmailResult {
    /// The SMTP server took the message for delivery.
    pub accepted: bool,
    /// The server's answer when it took the message (e.g. `250 2.0.0 Ok: queued`).
    pub server_reply: Option<String>,
    /// Why it did not go out, when it did not.
    pub failure: Option<EmailFailure>,
    /// What went wrong, in words, naming the setting to check; never a credential.
    pub error: Option<String>,
}

/// An e-mail the API sends, rendered with sample data.
#[derive(SimpleObject)]
pub struct EmailPreview {
    /// `password_reset`, `welcome` or `test`.
    pub name: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Every e-mail the API sends, rendered with sample data. Superusers only.
    async fn email_previews(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<EmailPreview>> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let previews = super::service::email_previews(state, caller).gql()?;
        Ok(previews
            .into_iter()
            .map(|(name, email)| EmailPreview {
                name: name.to_owned(),
                subject: email.subject,
                html: email.html,
                text: email.text,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Sends a test e-mail through the configured SMTP server now and reports
    /// its answer. Superusers only; throttled (`TEST_EMAIL_PER_HOUR`); audited
    /// as `email.test_sent`.
    async fn send_test_email(
        &self,
        ctx: &Context<'_>,
        to: String,
    ) -> async_graphql::Result<TestEmailResult> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let outcome = super::service::send_test_email(state, caller, &to)
            .await
            .gql()?;
        Ok(match outcome {
            Ok(delivered) => TestEmailResult {
                accepted: true,
                server_reply: Some(delivered.reply),
                failure: None,
                error: None,
            },
            Err(error) => TestEmailResult {
                accepted: false,
                server_reply: None,
                failure: Some(error.failure.into()),
                error: Some(error.message),
            },
        })
    }
}
