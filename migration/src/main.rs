//! `cargo run -p migration -- up|down|status|fresh` against `DATABASE_URL`.
//! The API binary offers the same through `api migrate`.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
