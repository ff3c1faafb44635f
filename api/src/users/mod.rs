//! Users: the signed-in user's own profile and superuser administration.

pub mod graphql;
pub mod loader;
pub mod pending_email;
pub mod service;
pub mod store;
mod validate;

pub use validate::{normalize_email, normalize_full_name};
