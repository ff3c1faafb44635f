//! Ownership is enforced here: a normal user's queries are filtered by
//! owner, so another user's item is indistinguishable from a missing one.

use chrono::Utc;
use entity::item;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::{
    caller::{Caller, Viewer},
    error::AppError,
    pagination::{self, Page},
    state::AppState,
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

fn visible_to(viewer: &Viewer) -> Select<item::Entity> {
    let query = item::Entity::find();
    if viewer.is_superuser() {
        query
    } else {
        query.filter(item::Column::OwnerId.eq(viewer.id()))
    }
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
    pagination::newest_first(&state.db, visible_to(viewer), created_at, id, page).await
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
    visible_to(viewer)
        .filter(item::Column::Id.eq(id))
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

/// Changes only the fields given.
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
    let mut active = find_visible(&state.db, viewer, id)
        .await?
        .into_active_model();
    if let Some(title) = title {
        active.title = Set(title);
    }
    if let Some(description) = description {
        active.description = Set(description);
    }
    active.updated_at = Set(Utc::now());
    Ok(active.update(&state.db).await?)
}

#[tracing::instrument(name = "items.delete", skip_all, fields(%id))]
pub async fn delete(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    let viewer = caller.viewer()?;
    find_visible(&state.db, viewer, id)
        .await?
        .delete(&state.db)
        .await?;
    Ok(())
}

fn validate_title(raw: &str) -> Result<String, AppError> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(AppError::bad_input("title", "Title is required."));
    }
    if title.chars().count() > MAX_TITLE_LENGTH {
        return Err(AppError::bad_input(
            "title",
            "Title must be at most 255 characters.",
        ));
    }
    Ok(title.to_owned())
}

fn validate_description(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_DESCRIPTION_LENGTH {
        return Err(AppError::bad_input(
            "description",
            "Description must be at most 255 characters.",
        ));
    }
    Ok(Some(text.to_owned()))
}
