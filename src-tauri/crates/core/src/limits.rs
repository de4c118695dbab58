//! The documented limits on input. Anything past them is rejected with `InvalidInput` before
//! the database is touched.

use uuid::Uuid;

use crate::error::{Error, Result};

/// Longest session name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest model name, in characters.
pub const MAX_MODEL_NAME_CHARS: usize = 200;
/// Longest message, in characters (a long pasted text still fits; a whole book does not).
pub const MAX_CONTENT_CHARS: usize = 200_000;
/// Largest message metadata, in bytes of JSON.
pub const MAX_METADATA_BYTES: usize = 1_000_000;
/// Most documents attached to one session.
pub const MAX_SESSION_DOCUMENTS: usize = 1_000;
/// Most tags on one session, and the longest tag.
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 100;
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

/// Parses an id that must be a UUID (sessions, documents).
pub fn parse_uuid(what: &str, id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| Error::invalid(format!("{what} id {id:?} is not a valid id")))
}

/// Trims `text` and checks it is non-empty and at most `max` characters.
pub fn required_text(what: &str, text: &str, max: usize) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    at_most(what, trimmed.chars().count(), max, "characters")?;
    Ok(trimmed.to_owned())
}

/// Fails with a message that names the size and the limit when `size` exceeds `max`.
pub fn at_most(what: &str, size: usize, max: usize, unit: &str) -> Result<()> {
    if size > max {
        return Err(Error::invalid(format!("{what} is {size} {unit} long; the limit is {max}")));
    }
    Ok(())
}
