use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::{migrations, private};
use crate::error::{Error, Result, StorageContext};

/// How long a connection waits for a lock held by another process (the CLI beside the app).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle read connections kept for reuse; more are opened under load and closed afterwards.
const MAX_IDLE_READERS: usize = 4;

/// The one handle on a Hearth database file: one writer, many readers (as in Zed's sqlez).
///
/// WAL lets readers proceed while the writer commits. Every call is blocking: async callers must
/// run it on a blocking thread.
pub struct Database {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// The library's lock, held shared while the database is open (see `backup::restore`).
    _lock: Option<std::fs::File>,
}

impl Database {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private::create_private_dir(dir).map_err(|source| Error::Io {
                context: format!("creating data directory {}", dir.display()),
                source,
            })?;
        }
        // Only its owner may read the database: created 0600, and one made 0644 by an earlier
        // version is tightened. SQLite gives its journal files the database file's mode.
        private::make_private_file(path)
            .map_err(|source| Error::Io { context: format!("opening database {}", path.display()), source })?;
        let mut writer = Connection::open(path).context(format!("opening database {}", path.display()))?;
        configure(&writer)?;
        use_wal(&writer)?;
        for suffix in ["-wal", "-shm"] {
            let journal = PathBuf::from(format!("{}{suffix}", path.display()));
            if journal.exists()
                && let Err(e) = private::restrict(&journal)
            {
                tracing::warn!(file = %journal.display(), error = %e, "could not make a journal file private");
            }
        }
        {
            let _migrating = migration_lock(path)?;
            migrations::run(&mut writer)?;
        }
        tracing::debug!(path = %path.display(), "database open");
        Ok(Database { path: path.to_owned(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()), _lock: None })
    }

    /// Keeps `lock` (the library's shared lock) for as long as the database is open.
    pub(crate) fn holding(mut self, lock: std::fs::File) -> Self {
        self._lock = Some(lock);
        self
    }

    /// Where the database file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a read-only connection.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open_reader()?,
        };
        let result = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        result
    }

    /// Runs `f` in one immediate transaction on the writer; commits if it returns `Ok`, else rolls back.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        // A panic while holding the lock leaves no open transaction (Transaction rolls back on
        // drop), so the connection is safe to reuse.
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).context("starting a write transaction")?;
        let value = f(&tx)?;
        tx.commit().context("committing a write transaction")?;
        Ok(value)
    }

    fn open_reader(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)
            .context(format!("opening a reader on {}", self.path.display()))?;
        configure(&conn)?;
        Ok(conn)
    }
}

impl Database {
    /// Copies the journal into the database file and empties it (`wal_checkpoint(TRUNCATE)`):
    /// after erasing something, no old copy of its pages stays in the journal.
    pub fn checkpoint(&self) -> Result<()> {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").context("checkpointing the journal")
    }
}

impl Drop for Database {
    /// The readers close first, so the writer is the last connection to close: only it may fold
    /// the WAL back into the file (a read-only connection closing last leaves the WAL behind).
    fn drop(&mut self) {
        self.readers.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Puts the database in WAL mode. Switching needs the database to itself, and SQLite does not
/// wait for that on the busy timeout: while another process opens a new database (and runs its
/// migrations), the switch is retried for as long as a busy connection would wait.
fn use_wal(conn: &Connection) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        let mode: rusqlite::Result<String> = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0));
        if mode.as_deref().is_ok_and(|m| m.eq_ignore_ascii_case("wal")) {
            return Ok(());
        }
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => return Ok(()),
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e).context("switching the database to WAL"),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Held while the schema is brought up to date, so one process migrates at a time: the app and
/// `hearth` opening a new library at the same moment would otherwise both apply V1, since
/// refinery reads what is applied before SQLite's write lock orders them ("table sessions already
/// exists"). The second waits, then finds nothing to do. A file beside the database, `0600`.
fn migration_lock(path: &Path) -> Result<std::fs::File> {
    let lock = PathBuf::from(format!("{}-migrating.lock", path.display()));
    let io = |source| Error::Io { context: format!("locking {}", lock.display()), source };
    private::make_private_file(&lock).map_err(io)?;
    let file = std::fs::OpenOptions::new().write(true).open(&lock).map_err(io)?;
    file.lock().map_err(io)?;
    Ok(file)
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT).context("setting the busy timeout")?;
    conn.pragma_update(None, "foreign_keys", true).context("enabling foreign keys")?;
    conn.pragma_update(None, "synchronous", "NORMAL").context("setting synchronous")?;
    Ok(())
}
