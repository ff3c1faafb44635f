//! Rampart's GraphQL API as a library: the binary in `main.rs` and the
//! integration tests both build the app from these parts.

#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::dbg_macro
)]
#![warn(clippy::todo, clippy::unimplemented, rust_2018_idioms)]

pub mod app;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod email;
pub mod error;
pub mod graphql;
pub mod http;
pub mod items;
pub mod pagination;
pub mod server;
pub mod state;
pub mod telemetry;
pub mod users;

/// The SDL of the schema, for `api export-schema` and the drift check.
pub fn schema_sdl() -> String {
    use async_graphql::{EmptySubscription, Schema};
    Schema::build(
        graphql::QueryRoot::default(),
        graphql::MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}
