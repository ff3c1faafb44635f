use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::service::{self, Credentials};
use crate::{
    error::GqlResult,
    resolver::{request, Message},
    users::graphql::User,
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
    async fn public_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<PublicSettings> {
        let (state, _) = request(ctx)?;
        let policy = state.hasher.policy();
        Ok(PublicSettings {
            signup_enabled: state.config.signup_enabled,
            password_min_length: policy.min_length,
            password_max_length: policy.max_length,
        })
    }

    /// Whether a reset or set-password link is still usable (throttled like
    /// resetPassword).
    async fn password_token_valid(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> async_graphql::Result<bool> {
        let (state, caller) = request(ctx)?;
        service::password_token_valid(state, caller, &token)
            .await
            .gql()
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
        let (state, caller) = request(ctx)?;
        let credentials = Credentials {
            email: input.email,
            password: input.password,
        };
        let issued = service::login(state, caller, credentials).await.gql()?;
        Ok(AccessToken {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in.as_secs(),
            expires_at: issued.expires_at,
        })
    }

    /// Creates a normal, active account. Refused when sign-up is disabled.
    async fn signup(&self, ctx: &Context<'_>, input: SignupInput) -> async_graphql::Result<User> {
        let (state, caller) = request(ctx)?;
        let input = service::SignupInput {
            email: input.email,
            password: input.password,
            full_name: input.full_name,
        };
        Ok(service::signup(state, caller, input).await.gql()?.into())
    }

    /// Sends a reset link if the account exists. Always the same answer.
    async fn recover_password(
        &self,
        ctx: &Context<'_>,
        input: RecoverPasswordInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        service::recover_password(state, caller, &input.email)
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
        let (state, caller) = request(ctx)?;
        let input = service::ResetPasswordInput {
            token: input.token,
            new_password: input.new_password,
        };
        service::reset_password(state, caller, input).await.gql()?;
        Ok(Message::new("Password updated. You can now log in."))
    }

    /// Changes the signed-in user's password; every existing token stops working.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let input = service::ChangePasswordInput {
            current_password: input.current_password,
            new_password: input.new_password,
        };
        service::change_password(state, caller, input).await.gql()?;
        Ok(Message::new("Password changed. Please log in again."))
    }
}
