//! Reading a FastAPI template database: its `user` and `item` tables, in
//! pages ordered by id (keyset, so a page costs the same at any depth and a
//! row added meanwhile is either read or not, never twice).

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult,
    Statement,
};
use uuid::Uuid;

/// The template's `user` table (SQLModel's `User`).
pub struct TemplateUser {
    pub id: Uuid,
    pub email: String,
    pub full_name: Option<String>,
    pub is_active: bool,
    pub is_superuser: bool,
    pub hashed_password: String,
    pub created_at: Option<DateTime<Utc>>,
}

/// The template's `item` table.
pub struct TemplateItem {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Uuid,
    pub created_at: Option<DateTime<Utc>>,
}

/// A template row as read: the template's models make these columns
/// NOT NULL, but the database at hand may not (an old migration, a table
/// made by hand, a restore without the constraints). A NULL there makes the
/// row one to report, like any conflict, rather than an error that stops
/// the import between two batches.
pub enum Read<T> {
    Row(T),
    Unreadable { id: Uuid, reason: String },
}

impl<T> Read<T> {
    pub fn id(&self, id_of: impl Fn(&T) -> Uuid) -> Uuid {
        match self {
            Read::Row(row) => id_of(row),
            Read::Unreadable { id, .. } => *id,
        }
    }
}

/// Why a row could not be read: a NULL in `column` (anything else is an
/// error of the database or the schema, and stops the import).
enum Unread {
    Null(&'static str),
    Db(sea_orm::DbErr),
}

impl From<sea_orm::DbErr> for Unread {
    fn from(error: sea_orm::DbErr) -> Self {
        Unread::Db(error)
    }
}

fn required<T: sea_orm::TryGetable>(row: &QueryResult, column: &'static str) -> Result<T, Unread> {
    row.try_get::<Option<T>>("", column)?
        .ok_or(Unread::Null(column))
}

fn unreadable_if_null<T>(id: Uuid, read: Result<T, Unread>) -> anyhow::Result<Read<T>> {
    match read {
        Ok(row) => Ok(Read::Row(row)),
        Err(Unread::Null(column)) => Ok(Read::Unreadable {
            id,
            reason: format!("{column} is NULL"),
        }),
        Err(Unread::Db(error)) => Err(error.into()),
    }
}

const USER_COLUMNS: &[&str] = &[
    "id",
    "email",
    "full_name",
    "is_active",
    "is_superuser",
    "hashed_password",
    "created_at",
];
const ITEM_COLUMNS: &[&str] = &["id", "title", "description", "owner_id", "created_at"];

pub struct Source {
    db: DatabaseConnection,
}

impl Source {
    /// Connects and checks that both tables have the columns the import
    /// reads, so a wrong database is refused before anything is written.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!("--from must be a postgres:// URL of the FastAPI template's database");
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options.max_connections(2).sqlx_logging(false);
        let db = Database::connect(options).await.map_err(|e| {
            anyhow::anyhow!("cannot connect to the template database (--from): {e}")
        })?;
        let source = Self { db };
        source.check_table("user", USER_COLUMNS).await?;
        source.check_table("item", ITEM_COLUMNS).await?;
        Ok(source)
    }

    async fn check_table(&self, table: &str, wanted: &[&str]) -> anyhow::Result<()> {
        let rows = self
            .db
            .query_all(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT column_name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
                [table.into()],
            ))
            .await?;
        let present: Vec<String> = rows
            .iter()
            .filter_map(|row| row.try_get::<String>("", "column_name").ok())
            .collect();
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|column| !present.iter().any(|p| p == column))
            .collect();
        if present.is_empty() {
            anyhow::bail!("the template database has no table \"{table}\" in its current schema");
        }
        if !missing.is_empty() {
            anyhow::bail!(
                "the template's \"{table}\" table lacks the column(s) {}",
                missing.join(", ")
            );
        }
        Ok(())
    }

    pub async fn count(&self, table: &str) -> anyhow::Result<u64> {
        // `table` is one of two constants, never input.
        let sql = match table {
            "user" => r#"SELECT count(*) AS n FROM "user""#,
            _ => "SELECT count(*) AS n FROM item",
        };
        let row = self
            .db
            .query_one(Statement::from_string(DbBackend::Postgres, sql))
            .await?;
        let n = row.map_or(Ok(0), |r| r.try_get::<i64>("", "n"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Users with an id after `after`, at most `limit`, by id.
    pub async fn users(
        &self,
        after: Option<Uuid>,
        limit: u64,
    ) -> anyhow::Result<Vec<Read<TemplateUser>>> {
        let rows = self
            .db
            .query_all(Statement::from_sql_and_values(
                DbBackend::Postgres,
                r#"SELECT id, email, full_name, is_active, is_superuser, hashed_password, created_at
                   FROM "user" WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2"#,
                [after.into(), (limit as i64).into()],
            ))
            .await?;
        rows.iter()
            .map(|row| {
                let id = row.try_get("", "id")?;
                let user = (|| -> Result<TemplateUser, Unread> {
                    Ok(TemplateUser {
                        id,
                        email: required(row, "email")?,
                        full_name: row.try_get("", "full_name")?,
                        is_active: required(row, "is_active")?,
                        is_superuser: required(row, "is_superuser")?,
                        hashed_password: required(row, "hashed_password")?,
                        created_at: row.try_get("", "created_at")?,
                    })
                })();
                unreadable_if_null(id, user)
            })
            .collect()
    }

    /// Items with an id after `after`, at most `limit`, by id.
    pub async fn items(
        &self,
        after: Option<Uuid>,
        limit: u64,
    ) -> anyhow::Result<Vec<Read<TemplateItem>>> {
        let rows = self
            .db
            .query_all(Statement::from_sql_and_values(
                DbBackend::Postgres,
                r#"SELECT id, title, description, owner_id, created_at
                   FROM item WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2"#,
                [after.into(), (limit as i64).into()],
            ))
            .await?;
        rows.iter()
            .map(|row| {
                let id = row.try_get("", "id")?;
                let item = (|| -> Result<TemplateItem, Unread> {
                    Ok(TemplateItem {
                        id,
                        title: required(row, "title")?,
                        description: row.try_get("", "description")?,
                        owner_id: required(row, "owner_id")?,
                        created_at: row.try_get("", "created_at")?,
                    })
                })();
                unreadable_if_null(id, item)
            })
            .collect()
    }

    pub async fn close(self) {
        let _ = self.db.close().await;
    }
}
