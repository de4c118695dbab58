//! What a chat searches: the whole library (a new chat's default), only its own documents, or a
//! collection. The `scope` and `collection_id` columns of `sessions`.
//!
//! A chat's own documents (`session_documents`, [`super::Session::rag_document_ids`]) stay the
//! explicit list in every scope: they are the files dropped into it, shown with it. With scope
//! `library` that list is informational (everything is searched, so an empty list means
//! everything); with `documents` it is all that is searched; with `collection` it is searched with
//! the collection's documents.

use rusqlite::{Connection, params};
use serde::Serialize;

use super::Session;
use crate::collections;
use crate::error::{Error, Result, StorageContext};
use crate::store::Database;
use crate::store::ids::{CollectionId, DocumentId, SessionId};

/// What a chat searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", content = "collection_id", rename_all = "snake_case")]
pub enum Scope {
    /// Every ready document in the library.
    #[default]
    Library,
    /// Only the chat's own documents.
    Documents,
    /// A collection's documents, and the chat's own.
    Collection(CollectionId),
}

impl Scope {
    /// The word stored in `sessions.scope` and typed on the command line.
    pub fn kind(self) -> &'static str {
        match self {
            Scope::Library => "library",
            Scope::Documents => "documents",
            Scope::Collection(_) => "collection",
        }
    }

    /// The scope stored as `kind` and `collection`; a collection scope whose collection is gone
    /// (or a kind a newer build wrote) reads as the whole library.
    pub(crate) fn from_db(kind: &str, collection: Option<CollectionId>) -> Scope {
        match (kind, collection) {
            ("documents", _) => Scope::Documents,
            ("collection", Some(id)) => Scope::Collection(id),
            _ => Scope::Library,
        }
    }

    fn collection(self) -> Option<CollectionId> {
        match self {
            Scope::Collection(id) => Some(id),
            _ => None,
        }
    }
}

/// Sets what a chat searches from its next question. A collection must exist. Not activity:
/// `last_updated_at` stays.
pub fn set(db: &Database, session: SessionId, scope: Scope) -> Result<Session> {
    db.write(|tx| {
        if let Some(collection) = scope.collection() {
            collections::load(tx, collection)?;
        }
        let changed = tx
            .execute(
                "UPDATE sessions SET scope = ?2, collection_id = ?3 WHERE id = ?1",
                params![session, scope.kind(), scope.collection()],
            )
            .context("setting a chat's scope")?;
        if changed == 0 {
            return Err(Error::not_found("session", session));
        }
        super::load(tx, session)
    })
}

/// The documents a chat's scope names (ready or not): `None` for the whole library.
pub fn documents(db: &Database, session: &Session) -> Result<Option<Vec<DocumentId>>> {
    db.read(|conn| scoped_documents(conn, session))
}

fn scoped_documents(conn: &Connection, session: &Session) -> Result<Option<Vec<DocumentId>>> {
    match session.scope {
        Scope::Library => Ok(None),
        Scope::Documents => Ok(Some(session.rag_document_ids.clone())),
        Scope::Collection(id) => {
            let mut ids = collections::documents_of(conn, id)?;
            for own in &session.rag_document_ids {
                if !ids.contains(own) {
                    ids.push(*own);
                }
            }
            Ok(Some(ids))
        }
    }
}

/// How many documents of the library are ready to be searched.
pub fn ready_in_library(db: &Database) -> Result<usize> {
    db.read(|conn| {
        conn.query_row("SELECT COUNT(*) FROM documents WHERE status = 'ready'", [], |row| row.get::<_, i64>(0))
            .context("counting ready documents")
            .map(|n| n as usize)
    })
}
