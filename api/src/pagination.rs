//! Offset pagination with fixed bounds (page size 1–100, offset at most a
//! million): out-of-range arguments are an error, not silently clamped, so
//! a client bug shows up at once.

use sea_orm::{
    sea_query::{Asterisk, Expr, SimpleExpr},
    ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryOrder, QuerySelect,
    QueryTrait, Select,
};

use crate::error::AppError;

pub const MAX_PAGE_SIZE: i64 = 100;
/// Deep offsets make the database skip rows one by one; past this, use filters.
pub const MAX_OFFSET: i64 = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

impl Default for Page {
    /// The first 20, as the API's list arguments default to.
    fn default() -> Self {
        Self {
            offset: 0,
            limit: 20,
        }
    }
}

impl Page {
    pub fn new(offset: i64, limit: i64) -> Result<Self, AppError> {
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(AppError::bad_input(
                "limit",
                format!("limit must be between 1 and {MAX_PAGE_SIZE}."),
            ));
        }
        if !(0..=MAX_OFFSET).contains(&offset) {
            return Err(AppError::bad_input(
                "offset",
                format!("offset must be between 0 and {MAX_OFFSET}."),
            ));
        }
        Ok(Self {
            offset: offset as u64,
            limit: limit as u64,
        })
    }
}

const TOTAL: &str = "page_total_count";

/// Which end of a list comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Newest {
    #[default]
    First,
    Last,
}

/// One page of `filtered`, newest first (every list's index is
/// `(created_at DESC, id DESC)`), and how many rows `filtered` matches.
pub async fn newest_first<E, C>(
    db: &C,
    filtered: Select<E>,
    created_at: E::Column,
    id: E::Column,
    page: Page,
) -> Result<(Vec<E::Model>, u64), AppError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    by_creation(db, filtered, created_at, id, Newest::First, page).await
}

/// One page of `filtered` in creation order, newest first or last (the same
/// index, read backwards), and how many rows `filtered` matches.
///
/// One statement: the total is an uncorrelated scalar subquery, which
/// PostgreSQL and SQLite evaluate once, so a page with its count costs one
/// round trip instead of two. A page past the end has no row to carry the
/// total; only then is it counted on its own.
pub async fn by_creation<E, C>(
    db: &C,
    filtered: Select<E>,
    created_at: E::Column,
    id: E::Column,
    newest: Newest,
    page: Page,
) -> Result<(Vec<E::Model>, u64), AppError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let order = match newest {
        Newest::First => sea_orm::Order::Desc,
        Newest::Last => sea_orm::Order::Asc,
    };
    let mut count = filtered.clone().into_query();
    count.clear_selects().expr(Expr::col(Asterisk).count());
    let total = SimpleExpr::SubQuery(None, Box::new(count.into_sub_query_statement()));
    let statement = filtered
        .clone()
        .expr_as(total, TOTAL)
        .order_by(created_at, order.clone())
        .order_by(id, order)
        .offset(page.offset)
        .limit(page.limit)
        .build(db.get_database_backend());
    let rows = db.query_all(statement).await?;
    let total = match rows.first() {
        Some(row) => u64::try_from(row.try_get::<i64>("", TOTAL)?).unwrap_or_default(),
        None if page.offset == 0 => 0,
        None => filtered.count(db).await?,
    };
    let models = rows
        .iter()
        .map(|row| E::Model::from_query_result(row, ""))
        .collect::<Result<_, _>>()?;
    Ok((models, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced_not_clamped() {
        assert_eq!(
            Page::new(0, 1).unwrap(),
            Page {
                offset: 0,
                limit: 1
            }
        );
        assert_eq!(
            Page::new(5, 100).unwrap(),
            Page {
                offset: 5,
                limit: 100
            }
        );
        for (offset, limit, field) in [(0, 0, "limit"), (0, 101, "limit"), (-1, 10, "offset")] {
            match Page::new(offset, limit) {
                Err(AppError::BadInput { field: f, .. }) => assert_eq!(f, field),
                other => panic!("({offset},{limit}) gave {other:?}"),
            }
        }
    }
}
