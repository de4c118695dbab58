//! The documented limits on what a session and its messages hold. Anything past them is
//! rejected with `InvalidInput` before the database is touched.

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
/// Most tags on one session.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 100;
