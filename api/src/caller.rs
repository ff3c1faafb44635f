//! Who is calling and from where: the one request context the transport
//! builds (from the bearer token, the peer address and the request id) and
//! every resolver and service reads. Services authorize through it, so no
//! caller reaches a service with more rights than the transport granted.

use std::net::IpAddr;

use uuid::Uuid;

use crate::error::AppError;

/// The signed-in user, freshly read from the database for this request.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user: entity::user::Model,
}

impl Viewer {
    pub fn id(&self) -> Uuid {
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
}

impl Caller {
    /// A caller with no HTTP request behind it: the CLI and start-up.
    pub fn system() -> Self {
        Self {
            auth: Auth::Anonymous,
            ip: None,
            request_id: String::new(),
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

    /// The signed-in user's id, if any: the actor of an audit entry.
    pub fn actor(&self) -> Option<Uuid> {
        self.viewer().ok().map(Viewer::id)
    }
}
