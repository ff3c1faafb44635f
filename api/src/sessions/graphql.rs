use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{client, cookie, service};
use crate::{
    caller::Caller,
    error::GqlResult,
    resolver::{request, Message},
};

/// A signed-in browser or device. Only live sessions are listed.
#[derive(SimpleObject)]
pub struct Session {
    pub id: Uuid,
    /// The session of the access token this request was made with.
    pub current: bool,
    pub created_at: DateTime<Utc>,
    /// The last refresh (not every request: see docs/sessions.md).
    pub last_used_at: DateTime<Utc>,
    /// The absolute end of the session.
    pub expires_at: DateTime<Utc>,
    /// When the session ends unless it is used (refreshed) before.
    pub idle_expires_at: DateTime<Utc>,
    pub remember_me: bool,
    /// Whether the sign-in that opened the session passed a second factor
    /// (an app code or a recovery code) as well as the password.
    pub mfa_used: bool,
    /// Approximate, from the user agent of the last use, e.g. `Firefox 132`.
    pub browser: Option<String>,
    pub os: Option<String>,
    /// `Desktop`, `Phone`, …
    pub device: Option<String>,
    /// The address the session was opened from.
    pub ip: Option<String>,
    /// The address of its last use.
    pub last_ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Session {
    fn new(row: entity::session::Model, current: Option<Uuid>) -> Self {
        let client = client::describe(row.last_user_agent.as_deref());
        Self {
            current: current == Some(row.id),
            id: row.id,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            idle_expires_at: row.idle_expires_at,
            remember_me: row.remember_me,
            mfa_used: row.mfa_used,
            browser: client.browser,
            os: client.os,
            device: client.device,
            ip: row.created_ip,
            last_ip: row.last_ip,
            user_agent: row.last_user_agent,
        }
    }
}

fn sessions(rows: Vec<entity::session::Model>, caller: &Caller) -> Vec<Session> {
    let current = caller.session_id();
    rows.into_iter()
        .map(|row| Session::new(row, current))
        .collect()
}

/// Tells the browser to drop the refresh cookie.
pub fn clear_cookie(ctx: &Context<'_>, config: &crate::config::SessionConfig) {
    ctx.append_http_header(axum::http::header::SET_COOKIE, cookie::clear(config));
}

#[derive(Default)]
pub struct SessionsQuery;

#[Object]
impl SessionsQuery {
    /// The viewer's live sessions, the current one first.
    async fn sessions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Session>> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let rows = service::list(state, caller).await.gql()?;
        Ok(sessions(rows, caller))
    }

    /// A user's live sessions. Superusers only.
    async fn user_sessions(
        &self,
        ctx: &Context<'_>,
        user_id: Uuid,
    ) -> async_graphql::Result<Vec<Session>> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let rows = service::list_for_user(state, caller, user_id).await.gql()?;
        Ok(sessions(rows, caller))
    }
}

#[derive(Default)]
pub struct SessionsMutation;

#[Object]
impl SessionsMutation {
    /// Ends all of the viewer's sessions, or all others with `keepCurrent`.
    async fn logout_everywhere(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] keep_current: bool,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let ended = service::logout_everywhere(state, caller, keep_current)
            .await
            .gql()?;
        if !keep_current {
            clear_cookie(ctx, &state.config.sessions);
        }
        Ok(Message::new(&format!("Signed out of {ended} sessions.")))
    }

    /// Ends one of the viewer's sessions. Another user's is `NOT_FOUND`.
    async fn revoke_session(&self, ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        if service::revoke(state, caller, id).await.gql()? {
            clear_cookie(ctx, &state.config.sessions);
        }
        Ok(Message::new("Session ended."))
    }

    /// Ends every session of a user. Superusers only; audited.
    async fn revoke_user_sessions(
        &self,
        ctx: &Context<'_>,
        user_id: Uuid,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let ended = service::revoke_for_user(state, caller, user_id)
            .await
            .gql()?;
        if caller.actor() == Some(user_id) {
            clear_cookie(ctx, &state.config.sessions);
        }
        Ok(Message::new(&format!("Signed out of {ended} sessions.")))
    }
}
