//! User operations as plain functions over the state, the caller and the
//! input. Authorization is checked here (not only in resolvers), so no
//! caller can skip it.

use chrono::Utc;
use entity::user;
use sea_orm::{
    sea_query::{Expr, LikeExpr, SimpleExpr},
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
    Set, TransactionTrait,
};
use uuid::Uuid;

use super::{
    normalize_email, normalize_full_name,
    store::{self, email_taken, CreatedBy, NewAccount},
};
use crate::{
    audit::{self, AuditEntry, Kind},
    caller::{Caller, Viewer},
    credentials::{email_token, link_token, UNUSABLE_PASSWORD_HASH},
    error::{is_unique_violation, AppError},
    pagination::{self, Newest, Page},
    sessions::{self, Reason},
    state::AppState,
    text::{check_free_text, Lines},
};

/// An account a superuser creates. It has no password: the owner sets one
/// through the welcome link, so no password ever travels by e-mail.
pub struct NewUser {
    pub email: String,
    pub full_name: Option<String>,
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

/// What a user may change about themselves directly: their name. No role,
/// no activation, and no address: that needs the password and a link to
/// the new address (`email_change`).
#[derive(Default)]
pub struct ProfileChanges {
    pub full_name: Option<Option<String>>,
}

/// What the admin's user list shows: a search, filters, an order, a page.
#[derive(Default)]
pub struct UserQuery {
    /// A part of the e-mail or the name, any case.
    pub search: Option<String>,
    pub is_superuser: Option<bool>,
    pub is_active: Option<bool>,
    pub newest: Newest,
    pub page: Page,
}

/// Users matching `query`, in creation order. Superusers only.
#[tracing::instrument(name = "users.list", skip_all)]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: UserQuery,
) -> Result<(Vec<user::Model>, u64), AppError> {
    caller.superuser()?;
    let mut select = user::Entity::find();
    if let Some(term) = query
        .search
        .as_deref()
        .map(normalize_search)
        .transpose()?
        .flatten()
    {
        select = select.filter(matches_search(&term));
    }
    if let Some(is_superuser) = query.is_superuser {
        select = select.filter(user::Column::IsSuperuser.eq(is_superuser));
    }
    if let Some(is_active) = query.is_active {
        select = select.filter(user::Column::IsActive.eq(is_active));
    }
    let (created_at, id) = (user::Column::CreatedAt, user::Column::Id);
    pagination::by_creation(&state.db, select, created_at, id, query.newest, query.page).await
}

pub const MAX_SEARCH_LENGTH: usize = 100;

/// The search term as compared: trimmed, lower-cased, `None` when empty.
fn normalize_search(raw: &str) -> Result<Option<String>, AppError> {
    let term = raw.trim().to_lowercase();
    if term.chars().count() > MAX_SEARCH_LENGTH {
        return Err(AppError::bad_input(
            "search",
            "Search for at most 100 characters.",
        ));
    }
    check_free_text("search", &term, Lines::One)?;
    Ok(Some(term).filter(|t| !t.is_empty()))
}

/// `term` anywhere in the e-mail or the name, ignoring case. The expression
/// is the one the PostgreSQL trigram index is built on (migration
/// `m20261202_000007`); LIKE's wildcards in the term are matched literally.
fn matches_search(term: &str) -> SimpleExpr {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let haystack = Expr::cust("(lower(email) || ' ' || lower(coalesce(full_name, '')))");
    Expr::expr(haystack).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// One user. A normal user may only ask for themself; asking for anyone
/// else is `FORBIDDEN` whether or not that user exists.
#[tracing::instrument(name = "users.get", skip_all, fields(%id))]
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> Result<user::Model, AppError> {
    let viewer = caller.viewer()?;
    if viewer.id() == id {
        return Ok(viewer.user.clone());
    }
    viewer.require_superuser()?;
    store::get(&state.db, id).await
}

/// A superuser creates an account and the owner gets a welcome e-mail
/// with a link to set their password.
#[tracing::instrument(name = "users.create", skip_all)]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: NewUser,
) -> Result<user::Model, AppError> {
    let actor = caller.superuser()?;
    let account = NewAccount {
        email: normalize_email(&input.email)?,
        full_name: normalize_full_name(input.full_name.as_deref())?,
        password_hash: UNUSABLE_PASSWORD_HASH.to_owned(),
        is_active: input.is_active,
        is_superuser: input.is_superuser,
        // Proven when the owner uses the welcome (set-password) link.
        email_verified: false,
    };
    if store::find_by_email(&state.db, &account.email)
        .await?
        .is_some()
    {
        return Err(email_taken());
    }
    let detail = if account.is_superuser {
        "created as superuser"
    } else {
        "created"
    };
    let created_by = CreatedBy::Superuser(actor.id());
    let (txn, created) =
        store::insert_audited(&state.db, account, created_by, caller.ip, detail).await?;
    let token = link_token::create(&txn, created.id, state.config.set_password_token_ttl).await?;
    txn.commit().await?;
    state.mailer.send_welcome(&created, &token);
    Ok(created)
}

/// The signed-in user edits their own name. Role, activation and address
/// are not reachable from here: the input type has no such fields.
#[tracing::instrument(name = "users.update_me", skip_all)]
pub async fn update_me(
    state: &AppState,
    caller: &Caller,
    input: ProfileChanges,
) -> Result<user::Model, AppError> {
    let viewer = caller.viewer()?;
    let changes = UserChanges {
        full_name: input.full_name,
        ..UserChanges::default()
    };
    apply_changes(state, caller, viewer, viewer.user.clone(), changes).await
}

/// A superuser edits any user, including password, activation and role.
#[tracing::instrument(name = "users.update_by_admin", skip_all, fields(%id))]
pub async fn update_by_admin(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    changes: UserChanges,
) -> Result<user::Model, AppError> {
    let actor = caller.superuser()?;
    if id == actor.id() && (changes.is_active == Some(false) || changes.is_superuser == Some(false))
    {
        // Locking yourself out is never what a superuser meant to do.
        return Err(AppError::Forbidden(
            "You cannot deactivate or demote yourself.",
        ));
    }
    let target = store::get(&state.db, id).await?;
    apply_changes(state, caller, actor, target, changes).await
}

async fn apply_changes(
    state: &AppState,
    caller: &Caller,
    actor: &Viewer,
    target: user::Model,
    changes: UserChanges,
) -> Result<user::Model, AppError> {
    let now = Utc::now();
    let mut events: Vec<(Kind, String)> = Vec::new();
    // Why every session of the user ends with this change, if it does.
    let mut revoke_sessions: Option<Reason> = None;

    let new_email = match changes.email {
        Some(raw) => {
            let email = normalize_email(&raw)?;
            if email != target.email {
                if store::find_by_email(&state.db, &email).await?.is_some() {
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
            revoke_sessions = Some(Reason::PasswordChanged);
            events.push((Kind::PasswordChanged, "set by a superuser".into()));
            Some(
                state
                    .hasher
                    .hash_new("password", &password, &[email])
                    .await?,
            )
        }
        None => None,
    };
    if let Some(active) = changes.is_active.filter(|a| *a != target.is_active) {
        events.push(if active {
            (Kind::UserActivated, "activated".into())
        } else {
            revoke_sessions = Some(Reason::Deactivated);
            (Kind::UserDeactivated, "deactivated".into())
        });
    }
    if let Some(superuser) = changes.is_superuser.filter(|s| *s != target.is_superuser) {
        events.push((
            Kind::RoleChanged,
            if superuser {
                "granted superuser"
            } else {
                "revoked superuser"
            }
            .into(),
        ));
    }
    if new_name.is_some() {
        events.push((Kind::UserUpdated, "profile changed".into()));
    }
    if let Some(email) = &new_email {
        // Only a superuser's updateUser gets here with an address (updateMe
        // has none): their word proves it, and the audit keeps both.
        let detail = format!("set by a superuser: {} → {email}", target.email);
        events.push((Kind::EmailChanged, detail));
    }

    let txn = state.db.begin().await?;
    let mut active = target.clone().into_active_model();
    if let Some(email) = &new_email {
        active.email = Set(email.clone());
        active.email_verified_at = Set(Some(now));
        // Links to prove the old address, or to move to another, are moot;
        // reset and welcome links went to the old address, which no longer
        // speaks for the account (a welcome link sent to a mistyped address
        // must not set the password of the corrected one).
        email_token::revoke(&txn, target.id, None).await?;
        link_token::revoke_all(&txn, target.id).await?;
    }
    if let Some(name) = new_name {
        active.full_name = Set(name);
    }
    if let Some(hash) = new_hash {
        active.password_hash = Set(hash);
        link_token::revoke_all(&txn, target.id).await?;
    }
    if let Some(is_active) = changes.is_active {
        active.is_active = Set(is_active);
    }
    if let Some(is_superuser) = changes.is_superuser {
        active.is_superuser = Set(is_superuser);
    }
    if let Some(reason) = revoke_sessions {
        sessions::store::revoke_all(&txn, target.id, None, reason, now).await?;
        active.tokens_valid_after = Set(now);
    }
    active.updated_at = Set(now);
    let updated = active.update(&txn).await.map_err(|e| match e {
        // Deleted between the read above and this write.
        DbErr::RecordNotUpdated => AppError::NotFound("User"),
        e if is_unique_violation(&e) => email_taken(),
        e => e.into(),
    })?;
    for (kind, detail) in events {
        audit::record(
            &txn,
            kind,
            AuditEntry {
                actor: Some(actor.id()),
                subject: Some(updated.id),
                subject_email: Some(&updated.email),
                ip: caller.ip,
                detail: Some(&detail),
            },
        )
        .await?;
    }
    txn.commit().await?;
    if new_email.is_some() {
        state
            .mailer
            .send_email_changed(&target.email, &updated.email);
    }
    Ok(updated)
}

#[tracing::instrument(name = "users.delete_me", skip_all)]
pub async fn delete_me(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    let viewer = caller.viewer()?;
    if viewer.is_superuser() {
        // Keeps at least the deleting admin around; another superuser can remove them.
        return Err(AppError::Forbidden(
            "A superuser cannot delete their own account.",
        ));
    }
    delete_user(
        state,
        caller,
        viewer,
        viewer.user.clone(),
        "deleted own account",
    )
    .await
}

#[tracing::instrument(name = "users.delete_by_admin", skip_all, fields(%id))]
pub async fn delete_by_admin(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    let actor = caller.superuser()?;
    if id == actor.id() {
        return Err(AppError::Forbidden(
            "A superuser cannot delete their own account.",
        ));
    }
    let target = store::get(&state.db, id).await?;
    delete_user(state, caller, actor, target, "deleted by a superuser").await
}

/// Deletes the user; their items, link tokens and sessions go with them
/// (foreign keys cascade), and any token they still hold stops working
/// because neither the user nor the session exists.
async fn delete_user(
    state: &AppState,
    caller: &Caller,
    actor: &Viewer,
    target: user::Model,
    detail: &str,
) -> Result<(), AppError> {
    let txn = state.db.begin().await?;
    let (id, email) = (target.id, target.email.clone());
    // Of two concurrent deletes, only the one that removed the row is told
    // it did (and audited).
    if target.delete(&txn).await?.rows_affected == 0 {
        return Err(AppError::NotFound("User"));
    }
    audit::record(
        &txn,
        Kind::UserDeleted,
        AuditEntry {
            actor: Some(actor.id()),
            subject: Some(id),
            subject_email: Some(&email),
            ip: caller.ip,
            detail: Some(detail),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Creates the first superuser from configuration unless a user with that
/// e-mail exists. Returns true when it created one.
#[tracing::instrument(name = "users.ensure_first_superuser", skip_all)]
pub async fn ensure_first_superuser(state: &AppState) -> Result<bool, AppError> {
    let first = &state.config.first_superuser;
    let email = normalize_email(&first.email)?;
    if store::find_by_email(&state.db, &email).await?.is_some() {
        return Ok(false);
    }
    let password = secrecy::ExposeSecret::expose_secret(&first.password);
    let account = NewAccount {
        password_hash: state
            .hasher
            .hash_new("FIRST_SUPERUSER_PASSWORD", password, &[email.as_str()])
            .await?,
        email,
        full_name: None,
        is_active: true,
        is_superuser: true,
        // The operator configured this address.
        email_verified: true,
    };
    let detail = "first superuser from configuration";
    let (txn, _) =
        store::insert_audited(&state.db, account, CreatedBy::Configuration, None, detail).await?;
    txn.commit().await?;
    Ok(true)
}
