//! The `session_documents` table: which library documents a chat session searches, in order.

use rusqlite::params;

use crate::columns;
use crate::db::Database;
use crate::error::{Error, Result, StorageContext};
use crate::limits;
use crate::sessions::{self, Session};

/// Attaches documents to a session, after the ones it has; already attached ones are skipped.
pub fn attach(db: &Database, session_id: &str, document_ids: &[String]) -> Result<Session> {
    let session = limits::parse_uuid("session", session_id)?;
    let documents = document_ids.iter().map(|id| limits::parse_uuid("document", id)).collect::<Result<Vec<_>>>()?;
    db.write(|tx| {
        let current = sessions::load(tx, session)?.rag_document_ids;
        let new: Vec<_> = documents.iter().filter(|d| !current.contains(d)).collect();
        if current.len() + new.len() > limits::MAX_SESSION_DOCUMENTS {
            return Err(Error::invalid(format!(
                "a session can have at most {} documents",
                limits::MAX_SESSION_DOCUMENTS
            )));
        }
        let now = columns::to_db(columns::now());
        for document in new {
            crate::documents::ensure_exists(tx, *document)?;
            tx.execute(
                "INSERT OR IGNORE INTO session_documents (session_id, document_id, position, attached_at)
                 VALUES (?1, ?2, (SELECT COALESCE(MAX(position), -1) + 1 FROM session_documents WHERE session_id = ?1), ?3)",
                params![session.to_string(), document.to_string(), now],
            )
            .context("attaching a document")?;
        }
        sessions::load(tx, session)
    })
}

/// Detaches a document from a session (the document stays in the library).
pub fn detach(db: &Database, session_id: &str, document_id: &str) -> Result<Session> {
    let session = limits::parse_uuid("session", session_id)?;
    let document = limits::parse_uuid("document", document_id)?;
    db.write(|tx| {
        sessions::ensure_exists(tx, session)?;
        let removed = tx
            .execute(
                "DELETE FROM session_documents WHERE session_id = ?1 AND document_id = ?2",
                params![session.to_string(), document.to_string()],
            )
            .context("detaching a document")?;
        if removed == 0 {
            return Err(Error::not_found("attached document", document));
        }
        sessions::load(tx, session)
    })
}
