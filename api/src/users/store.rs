//! User rows: the reads and the one insert that every domain shares.

use chrono::{DateTime, Utc};
use entity::user;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryTrait, Set,
};
use uuid::Uuid;

use crate::{
    error::{is_unique_violation, AppError},
    state::AppState,
};

pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// The caller's row, read on the per-request connections (`db::Reads`):
/// the one statement an authenticated request always makes.
pub async fn find_for_request(state: &AppState, id: Uuid) -> Result<Option<user::Model>, AppError> {
    let statement = user::Entity::find_by_id(id).build(state.db.get_database_backend());
    let Some(row) = state.reads.query_one(&state.db, statement).await? else {
        return Ok(None);
    };
    Ok(Some(user::Model::from_query_result(&row, "")?))
}

pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("User"))
}

/// A user row ready to insert: address normalised, name validated,
/// password checked and hashed (or unusable, for accounts whose owner sets
/// it through a link).
pub struct NewAccount {
    pub email: String,
    pub full_name: Option<String>,
    pub password_hash: String,
    pub is_active: bool,
    pub is_superuser: bool,
}

/// Inserts the account. Sign-up, `createUser` and the first superuser all
/// come through here; a taken address is `CONFLICT` even when two requests
/// race for it (the unique index decides).
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    account: NewAccount,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(account.email),
        full_name: Set(account.full_name),
        password_hash: Set(account.password_hash),
        is_active: Set(account.is_active),
        is_superuser: Set(account.is_superuser),
        tokens_valid_after: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })
}

pub fn email_taken() -> AppError {
    AppError::conflict("email", "A user with this e-mail already exists.")
}
