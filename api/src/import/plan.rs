//! What happens to each template row: plain decisions over what is already
//! in Rampart, so that they can be tested without a database.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::source::{TemplateItem, TemplateUser};
use crate::{
    error::AppError,
    items::service::{validate_description, validate_title},
    users::{normalize_email, normalize_full_name},
};

/// A user row ready to insert.
#[derive(Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub full_name: Option<String>,
    pub password_hash: String,
    pub is_active: bool,
    pub is_superuser: bool,
    pub created_at: DateTime<Utc>,
}

/// An item row ready to insert.
#[derive(Debug, PartialEq, Eq)]
pub struct ItemRow {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Decision<Row> {
    Import(Row),
    /// The same id is in Rampart already (an earlier run): left as it is,
    /// even if it changed since (a re-hashed password, an edited title).
    AlreadyPresent,
    /// Not imported, and nothing in Rampart is overwritten: the operator
    /// decides (the reason says what to fix).
    Conflict(String),
    /// Not imported because of another row (an item whose owner was not).
    Skipped(String),
}

/// The normalised form of every template address and how many template
/// users share it: a pair that only differs in case is one Rampart address,
/// and which of the two owns it is not the import's to guess.
pub fn address_counts<'a>(emails: impl IntoIterator<Item = &'a str>) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for email in emails {
        if let Ok(email) = normalize_email(email) {
            *counts.entry(email).or_insert(0) += 1;
        }
    }
    counts
}

/// What Rampart holds for a batch of template users.
pub struct UserContext<'a> {
    /// Rampart user ids among the batch's ids.
    pub present_ids: &'a HashSet<Uuid>,
    /// Rampart users by address, among the batch's normalised addresses.
    pub ids_by_email: &'a HashMap<String, Uuid>,
    /// Every template address, normalised, with its count.
    pub address_counts: &'a HashMap<String, u32>,
    pub now: DateTime<Utc>,
}

pub fn user(row: TemplateUser, context: &UserContext<'_>) -> Decision<UserRow> {
    if context.present_ids.contains(&row.id) {
        return Decision::AlreadyPresent;
    }
    let email = match normalize_email(&row.email) {
        Ok(email) => email,
        Err(error) => {
            return Decision::Conflict(format!(
                "e-mail {:?} is not valid in Rampart: {}",
                row.email,
                message(&error)
            ))
        }
    };
    if context.address_counts.get(&email).copied().unwrap_or(0) > 1 {
        return Decision::Conflict(format!(
            "e-mail {email}: several template users have this address once normalised"
        ));
    }
    if let Some(other) = context.ids_by_email.get(&email) {
        return Decision::Conflict(format!(
            "e-mail {email} belongs to another Rampart user ({other})"
        ));
    }
    let full_name = match normalize_full_name(row.full_name.as_deref()) {
        Ok(name) => name,
        Err(error) => {
            return Decision::Conflict(format!("full name is not valid: {}", message(&error)))
        }
    };
    Decision::Import(UserRow {
        id: row.id,
        email,
        full_name,
        password_hash: row.hashed_password,
        is_active: row.is_active,
        is_superuser: row.is_superuser,
        created_at: row.created_at.unwrap_or(context.now),
    })
}

/// What Rampart holds for a batch of template items.
pub struct ItemContext<'a> {
    pub present_ids: &'a HashSet<Uuid>,
    /// Users in Rampart with a template user's id: imported now, by an
    /// earlier run, or (in a dry run) that would be.
    pub owners: &'a HashSet<Uuid>,
    pub now: DateTime<Utc>,
}

pub fn item(row: TemplateItem, context: &ItemContext<'_>) -> Decision<ItemRow> {
    if context.present_ids.contains(&row.id) {
        return Decision::AlreadyPresent;
    }
    if !context.owners.contains(&row.owner_id) {
        return Decision::Skipped(format!("its owner {} was not imported", row.owner_id));
    }
    let title = match validate_title(&row.title) {
        Ok(title) => title,
        Err(error) => return Decision::Conflict(format!("title: {}", message(&error))),
    };
    let description = match validate_description(row.description.as_deref()) {
        Ok(description) => description,
        Err(error) => return Decision::Conflict(format!("description: {}", message(&error))),
    };
    Decision::Import(ItemRow {
        id: row.id,
        title,
        description,
        owner_id: row.owner_id,
        created_at: row.created_at.unwrap_or(context.now),
    })
}

fn message(error: &AppError) -> String {
    error.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template_user(email: &str) -> TemplateUser {
        TemplateUser {
            id: Uuid::new_v4(),
            email: email.to_owned(),
            full_name: Some("  Ada Lovelace ".to_owned()),
            is_active: true,
            is_superuser: false,
            hashed_password: "$2b$12$abc".to_owned(),
            created_at: None,
        }
    }

    fn decide(
        row: TemplateUser,
        present: &[Uuid],
        taken: &[(&str, Uuid)],
        all: &[&str],
    ) -> Decision<UserRow> {
        let present_ids = present.iter().copied().collect();
        let ids_by_email = taken.iter().map(|(e, id)| ((*e).to_owned(), *id)).collect();
        let counts = address_counts(all.iter().copied());
        user(
            row,
            &UserContext {
                present_ids: &present_ids,
                ids_by_email: &ids_by_email,
                address_counts: &counts,
                now: DateTime::UNIX_EPOCH,
            },
        )
    }

    #[test]
    fn a_new_user_is_imported_normalised_with_its_hash_as_it_is() {
        let row = template_user(" Ada@Example.COM");
        let id = row.id;
        let Decision::Import(imported) = decide(row, &[], &[], &["Ada@Example.COM"]) else {
            panic!("not imported");
        };
        assert_eq!(imported.id, id, "ids are kept");
        assert_eq!(imported.email, "ada@example.com");
        assert_eq!(imported.full_name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(imported.password_hash, "$2b$12$abc");
        assert_eq!(
            imported.created_at,
            DateTime::UNIX_EPOCH,
            "null created_at is now"
        );
    }

    #[test]
    fn conflicts_are_reported_and_present_ids_left_alone() {
        let row = template_user("ada@example.com");
        let id = row.id;
        assert_eq!(decide(row, &[id], &[], &[]), Decision::AlreadyPresent);

        let other = Uuid::new_v4();
        let Decision::Conflict(reason) = decide(
            template_user("ada@example.com"),
            &[],
            &[("ada@example.com", other)],
            &["ada@example.com"],
        ) else {
            panic!("a taken address must conflict");
        };
        assert!(reason.contains(&other.to_string()), "{reason}");

        let Decision::Conflict(reason) = decide(
            template_user("Ada@example.com"),
            &[],
            &[],
            &["Ada@example.com", "ada@EXAMPLE.com"],
        ) else {
            panic!("a duplicate after normalisation must conflict");
        };
        assert!(reason.contains("several template users"), "{reason}");

        let Decision::Conflict(reason) = decide(template_user("not-an-address"), &[], &[], &[])
        else {
            panic!("an invalid address must conflict");
        };
        assert!(reason.contains("not valid"), "{reason}");

        let mut spoofed = template_user("eve@example.com");
        spoofed.full_name = Some("Eve\u{202e}gnp.exe".to_owned());
        assert!(matches!(
            decide(spoofed, &[], &[], &["eve@example.com"]),
            Decision::Conflict(_)
        ));
    }

    #[test]
    fn items_need_their_owner_and_valid_text() {
        let owner = Uuid::new_v4();
        let owners: HashSet<Uuid> = [owner].into();
        let present = HashSet::new();
        let context = ItemContext {
            present_ids: &present,
            owners: &owners,
            now: DateTime::UNIX_EPOCH,
        };
        let item_of = |owner_id, title: &str| TemplateItem {
            id: Uuid::new_v4(),
            title: title.to_owned(),
            description: Some(String::new()),
            owner_id,
            created_at: None,
        };
        let Decision::Import(row) = item(item_of(owner, " Notes "), &context) else {
            panic!("not imported");
        };
        assert_eq!((row.title.as_str(), row.description), ("Notes", None));
        assert!(matches!(
            item(item_of(Uuid::new_v4(), "Notes"), &context),
            Decision::Skipped(_)
        ));
        assert!(matches!(
            item(item_of(owner, "   "), &context),
            Decision::Conflict(_)
        ));
    }
}
