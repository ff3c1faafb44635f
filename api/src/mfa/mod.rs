//! The second factor (docs/mfa.md): TOTP (RFC 6238) with a secret
//! encrypted at rest, ten single-use recovery codes, the login challenge
//! between a correct password and a session, and the one check other
//! domains call before a sensitive change (`service::confirm_code`), and
//! the re-encryption of every secret after a key rotation (`rotate`).
//! The sign-in's second step itself (`completeMfaLogin`) is in
//! `auth::mfa_login`, which opens the session.

pub mod challenge;
pub mod cipher;
pub mod code;
pub mod cookie;
pub mod graphql;
pub mod loader;
pub mod recovery;
pub mod rotate;
pub mod service;
pub mod store;
pub mod totp;
pub mod verify;
