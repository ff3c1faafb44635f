//! Ownership is enforced here: a normal user's queries are filtered by
//! owner, so another user's item is indistinguishable from a missing one.

use chrono::Utc;
use entity::item;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use crate::{
    caller::{Caller, Viewer},
    error::AppError,
    pagination::{self, Page},
    state::AppState,
    text::{check_free_text, Lines},
};

pub const MAX_TITLE_LENGTH: usize = 255;
pub const MAX_DESCRIPTION_LENGTH: usize = 255;

pub struct NewItem {
    pub title: String,
    pub description: Option<String>,
}

/// `None` keeps a field; `description: Some(None)` clears it.
#[derive(Default)]
pub struct ItemChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
}

/// The items `viewer` may see: their own, or all of them for a superuser.
fn visible_to(viewer: &Viewer) -> Condition {
    if viewer.is_superuser() {
        Condition::all()
    } else {
        Condition::all().add(item::Column::OwnerId.eq(viewer.id()))
    }
}

fn visible_item(viewer: &Viewer, id: Uuid) -> Condition {
    visible_to(viewer).add(item::Column::Id.eq(id))
}

/// The caller's items (every item for a superuser), newest first.
#[tracing::instrument(name = "items.list", skip_all)]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    page: Page,
) -> Result<(Vec<item::Model>, u64), AppError> {
    let viewer = caller.viewer()?;
    let (created_at, id) = (item::Column::CreatedAt, item::Column::Id);
    let visible = item::Entity::find().filter(visible_to(viewer));
    pagination::newest_first(&state.db, visible, created_at, id, page).await
}

#[tracing::instrument(name = "items.get", skip_all, fields(%id))]
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> Result<item::Model, AppError> {
    find_visible(&state.db, caller.viewer()?, id).await
}

async fn find_visible<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Uuid,
) -> Result<item::Model, AppError> {
    item::Entity::find()
        .filter(visible_item(viewer, id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Item"))
}

#[tracing::instrument(name = "items.create", skip_all)]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: NewItem,
) -> Result<item::Model, AppError> {
    let viewer = caller.viewer()?;
    let now = Utc::now();
    Ok(item::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(validate_title(&input.title)?),
        description: Set(validate_description(input.description.as_deref())?),
        owner_id: Set(viewer.id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?)
}

/// Changes only the fields given, in one statement: an item deleted (or
/// handed to someone else) between a read and a write cannot turn into a
/// server error, it is simply not found.
#[tracing::instrument(name = "items.update", skip_all, fields(%id))]
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    changes: ItemChanges,
) -> Result<item::Model, AppError> {
    let viewer = caller.viewer()?;
    let title = changes.title.as_deref().map(validate_title).transpose()?;
    let description = changes
        .description
        .map(|d| validate_description(d.as_deref()))
        .transpose()?;
    let mut update = item::Entity::update_many()
        .col_expr(item::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(visible_item(viewer, id));
    if let Some(title) = title {
        update = update.col_expr(item::Column::Title, Expr::value(title));
    }
    if let Some(description) = description {
        update = update.col_expr(item::Column::Description, Expr::value(description));
    }
    update
        .exec_with_returning(&state.db)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound("Item"))
}

/// Deletes in one statement; of concurrent deletes of one item, only the
/// one that removed the row is told it did.
#[tracing::instrument(name = "items.delete", skip_all, fields(%id))]
pub async fn delete(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    let viewer = caller.viewer()?;
    let deleted = item::Entity::delete_many()
        .filter(visible_item(viewer, id))
        .exec(&state.db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound("Item"));
    }
    Ok(())
}

pub(crate) fn validate_title(raw: &str) -> Result<String, AppError> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(AppError::bad_input("title", "Title is required."));
    }
    check_free_text("title", title, Lines::One)?;
    if title.chars().count() > MAX_TITLE_LENGTH {
        return Err(AppError::bad_input(
            "title",
            "Title must be at most 255 characters.",
        ));
    }
    Ok(title.to_owned())
}

pub(crate) fn validate_description(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    check_free_text("description", text, Lines::Many)?;
    if text.chars().count() > MAX_DESCRIPTION_LENGTH {
        return Err(AppError::bad_input(
            "description",
            "Description must be at most 255 characters.",
        ));
    }
    Ok(Some(text.to_owned()))
}
