use async_graphql::{Context, InputObject, Object};

use super::service::{self, RequestEmailChange};
use crate::{
    auth::graphql::TokenInput,
    error::GqlResult,
    resolver::{request, Message},
};

#[derive(InputObject)]
pub struct RequestEmailChangeInput {
    pub new_email: String,
    #[graphql(secret)]
    pub password: String,
    /// The current TOTP code (or a recovery code) when MFA is on.
    #[graphql(secret)]
    pub code: Option<String>,
}

#[derive(Default)]
pub struct EmailChangeMutation;

#[Object]
impl EmailChangeMutation {
    /// Starts an address change: password (+ TOTP code when MFA is on); link
    /// to the new address, notice to the old. The same answer whether or not
    /// the new address already has an account.
    async fn request_email_change(
        &self,
        ctx: &Context<'_>,
        input: RequestEmailChangeInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let input = RequestEmailChange {
            new_email: input.new_email,
            password: input.password,
            code: input.code,
        };
        service::request_email_change(state, caller, input)
            .await
            .gql()?;
        Ok(Message::new(
            "Check the new address: the change happens when you open the link we sent there.",
        ))
    }

    /// Uses the change link's token: the address changes, other sessions end.
    async fn confirm_email_change(
        &self,
        ctx: &Context<'_>,
        input: TokenInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        service::confirm_email_change(state, caller, &input.token)
            .await
            .gql()?;
        Ok(Message::new(
            "Your e-mail address is changed. Your other sessions were signed out.",
        ))
    }
}
