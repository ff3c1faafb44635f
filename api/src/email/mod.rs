//! Outgoing e-mail through SMTP (lettre), or to the log in local mode when
//! no SMTP server is configured. Messages are sent in the background so the
//! time a request takes does not reveal whether an e-mail went out; the one
//! exception is the test e-mail, whose point is to report what the SMTP
//! server answered (`send_test`, `delivery.rs`).

mod delivery;
mod mfa;
mod templates;

pub use delivery::{Delivered, DeliveryError, Failure};

use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use secrecy::ExposeSecret;
use url::Url;

use crate::config::{Config, SmtpTls};

/// Where a test e-mail was asked for, as its text says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestOrigin {
    AdminArea,
    CommandLine,
}

/// A rendered message: subject, HTML and plain-text bodies.
#[derive(Clone, Debug)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Sends the product's e-mails. It knows the configuration they need
/// (sender, product name, the SPA's address for links, link lifetimes), so a
/// caller only says what to send to whom.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// Where the SMTP server is (`host:port`) and the password to keep out
    /// of any message shown, for the test e-mail's report.
    smtp: Option<(String, Option<secrecy::SecretString>)>,
    project: String,
    frontend: Url,
    reset_token_ttl: std::time::Duration,
    set_password_token_ttl: std::time::Duration,
    email_link_ttl: std::time::Duration,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
}

impl Mailer {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let email = &config.email;
        let from: Mailbox = email.from.parse()?;
        let transport = match &email.smtp {
            None => Transport::Log,
            Some(smtp) => {
                let mut builder = match smtp.tls {
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
                    SmtpTls::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?
                    }
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                };
                if smtp.tls == SmtpTls::StartTls {
                    // Required, not opportunistic: a downgrade must fail, not leak links.
                    builder = builder.tls(Tls::Required(TlsParameters::new(smtp.host.clone())?));
                }
                builder = builder.port(smtp.port).timeout(Some(smtp.timeout));
                if let (Some(user), Some(password)) = (&smtp.user, &smtp.password) {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        password.expose_secret().to_owned(),
                    ));
                }
                Transport::Smtp(builder.build())
            }
        };
        let smtp = email.smtp.as_ref().map(|smtp| {
            (
                format!("{}:{}", smtp.host, smtp.port),
                smtp.password.clone(),
            )
        });
        Ok(Self {
            from,
            transport,
            smtp,
            project: email.project_name.clone(),
            frontend: config.frontend_host.clone(),
            reset_token_ttl: config.reset_token_ttl,
            set_password_token_ttl: config.set_password_token_ttl,
            email_link_ttl: config.email_verification.link_ttl,
        })
    }

    /// The recovery e-mail with its reset link, sent in the background.
    pub fn send_password_reset(&self, user: &entity::user::Model, token: &str) {
        self.send_in_background(
            "password_reset",
            templates::password_reset_email(
                &self.project,
                &self.frontend,
                &user.email,
                token,
                self.reset_token_ttl,
            ),
        );
    }

    /// The welcome e-mail of an account a superuser created, with the link
    /// that sets its first password, sent in the background.
    pub fn send_welcome(&self, user: &entity::user::Model, token: &str) {
        self.send_in_background(
            "welcome",
            templates::welcome_email(
                &self.project,
                &self.frontend,
                &user.email,
                user.full_name.as_deref(),
                token,
                self.set_password_token_ttl,
            ),
        );
    }

    /// The link that proves a new account's address, sent in the background.
    pub fn send_verification(&self, to: &str, token: &str) {
        self.send_in_background(
            "verify_email",
            templates::verify_email(
                &self.project,
                &self.frontend,
                to,
                token,
                self.email_link_ttl,
            ),
        );
    }

    /// To the owner of an address someone tried to sign up with, with a
    /// recovery link, sent in the background.
    pub fn send_signup_attempt(&self, user: &entity::user::Model, reset_token: &str) {
        self.send_in_background(
            "signup_attempt",
            templates::signup_attempt_email(
                &self.project,
                &self.frontend,
                &user.email,
                reset_token,
                self.reset_token_ttl,
            ),
        );
    }

    /// The link that moves an account to `new_email`, sent there.
    pub fn send_email_change_confirmation(&self, new_email: &str, token: &str) {
        self.send_in_background(
            "confirm_email_change",
            templates::confirm_email_change_email(
                &self.project,
                &self.frontend,
                new_email,
                token,
                self.email_link_ttl,
            ),
        );
    }

    /// To the current address: a move to `new_email` was asked for.
    pub fn send_email_change_requested(&self, old_email: &str, new_email: &str) {
        self.send_in_background(
            "email_change_requested",
            templates::email_change_requested_email(
                &self.project,
                &self.frontend,
                old_email,
                new_email,
            ),
        );
    }

    /// To the former address: the account now lives at `new_email`.
    pub fn send_email_changed(&self, old_email: &str, new_email: &str) {
        self.send_in_background(
            "email_changed",
            templates::email_changed_email(&self.project, &self.frontend, old_email, new_email),
        );
    }

    /// Sends the test e-mail now and reports what the SMTP server answered,
    /// or why it did not take the message.
    pub async fn send_test(
        &self,
        to: &str,
        origin: TestOrigin,
    ) -> Result<Delivered, DeliveryError> {
        let email = templates::test_email(&self.project, &self.frontend, to, origin);
        let result = match &self.transport {
            Transport::Log => {
                // Written to the log like every e-mail in this mode, and
                // reported as not sent: nothing reached an SMTP server.
                let _ = self.send(&email).await;
                Err(DeliveryError::not_configured())
            }
            Transport::Smtp(transport) => {
                let message = self.build(&email).map_err(|e| DeliveryError::invalid(&e))?;
                match transport.send(message).await {
                    Ok(response) => Ok(Delivered::from_response(&response)),
                    Err(error) => Err(self.smtp_error(&error)),
                }
            }
        };
        crate::metrics::email("test", result.is_ok());
        result
    }

    fn smtp_error(&self, error: &lettre::transport::smtp::Error) -> DeliveryError {
        let (server, password) = match &self.smtp {
            Some((server, password)) => (server.as_str(), password.as_ref()),
            None => ("", None),
        };
        DeliveryError::from_smtp(error, server, password)
    }

    /// Every e-mail the API sends, rendered with sample data (no real token
    /// or account), for the superuser's preview.
    pub fn previews(&self) -> Vec<(&'static str, Email)> {
        let (to, name, token) = ("jane.doe@example.com", "Jane Doe", "sample-token");
        let new_email = "jane@new.example.com";
        let mut previews = vec![
            (
                "password_reset",
                templates::password_reset_email(
                    &self.project,
                    &self.frontend,
                    to,
                    token,
                    self.reset_token_ttl,
                ),
            ),
            (
                "welcome",
                templates::welcome_email(
                    &self.project,
                    &self.frontend,
                    to,
                    Some(name),
                    token,
                    self.set_password_token_ttl,
                ),
            ),
            (
                "test",
                templates::test_email(&self.project, &self.frontend, to, TestOrigin::AdminArea),
            ),
            (
                "verify_email",
                templates::verify_email(
                    &self.project,
                    &self.frontend,
                    to,
                    token,
                    self.email_link_ttl,
                ),
            ),
            (
                "signup_attempt",
                templates::signup_attempt_email(
                    &self.project,
                    &self.frontend,
                    to,
                    token,
                    self.reset_token_ttl,
                ),
            ),
            (
                "confirm_email_change",
                templates::confirm_email_change_email(
                    &self.project,
                    &self.frontend,
                    to,
                    token,
                    self.email_link_ttl,
                ),
            ),
            (
                "email_change_requested",
                templates::email_change_requested_email(
                    &self.project,
                    &self.frontend,
                    to,
                    new_email,
                ),
            ),
            (
                "email_changed",
                templates::email_changed_email(&self.project, &self.frontend, to, new_email),
            ),
        ];
        previews.extend(self.mfa_previews(to));
        previews
    }

    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        match &self.transport {
            Transport::Log => {
                tracing::warn!(
                    to = %email.to,
                    subject = %email.subject,
                    body = %email.text,
                    "SMTP_HOST is not set: e-mail written to the log instead of being sent (local mode only)"
                );
                Ok(())
            }
            Transport::Smtp(transport) => {
                transport.send(self.build(email)?).await?;
                Ok(())
            }
        }
    }

    /// Fire-and-forget: failures are logged, not returned, because the
    /// caller's answer must not depend on delivery (enumeration safety).
    fn send_in_background(&self, kind: &'static str, email: Email) {
        let mailer = self.clone();
        tokio::spawn(async move {
            let result = mailer.send(&email).await;
            crate::metrics::email(kind, result.is_ok());
            if let Err(error) = result {
                tracing::error!(error = %error, kind, "e-mail delivery failed");
            }
        });
    }

    fn build(&self, email: &Email) -> anyhow::Result<Message> {
        Ok(Message::builder()
            .from(self.from.clone())
            .to(email.to.parse()?)
            .subject(email.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(email.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(email.html.clone()),
                    ),
            )?)
    }
}
