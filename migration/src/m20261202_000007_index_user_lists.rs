//! Indexes for the admin's user list: filtered by role or status and paged
//! by creation date in either direction, and (PostgreSQL) searched by a
//! substring of the e-mail or the name.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The extension where it may be created, then the index where it exists.
const CREATE_TRIGRAM_INDEX: &str = "\
    DO $$ BEGIN \
      CREATE EXTENSION IF NOT EXISTS pg_trgm; \
    EXCEPTION WHEN insufficient_privilege THEN \
      RAISE NOTICE 'pg_trgm unavailable: user search scans the table'; \
    END $$; \
    DO $$ BEGIN \
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN \
        CREATE INDEX IF NOT EXISTS idx_users_search_trgm ON users USING gin \
          ((lower(email) || ' ' || lower(coalesce(full_name, ''))) gin_trgm_ops); \
      END IF; \
    END $$;";

const DROP_TRIGRAM_INDEX: &str = "DROP INDEX IF EXISTS idx_users_search_trgm";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A backwards scan of (created_at DESC, id DESC) serves oldest-first
        // too; these two serve a role or status filter without reading the
        // rows that do not match.
        for (name, column) in [
            ("idx_users_role_created_at", Users::IsSuperuser),
            ("idx_users_status_created_at", Users::IsActive),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Users::Table)
                        .col(column)
                        .col((Users::CreatedAt, IndexOrder::Desc))
                        .col((Users::Id, IndexOrder::Desc))
                        .to_owned(),
                )
                .await?;
        }
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            // `LIKE '%term%'` cannot use a B-tree; a trigram index can. The
            // extension needs a privilege some managed databases withhold:
            // then the search still works, by a scan of the users table.
            manager
                .get_connection()
                .execute_unprepared(CREATE_TRIGRAM_INDEX)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(DROP_TRIGRAM_INDEX)
                .await?;
        }
        for name in ["idx_users_status_created_at", "idx_users_role_created_at"] {
            manager
                .drop_index(Index::drop().name(name).table(Users::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    IsSuperuser,
    IsActive,
    CreatedAt,
    Id,
}
