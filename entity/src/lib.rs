//! SeaORM models, one module per table. Only row shapes live here: API types
//! (which never carry `password_hash`) are defined in the `api` crate.

pub mod audit_event;
pub mod email_token;
pub mod item;
pub mod mfa_challenge;
pub mod password_reset_token;
pub mod recovery_code;
pub mod rotated_refresh_token;
pub mod session;
pub mod throttle;
pub mod user;
pub mod user_mfa;
