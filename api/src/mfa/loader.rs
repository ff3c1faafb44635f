//! Whether users have MFA on, batched: `User.mfaEnabled` on a page of
//! users is one query, not one per row.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::user_mfa;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

pub struct MfaEnabledLoader {
    db: DatabaseConnection,
}

impl MfaEnabledLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for MfaEnabledLoader {
    type Value = bool;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, bool>, Self::Error> {
        let rows = user_mfa::Entity::find()
            .filter(user_mfa::Column::UserId.is_in(keys.iter().copied()))
            .filter(user_mfa::Column::EnabledAt.is_not_null())
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut enabled: HashMap<Uuid, bool> = keys.iter().map(|id| (*id, false)).collect();
        for row in rows {
            enabled.insert(row.user_id, true);
        }
        Ok(enabled)
    }
}
