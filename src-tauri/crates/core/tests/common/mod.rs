#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use hearth_core::ingest::extract::Parsers;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hearth_core::ingest::chunking::{Chunker, DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use hearth_core::ingest::documents::DocStatus;
use hearth_core::ingest::{Added, Pipeline};
use hearth_core::models::embedding::{LocalEmbedder, locate_model_dir};
use hearth_core::retrieval::Hit;
use hearth_core::{Database, DocumentId};
use tempfile::TempDir;

/// A real database file in a fresh temporary directory (kept alive by the returned guard).
pub fn temp_db() -> (TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = hearth_core::open(dir.path()).expect("open database");
    (dir, db)
}

/// A document row with no content, for tests about sessions rather than ingestion.
pub fn insert_document(db: &Database, name: &str) -> DocumentId {
    let id = DocumentId::new();
    db.write(|tx| {
        tx.execute(
            "INSERT INTO documents (id, name, sha256, doc_type, size_bytes, status, created_at, updated_at)
             VALUES (?1, ?2, ?1, 'text', 0, 'ready', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            [id.to_string(), name.to_owned()],
        )
        .unwrap();
        Ok(())
    })
    .unwrap();
    id
}

/// A file under the repository's `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures").join(name)
}

/// The provisioned embedding model, loaded once per test binary.
pub fn model() -> &'static LocalEmbedder {
    static MODEL: OnceLock<LocalEmbedder> = OnceLock::new();
    MODEL.get_or_init(|| LocalEmbedder::load(&locate_model_dir(None)).expect("the provisioned model loads"))
}

/// A chunker on the model's tokenizer with the default sizes.
pub fn chunker() -> &'static Chunker {
    static CHUNKER: OnceLock<Chunker> = OnceLock::new();
    CHUNKER.get_or_init(|| Chunker::load(&locate_model_dir(None), MAX_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS).unwrap())
}

/// The ingestion pipeline with the real model and no vector index.
pub fn pipeline(db: &Database) -> Pipeline<'_> {
    Pipeline {
        db,
        embedder: model(),
        chunker: chunker(),
        index: None,
        parsers: Parsers::in_process(),
        originals: None,
        options: Default::default(),
    }
}

/// Adds a file and processes it now, checking that progress went from extracting to ready.
pub fn add(db: &Database, path: &Path) -> Added {
    let mut stages = Vec::new();
    let added = pipeline(db).add_file(path, &mut |p| stages.push(p.status)).unwrap();
    if !added.existing && added.document.status == DocStatus::Ready {
        assert_eq!(stages.first(), Some(&DocStatus::Extracting));
        assert_eq!(stages.last(), Some(&DocStatus::Ready));
    }
    added
}

/// The document names of search hits, in order.
pub fn names(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.document_name.as_str()).collect()
}
