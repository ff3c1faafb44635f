//! What a user and a superuser see and end of sessions, as plain
//! functions over the state, the caller and the input.

use chrono::Utc;
use entity::{session, user};
use sea_orm::{EntityTrait, TransactionTrait};
use uuid::Uuid;

use super::store::{self, Reason};
use crate::{
    audit::{self, AuditEntry, Kind},
    caller::Caller,
    error::AppError,
    state::AppState,
};

/// The viewer's live sessions, the current one first.
#[tracing::instrument(name = "sessions.list", skip_all)]
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<session::Model>, AppError> {
    let viewer = caller.viewer()?;
    let mut sessions = store::list_live(&state.db, viewer.id(), Utc::now()).await?;
    // Stable: the others stay most recently used first.
    sessions.sort_by_key(|s| s.id != viewer.session_id);
    Ok(sessions)
}

/// Any user's live sessions. Superusers only; an unknown user is `NOT_FOUND`.
#[tracing::instrument(name = "sessions.list_for_user", skip_all, fields(%user_id))]
pub async fn list_for_user(
    state: &AppState,
    caller: &Caller,
    user_id: Uuid,
) -> Result<Vec<session::Model>, AppError> {
    caller.superuser()?;
    existing_user(state, user_id).await?;
    store::list_live(&state.db, user_id, Utc::now()).await
}

/// Ends one of the viewer's sessions (the current one included). Another
/// user's session, a missing one and an ended one are all `NOT_FOUND`.
/// True when it was the current session.
#[tracing::instrument(name = "sessions.revoke", skip_all, fields(%id))]
pub async fn revoke(state: &AppState, caller: &Caller, id: Uuid) -> Result<bool, AppError> {
    let viewer = caller.viewer()?;
    let txn = state.db.begin().await?;
    if !store::revoke(&txn, id, Some(viewer.id()), Reason::Revoked, Utc::now()).await? {
        return Err(AppError::NotFound("Session"));
    }
    let detail = format!("session {id}");
    let entry = AuditEntry {
        actor: Some(viewer.id()),
        subject: Some(viewer.id()),
        subject_email: Some(&viewer.user.email),
        ip: caller.ip,
        detail: Some(&detail),
    };
    audit::record(&txn, Kind::SessionRevoked, entry).await?;
    txn.commit().await?;
    Ok(id == viewer.session_id)
}

/// Ends all of the viewer's sessions, or all but the current one.
#[tracing::instrument(name = "sessions.logout_everywhere", skip_all)]
pub async fn logout_everywhere(
    state: &AppState,
    caller: &Caller,
    keep_current: bool,
) -> Result<u64, AppError> {
    let viewer = caller.viewer()?;
    let keep = keep_current.then_some(viewer.session_id);
    let detail = if keep_current {
        "signed out everywhere else"
    } else {
        "signed out everywhere"
    };
    revoke_all_audited(state, caller, &viewer.user, keep, detail).await
}

/// A superuser ends every session of a user ("sign out everywhere").
#[tracing::instrument(name = "sessions.revoke_for_user", skip_all, fields(%user_id))]
pub async fn revoke_for_user(
    state: &AppState,
    caller: &Caller,
    user_id: Uuid,
) -> Result<u64, AppError> {
    caller.superuser()?;
    let target = existing_user(state, user_id).await?;
    revoke_all_audited(
        state,
        caller,
        &target,
        None,
        "signed out everywhere by a superuser",
    )
    .await
}

async fn revoke_all_audited(
    state: &AppState,
    caller: &Caller,
    target: &user::Model,
    keep: Option<Uuid>,
    detail: &str,
) -> Result<u64, AppError> {
    let txn = state.db.begin().await?;
    let ended = store::revoke_all(&txn, target.id, keep, Reason::RevokedAll, Utc::now()).await?;
    let detail = format!("{detail} ({ended} ended)");
    let entry = AuditEntry {
        actor: caller.actor(),
        subject: Some(target.id),
        subject_email: Some(&target.email),
        ip: caller.ip,
        detail: Some(&detail),
    };
    audit::record(&txn, Kind::SessionRevokedAll, entry).await?;
    txn.commit().await?;
    Ok(ended)
}

async fn existing_user(state: &AppState, id: Uuid) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound("User"))
}
