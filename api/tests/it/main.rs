//! API integration tests: one binary, modules by domain. Every test in a
//! module listed with `on_both_databases!` runs on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod admin;
mod audit;
mod auth;
mod cli;
mod email_change;
mod failures;
mod fuzz;
mod hostile;
mod import;
mod import_hostile;
mod items;
mod limits;
mod metrics;
mod mfa;
mod reads;
mod recovery;
mod rehash;
mod schema;
mod server;
mod sessions;
mod sessions_hostile;
mod throttle;
mod tokens;
mod traces;
mod transport;
mod users;
mod verification;
