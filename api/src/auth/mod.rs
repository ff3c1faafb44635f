//! Authentication flows: sign-in, sign-up, e-mail verification, recovery,
//! reset and password change, the per-request bearer check, and the database-backed throttles
//! that slow down guessing. Built on `credentials` (what is checked) and
//! `users` (whose).

mod authenticate;
pub mod graphql;
mod rehash;
pub mod service;
pub mod session;
pub mod signup;
pub mod sweep;
pub mod throttle;
pub mod verification;

pub use authenticate::authenticate;
