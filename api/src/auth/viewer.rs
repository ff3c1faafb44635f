//! Who is making the request. The HTTP layer resolves the bearer token into
//! an [`Auth`] once per request; resolvers and services only ask it.

use chrono::Utc;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::token::TokenService;
use crate::error::AppError;

/// The signed-in user, freshly read from the database for this request.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user: entity::user::Model,
}

impl Viewer {
    pub fn id(&self) -> uuid::Uuid {
        self.user.id
    }

    pub fn is_superuser(&self) -> bool {
        self.user.is_superuser
    }

    pub fn require_superuser(&self) -> Result<(), AppError> {
        if self.is_superuser() {
            Ok(())
        } else {
            Err(AppError::Forbidden("This needs superuser rights."))
        }
    }
}

#[derive(Clone, Debug)]
pub enum Auth {
    Anonymous,
    /// A token was sent but is invalid, expired, revoked or its user is gone
    /// or inactive. Treated like anonymous, except that it explains the
    /// `UNAUTHENTICATED` a protected field returns.
    Rejected,
    User(Viewer),
}

impl Auth {
    pub fn viewer(&self) -> Result<&Viewer, AppError> {
        match self {
            Auth::User(viewer) => Ok(viewer),
            Auth::Anonymous | Auth::Rejected => Err(AppError::Unauthenticated),
        }
    }

    pub fn superuser(&self) -> Result<&Viewer, AppError> {
        let viewer = self.viewer()?;
        viewer.require_superuser()?;
        Ok(viewer)
    }

    /// Resolves an `Authorization` header value. Database failures surface
    /// as errors (the request then fails with `INTERNAL`), never as "anonymous".
    pub async fn from_bearer(
        header: Option<&str>,
        tokens: &TokenService,
        db: &DatabaseConnection,
    ) -> Result<Auth, AppError> {
        let Some(header) = header else {
            return Ok(Auth::Anonymous);
        };
        let Some(token) = header.strip_prefix("Bearer ").map(str::trim) else {
            return Ok(Auth::Rejected);
        };
        let Some(claims) = tokens.verify(token) else {
            return Ok(Auth::Rejected);
        };
        let Some(user) = entity::user::Entity::find_by_id(claims.sub).one(db).await? else {
            return Ok(Auth::Rejected);
        };
        let revoked = claims.iat_ms < user.tokens_valid_after.timestamp_millis();
        let from_the_future = claims.iat_ms > Utc::now().timestamp_millis() + 60_000;
        if !user.is_active || revoked || from_the_future {
            return Ok(Auth::Rejected);
        }
        Ok(Auth::User(Viewer { user }))
    }
}
