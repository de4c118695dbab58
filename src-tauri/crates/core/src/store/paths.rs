//! Where a person's data lives: the per-user data directory and the database file in it.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Overrides the data directory (tests and portable installs use it).
pub const DATA_DIR_ENV: &str = "HEARTH_DATA_DIR";
/// The app's identifier, the same as `identifier` in `tauri.conf.json`, so that the CLI and the
/// window find the same per-user directory.
pub const APP_IDENTIFIER: &str = "app.hearth.desktop";
/// The database's file name inside the data directory.
pub const DATABASE_FILE: &str = "hearth.db";

/// The per-user data directory: `$HEARTH_DATA_DIR`, else the OS's application data directory
/// (e.g. `~/.local/share/app.hearth.desktop` on Linux).
pub fn data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER)).ok_or_else(|| Error::Io {
        context: format!("finding the per-user data directory (set {DATA_DIR_ENV})"),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no home directory"),
    })
}

/// Bytes an unprivileged process may still write on `dir`'s file system, if that can be read.
#[cfg(unix)]
pub fn free_bytes(dir: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(dir).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Bytes an unprivileged process may still write on `dir`'s file system, if that can be read.
#[cfg(not(unix))]
pub fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}
