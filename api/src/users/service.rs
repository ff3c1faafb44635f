//! User operations as plain functions over the database. Authorization is
//! checked here too (not only in resolvers), so no caller can skip it.

use std::net::IpAddr;

use chrono::Utc;
use entity::user;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{normalize_email, normalize_full_name};
use crate::{
    audit::{self, AuditEntry, Kind},
    auth::{password::UNUSABLE_PASSWORD_HASH, reset_token, viewer::Viewer},
    email,
    error::{is_unique_violation, AppError},
    pagination::{self, Page},
    state::AppState,
};

pub struct NewUser {
    pub email: String,
    pub full_name: Option<String>,
    /// `None` for accounts created by a superuser: the owner sets it through
    /// the welcome link, so no password ever travels by e-mail.
    pub password: Option<String>,
    pub is_superuser: bool,
    pub is_active: bool,
}

/// A partial update; `None` leaves a field as it is. `full_name: Some(None)` clears it.
#[derive(Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub full_name: Option<Option<String>>,
    pub password: Option<String>,
    pub is_active: Option<bool>,
    pub is_superuser: Option<bool>,
}

pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("User"))
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    page: Page,
) -> Result<(Vec<user::Model>, u64), AppError> {
    let (created_at, id) = (user::Column::CreatedAt, user::Column::Id);
    pagination::newest_first(db, user::Entity::find(), created_at, id, page).await
}

/// Creates a user. `actor` is the superuser creating it, or `None` for sign-up.
pub async fn create(
    state: &AppState,
    actor: Option<&Viewer>,
    ip: Option<IpAddr>,
    input: NewUser,
) -> Result<user::Model, AppError> {
    let email = normalize_email(&input.email)?;
    let full_name = normalize_full_name(input.full_name.as_deref())?;
    let password_hash = match &input.password {
        Some(password) => {
            let context = [email.as_str(), full_name.as_deref().unwrap_or_default()];
            state
                .config
                .password
                .validate("password", password, &context)?;
            state.hasher.hash(password).await?
        }
        None => UNUSABLE_PASSWORD_HASH.to_owned(),
    };
    if find_by_email(&state.db, &email).await?.is_some() {
        return Err(email_taken());
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        full_name: Set(full_name),
        password_hash: Set(password_hash),
        is_active: Set(input.is_active),
        is_superuser: Set(input.is_superuser),
        tokens_valid_after: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    // Two sign-ups racing for one address: the index decides, the client hears CONFLICT.
    .map_err(|e| {
        if is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    let detail = match (actor.is_some(), created.is_superuser) {
        (false, _) => "signed up",
        (true, true) => "created as superuser",
        (true, false) => "created",
    };
    audit::record(
        &txn,
        Kind::UserCreated,
        AuditEntry {
            actor: Some(actor.map_or(created.id, Viewer::id)),
            subject: Some(created.id),
            subject_email: Some(&created.email),
            ip,
            detail: Some(detail),
        },
    )
    .await?;
    let set_password_token = if input.password.is_none() {
        Some(reset_token::create(&txn, created.id, state.config.set_password_token_ttl).await?)
    } else {
        None
    };
    txn.commit().await?;

    if let Some(token) = set_password_token {
        state.mailer.send_in_background(email::welcome_email(
            &state.config.email.project_name,
            &state.config.frontend_host,
            &created.email,
            created.full_name.as_deref(),
            &token,
            state.config.set_password_token_ttl,
        ));
    }
    Ok(created)
}

/// The signed-in user edits their own name and e-mail. Role and activation
/// are not reachable from here: the input type has no such fields.
pub async fn update_me(
    state: &AppState,
    viewer: &Viewer,
    ip: Option<IpAddr>,
    email: Option<String>,
    full_name: Option<Option<String>>,
) -> Result<user::Model, AppError> {
    let changes = UserChanges {
        email,
        full_name,
        ..UserChanges::default()
    };
    apply_changes(state, viewer, viewer.user.clone(), ip, changes).await
}

/// A superuser edits any user, including password, activation and role.
pub async fn update_by_admin(
    state: &AppState,
    actor: &Viewer,
    ip: Option<IpAddr>,
    id: Uuid,
    changes: UserChanges,
) -> Result<user::Model, AppError> {
    actor.require_superuser()?;
    if id == actor.id() && (changes.is_active == Some(false) || changes.is_superuser == Some(false))
    {
        // Locking yourself out is never what a superuser meant to do.
        return Err(AppError::Forbidden(
            "You cannot deactivate or demote yourself.",
        ));
    }
    let target = get(&state.db, id).await?;
    apply_changes(state, actor, target, ip, changes).await
}

async fn apply_changes(
    state: &AppState,
    actor: &Viewer,
    target: user::Model,
    ip: Option<IpAddr>,
    changes: UserChanges,
) -> Result<user::Model, AppError> {
    let now = Utc::now();
    let mut events: Vec<(Kind, &str)> = Vec::new();
    let mut revoke_sessions = false;

    let new_email = match changes.email {
        Some(raw) => {
            let email = normalize_email(&raw)?;
            if email != target.email {
                if find_by_email(&state.db, &email).await?.is_some() {
                    return Err(email_taken());
                }
                Some(email)
            } else {
                None
            }
        }
        None => None,
    };
    let new_name = match changes.full_name {
        Some(raw) => Some(normalize_full_name(raw.as_deref())?),
        None => None,
    };
    let new_hash = match changes.password {
        Some(password) => {
            let email = new_email.as_deref().unwrap_or(&target.email);
            state
                .config
                .password
                .validate("password", &password, &[email])?;
            revoke_sessions = true;
            events.push((Kind::PasswordChanged, "set by a superuser"));
            Some(state.hasher.hash(&password).await?)
        }
        None => None,
    };
    if let Some(active) = changes.is_active.filter(|a| *a != target.is_active) {
        events.push(if active {
            (Kind::UserActivated, "activated")
        } else {
            revoke_sessions = true;
            (Kind::UserDeactivated, "deactivated")
        });
    }
    if let Some(superuser) = changes.is_superuser.filter(|s| *s != target.is_superuser) {
        events.push((
            Kind::RoleChanged,
            if superuser {
                "granted superuser"
            } else {
                "revoked superuser"
            },
        ));
    }
    if new_email.is_some() || new_name.is_some() {
        events.push((Kind::UserUpdated, "profile changed"));
    }

    let txn = state.db.begin().await?;
    let mut active = target.clone().into_active_model();
    if let Some(email) = new_email {
        active.email = Set(email);
    }
    if let Some(name) = new_name {
        active.full_name = Set(name);
    }
    if let Some(hash) = new_hash {
        active.password_hash = Set(hash);
        reset_token::revoke_all(&txn, target.id).await?;
    }
    if let Some(is_active) = changes.is_active {
        active.is_active = Set(is_active);
    }
    if let Some(is_superuser) = changes.is_superuser {
        active.is_superuser = Set(is_superuser);
    }
    if revoke_sessions {
        active.tokens_valid_after = Set(now);
    }
    active.updated_at = Set(now);
    let updated = active.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    for (kind, detail) in events {
        audit::record(
            &txn,
            kind,
            AuditEntry {
                actor: Some(actor.id()),
                subject: Some(updated.id),
                subject_email: Some(&updated.email),
                ip,
                detail: Some(detail),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

pub async fn delete_me(
    state: &AppState,
    viewer: &Viewer,
    ip: Option<IpAddr>,
) -> Result<(), AppError> {
    if viewer.is_superuser() {
        // Keeps at least the deleting admin around; another superuser can remove them.
        return Err(AppError::Forbidden(
            "A superuser cannot delete their own account.",
        ));
    }
    delete_user(
        state,
        viewer,
        ip,
        viewer.user.clone(),
        "deleted own account",
    )
    .await
}

pub async fn delete_by_admin(
    state: &AppState,
    actor: &Viewer,
    ip: Option<IpAddr>,
    id: Uuid,
) -> Result<(), AppError> {
    actor.require_superuser()?;
    if id == actor.id() {
        return Err(AppError::Forbidden(
            "A superuser cannot delete their own account.",
        ));
    }
    let target = get(&state.db, id).await?;
    delete_user(state, actor, ip, target, "deleted by a superuser").await
}

/// Deletes the user; their items and reset tokens go with them (foreign
/// keys cascade), and any token they still hold stops working because the
/// user no longer exists.
async fn delete_user(
    state: &AppState,
    actor: &Viewer,
    ip: Option<IpAddr>,
    target: user::Model,
    detail: &str,
) -> Result<(), AppError> {
    let txn = state.db.begin().await?;
    let (id, email) = (target.id, target.email.clone());
    target.delete(&txn).await?;
    audit::record(
        &txn,
        Kind::UserDeleted,
        AuditEntry {
            actor: Some(actor.id()),
            subject: Some(id),
            subject_email: Some(&email),
            ip,
            detail: Some(detail),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Creates the first superuser from configuration unless a user with that
/// e-mail exists. Returns true when it created one.
pub async fn ensure_first_superuser(state: &AppState) -> Result<bool, AppError> {
    let first = &state.config.first_superuser;
    if find_by_email(&state.db, &first.email).await?.is_some() {
        return Ok(false);
    }
    let now = Utc::now();
    let hash = state
        .hasher
        .hash(secrecy::ExposeSecret::expose_secret(&first.password))
        .await?;
    let txn = state.db.begin().await?;
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(first.email.clone()),
        full_name: Set(None),
        password_hash: Set(hash),
        is_active: Set(true),
        is_superuser: Set(true),
        tokens_valid_after: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Kind::UserCreated,
        AuditEntry {
            subject: Some(created.id),
            subject_email: Some(&created.email),
            detail: Some("first superuser from configuration"),
            ..AuditEntry::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

fn email_taken() -> AppError {
    AppError::conflict("email", "A user with this e-mail already exists.")
}
