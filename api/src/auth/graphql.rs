use async_graphql::{Context, InputObject, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    mfa_login,
    service::{self, Credentials, LoginOutcome},
    session::{self, SignedIn},
    signup, verification,
};
use crate::{
    error::{AppError, GqlResult},
    mfa::{self, graphql::MfaChallenge},
    resolver::{request, Message},
    sessions::{cookie, graphql::clear_cookie},
    state::AppState,
};

/// Sign-up's one answer, for a new address and a taken one alike.
const SIGNED_UP: &str = "Check your inbox: we sent a message to that address with what to do next.";

/// Told once, at the first sign-in after a refresh-token reuse.
const REUSE_NOTICE: &str = "One of your sessions was signed out because its sign-in was used from two places at once, which can mean someone copied it. If that was not you, change your password.";

#[derive(SimpleObject)]
pub struct AccessToken {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub expires_at: DateTime<Utc>,
    /// The session the token belongs to (see `sessions`).
    pub session_id: Uuid,
    /// Set once after a refresh-token reuse revoked a session of this user; null otherwise.
    pub security_notice: Option<String>,
}

/// The access token for the answer, and the refresh cookie when there is a
/// new one.
fn signed_in(ctx: &Context<'_>, state: &AppState, signed_in: SignedIn) -> AccessToken {
    if let Some(refresh) = &signed_in.refresh {
        let value = cookie::issue(&state.config.sessions, &refresh.token, refresh.max_age);
        ctx.append_http_header(axum::http::header::SET_COOKIE, value);
    }
    AccessToken {
        access_token: signed_in.access.token,
        token_type: "Bearer".into(),
        expires_in: signed_in.access.expires_in.as_secs(),
        expires_at: signed_in.access.expires_at,
        session_id: signed_in.session_id,
        security_notice: signed_in.reuse_detected.then(|| REUSE_NOTICE.to_owned()),
    }
}

/// What `login` answers: a session, or (MFA on) a challenge to complete with `completeMfaLogin`.
#[derive(Union)]
pub enum LoginResult {
    AccessToken(AccessToken),
    MfaChallenge(MfaChallenge),
}

/// The challenge for the answer, and its binding secret in an HttpOnly
/// cookie that lives as long as the challenge.
fn challenged(
    ctx: &Context<'_>,
    state: &AppState,
    challenge: mfa_login::Challenge,
) -> MfaChallenge {
    let value = mfa::cookie::issue(
        &state.config.sessions,
        &challenge.binding,
        state.config.mfa.challenge_ttl,
    );
    ctx.append_http_header(axum::http::header::SET_COOKIE, value);
    MfaChallenge {
        challenge_token: challenge.token,
        expires_at: challenge.expires_at,
    }
}

#[derive(SimpleObject)]
pub struct PublicSettings {
    pub signup_enabled: bool,
    pub password_min_length: usize,
    pub password_max_length: usize,
    /// An unverified account cannot sign in (`EMAIL_NOT_VERIFIED` after a
    /// correct password); the SPA shows "verify your e-mail" with "resend".
    pub email_verification_required: bool,
    /// Superusers must set up two-step sign-in before any admin operation.
    pub mfa_required_for_superusers: bool,
}

#[derive(InputObject)]
pub struct CompleteMfaLoginInput {
    #[graphql(secret)]
    pub challenge_token: String,
    /// A 6-digit code from the authenticator app, or a recovery code.
    #[graphql(secret)]
    pub code: String,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
    /// Stay signed in across browser restarts (up to
    /// `SESSION_REMEMBER_LIFETIME_SECS`); otherwise the session ends with the browser.
    #[graphql(default = false)]
    pub remember_me: bool,
}

#[derive(InputObject)]
pub struct SignupInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
    pub full_name: Option<String>,
}

/// A one-time link's token (`verifyEmail`, `confirmEmailChange`).
#[derive(InputObject)]
pub struct TokenInput {
    #[graphql(secret)]
    pub token: String,
}

#[derive(InputObject)]
pub struct ResendVerificationInput {
    pub email: String,
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
    /// Keep this session signed in; every other session ends either way.
    #[graphql(default = true)]
    pub keep_current_session: bool,
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
            email_verification_required: state.config.email_verification.required,
            mfa_required_for_superusers: state.config.mfa.required_for_superusers,
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
    /// Exchanges e-mail and password for a session: an access token in the
    /// answer and the refresh cookie (HttpOnly) in `Set-Cookie`; with MFA on,
    /// an `MfaChallenge` (and its HttpOnly cookie) for `completeMfaLogin`
    /// instead. Wrong password, unknown e-mail, inactive and throttled
    /// accounts all get the same error.
    async fn login(
        &self,
        ctx: &Context<'_>,
        input: LoginInput,
    ) -> async_graphql::Result<LoginResult> {
        let (state, caller) = request(ctx)?;
        let credentials = Credentials {
            email: input.email,
            password: input.password,
            remember_me: input.remember_me,
        };
        Ok(
            match service::login(state, caller, credentials).await.gql()? {
                LoginOutcome::SignedIn(issued) => {
                    LoginResult::AccessToken(signed_in(ctx, state, issued))
                }
                LoginOutcome::Challenged(challenge) => {
                    LoginResult::MfaChallenge(challenged(ctx, state, challenge))
                }
            },
        )
    }

    /// Second step: the challenge and a 6-digit TOTP code OR a recovery code. Opens the session (recorded as MFA-used).
    /// `UNAUTHENTICATED` for an unknown, expired, used or dead challenge or a
    /// missing challenge cookie (start again at the password); `BAD_USER_INPUT`
    /// on `code` for a wrong or replayed code.
    async fn complete_mfa_login(
        &self,
        ctx: &Context<'_>,
        input: CompleteMfaLoginInput,
    ) -> async_graphql::Result<AccessToken> {
        let (state, caller) = request(ctx)?;
        let input = mfa_login::CompleteInput {
            challenge_token: input.challenge_token,
            code: input.code,
        };
        match mfa_login::complete(state, caller, input).await {
            Ok(issued) => {
                let cleared = mfa::cookie::clear(&state.config.sessions);
                ctx.append_http_header(axum::http::header::SET_COOKIE, cleared);
                Ok(signed_in(ctx, state, issued))
            }
            Err(error) => Err(error).gql(),
        }
    }

    /// A new access token for the refresh cookie, which is rotated. Reads
    /// only the cookie (never `Authorization`); `UNAUTHENTICATED` when it is
    /// missing, unknown, expired or revoked (and the cookie is cleared).
    async fn refresh_session(&self, ctx: &Context<'_>) -> async_graphql::Result<AccessToken> {
        let (state, caller) = request(ctx)?;
        match session::refresh(state, caller).await {
            Ok(issued) => Ok(signed_in(ctx, state, issued)),
            Err(error) => {
                if matches!(error, AppError::Unauthenticated) {
                    clear_cookie(ctx, &state.config.sessions);
                }
                Err(error).gql()
            }
        }
    }

    /// Ends the current session (the bearer token's, or the refresh
    /// cookie's once the access token has expired) and clears the cookie.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        session::logout(state, caller).await.gql()?;
        clear_cookie(ctx, &state.config.sessions);
        Ok(Message::new("Signed out."))
    }

    /// Creates a normal, active account and e-mails a verification link.
    /// The answer is the same when the address already has an account (its
    /// owner is e-mailed instead, and nothing changes). Refused when sign-up
    /// is disabled.
    async fn signup(
        &self,
        ctx: &Context<'_>,
        input: SignupInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        let input = signup::SignupInput {
            email: input.email,
            password: input.password,
            full_name: input.full_name,
        };
        signup::signup(state, caller, input).await.gql()?;
        Ok(Message::new(SIGNED_UP))
    }

    /// Uses a verification link's token.
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        input: TokenInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        verification::verify_email(state, caller, &input.token)
            .await
            .gql()?;
        Ok(Message::new("Your e-mail address is verified."))
    }

    /// Sends a new verification link if the address has an unverified
    /// account. Same answer always; throttled per IP (RATE_LIMITED) and per
    /// account (silently).
    async fn resend_verification_email(
        &self,
        ctx: &Context<'_>,
        input: ResendVerificationInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        verification::resend_verification_email(state, caller, &input.email)
            .await
            .gql()?;
        Ok(Message::new(
            "If that address has an account waiting for verification, a new link is on its way.",
        ))
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

    /// Changes the signed-in user's password. Every other session ends; the
    /// current one too unless `keepCurrentSession` (the default).
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> async_graphql::Result<Message> {
        let (state, caller) = request(ctx)?;
        caller.viewer().gql()?;
        let keep = input.keep_current_session;
        let input = service::ChangePasswordInput {
            current_password: input.current_password,
            new_password: input.new_password,
            keep_current_session: keep,
        };
        service::change_password(state, caller, input).await.gql()?;
        if keep {
            Ok(Message::new(
                "Password changed. Your other sessions were signed out.",
            ))
        } else {
            clear_cookie(ctx, &state.config.sessions);
            Ok(Message::new("Password changed. Please log in again."))
        }
    }
}
