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

/// SQLite's `PRAGMA quick_check` on the database at `path` (nothing when there is none yet):
/// every page and index entry is read, without the slower cross-checks of `integrity_check`.
/// A file SQLite cannot read as a database, or a failed check, is [`Error::Damaged`]; being
/// busy or unreadable for other reasons is not damage, and is reported as itself.
pub fn check(path: &Path) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let result = Connection::open_with_flags(path, flags).and_then(|conn| {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut stmt = conn.prepare("PRAGMA quick_check(5)")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
    });
    tracing::info!(ms = started.elapsed().as_millis() as u64, "checked the database");
    match result {
        Ok(rows) if rows == ["ok"] => Ok(()),
        Ok(rows) => Err(Error::Damaged { path: path.to_owned(), detail: rows.join("; ") }),
        Err(e) => Err(damaged_or(path, e, "checking the database")),
    }
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
