//! The keys of Hearth's tables as types of their own, so a session id cannot be passed where a
//! document id is expected. They are parsed once, where text comes in (the shell's commands, the
//! CLI's arguments); past that edge the engine takes only these.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random id.
            pub fn new() -> Self {
                $name(Uuid::new_v4())
            }

            /// Parses an id typed or sent as text; surrounding spaces are ignored.
            pub fn parse(text: &str) -> Result<Self> {
                Uuid::parse_str(text.trim())
                    .map($name)
                    .map_err(|_| Error::invalid(format!(concat!($what, " id {:?} is not a valid id"), text)))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new()
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(text: &str) -> Result<Self> {
                $name::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                // Stored as text, the way the schema's TEXT keys hold them.
                Ok(rusqlite::types::ToSqlOutput::from(self.0.to_string()))
            }
        }
    };
}

uuid_id!(
    /// A chat session's id.
    SessionId,
    "session"
);
uuid_id!(
    /// A library document's id.
    DocumentId,
    "document"
);
uuid_id!(
    /// A collection's id (a named set of library documents).
    CollectionId,
    "collection"
);

/// A chunk's id (its row id). Re-indexing a document replaces its chunks, and SQLite may hand a
/// freed id to a later chunk, so a stored `ChunkId` is checked before it is trusted
/// (`retrieval::passages::cited`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChunkId(pub i64);

impl fmt::Display for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl rusqlite::ToSql for ChunkId {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_from_text_and_say_which_kind_was_wrong() {
        let id = SessionId::new();
        assert_eq!(format!(" {id} ").parse::<SessionId>().unwrap(), id);
        let err = "not-an-id".parse::<DocumentId>().unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)));
        assert_eq!(err.to_string(), "document id \"not-an-id\" is not a valid id");
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{id}\""));
        assert_eq!(serde_json::to_string(&ChunkId(7)).unwrap(), "7");
    }
}
