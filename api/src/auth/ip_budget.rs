//! The per-IP budget every anonymous auth mutation spends from.

use std::{net::IpAddr, time::Duration};

use chrono::Utc;

use crate::{
    error::AppError,
    state::AppState,
    throttle::{self, ip_key},
};

const MINUTE: Duration = Duration::from_secs(60);

/// Every anonymous auth mutation (log-in, sign-up, reset) spends from one
/// per-IP budget, so they cannot be combined to multiply an attacker's rate.
pub(crate) async fn spend_ip_budget(state: &AppState, ip: Option<IpAddr>) -> Result<(), AppError> {
    let limit = state.config.throttle.auth_ip_attempts_per_minute;
    throttle::enforce_window(&state.db, &ip_key("auth", ip), limit, MINUTE, Utc::now()).await
}
