//! The superuser's utilities that are not about one account: a test e-mail
//! through the configured SMTP server, and previews of every e-mail the API
//! sends (what the FastAPI template's admin offers).

pub mod graphql;
pub mod service;
