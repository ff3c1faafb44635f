use sea_orm::entity::prelude::*;

/// Rate-limit state kept in the database so that every API replica sees the
/// same counters. `key` is namespaced by what it counts: `auth-ip:<addr>`
/// (log-in, sign-up and reset attempts), `recovery-ip:<addr>`,
/// `login-account:<email>` and `recovery-account:<email>`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "throttles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Attempts (or failures) counted in the current window.
    pub count: i32,
    pub window_started_at: DateTimeUtc,
    /// Consecutive failures, for exponential backoff.
    pub consecutive_failures: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
