//! Who is working on a document. Each process that processes documents holds an exclusive lock
//! on `workers/<its id>.lock` in the data directory for as long as it runs, and writes its id on
//! each document it takes (`documents.worker`). The lock goes with the process, however it ends
//! (kill -9 included), so any other process can tell live work from work left behind, and take
//! only the latter over: the app at start, `hearth docs add` of the same file, `docs retry`.

use std::collections::HashMap;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::error::{Error, Result};
use crate::store::private;

/// The folder of workers' lock files in the data directory.
pub const WORKERS_DIR: &str = "workers";

/// This process's worker id.
pub fn this_worker() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::new_v4().to_string())
}

/// Takes this process's lock in `data_dir` (once; later calls do nothing) and keeps it until the
/// process ends.
pub fn hold(data_dir: &Path) -> Result<()> {
    static HELD: OnceLock<Mutex<HashMap<PathBuf, File>>> = OnceLock::new();
    let mut held = HELD.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if held.contains_key(data_dir) {
        return Ok(());
    }
    let dir = data_dir.join(WORKERS_DIR);
    let io = |source| Error::Io { context: format!("taking a worker lock in {}", dir.display()), source };
    private::create_private_dir(&dir).map_err(io)?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(data_dir, this_worker()))
        .map_err(io)?;
    file.lock().map_err(io)?;
    held.insert(data_dir.to_owned(), file);
    // The files of processes that have ended are swept, so they do not pile up.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".lock") {
                is_alive(data_dir, id);
            }
        }
    }
    Ok(())
}

/// Whether the worker `id` is still running (it holds its lock in `data_dir`). A worker that is
/// gone leaves its file unlocked; the file is removed here.
pub fn is_alive(data_dir: &Path, id: &str) -> bool {
    // This process's own lock counts too: flock conflicts between two opens of the file.
    let path = lock_path(data_dir, id);
    let Ok(file) = File::open(&path) else { return false };
    match file.try_lock() {
        Ok(()) => {
            drop(file);
            let _ = std::fs::remove_file(&path);
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    }
}

/// Whether work marked with `worker` was left behind: no worker, or one that is gone.
pub fn abandoned(data_dir: &Path, worker: Option<&str>) -> bool {
    worker.is_none_or(|w| !is_alive(data_dir, w))
}

fn lock_path(data_dir: &Path, id: &str) -> PathBuf {
    // Ids are UUIDs; anything else read from the database names no file.
    let name: String = id.chars().filter(|c| c.is_ascii_hexdigit() || *c == '-').collect();
    data_dir.join(WORKERS_DIR).join(format!("{name}.lock"))
}
