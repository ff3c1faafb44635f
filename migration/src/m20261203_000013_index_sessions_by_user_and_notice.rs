//! The user's sessions indexed together with their reuse-notice flag, in
//! place of `user_id` alone. Every sign-in clears the user's pending
//! notice; through `user_id` alone that statement read every session the
//! user ever opened, a cost that grew with each sign-in (docs/sessions.md).
//! With the flag as the second column it reads the pending ones only, and
//! every other lookup by user still uses the index's first column.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const BY_USER: &str = "idx_sessions_user";
const BY_USER_AND_NOTICE: &str = "idx_sessions_user_notice";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(BY_USER_AND_NOTICE)
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .col(Sessions::ReuseNoticePending)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(BY_USER)
                    .table(Sessions::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(BY_USER)
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(BY_USER_AND_NOTICE)
                    .table(Sessions::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    UserId,
    ReuseNoticePending,
}
