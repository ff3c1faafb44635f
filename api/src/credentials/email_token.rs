//! One-time e-mail links (issue 14): "verify your address" and "confirm
//! your new address". Made like reset links (256 random bits, only the
//! SHA-256 stored, single use, short-lived) but kept in their own table
//! with a purpose and the address they prove, so a reset link never works
//! as a verification link or the other way round, and a password reset
//! (which revokes reset links) does not decide what happens to them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::email_token as token;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::link_token::{digest, new_raw, well_formed};
use crate::error::AppError;

/// What a link is for; stored as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Proves the account's own address (sent at sign-up and on "resend").
    Verify,
    /// Proves a new address; using it moves the account there.
    Change,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Change => "change",
        }
    }
}

/// The stored form of a raw token, or `None` when it cannot be one (then
/// nothing is looked up: a garbage token costs no query).
pub fn parse(raw: &str) -> Option<String> {
    let raw = raw.trim();
    well_formed(raw).then(|| digest(&raw.to_ascii_lowercase()))
}

/// Issues a link for `email`, revoking the user's earlier links of the
/// same purpose (only the newest works), and returns the raw token.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    purpose: Purpose,
    email: &str,
    ttl: Duration,
) -> Result<String, AppError> {
    revoke(db, user_id, Some(purpose)).await?;
    let raw = new_raw();
    let now = Utc::now();
    token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(digest(&raw)),
        purpose: Set(purpose.as_str().to_owned()),
        email: Set(email.to_owned()),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(raw)
}

pub fn invalid_link() -> AppError {
    AppError::bad_input(
        "token",
        "This link is invalid, has expired or was already used. Ask for a new one.",
    )
}

/// Marks a still-valid link of `purpose` used and returns it. The mark is
/// one conditional UPDATE, so of two requests racing with one link only
/// one gets it, on every backend and isolation level.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    raw: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<token::Model, AppError> {
    let hash = parse(raw).ok_or_else(invalid_link)?;
    let marked = token::Entity::update_many()
        .col_expr(token::Column::UsedAt, Expr::value(now))
        .filter(token::Column::TokenHash.eq(hash.as_str()))
        .filter(token::Column::Purpose.eq(purpose.as_str()))
        .filter(token::Column::UsedAt.is_null())
        .filter(token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if marked.rows_affected != 1 {
        return Err(invalid_link());
    }
    token::Entity::find()
        .filter(token::Column::TokenHash.eq(hash))
        .one(db)
        .await?
        .ok_or_else(invalid_link)
}

/// Deletes the user's links of `purpose` (all of them when `None`): the
/// address they would prove changed, or the account was recovered.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    purpose: Option<Purpose>,
) -> Result<(), AppError> {
    let mut delete = token::Entity::delete_many().filter(token::Column::UserId.eq(user_id));
    if let Some(purpose) = purpose {
        delete = delete.filter(token::Column::Purpose.eq(purpose.as_str()));
    }
    delete.exec(db).await?;
    Ok(())
}

/// Deletes links past their deadline, used or not: nothing reads them
/// again, and sign-ups nobody verifies (typos, bots) would otherwise leave
/// one row each forever.
pub async fn prune_expired<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let deleted = token::Entity::delete_many()
        .filter(token::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_fresh_token_parses_to_its_stored_digest() {
        let raw = new_raw();
        assert_eq!(parse(&raw), Some(digest(&raw)));
        assert_eq!(parse(&format!("  {raw}\n")), Some(digest(&raw)));
        // A mail client that upper-cases the link still finds the row.
        assert_eq!(parse(&raw.to_ascii_uppercase()), Some(digest(&raw)));
    }

    #[test]
    fn near_misses_are_refused_without_a_lookup() {
        let raw = new_raw();
        for bad in [
            String::new(),
            raw[..63].to_owned(),
            format!("{raw}0"),
            format!("{}g", &raw[..63]),
            format!("{}\u{0}", &raw[..63]),
            format!("{}é", &raw[..62]),
        ] {
            assert_eq!(parse(&bad), None, "{bad:?}");
        }
    }

    proptest! {
        /// Anything at all: no panic, and accepted exactly when it is 64
        /// hex digits once trimmed.
        #[test]
        fn parse_accepts_exactly_64_hex_digits(raw in "\\PC{0,80}") {
            let trimmed = raw.trim();
            let expected = trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit());
            prop_assert_eq!(parse(&raw).is_some(), expected);
        }

        #[test]
        fn hex_tokens_of_the_right_length_always_parse(raw in "[0-9a-fA-F]{64}") {
            prop_assert_eq!(parse(&raw), Some(digest(&raw.to_ascii_lowercase())));
        }
    }
}
