//! Backups of the database: a consistent copy written while the app runs (SQLite's online backup
//! API), the check a backup must pass before it replaces anything, the restore itself (the
//! previous database kept aside), and the automatic backups the app keeps in `backups/`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rusqlite::backup::StepResult;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{Database, migrations, paths, private};
use crate::error::{Error, Result, StorageContext};

/// The folder of automatic backups in the data directory.
pub const BACKUPS_DIR: &str = "backups";
/// The file every process that opens the library holds a shared lock on, and a restore an
/// exclusive one: a restore never swaps the database under a running app.
pub const LOCK_FILE: &str = "hearth.lock";

/// What a backup holds, read when it is checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: i32,
    pub sessions: i64,
    pub messages: i64,
    pub documents: i64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Restored {
    /// The backup that is now the database.
    pub backup: BackupInfo,
    /// Where the database it replaced was put (none if there was none).
    pub previous: Option<PathBuf>,
}

impl Database {
    /// Writes a consistent copy of the database to `to` while the app keeps working: the online
    /// backup API copies it in one step inside a read transaction, so the copy is one moment's
    /// state. The copy is written beside `to` and renamed into place, readable by its owner only.
    pub fn backup_to(&self, to: &Path) -> Result<BackupInfo> {
        let partial = partial_path(to);
        let result = (|| {
            private::make_private_file(&partial).map_err(|source| io(&partial, "creating", source))?;
            let mut copy = Connection::open(&partial).context(format!("creating {}", partial.display()))?;
            self.read(|conn| {
                let backup = rusqlite::backup::Backup::new(conn, &mut copy).context("starting a backup")?;
                // Every page in one step (-1): one read transaction, so one moment's state.
                loop {
                    match backup.step(-1).context("copying the database")? {
                        StepResult::Done => return Ok(()),
                        // Busy or locked by a writer: try again shortly.
                        _ => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })?;
            // A single file, without a journal beside it.
            copy.pragma_update(None, "journal_mode", "DELETE").context("finishing the backup")?;
            drop(copy);
            std::fs::rename(&partial, to).map_err(|source| io(to, "writing", source))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result?;
        check(to)
    }
}

/// Checks that `file` is a Hearth database this build can open: SQLite reads it, its integrity
/// check passes, and its schema is no newer than this build's. Nothing is written.
pub fn check(file: &Path) -> Result<BackupInfo> {
    let refuse = |why: String| Error::InvalidInput(format!("{} is not a usable backup: {why}", file.display()));
    let bytes = std::fs::metadata(file).map_err(|e| refuse(e.to_string()))?.len();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(file, flags).map_err(|e| refuse(e.to_string()))?;
    let integrity: String =
        conn.query_row("PRAGMA integrity_check", [], |row| row.get(0)).map_err(|e| refuse(e.to_string()))?;
    if integrity != "ok" {
        return Err(refuse(format!("SQLite's integrity check failed ({integrity})")));
    }
    let schema_version = migrations::schema_version(&conn).map_err(|_| refuse("it is not a Hearth database".into()))?;
    if schema_version > migrations::latest_version() {
        return Err(refuse(format!(
            "it was written by a newer Hearth (schema {schema_version}; this one knows up to {})",
            migrations::latest_version()
        )));
    }
    let count = |table: &str| -> Result<i64> {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|_| refuse(format!("it has no {table} table")))
    };
    Ok(BackupInfo {
        path: file.to_owned(),
        bytes,
        schema_version,
        sessions: count("sessions")?,
        messages: count("chat_messages")?,
        documents: if schema_version >= 3 { count("documents")? } else { 0 },
    })
}

/// Replaces the database in `data_dir` by the backup `file`, once it passes [`check`]: the
/// current database is checkpointed and moved aside (`hearth.db.before-restore-<time>`), the
/// vector index (derived) is removed to be rebuilt, and the backup is copied into place. Refused,
/// with nothing changed, while the app or another `hearth` holds the library open.
pub fn restore(data_dir: &Path, file: &Path) -> Result<Restored> {
    let backup = check(file)?;
    let _lock = lock_exclusive(data_dir, "restore")?;
    let db_path = data_dir.join(paths::DATABASE_FILE);
    // A damaged database goes aside as it is, with its journal files; a whole one has its
    // journal folded into the file first, so the file aside is the whole database.
    let previous = if !db_path.exists() {
        None
    } else if super::integrity::check(&db_path).is_err() {
        Some(super::integrity::set_aside_locked(data_dir, "damaged")?)
    } else {
        let conn = Connection::open(&db_path).context("opening the current database")?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").context("checkpointing the current database")?;
        drop(conn);
        Some(super::integrity::set_aside_locked(data_dir, "before-restore")?)
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    let partial = partial_path(&db_path);
    std::fs::copy(file, &partial).map_err(|source| io(&partial, "copying the backup to", source))?;
    private::restrict(&partial).map_err(|source| io(&partial, "restricting", source))?;
    std::fs::rename(&partial, &db_path).map_err(|source| io(&db_path, "putting the backup at", source))?;
    let index = data_dir.join(crate::retrieval::index::INDEX_DIR);
    if index.exists() {
        std::fs::remove_dir_all(&index).map_err(|source| io(&index, "removing the stale index", source))?;
    }
    Ok(Restored { backup, previous })
}

/// Holds the library's lock shared, as long as the returned file lives: a restore waits for
/// every holder to go. The app and the CLI take it when they open the library.
pub fn lock_shared(data_dir: &Path) -> Result<File> {
    let file = lock_file(data_dir)?;
    file.lock_shared().map_err(|source| io(&data_dir.join(LOCK_FILE), "locking", source))?;
    Ok(file)
}

/// Holds the library's lock alone, or refuses (naming what it was for) while the app or another
/// `hearth` has the library open.
pub(crate) fn lock_exclusive(data_dir: &Path, to: &str) -> Result<File> {
    let file = lock_file(data_dir)?;
    file.try_lock().map_err(|_| {
        Error::InvalidInput(format!(
            "the library is open (the Hearth app or another hearth command): close it, then {to}"
        ))
    })?;
    Ok(file)
}

fn lock_file(data_dir: &Path) -> Result<File> {
    private::create_private_dir(data_dir).map_err(|source| io(data_dir, "creating", source))?;
    let path = data_dir.join(LOCK_FILE);
    File::options().create(true).truncate(false).write(true).open(&path).map_err(|source| io(&path, "opening", source))
}

/// Keeps the automatic backups: writes one to `backups/` when the newest is older than
/// `every`, then deletes all but the newest `keep`. `keep` 0 turns them off (and deletes none).
/// Returns the backup written, if one was.
pub fn automatic(db: &Database, data_dir: &Path, keep: usize, every: Duration) -> Result<Option<BackupInfo>> {
    if keep == 0 {
        return Ok(None);
    }
    let dir = data_dir.join(BACKUPS_DIR);
    private::create_private_dir(&dir).map_err(|source| io(&dir, "creating", source))?;
    let mut backups = automatic_backups(&dir)?;
    let due = backups.last().is_none_or(|(_, at)| at.elapsed().unwrap_or(Duration::ZERO) >= every);
    let written = if due {
        let path = dir.join(format!("hearth-{}.db", stamp(SystemTime::now())));
        let info = db.backup_to(&path)?;
        backups.push((path, SystemTime::now()));
        Some(info)
    } else {
        None
    };
    let excess = backups.len().saturating_sub(keep);
    for (old, _) in &backups[..excess] {
        std::fs::remove_file(old).map_err(|source| io(old, "removing the old backup", source))?;
    }
    Ok(written)
}

/// The automatic backups in `dir`, oldest first, with when each was written.
pub fn automatic_backups(dir: &Path) -> Result<Vec<(PathBuf, SystemTime)>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<(PathBuf, SystemTime)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.starts_with("hearth-") && name.ends_with(".db")
        })
        .filter_map(|p| {
            let at = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            Some((p, at))
        })
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    Ok(found)
}

/// A UTC time for a file name: `2026-11-30T19-05-09Z` (no colons, which some file systems refuse).
pub(crate) fn stamp(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).format("%Y-%m-%dT%H-%M-%SZ").to_string()
}

fn partial_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", path.display()))
}

fn io(path: &Path, doing: &str, source: std::io::Error) -> Error {
    Error::Io { context: format!("{doing} {}", path.display()), source }
}
