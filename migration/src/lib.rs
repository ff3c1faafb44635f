//! Migrations run on PostgreSQL and SQLite alike. Rules that keep that true:
//! one change per statement, foreign keys declared inside `create_table`
//! (SQLite cannot add them later), and portable column types (UUID,
//! timestamp with time zone). A migration that has shipped is never edited.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_users;
mod m20261129_000002_create_items;
mod m20261129_000003_create_password_reset_tokens;
mod m20261129_000004_create_throttles;
mod m20261129_000005_create_audit_events;
mod m20261202_000007_index_user_lists;
mod m20261202_000008_create_sessions;
mod m20261202_000009_create_mfa;
mod m20261202_000010_add_session_mfa_used;
mod m20261202_000011_add_user_email_verified_at;
mod m20261202_000012_create_email_tokens;
mod m20261203_000013_index_sessions_by_user_and_notice;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_users::Migration),
            Box::new(m20261129_000002_create_items::Migration),
            Box::new(m20261129_000003_create_password_reset_tokens::Migration),
            Box::new(m20261129_000004_create_throttles::Migration),
            Box::new(m20261129_000005_create_audit_events::Migration),
            Box::new(m20261202_000007_index_user_lists::Migration),
            Box::new(m20261202_000008_create_sessions::Migration),
            Box::new(m20261202_000009_create_mfa::Migration),
            Box::new(m20261202_000010_add_session_mfa_used::Migration),
            Box::new(m20261202_000011_add_user_email_verified_at::Migration),
            Box::new(m20261202_000012_create_email_tokens::Migration),
            Box::new(m20261203_000013_index_sessions_by_user_and_notice::Migration),
        ]
    }
}
