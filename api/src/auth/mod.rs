//! Authentication: passwords, tokens, throttling, recovery, and the
//! per-request [`viewer::Auth`].

pub mod graphql;
mod hash_memory;
pub mod password;
pub mod reset_token;
pub mod service;
pub mod throttle;
pub mod token;
pub mod viewer;
