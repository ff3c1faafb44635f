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
                    .table(Items::Table)
                    .col(ColumnDef::new(Items::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Items::Title).string_len(255).not_null())
                    .col(ColumnDef::new(Items::Description).string_len(255).null())
                    .col(ColumnDef::new(Items::OwnerId).uuid().not_null())
                    .col(
                        ColumnDef::new(Items::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Items::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_items_owner")
                            .from(Items::Table, Items::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Matches `WHERE owner_id = ? ORDER BY created_at DESC, id DESC` exactly:
        // with only (owner_id, created_at) PostgreSQL was seen paging through
        // the wrong index and filtering out other owners' rows (bench/analysis.md).
        manager
            .create_index(
                Index::create()
                    .name("idx_items_owner_created_at")
                    .table(Items::Table)
                    .col(Items::OwnerId)
                    .col((Items::CreatedAt, IndexOrder::Desc))
                    .col((Items::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_items_created_at")
                    .table(Items::Table)
                    .col((Items::CreatedAt, IndexOrder::Desc))
                    .col((Items::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Items::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Items {
    Table,
    Id,
    Title,
    Description,
    OwnerId,
    CreatedAt,
    UpdatedAt,
}
