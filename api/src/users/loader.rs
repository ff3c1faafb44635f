//! The user DataLoaders: one query per batch of ids instead of one per
//! parent row (the owners of a page of items, the pending address changes
//! of a page of users).

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::graphql::User;
use crate::credentials::email_token::Purpose;

pub struct UserLoader {
    db: DatabaseConnection,
}

impl UserLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for UserLoader {
    type Value = User;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, User>, Self::Error> {
        let rows = entity::user::Entity::find()
            .filter(entity::user::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.id, User::from(row)))
            .collect())
    }
}

/// The address each user's pending e-mail change would move them to: the
/// newest unused, unexpired change link (the same rule as
/// `email_token::pending_change`, for many users at once).
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
