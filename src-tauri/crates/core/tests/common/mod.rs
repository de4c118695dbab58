#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use std::path::PathBuf;

use hearth_core::Database;
use tempfile::TempDir;
use uuid::Uuid;

/// A real database file in a fresh temporary directory (kept alive by the returned guard).
pub fn temp_db() -> (TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = hearth_core::open(dir.path()).expect("open database");
    (dir, db)
}

/// A document row with no content, for tests about sessions rather than ingestion.
pub fn insert_document(db: &Database, name: &str) -> Uuid {
    let id = Uuid::new_v4();
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
