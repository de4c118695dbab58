use hearth_core::Database;
use tempfile::TempDir;

/// A real database file in a fresh temporary directory (kept alive by the returned guard).
pub fn temp_db() -> (TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = hearth_core::open(dir.path()).expect("open database");
    (dir, db)
}
