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
    auth::viewer::Viewer,
    error::AppError,
    pagination::{self, Page},
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

pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    page: Page,
) -> Result<(Vec<item::Model>, u64), AppError> {
    let (created_at, id) = (item::Column::CreatedAt, item::Column::Id);
    pagination::newest_first(db, visible_to(viewer), created_at, id, page).await
}

pub async fn get<C: ConnectionTrait>(
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

pub async fn create<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    input: NewItem,
) -> Result<item::Model, AppError> {
    let now = Utc::now();
    Ok(item::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(validate_title(&input.title)?),
        description: Set(validate_description(input.description.as_deref())?),
        owner_id: Set(viewer.id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Uuid,
    changes: ItemChanges,
) -> Result<item::Model, AppError> {
    let title = changes.title.as_deref().map(validate_title).transpose()?;
    let description = changes
        .description
        .map(|d| validate_description(d.as_deref()))
        .transpose()?;
    let mut active = get(db, viewer, id).await?.into_active_model();
    if let Some(title) = title {
        active.title = Set(title);
    }
    if let Some(description) = description {
        active.description = Set(description);
    }
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, viewer: &Viewer, id: Uuid) -> Result<(), AppError> {
    get(db, viewer, id).await?.delete(db).await?;
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
