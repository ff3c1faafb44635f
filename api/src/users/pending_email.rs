//! The pending-address DataLoader: one query per batch of users instead of
//! one per row (a page of the admin's user list with `pendingEmail`). Its
//! own file: `graphql.rs` uses it, and `loader.rs` imports `graphql.rs`.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::credentials::email_token::Purpose;

/// The address each user's pending e-mail change would move them to: the
/// newest unused, unexpired change link (a newer request revokes older
/// links, so there is at most one).
pub struct PendingEmailLoader {
    db: DatabaseConnection,
}

impl PendingEmailLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for PendingEmailLoader {
    type Value = String;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, String>, Self::Error> {
        use entity::email_token::Column;
        let rows = entity::email_token::Entity::find()
            .filter(Column::UserId.is_in(keys.iter().copied()))
            .filter(Column::Purpose.eq(Purpose::Change.as_str()))
            .filter(Column::UsedAt.is_null())
            .filter(Column::ExpiresAt.gt(Utc::now()))
            .order_by_asc(Column::CreatedAt)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        // Oldest first, so the newest link of each user is the one kept.
        Ok(rows
            .into_iter()
            .map(|row| (row.user_id, row.email))
            .collect())
    }
}
