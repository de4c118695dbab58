//! Whether the library's database file is whole, checked before it is used, and what to do
//! when it is not: it is never silently used, never deleted, and the person chooses between
//! the newest automatic backup that passes its check and a fresh, empty library. Either way the
//! damaged file is kept aside (`hearth.db.damaged-<time>`, with its journal files).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::{Connection, ErrorCode as SqliteCode, OpenFlags};

use super::backup::{self, BackupInfo};
use super::paths;
use crate::error::{Error, Result};

/// The most backups [`usable_backups`] offers.
pub const BACKUPS_OFFERED: usize = 3;

/// Up to this size the whole file is checked at open; a larger one (a library of hundreds of
/// thousands of passages) has its header and every table but the passages' checked, which keeps
/// a start within a second or so (the passages, their vectors and keyword index are most of the
/// file, and are checked again whenever a backup is written).
pub const FULL_CHECK_BYTES: u64 = 256 * 1024 * 1024;

/// The tables a large file's check leaves out (see [`FULL_CHECK_BYTES`]).
const BULK_TABLES: &[&str] = &["chunks", "chunk_vectors", "chunks_fts", "chat_messages_fts"];

/// Checks the database at `path` before it is used (nothing when there is none yet): the
/// header against the file's size (a truncated file), then SQLite's `PRAGMA quick_check` — every
/// page and index entry read, without `integrity_check`'s slower cross-checks — over the whole
/// file, or for a large one over every table but the bulk ones. A file SQLite cannot read as a
/// database, or a failed check, is [`Error::Damaged`]; being busy or unreadable for other reasons
/// is not damage, and is reported as itself.
pub fn check(path: &Path) -> Result<()> {
    check_up_to(path, FULL_CHECK_BYTES)
}

/// [`check`], with the whole file checked up to `full_check_bytes` (tests check the large-file
/// path on a small file).
pub fn check_up_to(path: &Path, full_check_bytes: u64) -> Result<()> {
    let Ok(size) = std::fs::metadata(path).map(|m| m.len()) else {
        return Ok(());
    };
    let damaged = |detail: String| Error::Damaged { path: path.to_owned(), detail };
    if let Some(problem) = header_problem(path, size) {
        return Err(damaged(problem));
    }
    let started = std::time::Instant::now();
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let result = Connection::open_with_flags(path, flags).and_then(|conn| {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let checks: Vec<String> = if size <= full_check_bytes {
            vec!["PRAGMA quick_check(5)".to_owned()]
        } else {
            let mut stmt =
                conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")?;
            let tables = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            tables
                .into_iter()
                .filter(|t| !BULK_TABLES.iter().any(|bulk| t == bulk || t.starts_with(&format!("{bulk}_"))))
                .map(|t| format!("PRAGMA quick_check(\"{}\")", t.replace('"', "\"\"")))
                .collect()
        };
        let mut found = Vec::new();
        for check in checks {
            let mut stmt = conn.prepare(&check)?;
            let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
            found.extend(rows.collect::<rusqlite::Result<Vec<String>>>()?.into_iter().filter(|r| r != "ok"));
        }
        Ok(found)
    });
    tracing::info!(ms = started.elapsed().as_millis() as u64, bytes = size, "checked the database");
    match result {
        Ok(found) if found.is_empty() => Ok(()),
        Ok(found) => Err(damaged(found.join("; "))),
        Err(e) => Err(damaged_or(path, e, "checking the database")),
    }
}

/// What is wrong with the file's 100-byte header, if anything SQLite would not notice at once:
/// not a database at all, or shorter than the pages its header counts (cut off).
fn header_problem(path: &Path, size: u64) -> Option<String> {
    use std::io::Read;
    if size == 0 {
        return None; // a new database SQLite has not written yet
    }
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path).ok()?;
    if file.read_exact(&mut header).is_err() || &header[..16] != b"SQLite format 3\0" {
        return Some("the file is not an SQLite database".into());
    }
    let be32 = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    // The page count is valid when the change counter matches "version valid for".
    let pages = u64::from(be32(28));
    if be32(24) == be32(92) && pages * page_size > size {
        return Some(format!(
            "the file is {size} bytes, shorter than the {pages} pages of {page_size} bytes its header counts"
        ));
    }
    None
}

/// A rusqlite error as [`Error::Damaged`] when it says the file is not a (whole) database, else
/// as a storage error.
pub fn damaged_or(path: &Path, e: rusqlite::Error, context: &str) -> Error {
    match e.sqlite_error_code() {
        Some(SqliteCode::DatabaseCorrupt | SqliteCode::NotADatabase) => {
            Error::Damaged { path: path.to_owned(), detail: e.to_string() }
        }
        _ => Error::Storage { context: format!("{context} {}", path.display()), source: e },
    }
}

/// The automatic backups that pass their check, newest first, at most [`BACKUPS_OFFERED`].
pub fn usable_backups(data_dir: &Path) -> Result<Vec<BackupInfo>> {
    let mut found = backup::automatic_backups(&data_dir.join(backup::BACKUPS_DIR))?;
    found.reverse();
    Ok(found.into_iter().filter_map(|(path, _)| backup::check(&path).ok()).take(BACKUPS_OFFERED).collect())
}

/// Moves the database and its journal files aside as `hearth.db.damaged-<time>` (and `-wal`,
/// `-shm`), and the vector index (derived) away, so the next open starts an empty library.
/// Refused while another process holds the library. Returns where the database went.
pub fn set_aside(data_dir: &Path) -> Result<PathBuf> {
    let _lock = backup::lock_exclusive(data_dir, "set the damaged database aside")?;
    set_aside_locked(data_dir, "damaged")
}

/// [`set_aside`] under a lock the caller holds; `why` names the copy (`damaged`,
/// `before-restore`).
pub(crate) fn set_aside_locked(data_dir: &Path, why: &str) -> Result<PathBuf> {
    let db = data_dir.join(paths::DATABASE_FILE);
    // Never over an earlier copy set aside in the same second.
    let stamp = backup::stamp(SystemTime::now());
    let aside = (1..)
        .map(|n| match n {
            1 => data_dir.join(format!("{}.{why}-{stamp}", paths::DATABASE_FILE)),
            n => data_dir.join(format!("{}.{why}-{stamp}-{n}", paths::DATABASE_FILE)),
        })
        .find(|candidate| !candidate.exists())
        .expect("some name is free");
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", db.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{suffix}", aside.display()));
            std::fs::rename(&from, &to).map_err(|source| Error::Io {
                context: format!("moving {} to {}", from.display(), to.display()),
                source,
            })?;
        }
    }
    let index = data_dir.join(crate::retrieval::index::INDEX_DIR);
    if index.exists() {
        std::fs::remove_dir_all(&index)
            .map_err(|source| Error::Io { context: format!("removing the stale index {}", index.display()), source })?;
    }
    Ok(aside)
}
