//! Hearth's engine: everything the desktop shell and the `hearth` CLI share. It knows nothing of
//! Tauri: it takes plain arguments and returns domain types. Every call is blocking (SQLite);
//! async callers run it on a blocking thread.

pub mod bench;
pub mod chat;
pub mod chunking;
mod columns;
pub mod db;
pub mod documents;
pub mod embedding;
pub mod error;
pub mod eval;
pub mod extract;
pub mod folders;
pub mod index;
pub mod ingest;
pub mod library;
pub mod limits;
pub mod llm;
pub mod messages;
pub mod migrations;
pub mod openai;
pub mod passages;
pub mod paths;
pub mod prompt;
pub mod search;
pub mod session_documents;
pub mod sessions;
pub mod settings;
pub mod vectors;

pub use db::Database;
pub use error::{Error, Result};

use std::path::Path;

/// Opens the database in `data_dir` (creating it and its schema as needed).
pub fn open(data_dir: &Path) -> Result<Database> {
    Database::open(&data_dir.join(paths::DATABASE_FILE))
}

/// The lowercase hex sha256 of `data` (content dedup, model ids).
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Facts about a database for `hearth doctor`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Health {
    pub database_path: String,
    pub schema_version: i32,
    pub latest_schema_version: i32,
    pub sqlite_version: String,
    pub journal_mode: String,
    pub sessions: i64,
    pub messages: i64,
}

/// Reads the facts `hearth doctor` prints.
pub fn health(db: &Database) -> Result<Health> {
    use error::StorageContext;
    db.read(|conn| {
        let count = |table: &str| -> Result<i64> {
            conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .context(format!("counting {table}"))
        };
        Ok(Health {
            database_path: db.path().display().to_string(),
            schema_version: migrations::schema_version(conn)?,
            latest_schema_version: migrations::latest_version(),
            sqlite_version: rusqlite::version().to_owned(),
            journal_mode: conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .context("reading the journal mode")?,
            sessions: count("sessions")?,
            messages: count("chat_messages")?,
        })
    })
}
