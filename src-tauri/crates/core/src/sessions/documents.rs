//! The `session_documents` table: which library documents a chat session searches, in order.

use rusqlite::params;

use super::{Session, limits};
use crate::error::{Error, Result, StorageContext};
use crate::store::Database;
use crate::store::codec;
use crate::store::ids::{DocumentId, SessionId};

/// Attaches documents to a session, after the ones it has; already attached ones are skipped.
pub fn attach(db: &Database, session: SessionId, documents: &[DocumentId]) -> Result<Session> {
    db.write(|tx| {
        let current = super::load(tx, session)?.rag_document_ids;
        let new: Vec<_> = documents.iter().filter(|d| !current.contains(d)).collect();
        if current.len() + new.len() > limits::MAX_SESSION_DOCUMENTS {
            return Err(Error::invalid(format!(
                "a session can have at most {} documents",
                limits::MAX_SESSION_DOCUMENTS
            )));
        }
        let now = codec::to_db(codec::now());
        for document in new {
            crate::ingest::documents::ensure_exists(tx, *document)?;
            tx.execute(
                "INSERT OR IGNORE INTO session_documents (session_id, document_id, position, attached_at)
                 VALUES (?1, ?2, (SELECT COALESCE(MAX(position), -1) + 1 FROM session_documents WHERE session_id = ?1), ?3)",
                params![session.to_string(), document.to_string(), now],
            )
            .context("attaching a document")?;
        }
        super::load(tx, session)
    })
}

/// Detaches a document from a session (the document stays in the library).
pub fn detach(db: &Database, session: SessionId, document: DocumentId) -> Result<Session> {
    db.write(|tx| {
        super::ensure_exists(tx, session)?;
        let removed = tx
            .execute(
                "DELETE FROM session_documents WHERE session_id = ?1 AND document_id = ?2",
                params![session.to_string(), document.to_string()],
            )
            .context("detaching a document")?;
        if removed == 0 {
            return Err(Error::not_found("attached document", document));
        }
        super::load(tx, session)
    })
}
