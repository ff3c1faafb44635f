use std::time::Duration;

use chrono::Utc;

use crate::{
    audit::{self, AuditEntry, Kind},
    caller::Caller,
    email::{Delivered, DeliveryError, Email, TestOrigin},
    error::AppError,
    state::AppState,
    throttle,
    users::normalize_email,
};

/// Sends the test e-mail to `to` now and reports the SMTP server's answer
/// (or why it did not take the message) as a value, not an error: a refusal
/// by the server is what the superuser asked to see.
///
/// Throttled per superuser (`TEST_EMAIL_PER_HOUR`): each call makes the
/// server send a message to an address of the caller's choosing, so a
/// stolen superuser token must not turn the API into a mail cannon.
#[tracing::instrument(name = "admin.send_test_email", skip_all)]
pub async fn send_test_email(
    state: &AppState,
    caller: &Caller,
    to: &str,
) -> Result<Result<Delivered, DeliveryError>, AppError> {
    let actor = caller.superuser()?;
    let to = normalize_email(to).map_err(|error| match error {
        AppError::BadInput { message, .. } => AppError::bad_input("to", message),
        other => other,
    })?;
    throttle::enforce_window(
        &state.db,
        &format!("test-email:{}", actor.id()),
        state.config.throttle.test_email_per_hour,
        Duration::from_secs(3600),
        Utc::now(),
    )
    .await?;
    let outcome = state.mailer.send_test(&to, TestOrigin::AdminArea).await;
    let detail = match &outcome {
        Ok(_) => "accepted".to_owned(),
        Err(error) => format!("failed: {}", error.failure.as_str()),
    };
    match &outcome {
        Ok(delivered) => tracing::info!(reply = %delivered.reply, "test e-mail accepted"),
        Err(error) => {
            tracing::warn!(failure = error.failure.as_str(), error = %error.message, "test e-mail not sent")
        }
    }
    audit::record(
        &state.db,
        Kind::TestEmailSent,
        AuditEntry {
            actor: Some(actor.id()),
            subject_email: Some(&to),
            ip: caller.ip,
            detail: Some(&detail),
            ..AuditEntry::default()
        },
    )
    .await?;
    Ok(outcome)
}

/// Every e-mail the API sends, rendered with sample data.
pub fn email_previews(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<(&'static str, Email)>, AppError> {
    caller.superuser()?;
    Ok(state.mailer.previews())
}
