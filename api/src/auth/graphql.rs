use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{
    error::GqlResult,
    graphql::{auth, client_ip, state, Message},
    users::{graphql::User, service::NewUser},
};

#[derive(SimpleObject)]
pub struct AccessToken {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub expires_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct PublicSettings {
    pub signup_enabled: bool,
    pub password_min_length: usize,
    pub password_max_length: usize,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
}

#[derive(InputObject)]
pub struct SignupInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
    pub full_name: Option<String>,
}

#[derive(InputObject)]
pub struct RecoverPasswordInput {
    pub email: String,
}

#[derive(InputObject)]
pub struct ResetPasswordInput {
    #[graphql(secret)]
    pub token: String,
    #[graphql(secret)]
    pub new_password: String,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    #[graphql(secret)]
    pub current_password: String,
    #[graphql(secret)]
    pub new_password: String,
}

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// Settings the sign-in screens need before anyone is signed in.
    async fn public_settings(&self, ctx: &Context<'_>) -> PublicSettings {
        let config = &state(ctx).config;
        PublicSettings {
            signup_enabled: config.signup_enabled,
            password_min_length: config.password.min_length,
            password_max_length: config.password.max_length,
        }
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Exchanges e-mail and password for an access token. Wrong password,
    /// unknown e-mail, inactive and throttled accounts all get the same error.
    async fn login(
        &self,
        ctx: &Context<'_>,
        input: LoginInput,
    ) -> async_graphql::Result<AccessToken> {
        let issued =
            super::service::login(state(ctx), client_ip(ctx), &input.email, &input.password)
                .await
                .gql()?;
        Ok(AccessToken {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in.as_secs(),
            expires_at: issued.expires_at,
        })
    }

    /// Creates a normal, active account. Refused when sign-up is disabled.
    async fn signup(&self, ctx: &Context<'_>, input: SignupInput) -> async_graphql::Result<User> {
        let state = state(ctx);
        if !state.config.signup_enabled {
            return Err(crate::error::AppError::Forbidden("Sign-up is disabled.")).gql();
        }
        super::service::spend_ip_budget(state, client_ip(ctx))
            .await
            .gql()?;
        let new_user = NewUser {
            email: input.email,
            full_name: input.full_name,
            password: Some(input.password),
            is_superuser: false,
            is_active: true,
        };
        let user = crate::users::service::create(state, None, client_ip(ctx), new_user)
            .await
            .gql()?;
        Ok(user.into())
    }

    /// Sends a reset link if the account exists. Always the same answer.
    async fn recover_password(
        &self,
        ctx: &Context<'_>,
        input: RecoverPasswordInput,
    ) -> async_graphql::Result<Message> {
        super::service::recover_password(state(ctx), client_ip(ctx), &input.email)
            .await
            .gql()?;
        Ok(Message::new(
            "If that e-mail belongs to an account, a reset link is on its way.",
        ))
    }

    /// Sets a new password with the token from a reset or welcome e-mail.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> async_graphql::Result<Message> {
        super::service::reset_password(
            state(ctx),
            client_ip(ctx),
            &input.token,
            &input.new_password,
        )
        .await
        .gql()?;
        Ok(Message::new("Password updated. You can now log in."))
    }

    /// Changes the signed-in user's password; every existing token stops working.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> async_graphql::Result<Message> {
        let viewer = auth(ctx).viewer().gql()?;
        super::service::change_password(
            state(ctx),
            viewer,
            client_ip(ctx),
            &input.current_password,
            &input.new_password,
        )
        .await
        .gql()?;
        Ok(Message::new("Password changed. Please log in again."))
    }
}
