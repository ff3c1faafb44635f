//! Credentials: what proves who someone is, and how each is made, stored
//! and checked. Passwords (policy and argon2id hashing), signed access
//! tokens, opaque refresh tokens, and one-time link tokens (password
//! reset, set password, e-mail verification and change). Stored hashes from other applications (bcrypt,
//! argon2 of any cost) verify too.
//!
//! This layer knows nothing of the flows that use it (sign-in, recovery,
//! user administration live in `auth` and `users`, above it), so both of
//! those domains can build on it without importing each other.

pub mod access_token;
pub mod email_token;
pub mod hash_jobs;
mod hash_memory;
mod hasher;
pub mod link_token;
pub mod password;
pub mod refresh_token;
mod stored_hash;

pub use access_token::{AccessTokens, IssuedToken};
pub use hasher::{HashTurn, PasswordHasher, Upgrade, Verification, UNUSABLE_PASSWORD_HASH};
pub use password::PasswordPolicy;
pub use stored_hash::{MAX_ARGON2_WORK, MAX_BCRYPT_COST, MAX_OVERSIZE_KIB};
