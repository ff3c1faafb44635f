//! Issue 14: when the account's address was proven to belong to its owner
//! (a verification, reset, welcome or e-mail-change link was used, or a
//! superuser set it). NULL means not yet proven.
//!
//! Rows that exist when this runs are marked verified at their creation
//! time: they predate verification, and refusing their sign-in after an
//! upgrade (REQUIRE_EMAIL_VERIFICATION is on in production) would lock out
//! every existing user. New accounts start unverified.

use sea_orm_migration::prelude::*;

use crate::m20261129_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(EmailVerification::EmailVerifiedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Users::Table)
                    .value(
                        EmailVerification::EmailVerifiedAt,
                        Expr::col(Users::CreatedAt),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(EmailVerification::EmailVerifiedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum EmailVerification {
    EmailVerifiedAt,
}
