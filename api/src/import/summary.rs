//! The import's report: counts, every row not imported with its reason, and
//! the formats of the imported password hashes.

use std::{collections::BTreeMap, fmt};

use uuid::Uuid;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub imported: u64,
    pub present: u64,
    pub conflicts: u64,
    pub skipped: u64,
}

#[derive(Debug)]
pub struct Summary {
    pub dry_run: bool,
    pub users: Counts,
    pub items: Counts,
    /// (table, id, reason) for every row not imported, in the order read.
    pub problems: Vec<(&'static str, Uuid, String)>,
    /// Imported users per stored hash format (`Ok`) or per reason it cannot
    /// be verified (`Err`).
    pub hash_formats: BTreeMap<Result<String, &'static str>, u64>,
}

impl Summary {
    pub fn new(dry_run: bool) -> Self {
        Self {
            dry_run,
            users: Counts::default(),
            items: Counts::default(),
            problems: Vec::new(),
            hash_formats: BTreeMap::new(),
        }
    }

    pub(super) fn user_hash(&mut self, format: Result<String, &'static str>) {
        *self.hash_formats.entry(format).or_insert(0) += 1;
    }

    pub(super) fn user_conflict(&mut self, id: Uuid, reason: String) {
        self.users.conflicts += 1;
        self.problems
            .push(("user", id, format!("conflict: {reason}")));
    }

    pub(super) fn user_skipped(&mut self, id: Uuid, reason: String) {
        self.users.skipped += 1;
        self.problems
            .push(("user", id, format!("skipped: {reason}")));
    }

    pub(super) fn item_conflict(&mut self, id: Uuid, reason: String) {
        self.items.conflicts += 1;
        self.problems
            .push(("item", id, format!("conflict: {reason}")));
    }

    pub(super) fn item_skipped(&mut self, id: Uuid, reason: String) {
        self.items.skipped += 1;
        self.problems
            .push(("item", id, format!("skipped: {reason}")));
    }

    /// Users whose stored hash no log-in can verify.
    pub fn unverifiable_hashes(&self) -> u64 {
        self.hash_formats
            .iter()
            .filter(|(format, _)| format.is_err())
            .map(|(_, n)| n)
            .sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            writeln!(f, "dry run: nothing was written; an import would do this")?;
            "would import"
        } else {
            "imported"
        };
        for (name, counts) in [("users", self.users), ("items", self.items)] {
            writeln!(
                f,
                "{name}: {} {verb}, {} already present, {} conflicts, {} skipped",
                counts.imported, counts.present, counts.conflicts, counts.skipped
            )?;
        }
        if !self.problems.is_empty() {
            writeln!(f, "not imported (nothing in Rampart was changed for them):")?;
            for (table, id, reason) in &self.problems {
                writeln!(f, "  {table} {id}: {reason}")?;
            }
        }
        if !self.hash_formats.is_empty() {
            let whose = if self.dry_run {
                "of the users an import would add"
            } else {
                "of the imported users"
            };
            writeln!(f, "password hashes {whose}:")?;
            for (format, n) in &self.hash_formats {
                match format {
                    Ok(format) => writeln!(f, "  {format}: {n}")?,
                    Err(reason) => writeln!(
                        f,
                        "  not verifiable ({reason}): {n}; these users log in only after a password reset"
                    )?,
                }
            }
            writeln!(
                f,
                "  each is re-hashed with argon2id at the configured cost at its first log-in"
            )?;
        }
        Ok(())
    }
}
