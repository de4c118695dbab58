//! The database: one SQLite file per data directory, its schema and how rows are read.
//!
//! Owns: the connection handle (one writer, a pool of readers), the embedded migrations, the row
//! codecs (timestamps, ids, JSON), the typed ids, which model answers ([`model_choice`]), paging,
//! where the data directory is, files only their owner can read ([`private`]), API keys kept out
//! of the database ([`secrets`]), and the `settings` table. Uses [`crate::error`] and [`crate::text`] (and the settings take their
//! defaults and limits from the stages they configure); every other stage stores through it.
//! Never loads a model or touches the vector index.

pub mod backup;
pub mod codec;
pub mod db;
pub mod ids;
pub mod integrity;
pub mod migrations;
pub mod model_choice;
pub mod page;
pub mod paths;
pub mod private;
pub mod secrets;
pub mod settings;

use std::path::Path;

pub use db::Database;
pub use page::Page;

use crate::error::{Result, StorageContext};

/// Opens the database in `data_dir` (creating it and its schema as needed).
/// A damaged file is never used: it is [`crate::Error::Damaged`] (see [`integrity`]). On a full
/// disk it fails as one (SQLite says only "disk I/O error" when it cannot make its journal).
pub fn open(data_dir: &Path) -> Result<Database> {
    open_checked(data_dir).map_err(|e| disk_full_or(data_dir, e))
}

fn open_checked(data_dir: &Path) -> Result<Database> {
    let lock = backup::lock_shared(data_dir)?;
    let path = data_dir.join(paths::DATABASE_FILE);
    integrity::check(&path)?;
    let db = Database::open(&path).map_err(|e| match e {
        crate::Error::Storage { source, context } => integrity::damaged_or(&path, source, &context),
        other => other,
    })?;
    Ok(db.holding(lock))
}

/// `e` as a full-disk error when it is an I/O failure and the data directory's file system has
/// no space left.
fn disk_full_or(data_dir: &Path, e: crate::Error) -> crate::Error {
    let io_failure = matches!(&e, crate::Error::Storage { source, .. }
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::SystemIoFailure));
    if io_failure && paths::free_bytes(data_dir).is_some_and(|free| free < 64 * 1024) {
        return crate::Error::Io {
            context: format!("opening the library in {} ({e})", data_dir.display()),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
    }
    e
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
