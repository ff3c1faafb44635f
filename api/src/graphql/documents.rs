//! Parsed documents kept for reuse, keyed by their text.
//!
//! The SPA and most clients send the same few documents over and over;
//! parsing one is a tenth of a `me` request's CPU (docs/benchmarks.md). A
//! document enters the cache only after it parsed and passed the operation
//! limits, so hostile or broken documents cannot fill it, and the cache is
//! bounded by an estimate of the memory its entries hold: many distinct
//! documents evict each other instead of growing the process.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use quick_cache::{sync::Cache, Weighter};

/// A parsed document takes roughly this many times its text in memory
/// (names, positions, the selection tree), plus the entry's own overhead.
const BYTES_PER_TEXT_BYTE: u64 = 8;
const ENTRY_OVERHEAD: u64 = 512;

#[derive(Clone)]
struct EstimatedMemory;

impl Weighter<Arc<str>, Arc<ExecutableDocument>> for EstimatedMemory {
    fn weight(&self, text: &Arc<str>, _: &Arc<ExecutableDocument>) -> u64 {
        text.len() as u64 * BYTES_PER_TEXT_BYTE + ENTRY_OVERHEAD
    }
}

pub struct Documents(Option<Cache<Arc<str>, Arc<ExecutableDocument>, EstimatedMemory>>);

impl Documents {
    /// `capacity_bytes` 0 turns the cache off.
    pub fn new(capacity_bytes: u64) -> Self {
        if capacity_bytes == 0 {
            return Self(None);
        }
        let estimated_items = (capacity_bytes / 4096).max(16) as usize;
        Self(Some(Cache::with_weighter(
            estimated_items,
            capacity_bytes,
            EstimatedMemory,
        )))
    }

    pub fn get(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        self.0.as_ref()?.get(text)
    }

    pub fn insert(&self, text: &str, document: &ExecutableDocument) {
        if let Some(cache) = &self.0 {
            cache.insert(Arc::from(text), Arc::new(document.clone()));
        }
    }

    /// The estimated memory held now.
    #[cfg(test)]
    fn weight(&self) -> u64 {
        self.0.as_ref().map_or(0, Cache::weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(text).unwrap()
    }

    #[test]
    fn many_distinct_documents_stay_within_the_bound() {
        let documents = Documents::new(64 * 1024);
        for i in 0..10_000 {
            let text = format!("{{ me {{ id email }} alias{i}: __typename }}");
            documents.insert(&text, &document(&text));
        }
        assert!(documents.weight() <= 64 * 1024, "{}", documents.weight());
    }

    #[test]
    fn a_cached_document_is_the_one_that_was_parsed() {
        let documents = Documents::new(1024 * 1024);
        let text = "{ me { id } }";
        documents.insert(text, &document(text));
        let cached = documents.get(text).unwrap();
        assert_eq!(cached.operations.iter().count(), 1);
        assert!(documents.get("{ me { email } }").is_none());
        assert!(Documents::new(0).get(text).is_none());
    }
}
