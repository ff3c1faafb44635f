//! User rows: the reads and the one insert that every domain shares.

use std::{net::IpAddr, sync::OnceLock};

use chrono::{DateTime, Utc};
use entity::{session, user};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    QueryTrait, RelationTrait, Set, Statement, TransactionTrait, Value,
};
use uuid::Uuid;

use crate::{
    audit::{self, AuditEntry, Kind},
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

/// The caller's row if the session `session_id` is theirs and live (not
/// revoked, before both its deadlines), read on the per-request
/// connections (`db::Reads`): the one statement an authenticated request
/// always makes. The session is joined in, not read separately, so the
/// check costs a primary-key probe of `sessions` inside the same round
/// trip; nothing is written (last use is recorded on refresh only).
///
/// The user's MFA row is left-joined (a primary-key probe too) for one
/// answer: whether MFA is on, which superuser-only operations need.
pub async fn find_for_request(
    state: &AppState,
    id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<(user::Model, bool)>, AppError> {
    let statement = request_read(state.db.get_database_backend(), id, session_id, now);
    let Some(row) = state.reads.query_one(&state.db, statement).await? else {
        return Ok(None);
    };
    let mfa_enabled_at: Option<DateTime<Utc>> = row.try_get("", "mfa_enabled_at")?;
    Ok(Some((
        user::Model::from_query_result(&row, "")?,
        mfa_enabled_at.is_some(),
    )))
}

/// The identity read for these values. Its text depends only on the
/// backend, so SeaQuery writes it once per backend and each request only
/// binds its four values: building the joins and filters and rendering
/// them cost a `me` request more than the rest of its SQL handling.
fn request_read(backend: DbBackend, id: Uuid, session_id: Uuid, now: DateTime<Utc>) -> Statement {
    static TEXT: [OnceLock<String>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match backend {
        DbBackend::Postgres => 0,
        DbBackend::Sqlite => 1,
        DbBackend::MySql => 2,
    };
    let sql = TEXT[slot].get_or_init(|| {
        built_request_read(backend, Uuid::nil(), Uuid::nil(), DateTime::UNIX_EPOCH).sql
    });
    // In the order of the placeholders `built_request_read` writes (its
    // test compares the two for random values on every backend).
    let values: [Value; 4] = [id.into(), session_id.into(), now.into(), now.into()];
    Statement::from_sql_and_values(backend, sql.clone(), values)
}

/// The identity read as SeaQuery builds it: the user, their live session
/// joined in, and whether MFA is on.
fn built_request_read(
    backend: DbBackend,
    id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> Statement {
    user::Entity::find_by_id(id)
        .join(sea_orm::JoinType::InnerJoin, user::Relation::Session.def())
        .join(sea_orm::JoinType::LeftJoin, user::Relation::UserMfa.def())
        .column_as(
            sea_orm::sea_query::Expr::col((
                entity::user_mfa::Entity,
                entity::user_mfa::Column::EnabledAt,
            )),
            "mfa_enabled_at",
        )
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::IdleExpiresAt.gt(now))
        .build(backend)
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
    /// Whether the address counts as proven from the start (only the first
    /// superuser, whose address the operator configured); everyone else
    /// proves it with a link.
    pub email_verified: bool,
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
        email_verified_at: Set(account.email_verified.then_some(now)),
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

/// Who made an account, for its audit entry.
#[derive(Clone, Copy, Debug)]
pub enum CreatedBy {
    /// Sign-up: the new user is their own actor.
    Itself,
    Superuser(Uuid),
    Configuration,
}

/// Inserts the account and its `user.created` audit entry in a new
/// transaction, returned open so the caller can add to it (a welcome link)
/// before committing.
pub async fn insert_audited(
    db: &DatabaseConnection,
    account: NewAccount,
    created_by: CreatedBy,
    ip: Option<IpAddr>,
    detail: &str,
) -> Result<(DatabaseTransaction, user::Model), AppError> {
    let txn = db.begin().await?;
    let created = insert(&txn, account, Utc::now()).await?;
    let actor = match created_by {
        CreatedBy::Itself => Some(created.id),
        CreatedBy::Superuser(id) => Some(id),
        CreatedBy::Configuration => None,
    };
    let entry = AuditEntry {
        actor,
        subject: Some(created.id),
        subject_email: Some(&created.email),
        ip,
        detail: Some(detail),
    };
    audit::record(&txn, Kind::UserCreated, entry).await?;
    Ok((txn, created))
}

/// Replaces the stored hash with `new` if it is still `old`: a re-hash at
/// log-in never overwrites a password set meanwhile (a reset, a change).
/// Tokens stay valid: the password is the same. Whether it replaced it.
pub async fn replace_hash_if_unchanged<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    old: &str,
    new: &str,
) -> Result<bool, AppError> {
    let result = user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(new))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::PasswordHash.eq(old))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks the user's address proven now, unless it already was; whether it
/// changed anything (so the caller audits only a real change).
pub async fn mark_email_verified<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let result = user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub fn email_taken() -> AppError {
    AppError::conflict("email", "A user with this e-mail already exists.")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The kept text with this request's values is exactly the
        /// statement SeaQuery builds for them, on every backend.
        #[test]
        fn the_kept_identity_read_is_the_built_one(
            id in any::<u128>(),
            session in any::<u128>(),
            millis in 0_i64..4_102_444_800_000,
        ) {
            let now = Utc.timestamp_millis_opt(millis).single().unwrap_or_default();
            let (id, session) = (Uuid::from_u128(id), Uuid::from_u128(session));
            for backend in [DbBackend::Postgres, DbBackend::Sqlite, DbBackend::MySql] {
                let kept = request_read(backend, id, session, now);
                let built = built_request_read(backend, id, session, now);
                prop_assert_eq!(&kept.sql, &built.sql);
                prop_assert_eq!(&kept.values, &built.values);
            }
        }
    }
}
