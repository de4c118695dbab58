//! Adding a file to the library: read, dedup by content hash, extract, chunk, embed, store.
//! A document becomes `ready` in the same transaction that stores its chunks and vectors, so it
//! is never visible as ready with anything missing.

use std::path::Path;

use rusqlite::params;
use uuid::Uuid;

use crate::chunking::{Chunk, Chunker};
use crate::columns;
use crate::db::Database;
use crate::documents::{self, DocStatus, Document};
use crate::embedding::Embedder;
use crate::error::{Error, Result, StorageContext};
use crate::extract::{self, DocType};
use crate::vectors;

/// Largest file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Tokens embedded in one model call. Peak memory grows with batch × length, so batches are
/// bounded by tokens, not by count. Measured (`hearth bench ingest`, 480 chunks of ~245 tokens):
/// 4,096 → 956 MB peak, 2,048 → 555 MB, 1,024 → 362 MB, all at the same 39 chunks/s.
pub const BATCH_TOKENS: usize = 1024;

/// How far a document has got, for progress bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub document_id: Uuid,
    pub name: String,
    pub status: DocStatus,
    pub chunks_done: usize,
    pub chunks_total: usize,
}

/// What adding a file did.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    pub document: Document,
    /// The same content was already in the library; this is that document.
    pub existing: bool,
}

/// Adds the file at `path`. Problems with the file itself end as a `failed` document with the
/// reason; only problems that prevent even recording it (unreadable, unsupported, too large) are
/// returned as errors.
pub fn add_file(
    db: &Database,
    embedder: &dyn Embedder,
    chunker: &Chunker,
    path: &Path,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Added> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let doc_type = DocType::from_path(path)?;
    let io_err = |source| Error::Io { context: format!("reading {}", path.display()), source };
    let size = std::fs::metadata(path).map_err(io_err)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Error::invalid(format!("{name} is {size} bytes; the limit is {MAX_FILE_BYTES}")));
    }
    let bytes = std::fs::read(path).map_err(io_err)?;
    add_bytes(db, embedder, chunker, Source { name: &name, path: Some(path), doc_type, bytes: &bytes }, progress)
}

/// A document's content, from a file or from elsewhere (an evaluation corpus, a paste).
pub struct Source<'a> {
    pub name: &'a str,
    pub path: Option<&'a Path>,
    pub doc_type: DocType,
    pub bytes: &'a [u8],
}

/// Adds a document from its bytes; see [`add_file`].
pub fn add_bytes(
    db: &Database,
    embedder: &dyn Embedder,
    chunker: &Chunker,
    source: Source<'_>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Added> {
    let Source { name, path, doc_type, bytes } = source;
    let size = bytes.len();
    let sha256 = crate::sha256_hex(bytes);
    if let Some(document) = db.read(|conn| documents::find_by_sha256(conn, &sha256))? {
        return Ok(Added { document, existing: true });
    }

    let id = Uuid::new_v4();
    let now = columns::to_db(columns::now());
    db.write(|tx| {
        tx.execute(
            "INSERT INTO documents (id, name, original_path, sha256, doc_type, size_bytes, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7)",
            params![id.to_string(), name, path.map(|p| p.display().to_string()), sha256, doc_type.as_str(), size as i64, now],
        )
        .context("recording a new document")?;
        Ok(())
    })?;
    let mut report = |status, done, total| {
        progress(&Progress { document_id: id, name: name.to_owned(), status, chunks_done: done, chunks_total: total })
    };

    report(DocStatus::Extracting, 0, 0);
    documents::set_status(db, id, DocStatus::Extracting, None)?;
    let prepared = extract::extract(doc_type, bytes).and_then(|doc| chunker.split(doc_type, &doc.text));
    let chunks = match prepared {
        Ok(chunks) => chunks,
        Err(e) => return fail(db, id, e),
    };

    documents::set_status(db, id, DocStatus::Embedding, None)?;
    report(DocStatus::Embedding, 0, chunks.len());
    let vectors = match embed_all(embedder, &chunks, &mut |done| report(DocStatus::Embedding, done, chunks.len())) {
        Ok(v) => v,
        Err(e) => return fail(db, id, e),
    };

    let document = store_ready(db, id, &chunks, &vectors, embedder.model_id())?;
    report(DocStatus::Ready, chunks.len(), chunks.len());
    Ok(Added { document, existing: false })
}

/// Embeds chunks in batches of about [`BATCH_TOKENS`], shortest first so that each batch pads
/// little, and returns the vectors in the chunks' order.
fn embed_all(embedder: &dyn Embedder, chunks: &[Chunk], done: &mut dyn FnMut(usize)) -> Result<Vec<Vec<f32>>> {
    let mut order: Vec<usize> = (0..chunks.len()).collect();
    order.sort_by_key(|&i| chunks[i].token_count);
    let mut vectors = vec![Vec::new(); chunks.len()];
    let mut finished = 0;
    let mut start = 0;
    while start < order.len() {
        // Sorted ascending, so the batch's last chunk is its longest: padding is to that length.
        let mut end = start + 1;
        while end < order.len() && (end - start + 1) * (chunks[order[end]].token_count + 2) <= BATCH_TOKENS {
            end += 1;
        }
        let texts: Vec<&str> = order[start..end].iter().map(|&i| chunks[i].text.as_str()).collect();
        for (&i, vector) in order[start..end].iter().zip(embedder.embed(&texts)?) {
            vectors[i] = vector;
        }
        finished += end - start;
        done(finished);
        start = end;
    }
    Ok(vectors)
}

fn store_ready(db: &Database, id: Uuid, chunks: &[Chunk], vectors: &[Vec<f32>], model_id: &str) -> Result<Document> {
    db.write(|tx| {
        let mut insert_chunk = tx
            .prepare_cached(
                "INSERT INTO chunks (document_id, ordinal, text, page, char_start, char_end, token_count)
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6)",
            )
            .context("preparing chunk insert")?;
        let mut insert_vector = tx
            .prepare_cached("INSERT INTO chunk_vectors (chunk_id, model_id, vector) VALUES (?1, ?2, ?3)")
            .context("preparing vector insert")?;
        for (chunk, vector) in chunks.iter().zip(vectors) {
            insert_chunk
                .execute(params![
                    id.to_string(),
                    chunk.ordinal as i64,
                    chunk.text,
                    chunk.char_start as i64,
                    chunk.char_end as i64,
                    chunk.token_count as i64
                ])
                .context("storing a chunk")?;
            insert_vector
                .execute(params![tx.last_insert_rowid(), model_id, vectors::to_blob(vector)])
                .context("storing a vector")?;
        }
        tx.execute(
            "UPDATE documents SET status = 'ready', error = NULL, chunk_count = ?2, updated_at = ?3 WHERE id = ?1",
            params![id.to_string(), chunks.len() as i64, columns::to_db(columns::now())],
        )
        .context("marking a document ready")?;
        documents::load(tx, id)
    })
}

fn fail(db: &Database, id: Uuid, error: Error) -> Result<Added> {
    tracing::warn!(%id, %error, "document failed");
    let document = documents::set_status(db, id, DocStatus::Failed, Some(&error.to_string()))?;
    Ok(Added { document, existing: false })
}
