//! Sessions (issue 13): one row per sign-in, and the hashes of every
//! refresh token a session has rotated away from, so that presenting any
//! of them again is recognised as theft (not only the one just before).

use sea_orm_migration::prelude::*;

use crate::m20261129_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let at = |column: Sessions| {
            ColumnDef::new(column)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        let text =
            |column: Sessions, len: u32| ColumnDef::new(column).string_len(len).null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(ColumnDef::new(Sessions::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Sessions::UserId).uuid().not_null())
                    // Hex SHA-256 of the current refresh token; the token itself is never stored.
                    .col(
                        ColumnDef::new(Sessions::RefreshHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(at(Sessions::CreatedAt))
                    .col(at(Sessions::LastUsedAt))
                    .col(at(Sessions::ExpiresAt))
                    .col(at(Sessions::IdleExpiresAt))
                    .col(text(Sessions::CreatedIp, 45))
                    .col(text(Sessions::CreatedUserAgent, 512))
                    .col(text(Sessions::LastIp, 45))
                    .col(text(Sessions::LastUserAgent, 512))
                    .col(ColumnDef::new(Sessions::RememberMe).boolean().not_null())
                    .col(
                        ColumnDef::new(Sessions::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(text(Sessions::RevokedReason, 32))
                    // Set when a refresh-token reuse revoked the session; the
                    // user's next sign-in clears it and shows a notice once.
                    .col(
                        ColumnDef::new(Sessions::ReuseNoticePending)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RotatedRefreshTokens::Table)
                    // Hex SHA-256 of a refresh token that was rotated away.
                    .col(
                        ColumnDef::new(RotatedRefreshTokens::RefreshHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(RotatedRefreshTokens::SessionId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RotatedRefreshTokens::RotatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rotated_refresh_tokens_session")
                            .from(RotatedRefreshTokens::Table, RotatedRefreshTokens::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rotated_refresh_tokens_session")
                    .table(RotatedRefreshTokens::Table)
                    .col(RotatedRefreshTokens::SessionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RotatedRefreshTokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    UserId,
    RefreshHash,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    IdleExpiresAt,
    CreatedIp,
    CreatedUserAgent,
    LastIp,
    LastUserAgent,
    RememberMe,
    RevokedAt,
    RevokedReason,
    ReuseNoticePending,
}

#[derive(DeriveIden)]
enum RotatedRefreshTokens {
    Table,
    RefreshHash,
    SessionId,
    RotatedAt,
}
