//! Copies of added PDFs in the data directory (`originals/<sha256>.pdf`), so a cited page can be
//! drawn even after the original file moved or was deleted. Content-addressed: the same file
//! added twice is kept once, and the copy goes with its document. Derived data in the sense of
//! the store's rules: losing a copy loses only the page view of that document (the text view
//! stays), and re-adding the file brings it back.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::documents::{Document, OriginalGone};
use crate::error::{Error, Result};

/// The folder of copies in a data directory.
pub const ORIGINALS_DIR: &str = "originals";

/// Where copies are kept.
#[derive(Debug, Clone)]
pub struct Originals {
    dir: PathBuf,
}

impl Originals {
    /// The copies kept in `data_dir`.
    pub fn in_data_dir(data_dir: &Path) -> Originals {
        Originals { dir: data_dir.join(ORIGINALS_DIR) }
    }

    /// The copy of the file with this hash (which may not exist).
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.pdf"))
    }

    /// Keeps a copy of `bytes` (whose hash is `sha256`), unless one is kept already. Written to
    /// a temporary file and renamed, so a copy is whole or absent.
    pub fn keep(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(sha256);
        if path.exists() {
            return Ok(());
        }
        let io = |source| Error::Io { context: format!("keeping a copy of the PDF in {}", self.dir.display()), source };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let temporary = self.dir.join(format!(".{sha256}.{}.part", std::process::id()));
        std::fs::write(&temporary, bytes).map_err(io)?;
        std::fs::rename(&temporary, &path).map_err(io)
    }

    /// Removes the copy of the file with this hash, if there is one.
    pub fn remove(&self, sha256: &str) {
        if let Err(e) = std::fs::remove_file(self.path(sha256))
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, sha256, "could not remove a PDF copy");
        }
    }

    /// A document's bytes for drawing its pages: the kept copy, else the original file if it
    /// still holds the same content.
    pub fn read(&self, document: &Document) -> Result<Arc<[u8]>> {
        if let Ok(bytes) = std::fs::read(self.path(&document.sha256)) {
            return Ok(Arc::from(bytes));
        }
        document.read_original().map(Arc::from).map_err(|gone| {
            let name = &document.name;
            Error::invalid(match gone {
                OriginalGone::NoPath | OriginalGone::Unreadable { .. } => format!(
                    "the pages of {name} cannot be shown: the file is no longer where it was added and no copy was kept"
                ),
                OriginalGone::Changed { path } => {
                    format!("the pages of {name} cannot be shown: the file at {path} has changed since it was added")
                }
            })
        })
    }

    /// Space the copies take, in bytes.
    pub fn size_bytes(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0)
    }
}
