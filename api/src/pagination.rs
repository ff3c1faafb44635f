//! Offset pagination with the baseline's bounds: out-of-range arguments are
//! an error, not silently clamped, so a client bug shows up at once.

use crate::error::AppError;

pub const MAX_PAGE_SIZE: i64 = 100;
/// Deep offsets make the database skip rows one by one; past this, use filters.
pub const MAX_OFFSET: i64 = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
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
