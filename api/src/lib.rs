//! Rampart's GraphQL API as a library: the binary in `main.rs` and the
//! integration tests both build the app from these parts.
//!
//! Layers point one way, from the ground floor up (each imports only from
//! the lines above it):
//!
//! 1. `config`, `error` — plain values and the error type; beside them
//!    only `metrics` (series names), which imports nothing of the crate.
//! 2. `db`, `telemetry`, `pagination`, `text`, `email`, `credentials`, `caller`.
//! 3. `state` — what every request shares.
//! 4. `resolver` — the accessor and helpers every resolver uses.
//! 5. `throttle` (database-backed attempt counters), `reauth` (the
//!    password check before a sensitive change), then the domains:
//!    `audit`, `items`, `users`, `mfa` (the second factor), then `auth`
//!    (which builds on users and mfa), then `email_change` (which builds
//!    on users, mfa and auth).
//! 6. `graphql` (the schema), `http` (the transport), `server`, `app`,
//!    `import` (the FastAPI template import, a command of its own).
//!
//! Lints are the workspace's (`[workspace.lints]` in Cargo.toml).

pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod caller;
pub mod config;
pub mod credentials;
pub mod db;
pub mod email;
pub mod email_change;
pub mod error;
pub mod graphql;
pub mod http;
pub mod import;
pub mod items;
pub mod local_secret;
pub mod metrics;
pub mod mfa;
pub mod pagination;
pub mod reauth;
pub mod resolver;
pub mod server;
pub mod sessions;
pub mod state;
pub mod telemetry;
pub mod text;
pub mod throttle;
pub mod users;

pub use graphql::sdl as schema_sdl;
