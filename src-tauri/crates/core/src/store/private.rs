//! Files only their owner can read: the data directory is made `0700`, the database and its
//! journal files `0600`, the secrets fallback file `0600`, so other users of the machine read none
//! of a person's chats, documents or keys. (On systems without Unix permissions these do nothing:
//! the per-user application data directory is already private there.)

use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` (and its missing parents) readable only by its owner; an existing directory is
/// left as it is (it may be one the person chose and shares on purpose).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
}

/// Makes the file at `path` readable only by its owner, creating it empty if it is missing.
pub fn make_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?;
    restrict(path)
}

/// Writes `bytes` to `path`, readable only by its owner from the first byte: the file is created
/// `0600` and replaced atomically.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    io::Write::write_all(&mut options.open(&temporary)?, bytes)?;
    restrict(&temporary)?;
    std::fs::rename(&temporary, path)
}

/// Sets an existing file's mode to `0600` (a file made by an earlier version was `0644`).
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
