//! Thin resolvers for the second factor. The sign-in's second step
//! (`completeMfaLogin`) and `login`'s `MfaChallenge` answer are in
//! `auth::graphql`, which opens sessions.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::service;
use crate::{
    error::GqlResult,
    resolver::{request, Message},
};

/// What `login` answers when the account has MFA on: no session yet.
#[derive(SimpleObject)]
pub struct MfaChallenge {
    /// Opaque, single use; pass to completeMfaLogin. Also bound to an HttpOnly cookie set with this answer.
    pub challenge_token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct MfaEnrolment {
    /// Base32 secret (RFC 4648, no padding) for manual entry. Shown only now.
    pub secret: String,
    /// otpauth://totp/Rampart:<email>?secret=...&issuer=Rampart&algorithm=SHA1&digits=6&period=30 — render it as a QR code locally.
    pub otpauth_uri: String,
    /// Confirm with a first code before this.
    pub expires_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct RecoveryCodes {
    /// Ten codes, shown once. Format: xxxxx-xxxxx (lowercase, no ambiguous characters).
    pub codes: Vec<String>,
}

#[derive(SimpleObject)]
pub struct MfaStatus {
    pub enabled: bool,
    pub enabled_at: Option<DateTime<Utc>>,
    pub recovery_codes_remaining: u64,
}

#[derive(InputObject)]
pub struct BeginMfaEnrolmentInput {
    #[graphql(secret)]
    pub password: String,
}

#[derive(InputObject)]
pub struct ConfirmMfaEnrolmentInput {
    #[graphql(secret)]
    pub code: String,
}

#[derive(InputObject)]
pub struct PasswordAndCodeInput {
    #[graphql(secret)]
    pub password: String,
    /// A current 6-digit code from the app (disableMfa also takes a recovery code).
    #[graphql(secret)]
    pub code: String,
}

#[derive(Default)]
pub struct MfaQuery;

#[Object]
impl MfaQuery {
    /// The viewer's MFA state.
    async fn mfa_status(&self, ctx: &Context<'_>) -> async_graphql::Result<MfaStatus> {
        let (state, caller) = request(ctx)?;
        let status = service::status(state, caller).await.gql()?;
        Ok(MfaStatus {
            enabled: status.enabled,
            enabled_at: status.enabled_at,
            recovery_codes_remaining: status.recovery_codes_remaining,
        })
    }
}

#[derive(Default)]
pub struct MfaMutation;

#[Object]
impl MfaMutation {
    /// Step 1 of enrolment: password confirmed, a new secret (pending until confirmed; replaces an earlier pending one).
    async fn begin_mfa_enrolment(
        &self,
        ctx: &Context<'_>,
        input: BeginMfaEnrolmentInput,
    ) -> async_graphql::Result<MfaEnrolment> {
        let (state, caller) = request(ctx)?;
        let enrolment = service::begin_enrolment(state, caller, &input.password)
            .await
            .gql()?;
        Ok(MfaEnrolment {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
            expires_at: enrolment.expires_at,
        })
    }

    /// Step 2: the first code from the app. MFA is on; other sessions end; ten recovery codes returned once.
    async fn confirm_mfa_enrolment(
        &self,
        ctx: &Context<'_>,
        input: ConfirmMfaEnrolmentInput,
    ) -> async_graphql::Result<RecoveryCodes> {
        let (state, caller) = request(ctx)?;
        let codes = service::confirm_enrolment(state, caller, &input.code)
            .await
            .gql()?;
        Ok(RecoveryCodes { codes })
    }

    /// New ten codes (old ones stop working): password + current TOTP code. Other sessions end.
    async fn regenerate_recovery_codes(
        &self,
        ctx: &Context<'_>,
        input: PasswordAndCodeInput,
    ) -> async_graphql::Result<RecoveryCodes> {
        let (state, caller) = request(ctx)?;
        let codes = service::regenerate_recovery_codes(state, caller, &input.password, &input.code)
            .await
            .gql()?;
        Ok(RecoveryCodes { codes })
    }

    /// Turns MFA off: password + current TOTP code or a recovery code. Other sessions end.
    async fn disable_mfa(
        &self,
        ctx: &Context<'_>,
        input: PasswordAndCodeInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        service::disable(state, caller, &input.password, &input.code)
            .await
            .gql()?;
        Ok(Message::new(
            "Two-step sign-in is off. Your other sessions were signed out.",
        ))
    }

    /// Superuser: removes a user's MFA (audited, user e-mailed, user's sessions end).
    async fn reset_user_mfa(
        &self,
        ctx: &Context<'_>,
        user_id: Uuid,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.superuser().gql()?;
        service::reset_user(state, caller, user_id).await.gql()?;
        Ok(Message::new(
            "Two-step sign-in was removed; the user was signed out and told by e-mail.",
        ))
    }
}
