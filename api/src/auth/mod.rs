//! Authentication flows: sign-in, sign-up, e-mail verification, recovery,
//! reset and password change, the per-request bearer check, and the
//! sign-in's second step (a TOTP or recovery code, `mfa_login`). Built on `credentials` (what is checked) and
//! `users` (whose).

mod authenticate;
pub mod graphql;
mod ip_budget;
pub mod mfa_login;
mod rehash;
pub mod service;
pub mod session;
pub mod signup;
pub mod sweep;
pub mod verification;
/// The throttles moved to `crate::throttle` (the second factor counts
/// against them too); the old path stays for callers and tests.
pub use crate::throttle;

pub use authenticate::authenticate;
