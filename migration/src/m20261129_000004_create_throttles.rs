use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Throttles::Table)
                    .col(
                        ColumnDef::new(Throttles::Key)
                            .string_len(320)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Throttles::Count)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Throttles::WindowStartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Throttles::ConsecutiveFailures)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Throttles::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Throttles::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Throttles::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Throttles {
    Table,
    Key,
    Count,
    WindowStartedAt,
    ConsecutiveFailures,
    LockedUntil,
    UpdatedAt,
}
