//! Watched folders: folders kept in sync with the library. The `watched_folders` and
//! `folder_files` tables, and the scan that brings the library in line with a folder.
//!
//! A scan walks the folder and compares each document file with what was seen last time (its
//! size and modification time): an unchanged file is not even read. A new file is added (or,
//! with the content of a document whose file is gone, taken as that file renamed); a changed one
//! is re-indexed in place when its content hash differs; a file gone from the folder takes its
//! document out of the library. A file modified in the last [`SETTLE`] may still be being
//! written: it is left for the next scan. The file-system watcher (`engine::folders`) only says
//! when to scan; changes made while the app was closed are found by the scan at start.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;

use super::documents::{self, Document};
use super::extract::DocType;
use super::folders;
use super::queue::{self, Source};
use crate::error::{Error, Result, StorageContext};
use crate::store::Database;
use crate::store::codec;
use crate::store::ids::DocumentId;
use crate::text;

/// How long a file must go unmodified before it is read: one still being written (a download,
/// an editor's save) is left for the next scan.
pub const SETTLE: Duration = Duration::from_secs(2);

/// A watched folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchedFolder {
    pub id: uuid::Uuid,
    pub path: PathBuf,
    pub added_at: DateTime<Utc>,
    /// How many of its files are documents in the library.
    pub documents: i64,
}

/// What a scan did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scan {
    pub folder: PathBuf,
    /// Files seen, in all.
    pub files: usize,
    pub added: usize,
    /// Changed files queued to be indexed again.
    pub changed: usize,
    /// Files found under a new name (their document follows them; nothing is indexed again).
    pub moved: usize,
    /// Files gone, whose documents left the library.
    pub removed: usize,
    /// Files modified in the last [`SETTLE`], left for the next scan.
    pub unsettled: usize,
    /// Files that could not be read or added, with why.
    pub errors: Vec<String>,
    /// Chunks that went (for the vector index).
    #[serde(skip)]
    pub forgotten_chunks: Vec<i64>,
    /// Documents deleted (for their kept PDF copies).
    #[serde(skip)]
    pub deleted: Vec<Document>,
    pub took_ms: f64,
}

impl Scan {
    /// Whether the library changed.
    pub fn changed_library(&self) -> bool {
        self.added + self.changed + self.moved + self.removed > 0
    }
}

/// Starts watching `folder` (which must exist); watching it again is a no-op. Returns it.
pub fn watch(db: &Database, folder: &Path) -> Result<WatchedFolder> {
    let path = std::fs::canonicalize(folder)
        .map_err(|e| Error::invalid(format!("{} cannot be watched: {e}", folder.display())))?;
    if !path.is_dir() {
        return Err(Error::invalid(format!("{} is not a folder", path.display())));
    }
    let text = path.display().to_string();
    db.write(|tx| {
        tx.execute(
            "INSERT OR IGNORE INTO watched_folders (id, path, added_at) VALUES (?1, ?2, ?3)",
            params![uuid::Uuid::new_v4().to_string(), text, codec::to_db(codec::now())],
        )
        .context("watching a folder")?;
        Ok(())
    })?;
    find(db, &path)
}

/// Stops watching `folder`; its documents stay in the library.
pub fn unwatch(db: &Database, folder: &Path) -> Result<()> {
    let found = find(db, folder)?;
    db.write(|tx| {
        tx.execute("DELETE FROM watched_folders WHERE id = ?1", [found.id.to_string()])
            .context("unwatching a folder")?;
        Ok(())
    })
}

/// Every watched folder, by path.
pub fn list(db: &Database) -> Result<Vec<WatchedFolder>> {
    db.read(|conn| {
        let mut stmt = conn
            .prepare(
                "SELECT w.id, w.path, w.added_at,
                        (SELECT COUNT(*) FROM folder_files f WHERE f.folder_id = w.id AND f.document_id IS NOT NULL)
                 FROM watched_folders w ORDER BY w.path",
            )
            .context("listing watched folders")?;
        let folders = stmt
            .query_map([], |row| {
                Ok(WatchedFolder {
                    id: codec::uuid(row, 0)?,
                    path: PathBuf::from(row.get::<_, String>(1)?),
                    added_at: codec::timestamp(row, 2)?,
                    documents: row.get(3)?,
                })
            })
            .context("listing watched folders")?
            .collect::<rusqlite::Result<_>>()
            .context("reading watched folders")?;
        Ok(folders)
    })
}

/// The watched folder at `folder` (as given, or as it resolves).
pub fn find(db: &Database, folder: &Path) -> Result<WatchedFolder> {
    let resolved = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_owned());
    list(db)?
        .into_iter()
        .find(|w| w.path == resolved || w.path == folder)
        .ok_or_else(|| Error::not_found("watched folder", folder.display()))
}

/// One file as last seen.
struct Seen {
    size: i64,
    mtime_ns: i64,
    document: Option<DocumentId>,
}

/// Brings the library in line with `folder` (see the module's description). Files are read and
/// hashed only when their size or modification time changed.
pub fn scan(db: &Database, folder: &WatchedFolder) -> Result<Scan> {
    let started = std::time::Instant::now();
    let mut scan = Scan { folder: folder.path.clone(), ..Scan::default() };
    let folder_id = folder.id.to_string();
    let known: std::collections::HashMap<String, Seen> = db.read(|conn| {
        let mut stmt = conn
            .prepare("SELECT path, size, mtime_ns, document_id FROM folder_files WHERE folder_id = ?1")
            .context("reading a folder's files")?;
        let rows = stmt
            .query_map([&folder_id], |row| {
                let document: Option<String> = row.get(3)?;
                Ok((
                    row.get::<_, String>(0)?,
                    Seen {
                        size: row.get(1)?,
                        mtime_ns: row.get(2)?,
                        document: document.and_then(|d| DocumentId::parse(&d).ok()),
                    },
                ))
            })
            .context("reading a folder's files")?
            .collect::<rusqlite::Result<_>>()
            .context("reading a folder's files")?;
        Ok(rows)
    })?;
    if !folder.path.is_dir() {
        // An unplugged disk or an unmounted share is not a folder emptied: nothing is removed.
        scan.errors.push(format!("{} is not there", folder.path.display()));
        return Ok(scan);
    }
    let mut present: HashSet<String> = HashSet::new();
    let now = SystemTime::now();
    for entry in folders::files_in(&folder.path) {
        let file = match entry {
            Ok(file) => file,
            Err((path, error)) => {
                scan.errors.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        scan.files += 1;
        let key = file.display().to_string();
        let Ok(meta) = std::fs::metadata(&file) else { continue };
        present.insert(key.clone());
        let modified = meta.modified().unwrap_or(UNIX_EPOCH);
        let (size, mtime_ns) = (meta.len() as i64, nanos(modified));
        let seen = known.get(&key);
        if seen.is_some_and(|s| s.size == size && s.mtime_ns == mtime_ns) {
            continue;
        }
        if now.duration_since(modified).unwrap_or(Duration::ZERO) < SETTLE {
            scan.unsettled += 1;
            continue;
        }
        if let Err(e) = take_in(db, &folder_id, &file, size, mtime_ns, seen, &mut scan) {
            scan.errors.push(format!("{}: {e}", file.display()));
        }
    }
    // Files gone: their documents leave the library, unless another file of a watched folder
    // still has that content (a file moved, or copied, within the folders).
    for (path, seen) in &known {
        if present.contains(path) {
            continue;
        }
        db.write(|tx| {
            tx.execute("DELETE FROM folder_files WHERE folder_id = ?1 AND path = ?2", params![folder_id, path])
                .context("forgetting a file")?;
            Ok(())
        })?;
        let Some(document) = seen.document else { continue };
        let still_linked: bool = db.read(|conn| {
            conn.query_row("SELECT EXISTS (SELECT 1 FROM folder_files WHERE document_id = ?1)", [document], |r| {
                r.get(0)
            })
            .context("checking a document's files")
        })?;
        if still_linked {
            continue;
        }
        match documents::get(db, document) {
            // Only a document that came from this file leaves with it; one added from elsewhere
            // that the folder also held stays.
            Ok(doc) if doc.original_path.as_deref() == Some(path.as_str()) => {
                scan.forgotten_chunks.extend(documents::delete(db, document)?);
                scan.deleted.push(doc);
                scan.removed += 1;
            }
            Ok(_) | Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    scan.took_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(scan)
}

/// Takes a new or modified file in: added, re-indexed, or followed to its new name.
fn take_in(
    db: &Database,
    folder_id: &str,
    file: &Path,
    size: i64,
    mtime_ns: i64,
    seen: Option<&Seen>,
    scan: &mut Scan,
) -> Result<()> {
    let key = file.display().to_string();
    // A file whose document was deleted from the library comes back only when its size changes.
    if seen.is_some_and(|s| s.document.is_none() && s.size == size) {
        return db.write(|tx| remember(tx, folder_id, &key, size, mtime_ns, None));
    }
    let bytes =
        std::fs::read(file).map_err(|source| Error::Io { context: format!("reading {}", file.display()), source })?;
    let sha256 = text::sha256_hex(&bytes);
    let previous = seen.and_then(|s| s.document).map(|d| documents::get(db, d)).transpose().or_else(|e| match e {
        Error::NotFound { .. } => Ok(None),
        e => Err(e),
    })?;
    let same_content = db.read(|conn| documents::find_by_sha256(conn, &sha256))?;
    let document = match (previous, same_content) {
        // Touched, not changed.
        (Some(doc), _) if doc.sha256 == sha256 => doc.id,
        // Changed, and no other document has the new content: indexed again in place.
        (Some(doc), None) => {
            let chunks = replace_content(db, doc.id, file, &sha256, bytes.len())?;
            scan.forgotten_chunks.extend(chunks);
            scan.changed += 1;
            doc.id
        }
        // New here, with the content of a document whose own file is gone: the file moved.
        (None, Some(doc)) if doc.original_path.as_deref().is_none_or(|p| !Path::new(p).exists()) => {
            db.write(|tx| {
                tx.execute(
                    "UPDATE documents SET original_path = ?2, name = ?3 WHERE id = ?1",
                    params![doc.id, key, file_name(file)],
                )
                .context("following a moved file")?;
                Ok(())
            })?;
            scan.moved += 1;
            doc.id
        }
        // The library already has this content (from elsewhere, or a copy in the folder).
        (_, Some(doc)) => doc.id,
        (None, None) => {
            let doc_type = DocType::from_path(file)?;
            let added =
                queue::enqueue(db, &Source { name: &file_name(file), path: Some(file), doc_type, bytes: &bytes })?;
            if !added.existing {
                scan.added += 1;
            }
            added.document.id
        }
    };
    db.write(|tx| remember(tx, folder_id, &key, size, mtime_ns, Some(document)))
}

fn remember(
    tx: &Transaction<'_>,
    folder_id: &str,
    path: &str,
    size: i64,
    mtime_ns: i64,
    document: Option<DocumentId>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO folder_files (folder_id, path, size, mtime_ns, document_id) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (folder_id, path) DO UPDATE SET size = ?3, mtime_ns = ?4, document_id = ?5",
        params![folder_id, path, size, mtime_ns, document],
    )
    .context("remembering a file")?;
    Ok(())
}

/// Gives a document the new content of its file and queues it to be indexed again; returns its
/// old chunks' ids.
fn replace_content(db: &Database, id: DocumentId, file: &Path, sha256: &str, size: usize) -> Result<Vec<i64>> {
    db.write(|tx| {
        let chunk_ids = documents::chunk_ids(tx, id)?;
        tx.execute("DELETE FROM chunks WHERE document_id = ?1", [id]).context("dropping old chunks")?;
        tx.execute(
            "UPDATE documents SET sha256 = ?2, size_bytes = ?3, original_path = ?4, chunk_count = 0, pages = NULL,
                    status = 'queued', error = NULL, updated_at = ?5 WHERE id = ?1",
            params![id, sha256, size as i64, file.display().to_string(), codec::to_db(codec::now())],
        )
        .context("queueing a changed file")?;
        Ok(chunk_ids)
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

fn nanos(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}
