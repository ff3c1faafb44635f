//! Deletes what nothing will read again: throttle rows of addresses and
//! accounts quiet for a day, sessions that ended more than a week ago
//! (their rotated refresh tokens go with them), MFA login challenges
//! past their deadline (a password step nobody completed) and e-mail links
//! past theirs (a verification nobody clicked). Without it the tables only
//! grow: every address that ever signed in or guessed a cookie leaves a
//! throttle row, and every session stays forever with every refresh token
//! it rotated away from (nothing else deletes ended sessions: a sign-in
//! that pruned its user's would read all of them, every time).
//!
//! Every replica runs it; the deletes are idempotent, so two replicas
//! sweeping at once only do the same work twice.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::throttle;
use crate::{credentials::email_token, error::AppError, sessions::store, state::AppState};

/// How often each replica sweeps. The tables hold at most this much more
/// than the retention periods; the statements scan them, so not more often.
pub const INTERVAL: Duration = Duration::from_secs(600);

/// What one sweep deleted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub throttles: u64,
    pub sessions: u64,
    pub mfa_challenges: u64,
    pub email_links: u64,
}

/// One sweep at `now`.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<Swept, AppError> {
    Ok(Swept {
        throttles: throttle::prune_stale(&state.db, now).await?,
        sessions: store::prune_ended(&state.db, now).await?,
        mfa_challenges: crate::mfa::challenge::prune_expired(&state.db, now).await?,
        email_links: email_token::prune_expired(&state.db, now).await?,
    })
}

/// Sweeps every [`INTERVAL`] for as long as the process runs; a failed
/// sweep is logged and tried again at the next tick.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match sweep(&state, Utc::now()).await {
                Ok(swept) => tracing::debug!(
                    throttles = swept.throttles,
                    sessions = swept.sessions,
                    mfa_challenges = swept.mfa_challenges,
                    email_links = swept.email_links,
                    "swept stale rows"
                ),
                Err(error) => tracing::warn!(error = %error, "sweeping stale rows failed"),
            }
        }
    });
}
