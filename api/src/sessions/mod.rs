//! Sessions: one row per sign-in, its refresh cookie, and what a user (or
//! a superuser) sees and ends of them. The flows that open, refresh and
//! close a session (log-in, `refreshSession`, `logout`) are in `auth`; the
//! account changes that end all of a user's sessions (password, reset,
//! deactivation) call [`store::revoke_all`]. Every piece of state is in
//! the database, so all API replicas agree at once (docs/sessions.md).

pub mod client;
pub mod cookie;
pub mod graphql;
pub mod service;
pub mod store;

pub use store::{NewSession, Reason};
