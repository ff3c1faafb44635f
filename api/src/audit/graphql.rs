use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{error::GqlResult, pagination::Page, resolver::request};

#[derive(SimpleObject)]
pub struct AuditEvent {
    pub id: Uuid,
    /// e.g. `login.failed`, `user.role_changed`.
    pub kind: String,
    pub actor_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub subject_email: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::audit_event::Model> for AuditEvent {
    fn from(row: entity::audit_event::Model) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            actor_id: row.actor_id,
            subject_id: row.subject_id,
            subject_email: row.subject_email,
            ip: row.ip,
            detail: row.detail,
            created_at: row.created_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct AuditEventPage {
    pub nodes: Vec<AuditEvent>,
    pub total_count: u64,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Security events, newest first. Superusers only.
    // Costs 5 plus `limit` times its selection: a page of 100 costs a hundred
    // times what a page of one does.
    #[graphql(complexity = "5 + (limit.clamp(1, 100) as usize) * child_complexity")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] offset: i64,
        #[graphql(default = 20)] limit: i64,
    ) -> async_graphql::Result<AuditEventPage> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let page = Page::new(offset, limit).gql()?;
        let (rows, total) = super::service::list(state, caller, page).await.gql()?;
        Ok(AuditEventPage {
            nodes: rows.into_iter().map(Into::into).collect(),
            total_count: total,
        })
    }
}
