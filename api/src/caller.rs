//! Who is calling and from where: the one request context the transport
//! builds (from the bearer token, the peer address and the request id) and
//! every resolver and service reads. Services authorize through it, so no
//! caller reaches a service with more rights than the transport granted.

use std::net::IpAddr;

use secrecy::SecretString;
use uuid::Uuid;

use crate::error::AppError;

/// The signed-in user, freshly read from the database for this request,
/// and the live session their access token belongs to.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user: entity::user::Model,
    pub session_id: Uuid,
    /// The account has a confirmed second factor.
    pub mfa_enabled: bool,
    /// `MFA_REQUIRED_FOR_SUPERUSERS`: superuser rights need MFA on.
    pub superuser_needs_mfa: bool,
}

impl Viewer {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    pub fn is_superuser(&self) -> bool {
        self.user.is_superuser
    }

    /// The one place superuser rights are granted. With
    /// `MFA_REQUIRED_FOR_SUPERUSERS` a superuser without MFA gets
    /// `MFA_ENROLMENT_REQUIRED` instead: a stolen password alone must not
    /// reach the admin operations. Enrolment itself is open to every
    /// signed-in user, so the first superuser can always enrol.
    pub fn require_superuser(&self) -> Result<(), AppError> {
        if !self.is_superuser() {
            return Err(AppError::Forbidden("This needs superuser rights."));
        }
        if self.superuser_needs_mfa && !self.mfa_enabled {
            return Err(AppError::MfaEnrolmentRequired);
        }
        Ok(())
    }
}

/// The outcome of authenticating a request.
#[derive(Clone, Debug)]
pub enum Auth {
    Anonymous,
    /// A token was sent but is invalid, expired, revoked or its user is gone
    /// or inactive. Treated like anonymous, except that it explains the
    /// `UNAUTHENTICATED` a protected field returns.
    Rejected,
    User(Viewer),
}

#[derive(Clone, Debug)]
pub struct Caller {
    pub auth: Auth,
    /// The client's address as the transport determined it (see
    /// `http::client_ip`); `None` only for callers outside HTTP.
    pub ip: Option<IpAddr>,
    /// The `x-request-id` of the request, echoed in `INTERNAL` errors.
    pub request_id: String,
    /// The client's `User-Agent` (bounded), recorded on a session.
    pub user_agent: Option<String>,
    /// The refresh cookie, present only on a JSON POST from the SPA's own
    /// origin (`http::graphql`); only `refreshSession` and `logout` read it.
    pub refresh_cookie: Option<SecretString>,
    /// The login challenge's binding cookie, read under the same rules;
    /// only `completeMfaLogin` reads it.
    pub mfa_cookie: Option<SecretString>,
}

impl Caller {
    /// A caller with no HTTP request behind it: the CLI and start-up.
    pub fn system() -> Self {
        Self {
            auth: Auth::Anonymous,
            ip: None,
            request_id: String::new(),
            user_agent: None,
            refresh_cookie: None,
            mfa_cookie: None,
        }
    }

    pub fn viewer(&self) -> Result<&Viewer, AppError> {
        match &self.auth {
            Auth::User(viewer) => Ok(viewer),
            Auth::Anonymous | Auth::Rejected => Err(AppError::Unauthenticated),
        }
    }

    pub fn superuser(&self) -> Result<&Viewer, AppError> {
        let viewer = self.viewer()?;
        viewer.require_superuser()?;
        Ok(viewer)
    }

    /// The session of the bearer token, if it is valid.
    pub fn session_id(&self) -> Option<Uuid> {
        self.viewer().ok().map(|viewer| viewer.session_id)
    }

    /// The signed-in user's id, if any: the actor of an audit entry.
    pub fn actor(&self) -> Option<Uuid> {
        self.viewer().ok().map(Viewer::id)
    }
}
