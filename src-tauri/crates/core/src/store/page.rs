//! A window into a listing (sidebar, library, messages), checked before the database is touched.

use crate::error::{Error, Result};

/// Largest page a listing returns.
pub const MAX_PAGE_LIMIT: i64 = 1_000;
/// Largest offset a listing accepts: beyond any real data set, small enough to be no attack.
pub const MAX_PAGE_OFFSET: i64 = 100_000_000;

/// A validated window into a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    /// Checks `limit` (1..=MAX_PAGE_LIMIT) and `offset` (0..=MAX_PAGE_OFFSET).
    pub fn new(limit: i64, offset: i64) -> Result<Page> {
        if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
            return Err(Error::invalid(format!("limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit}")));
        }
        if !(0..=MAX_PAGE_OFFSET).contains(&offset) {
            return Err(Error::invalid(format!("offset must be between 0 and {MAX_PAGE_OFFSET}, got {offset}")));
        }
        Ok(Page { limit, offset })
    }
}
