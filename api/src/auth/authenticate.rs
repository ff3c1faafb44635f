//! Turns a request's `Authorization` header into an [`Auth`], once per
//! request, before anything executes. Only an access token (a JWT) is
//! accepted here: a refresh token is not a JWT and is refused like any
//! other garbage.

use chrono::Utc;

use crate::{
    caller::{Auth, Viewer},
    error::AppError,
    state::AppState,
    users::store,
};

/// Resolves an `Authorization` header value. Database failures surface as
/// errors (the request then fails), never as "anonymous".
pub async fn authenticate(state: &AppState, header: Option<&str>) -> Result<Auth, AppError> {
    let Some(header) = header else {
        return Ok(Auth::Anonymous);
    };
    let Some(token) = header.strip_prefix("Bearer ").map(str::trim) else {
        return Ok(Auth::Rejected);
    };
    let Some(claims) = state.tokens.verify(token) else {
        return Ok(Auth::Rejected);
    };
    let now = Utc::now();
    // The user and their session in one statement: a revoked or expired
    // session, or another user's, finds no row.
    let Some((user, mfa_enabled)) =
        store::find_for_request(state, claims.sub, claims.sid, now).await?
    else {
        return Ok(Auth::Rejected);
    };
    let revoked = claims.iat_ms < user.tokens_valid_after.timestamp_millis();
    let from_the_future = claims.iat_ms > now.timestamp_millis() + 60_000;
    if !user.is_active || revoked || from_the_future {
        return Ok(Auth::Rejected);
    }
    Ok(Auth::User(Viewer {
        user,
        session_id: claims.sid,
        mfa_enabled,
        superuser_needs_mfa: state.config.mfa.required_for_superusers,
    }))
}
