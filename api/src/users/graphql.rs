use async_graphql::{
    dataloader::DataLoader, ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object,
    SimpleObject,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    pending_email::PendingEmailLoader,
    service::{self, NewUser, ProfileChanges, UserChanges, UserQuery},
};
use crate::{
    error::{AppError, GqlResult},
    mfa::loader::MfaEnabledLoader,
    pagination::{Newest, Page},
    resolver::{change, request, Message},
};

/// A user as clients see it: never the password hash or revocation state.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    /// Whether the address was proven to be the user's (a link sent to it
    /// was used, or a superuser set it).
    pub email_verified: bool,
    pub full_name: Option<String>,
    pub is_active: bool,
    pub is_superuser: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[ComplexObject]
impl User {
    /// An address change waiting for its confirmation link (viewer's own or
    /// superuser view), else null.
    async fn pending_email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let (_, caller) = request(ctx)?;
        let Ok(viewer) = caller.viewer() else {
            return Ok(None);
        };
        if viewer.id() != self.id && !viewer.is_superuser() {
            return Ok(None);
        }
        let loader = ctx.data::<DataLoader<PendingEmailLoader>>()?;
        Ok(loader.load_one(self.id).await?)
    }

    /// Whether the account has a confirmed second factor. The user's own
    /// and superusers' views only.
    async fn mfa_enabled(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let (_, caller) = request(ctx)?;
        let viewer = caller.viewer().gql()?;
        if viewer.id() != self.id && !viewer.is_superuser() {
            return Err(AppError::Forbidden(
                "Only the user and superusers see this.",
            ))
            .gql();
        }
        let loader = ctx.data::<DataLoader<MfaEnabledLoader>>()?;
        Ok(loader
            .load_one(self.id)
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("loading MFA state: {e}")))
            .gql()?
            .unwrap_or(false))
    }
}

impl From<entity::user::Model> for User {
    fn from(row: entity::user::Model) -> Self {
        Self {
            id: row.id,
            email: row.email,
            email_verified: row.email_verified_at.is_some(),
            full_name: row.full_name,
            is_active: row.is_active,
            is_superuser: row.is_superuser,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Narrows the user list; a field left out does not filter.
#[derive(InputObject, Default)]
pub struct UserFilter {
    pub is_superuser: Option<bool>,
    pub is_active: Option<bool>,
}

#[derive(Enum, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserOrder {
    #[default]
    NewestFirst,
    OldestFirst,
}

#[derive(SimpleObject)]
pub struct UserPage {
    pub nodes: Vec<User>,
    pub total_count: u64,
}

/// What a user may change about themselves: their name. (The address
/// changes through `requestEmailChange`, with the password and a link.)
#[derive(InputObject)]
pub struct UpdateMeInput {
    /// `null` clears the name; leaving it out keeps it.
    pub full_name: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CreateUserInput {
    pub email: String,
    pub full_name: Option<String>,
    #[graphql(default = false)]
    pub is_superuser: bool,
    #[graphql(default = true)]
    pub is_active: bool,
}

#[derive(InputObject)]
pub struct UpdateUserInput {
    /// Set directly (a superuser's word proves it: the address counts as
    /// verified), audited with the old and new address; the old one is told.
    pub email: Option<String>,
    pub full_name: MaybeUndefined<String>,
    #[graphql(secret)]
    pub password: Option<String>,
    pub is_active: Option<bool>,
    pub is_superuser: Option<bool>,
}

#[derive(Default)]
pub struct UsersQuery;

#[Object]
impl UsersQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let (_, caller) = request(ctx)?;
        Ok(caller.viewer().gql()?.user.clone().into())
    }

    /// Users, newest first unless `orderBy` says otherwise, optionally
    /// searched (a part of the e-mail or the name, any case) and filtered by
    /// role and status. Superusers only.
    // Costs 5 plus `limit` times its selection: a page of 100 costs a hundred
    // times what a page of one does.
    #[graphql(complexity = "5 + (limit.clamp(1, 100) as usize) * child_complexity")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] offset: i64,
        #[graphql(default = 20)] limit: i64,
        search: Option<String>,
        filter: Option<UserFilter>,
        #[graphql(default)] order_by: UserOrder,
    ) -> async_graphql::Result<UserPage> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let filter = filter.unwrap_or_default();
        let query = UserQuery {
            search,
            is_superuser: filter.is_superuser,
            is_active: filter.is_active,
            newest: match order_by {
                UserOrder::NewestFirst => Newest::First,
                UserOrder::OldestFirst => Newest::Last,
            },
            page: Page::new(offset, limit).gql()?,
        };
        let (rows, total) = service::list(state, caller, query).await.gql()?;
        Ok(UserPage {
            nodes: rows.into_iter().map(Into::into).collect(),
            total_count: total,
        })
    }

    /// One user. A normal user may only ask for themself; asking for anyone
    /// else is `FORBIDDEN` whether or not that user exists.
    async fn user(&self, ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<User> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        Ok(service::get(state, caller, id).await.gql()?.into())
    }
}

#[derive(Default)]
pub struct UsersMutation;

#[Object]
impl UsersMutation {
    async fn update_me(
        &self,
        ctx: &Context<'_>,
        input: UpdateMeInput,
    ) -> async_graphql::Result<User> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let changes = ProfileChanges {
            full_name: change(input.full_name),
        };
        Ok(service::update_me(state, caller, changes)
            .await
            .gql()?
            .into())
    }

    /// Deletes the signed-in user and their items. Superusers cannot.
    async fn delete_me(&self, ctx: &Context<'_>) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        service::delete_me(state, caller).await.gql()?;
        Ok(Message::new("Your account has been deleted."))
    }

    /// Creates a user and e-mails them a link to set their password.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> async_graphql::Result<User> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let new_user = NewUser {
            email: input.email,
            full_name: input.full_name,
            is_superuser: input.is_superuser,
            is_active: input.is_active,
        };
        Ok(service::create(state, caller, new_user).await.gql()?.into())
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateUserInput,
    ) -> async_graphql::Result<User> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        let changes = UserChanges {
            email: input.email,
            full_name: change(input.full_name),
            password: input.password,
            is_active: input.is_active,
            is_superuser: input.is_superuser,
        };
        let user = service::update_by_admin(state, caller, id, changes)
            .await
            .gql()?;
        Ok(user.into())
    }

    /// Deletes a user and their items; returns the deleted id.
    async fn delete_user(&self, ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Uuid> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        service::delete_by_admin(state, caller, id).await.gql()?;
        Ok(id)
    }
}
