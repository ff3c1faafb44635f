//! The second factor (issue 14): each user's TOTP secret (encrypted, with
//! the id of the key that encrypted it), the pending secret of an
//! enrolment not yet confirmed, the last accepted time step (so a code is
//! accepted once), the hashed recovery codes, and the login challenges
//! that stand between a correct password and a session.

use sea_orm_migration::prelude::*;

use crate::m20261129_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserMfa::Table)
                    .col(
                        ColumnDef::new(UserMfa::UserId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    // AES-256-GCM of the secret, its 96-bit nonce, and which
                    // key encrypted it (so rotation knows what to re-encrypt).
                    .col(ColumnDef::new(UserMfa::SecretCiphertext).binary().null())
                    .col(ColumnDef::new(UserMfa::SecretNonce).binary().null())
                    .col(ColumnDef::new(UserMfa::SecretKeyId).string_len(16).null())
                    .col(
                        ColumnDef::new(UserMfa::EnabledAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    // The newest time step a code was accepted for: a code
                    // is accepted only for a later step (replay refused).
                    .col(ColumnDef::new(UserMfa::LastUsedStep).big_integer().null())
                    .col(ColumnDef::new(UserMfa::PendingCiphertext).binary().null())
                    .col(ColumnDef::new(UserMfa::PendingNonce).binary().null())
                    .col(ColumnDef::new(UserMfa::PendingKeyId).string_len(16).null())
                    .col(
                        ColumnDef::new(UserMfa::PendingExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(UserMfa::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_mfa_user")
                            .from(UserMfa::Table, UserMfa::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(
                        ColumnDef::new(RecoveryCodes::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(RecoveryCodes::UserId).uuid().not_null())
                    // Hex SHA-256 of the normalised code; the code itself is
                    // shown once and never stored.
                    .col(
                        ColumnDef::new(RecoveryCodes::CodeHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(RecoveryCodes::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RecoveryCodes::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recovery_codes_user")
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recovery_codes_user")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaChallenges::Table)
                    .col(
                        ColumnDef::new(MfaChallenges::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    // Hex SHA-256 of the challenge token (in the answer) and
                    // of the binding secret (in the HttpOnly cookie).
                    .col(
                        ColumnDef::new(MfaChallenges::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(MfaChallenges::BindingHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MfaChallenges::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(MfaChallenges::RememberMe)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(MfaChallenges::Ip).string_len(45).null())
                    .col(
                        ColumnDef::new(MfaChallenges::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MfaChallenges::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MfaChallenges::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(MfaChallenges::FailedAttempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mfa_challenges_user")
                            .from(MfaChallenges::Table, MfaChallenges::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mfa_challenges_user")
                    .table(MfaChallenges::Table)
                    .col(MfaChallenges::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MfaChallenges::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(UserMfa::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum UserMfa {
    Table,
    UserId,
    SecretCiphertext,
    SecretNonce,
    SecretKeyId,
    EnabledAt,
    LastUsedStep,
    PendingCiphertext,
    PendingNonce,
    PendingKeyId,
    PendingExpiresAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MfaChallenges {
    Table,
    Id,
    TokenHash,
    BindingHash,
    UserId,
    RememberMe,
    Ip,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    FailedAttempts,
}
