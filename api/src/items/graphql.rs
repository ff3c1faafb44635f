use async_graphql::{
    dataloader::DataLoader, Context, InputObject, MaybeUndefined, Object, SimpleObject,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::service::{self, ItemChanges, NewItem};
use crate::{
    error::{AppError, GqlResult},
    pagination::Page,
    resolver::{change, request},
    users::{graphql::User, loader::UserLoader},
};

pub struct Item(entity::item::Model);

#[Object]
impl Item {
    async fn id(&self) -> Uuid {
        self.0.id
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn owner_id(&self) -> Uuid {
        self.0.owner_id
    }

    /// Batched: a page of items costs one query for all their owners.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let loader = ctx.data::<DataLoader<UserLoader>>()?;
        loader
            .load_one(self.0.owner_id)
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("loading owner: {e}")))
            .gql()?
            .ok_or(AppError::NotFound("User"))
            .gql()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(SimpleObject)]
pub struct ItemPage {
    pub nodes: Vec<Item>,
    pub total_count: u64,
}

#[derive(InputObject)]
pub struct CreateItemInput {
    pub title: String,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateItemInput {
    pub title: Option<String>,
    /// `null` clears the description; leaving it out keeps it.
    pub description: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct ItemsQuery;

#[Object]
impl ItemsQuery {
    /// The viewer's items (every item for a superuser), newest first.
    // Costs 5 plus `limit` times its selection: a page of 100 costs a hundred
    // times what a page of one does.
    #[graphql(complexity = "5 + (limit.clamp(1, 100) as usize) * child_complexity")]
    async fn items(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] offset: i64,
        #[graphql(default = 20)] limit: i64,
    ) -> async_graphql::Result<ItemPage> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let page = Page::new(offset, limit).gql()?;
        let (rows, total) = service::list(state, caller, page).await.gql()?;
        Ok(ItemPage {
            nodes: rows.into_iter().map(Item).collect(),
            total_count: total,
        })
    }

    async fn item(&self, ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Item> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        Ok(Item(service::get(state, caller, id).await.gql()?))
    }
}

#[derive(Default)]
pub struct ItemsMutation;

#[Object]
impl ItemsMutation {
    async fn create_item(
        &self,
        ctx: &Context<'_>,
        input: CreateItemInput,
    ) -> async_graphql::Result<Item> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let new_item = NewItem {
            title: input.title,
            description: input.description,
        };
        Ok(Item(service::create(state, caller, new_item).await.gql()?))
    }

    /// Changes only the fields given.
    async fn update_item(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateItemInput,
    ) -> async_graphql::Result<Item> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let changes = ItemChanges {
            title: input.title,
            description: change(input.description),
        };
        Ok(Item(
            service::update(state, caller, id, changes).await.gql()?,
        ))
    }

    /// Deletes an item; returns its id.
    async fn delete_item(&self, ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Uuid> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        service::delete(state, caller, id).await.gql()?;
        Ok(id)
    }
}
