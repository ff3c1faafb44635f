//! Changing one's own e-mail address (issue 14): asked for with the
//! password (and the MFA code when MFA is on), done only when the link sent
//! to the new address is used. The old address is told at both steps.
//! Built on `auth` (the password check) and `users` (the rows); a
//! superuser's `updateUser` still sets an address directly (`users`).

pub mod graphql;
pub mod service;
