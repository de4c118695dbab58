//! The `documents` table and its chunks: the library.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result, StorageContext};
use crate::store::codec;
use crate::store::ids::{ChunkId, DocumentId};
use crate::store::{Database, Page};

/// Where a document is on its way to being searchable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "DocStatus.ts")]
pub enum DocStatus {
    Queued,
    Extracting,
    Embedding,
    Ready,
    Failed,
    Cancelled,
}

impl DocStatus {
    /// The stored (and wire) spelling; the schema's CHECK constraint allows exactly these.
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Queued => "queued",
            DocStatus::Extracting => "extracting",
            DocStatus::Embedding => "embedding",
            DocStatus::Ready => "ready",
            DocStatus::Failed => "failed",
            DocStatus::Cancelled => "cancelled",
        }
    }

    /// Queued or being processed: not ready, failed or cancelled yet.
    pub fn is_unfinished(self) -> bool {
        matches!(self, DocStatus::Queued | DocStatus::Extracting | DocStatus::Embedding)
    }

    pub fn parse(text: &str) -> Option<DocStatus> {
        [Self::Queued, Self::Extracting, Self::Embedding, Self::Ready, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A document in the library.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub id: DocumentId,
    pub name: String,
    pub original_path: Option<String>,
    pub sha256: String,
    pub doc_type: String,
    pub size_bytes: i64,
    pub pages: Option<i64>,
    pub status: DocStatus,
    /// Why it failed, in words a person understands.
    pub error: Option<String>,
    pub chunk_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Pages whose text was read from their image by OCR (scans; an image file is one page).
    pub ocr_pages: i64,
    /// The OCR's mean confidence over those pages, 0 to 1.
    pub ocr_confidence: Option<f64>,
}

/// Why a document's original file cannot be read back as it was added.
#[derive(Debug)]
pub enum OriginalGone {
    /// It was added from bytes, not a file.
    NoPath,
    /// The file is not there (or not readable) any more.
    Unreadable { path: String, error: std::io::Error },
    /// The file there now holds other content.
    Changed { path: String },
}

impl Document {
    /// The bytes of the file the document was added from, if it is still there with the same
    /// content (checked against the stored hash).
    pub fn read_original(&self) -> std::result::Result<Vec<u8>, OriginalGone> {
        let path = self.original_path.clone().ok_or(OriginalGone::NoPath)?;
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) => return Err(OriginalGone::Unreadable { path, error }),
        };
        if crate::text::sha256_hex(&bytes) != self.sha256 {
            return Err(OriginalGone::Changed { path });
        }
        Ok(bytes)
    }
}

/// A stored chunk of a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredChunk {
    pub id: ChunkId,
    pub ordinal: i64,
    pub text: String,
    pub page: Option<i64>,
    pub char_start: i64,
    pub char_end: i64,
    pub token_count: i64,
    /// The headings the chunk is under ("5 R Add-On Packages › 5.1 Which packages exist"), or
    /// empty.
    pub heading_path: String,
    /// Set when the text was read from a page's image by OCR: the recognizer's confidence, 0 to 1.
    pub ocr_confidence: Option<f64>,
}

/// One page of documents, newest first, and how many there are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentPage {
    pub items: Vec<Document>,
    pub total: i64,
}

const COLUMNS: &str =
    "id, name, original_path, sha256, doc_type, size_bytes, pages, status, error, chunk_count, created_at, updated_at,
     ocr_pages, ocr_confidence";

/// Lists documents, newest first.
pub fn list(db: &Database, page: Page) -> Result<DocumentPage> {
    db.read(|conn| {
        let total = conn.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0)).context("counting documents")?;
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM documents ORDER BY created_at DESC, id LIMIT ?1 OFFSET ?2"))
            .context("preparing the document list")?;
        let items = stmt
            .query_map(params![page.limit, page.offset], document_row)
            .context("listing documents")?
            .collect::<rusqlite::Result<_>>()
            .context("reading documents")?;
        Ok(DocumentPage { items, total })
    })
}

/// Gets one document.
pub fn get(db: &Database, id: DocumentId) -> Result<Document> {
    db.read(|conn| load(conn, id))
}

/// A document's chunks in order.
pub fn chunks(db: &Database, id: DocumentId, page: Page) -> Result<Vec<StoredChunk>> {
    db.read(|conn| {
        load(conn, id)?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, ordinal, text, page, char_start, char_end, token_count, heading_path, ocr_confidence FROM chunks
                 WHERE document_id = ?1 ORDER BY ordinal LIMIT ?2 OFFSET ?3",
            )
            .context("preparing the chunk list")?;
        let chunks = stmt
            .query_map(params![id.to_string(), page.limit, page.offset], chunk_from_row)
            .context("listing chunks")?
            .collect::<rusqlite::Result<_>>()
            .context("reading chunks")?;
        Ok(chunks)
    })
}

/// A chunk from a row whose first columns are `id, ordinal, text, page, char_start, char_end,
/// token_count, heading_path`, in that order.
pub(crate) fn chunk_from_row(row: &Row<'_>) -> rusqlite::Result<StoredChunk> {
    Ok(StoredChunk {
        id: ChunkId(row.get(0)?),
        ordinal: row.get(1)?,
        text: row.get(2)?,
        page: row.get(3)?,
        char_start: row.get(4)?,
        char_end: row.get(5)?,
        token_count: row.get(6)?,
        heading_path: row.get(7)?,
        // By name: the queries that read a chunk put other columns after the first eight.
        ocr_confidence: row.get("ocr_confidence")?,
    })
}

/// Deletes a document with its chunks, vectors and text index entries, and detaches it from
/// every session, in one transaction. Returns the ids of the chunks that went, so the caller
/// can drop them from the vector index.
pub fn delete(db: &Database, id: DocumentId) -> Result<Vec<i64>> {
    db.write(|tx| {
        let chunk_ids = chunk_ids(tx, id)?;
        // The cascade removes chunks (whose trigger clears the text index), vectors and links.
        let removed =
            tx.execute("DELETE FROM documents WHERE id = ?1", [id.to_string()]).context("deleting a document")?;
        if removed == 0 {
            return Err(Error::not_found("document", id));
        }
        Ok(chunk_ids)
    })
}

/// Cancels a document that is queued or being processed; its work stops at the next batch and
/// nothing of it is stored. Cancelling one that is already finished is refused.
pub fn cancel(db: &Database, id: DocumentId) -> Result<Document> {
    db.write(|tx| {
        let document = load(tx, id)?;
        if !document.status.is_unfinished() {
            return Err(Error::invalid(format!(
                "{} is {}; only queued or in-progress documents can be cancelled",
                document.name,
                document.status.as_str()
            )));
        }
        update_status(tx, id, DocStatus::Cancelled)?;
        load(tx, id)
    })
}

/// Queues a document again: a failed or cancelled one is retried, a ready one is re-indexed
/// (its chunks and vectors are dropped first; their ids are returned for the vector index).
/// One still in progress is refused.
pub fn retry(db: &Database, id: DocumentId) -> Result<(Document, Vec<i64>)> {
    db.write(|tx| {
        let document = load(tx, id)?;
        if !matches!(document.status, DocStatus::Failed | DocStatus::Cancelled | DocStatus::Ready) {
            return Err(Error::invalid(format!("{} is already {}", document.name, document.status.as_str())));
        }
        let chunk_ids = chunk_ids(tx, id)?;
        tx.execute("DELETE FROM chunks WHERE document_id = ?1", [id.to_string()]).context("dropping old chunks")?;
        tx.execute("UPDATE documents SET chunk_count = 0 WHERE id = ?1", [id.to_string()])
            .context("resetting the chunk count")?;
        update_status(tx, id, DocStatus::Queued)?;
        Ok((load(tx, id)?, chunk_ids))
    })
}

fn update_status(tx: &Transaction<'_>, id: DocumentId, status: DocStatus) -> Result<()> {
    tx.execute(
        "UPDATE documents SET status = ?2, error = NULL, updated_at = ?3 WHERE id = ?1",
        params![id.to_string(), status.as_str(), codec::to_db(codec::now())],
    )
    .context("updating a document's status")?;
    Ok(())
}

pub(crate) fn chunk_ids(conn: &Connection, id: DocumentId) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM chunks WHERE document_id = ?1").context("preparing the chunk ids")?;
    let ids = stmt
        .query_map([id.to_string()], |r| r.get(0))
        .context("listing chunk ids")?
        .collect::<rusqlite::Result<_>>()
        .context("reading chunk ids")?;
    Ok(ids)
}

pub(crate) fn find_by_sha256(conn: &Connection, sha256: &str) -> Result<Option<Document>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM documents WHERE sha256 = ?1"), [sha256], document_row)
        .optional()
        .context("looking up a document by content hash")
}

pub(crate) fn ensure_exists(tx: &Transaction<'_>, id: DocumentId) -> Result<()> {
    load(tx, id).map(|_| ())
}

pub(crate) fn load(conn: &Connection, id: DocumentId) -> Result<Document> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"), [id.to_string()], document_row)
        .optional()
        .context("loading a document")?
        .ok_or_else(|| Error::not_found("document", id))
}

fn document_row(row: &Row<'_>) -> rusqlite::Result<Document> {
    let status: String = row.get(7)?;
    Ok(Document {
        id: DocumentId(codec::uuid(row, 0)?),
        name: row.get(1)?,
        original_path: row.get(2)?,
        sha256: row.get(3)?,
        doc_type: row.get(4)?,
        size_bytes: row.get(5)?,
        pages: row.get(6)?,
        status: DocStatus::parse(&status)
            .ok_or_else(|| codec::conversion(7, Error::invalid(format!("unknown document status {status:?}"))))?,
        error: row.get(8)?,
        chunk_count: row.get(9)?,
        created_at: codec::timestamp(row, 10)?,
        updated_at: codec::timestamp(row, 11)?,
        ocr_pages: row.get(12)?,
        ocr_confidence: row.get(13)?,
    })
}

/// Which of `ids` are ready to search, in the order given.
pub fn ready_among(db: &Database, ids: &[DocumentId]) -> Result<Vec<DocumentId>> {
    db.read(|conn| {
        let mut stmt = conn
            .prepare_cached("SELECT status = 'ready' FROM documents WHERE id = ?1")
            .context("preparing the readiness check")?;
        let mut ready = Vec::new();
        for id in ids {
            let is_ready: Option<bool> =
                stmt.query_row([id.to_string()], |r| r.get(0)).optional().context("checking a document")?;
            if is_ready == Some(true) {
                ready.push(*id);
            }
        }
        Ok(ready)
    })
}
