//! Items: owned by one user; superusers see and manage all of them.

pub mod graphql;
pub mod service;
