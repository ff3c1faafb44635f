//! `api import-fastapi-template`: copies the users and items of a
//! full-stack-fastapi-template database into Rampart's.
//!
//! Ids are kept (links, references and the template's item owners survive),
//! password hashes are copied as they are (bcrypt and argon2 verify, and are
//! re-hashed at the first log-in), e-mail addresses are normalised with
//! Rampart's rules. Nothing in Rampart is overwritten: a row whose id is
//! present already is left alone (so a second run changes nothing), and a
//! row that cannot be imported as it is (an address taken by another user,
//! invalid, or shared by several template users once normalised) is reported
//! for the operator. One transaction per batch; `--dry-run` reads everything
//! and writes nothing.

mod plan;
mod source;
mod summary;

use std::{
    collections::{HashMap, HashSet},
    io::IsTerminal,
};

use chrono::Utc;
use entity::{item, user};
use indicatif::{ProgressBar, ProgressStyle};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

pub use self::summary::Summary;
use self::{
    plan::{Decision, ItemContext, UserContext},
    source::{Read, Source},
};
use crate::{
    audit::{self, AuditEntry, Kind},
    credentials::PasswordHasher,
};

pub struct Options {
    /// The template's database, `postgres://…`.
    pub from: String,
    pub dry_run: bool,
    pub batch_size: u64,
}

/// The audit detail of each imported user's `user.created`.
pub const AUDIT_DETAIL: &str = "imported from the FastAPI template";

/// Runs the import into `db` (migrated: the import refuses otherwise).
/// `hasher` only reads the stored hashes' formats for the summary.
pub async fn fastapi_template(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    options: &Options,
) -> anyhow::Result<Summary> {
    let pending = Migrator::get_pending_migrations(db).await?;
    if !pending.is_empty() {
        anyhow::bail!(
            "Rampart's database has {} pending migration(s): run `api prestart` (or `api migrate`) first",
            pending.len()
        );
    }
    let batch_size = options.batch_size.max(1);
    let source = Source::open(&options.from).await?;
    let (users, items) = (source.count("user").await?, source.count("item").await?);
    let progress = progress_bar(users + items);
    let mut summary = Summary::new(options.dry_run);

    progress.set_message("reading addresses");
    let counts = address_counts(&source, batch_size).await?;
    progress.set_message("users");
    let owners = import_users(
        db,
        hasher,
        &source,
        &counts,
        options,
        &progress,
        &mut summary,
    )
    .await?;
    progress.set_message("items");
    import_items(db, &source, &owners, options, &progress, &mut summary).await?;
    progress.finish_and_clear();
    source.close().await;
    Ok(summary)
}

/// A bar on a terminal only: redirected output (a log, CI) gets the summary.
fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} rows ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

async fn address_counts(source: &Source, batch_size: u64) -> anyhow::Result<HashMap<String, u32>> {
    let mut emails = Vec::new();
    let mut after = None;
    loop {
        let page = source.users(after, batch_size).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id(|u| u.id));
        emails.extend(page.into_iter().filter_map(|u| match u {
            Read::Row(u) => Some(u.email),
            Read::Unreadable { .. } => None,
        }));
    }
    Ok(plan::address_counts(emails.iter().map(String::as_str)))
}

/// Imports the users, batch by batch; returns the ids of the template users
/// that are in Rampart afterwards (or would be, in a dry run).
async fn import_users(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    source: &Source,
    counts: &HashMap<String, u32>,
    options: &Options,
    progress: &ProgressBar,
    summary: &mut Summary,
) -> anyhow::Result<HashSet<Uuid>> {
    let mut owners = HashSet::new();
    let mut after = None;
    loop {
        let page = source.users(after, options.batch_size.max(1)).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id(|u| u.id));
        let rows = page.len() as u64;
        let mut page_rows = Vec::with_capacity(page.len());
        for row in page {
            match row {
                Read::Row(row) => page_rows.push(row),
                Read::Unreadable { id, reason } => summary.user_conflict(id, reason),
            }
        }
        let page = page_rows;
        let txn = db.begin().await?;
        let ids: Vec<Uuid> = page.iter().map(|u| u.id).collect();
        let emails: Vec<String> = page
            .iter()
            .filter_map(|u| crate::users::normalize_email(&u.email).ok())
            .collect();
        let present_ids = existing_user_ids(&txn, &ids).await?;
        let ids_by_email = users_by_email(&txn, &emails).await?;
        let context = UserContext {
            present_ids: &present_ids,
            ids_by_email: &ids_by_email,
            address_counts: counts,
            now: Utc::now(),
        };
        let mut imported = Vec::new();
        for row in page {
            let id = row.id;
            match plan::user(row, &context) {
                Decision::Import(row) => {
                    summary.user_hash(hasher.stored_format(&row.password_hash));
                    owners.insert(id);
                    imported.push(row);
                }
                Decision::AlreadyPresent => {
                    owners.insert(id);
                    summary.users.present += 1;
                }
                Decision::Conflict(reason) => summary.user_conflict(id, reason),
                Decision::Skipped(reason) => summary.user_skipped(id, reason),
            }
        }
        summary.users.imported += imported.len() as u64;
        if !options.dry_run && !imported.is_empty() {
            insert_users(&txn, imported).await?;
            txn.commit().await?;
        }
        progress.inc(rows);
    }
    Ok(owners)
}

async fn existing_user_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> anyhow::Result<HashSet<Uuid>> {
    let found: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

async fn users_by_email<C: ConnectionTrait>(
    db: &C,
    emails: &[String],
) -> anyhow::Result<HashMap<String, Uuid>> {
    let found: Vec<(Uuid, String)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Email)
        .filter(user::Column::Email.is_in(emails.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().map(|(id, email)| (email, id)).collect())
}

/// The rows and one `user.created` audit entry each, in the batch's
/// transaction.
async fn insert_users<C: ConnectionTrait>(db: &C, rows: Vec<plan::UserRow>) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut entries = Vec::with_capacity(rows.len());
    let models: Vec<user::ActiveModel> = rows
        .into_iter()
        .map(|row| {
            entries.push((row.id, row.email.clone()));
            user::ActiveModel {
                id: Set(row.id),
                email: Set(row.email),
                full_name: Set(row.full_name),
                password_hash: Set(row.password_hash),
                is_active: Set(row.is_active),
                is_superuser: Set(row.is_superuser),
                tokens_valid_after: Set(now),
                // Accounts carried over from the template predate
                // verification, like the rows migration 000011 marks.
                email_verified_at: Set(Some(row.created_at)),
                created_at: Set(row.created_at),
                updated_at: Set(now),
            }
        })
        .collect();
    user::Entity::insert_many(models)
        .exec_without_returning(db)
        .await?;
    for (id, email) in entries {
        let entry = AuditEntry {
            subject: Some(id),
            subject_email: Some(&email),
            detail: Some(AUDIT_DETAIL),
            ..AuditEntry::default()
        };
        audit::record(db, Kind::UserCreated, entry).await?;
    }
    Ok(())
}

async fn import_items(
    db: &DatabaseConnection,
    source: &Source,
    owners: &HashSet<Uuid>,
    options: &Options,
    progress: &ProgressBar,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let mut after = None;
    loop {
        let page = source.items(after, options.batch_size.max(1)).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id(|i| i.id));
        let rows = page.len() as u64;
        let mut page_rows = Vec::with_capacity(page.len());
        for row in page {
            match row {
                Read::Row(row) => page_rows.push(row),
                Read::Unreadable { id, reason } => summary.item_conflict(id, reason),
            }
        }
        let page = page_rows;
        let txn = db.begin().await?;
        let ids: Vec<Uuid> = page.iter().map(|i| i.id).collect();
        let present_ids: HashSet<Uuid> = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .filter(item::Column::Id.is_in(ids))
            .into_tuple::<Uuid>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let context = ItemContext {
            present_ids: &present_ids,
            owners,
            now: Utc::now(),
        };
        let mut imported = Vec::new();
        for row in page {
            let id = row.id;
            match plan::item(row, &context) {
                Decision::Import(row) => imported.push(row),
                Decision::AlreadyPresent => summary.items.present += 1,
                Decision::Conflict(reason) => summary.item_conflict(id, reason),
                Decision::Skipped(reason) => summary.item_skipped(id, reason),
            }
        }
        summary.items.imported += imported.len() as u64;
        if !options.dry_run && !imported.is_empty() {
            let now = Utc::now();
            let models = imported.into_iter().map(|row| item::ActiveModel {
                id: Set(row.id),
                title: Set(row.title),
                description: Set(row.description),
                owner_id: Set(row.owner_id),
                created_at: Set(row.created_at),
                updated_at: Set(now),
            });
            item::Entity::insert_many(models)
                .exec_without_returning(&txn)
                .await?;
            txn.commit().await?;
        }
        progress.inc(rows);
    }
    Ok(())
}
