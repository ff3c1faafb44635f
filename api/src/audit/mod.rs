//! The security audit trail: who did what to whom, from where.

pub mod graphql;
pub mod service;

pub use service::{record, AuditEntry, Kind};
