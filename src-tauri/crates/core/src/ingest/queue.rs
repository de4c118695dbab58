//! The durable queue in SQLite: adding a file records it as `queued` (after the checks that
//! need no model); work interrupted by a quit or crash is put back; a document that cannot be
//! processed at all fails with the reason.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};

use super::documents::{self, DocStatus, Document};
use super::extract::DocType;
use super::folders;
use crate::error::{Error, Result, StorageContext};
use crate::store::Database;
use crate::store::codec;
use crate::store::ids::DocumentId;
use crate::text;

/// Largest file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// How far a document has got, for progress bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub document_id: DocumentId,
    pub name: String,
    pub status: DocStatus,
    pub chunks_done: usize,
    pub chunks_total: usize,
    /// While a scan is read by OCR: the page being read, of the pages that need it (else 0, 0).
    pub ocr_page: u32,
    pub ocr_pages: u32,
}

impl Progress {
    /// Where a document stands now, as a progress report (a finished, failed or cancelled one).
    pub fn of(document: &Document) -> Progress {
        let chunks = document.chunk_count.max(0) as usize;
        Progress {
            document_id: document.id,
            name: document.name.clone(),
            status: document.status,
            chunks_done: chunks,
            chunks_total: chunks,
            ocr_page: 0,
            ocr_pages: 0,
        }
    }
}

/// What adding a file did.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    pub document: Document,
    /// The same content was already in the library; this is that document.
    pub existing: bool,
}

/// A document's content, from a file or from elsewhere (an evaluation corpus, a paste).
pub struct Source<'a> {
    pub name: &'a str,
    pub path: Option<&'a Path>,
    pub doc_type: DocType,
    pub bytes: &'a [u8],
}

/// Records the file at `path` as `queued` (or returns the document that already has its
/// content). Refuses, changing nothing, what can never be read: an unsupported type, a file
/// over [`MAX_FILE_BYTES`], a file that cannot be opened.
pub fn enqueue_file(db: &Database, path: &Path) -> Result<Added> {
    let (name, doc_type) = identify(path)?;
    let bytes = read_limited(path)?;
    enqueue(db, &Source { name: &name, path: Some(path), doc_type, bytes: &bytes })
}

/// Queues each of `paths` as [`enqueue_file`] does, a folder as the documents inside it
/// ([`folders::expand`]). Each file gets its own result, and so does a path that gave none.
pub fn enqueue_paths(db: &Database, paths: &[PathBuf]) -> Vec<(PathBuf, Result<Added>)> {
    folders::expand(paths)
        .into_iter()
        .map(|entry| match entry {
            Ok(file) => {
                let added = enqueue_file(db, &file);
                (file, added)
            }
            Err((path, error)) => (path, Err(error)),
        })
        .collect()
}

/// Records a document as `queued`, or returns the one with the same content.
pub fn enqueue(db: &Database, source: &Source<'_>) -> Result<Added> {
    let sha256 = text::sha256_hex(source.bytes);
    db.write(|tx| {
        if let Some(document) = documents::find_by_sha256(tx, &sha256)? {
            return Ok(Added { document, existing: true });
        }
        let id = DocumentId::new();
        let now = codec::to_db(codec::now());
        tx.execute(
            "INSERT INTO documents (id, name, original_path, sha256, doc_type, size_bytes, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7)",
            params![
                id,
                source.name,
                source.path.map(|p| p.display().to_string()),
                sha256,
                source.doc_type.as_str(),
                source.bytes.len() as i64,
                now
            ],
        )
        .context("recording a new document")?;
        Ok(Added { document: documents::load(tx, id)?, existing: false })
    })
}

/// Puts documents whose processing was interrupted (the process working on them quit, crashed
/// or was killed) back in the queue; work a live process holds is left alone (see
/// [`super::lease`]). Nothing of theirs was stored, so they start again from the file. Returns
/// how many.
pub fn resume_interrupted(db: &Database, data_dir: &Path) -> Result<usize> {
    let working: Vec<(String, Option<String>)> = db.read(|conn| {
        let mut stmt = conn
            .prepare("SELECT id, worker FROM documents WHERE status IN ('extracting', 'embedding')")
            .context("finding interrupted documents")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .context("finding interrupted documents")?
            .collect::<rusqlite::Result<_>>()
            .context("reading interrupted documents")?;
        Ok(rows)
    })?;
    let dead: Vec<&String> = working
        .iter()
        .filter(|(_, worker)| super::lease::abandoned(data_dir, worker.as_deref()))
        .map(|(id, _)| id)
        .collect();
    db.write(|tx| {
        let now = codec::to_db(codec::now());
        let mut resumed = 0;
        for id in &dead {
            resumed += tx
                .execute(
                    "UPDATE documents SET status = 'queued', worker = NULL, updated_at = ?2
                     WHERE id = ?1 AND status IN ('extracting', 'embedding')",
                    params![id, now],
                )
                .context("re-queueing an interrupted document")?;
        }
        Ok(resumed)
    })
}

/// The oldest queued document, if any.
pub fn next_queued(db: &Database) -> Result<Option<DocumentId>> {
    db.read(|conn| {
        conn.query_row("SELECT id FROM documents WHERE status = 'queued' ORDER BY created_at, id LIMIT 1", [], |r| {
            codec::uuid(r, 0).map(DocumentId)
        })
        .optional()
        .context("looking for queued documents")
    })
}

/// Fails a queued document that cannot be processed at all (the model is missing), with the
/// reason; it can be retried once that is fixed.
pub fn give_up(db: &Database, id: DocumentId, error: &Error) -> Result<Document> {
    super::pipeline::fail(db, id, DocStatus::Queued, error)
}

pub(super) fn identify(path: &Path) -> Result<(String, DocType)> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    Ok((name, DocType::from_path(path)?))
}

pub(super) fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let io_err = |source| Error::Io { context: format!("reading {}", path.display()), source };
    let size = std::fs::metadata(path).map_err(io_err)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Error::invalid(format!(
            "{} is {} MB; the limit is {} MB",
            path.display(),
            size / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    std::fs::read(path).map_err(io_err)
}
