//! The approximate-nearest-neighbour graph (usearch, cosine, f16) over one model's stored
//! vectors. It is derived state: SQLite's `chunk_vectors` is the truth, and the index file is
//! checked against it on open and rebuilt when missing, stale or corrupt. Library-wide vector
//! search uses it; a search restricted to a few documents scans their vectors exactly instead.
//!
//! A saved index is opened as a read-only memory map of its file (usearch's `view`): a start
//! reads the graph's node headers, not the whole file — at a million chunks the file is 917 MB,
//! and loading it from a cold disk took 2–3 s. Pages are read as searches walk the graph. The
//! first change (an add or a remove) loads the graph into memory, once; searches wait for that
//! (about a second at a million vectors) rather than the process holding the graph twice.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::SystemTime;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

use super::vectors;
use crate::error::{Error, Result, StorageContext};
use crate::models::embedding::DIMENSIONS;
use crate::store::Database;

/// Graph degree and build/search breadth: recall@10 0.994 at 100,000 vectors with these
/// (BENCHMARKS.md, "The vector index's settings"); search breadth must also cover the
/// candidates a search asks for.
const CONNECTIVITY: usize = 16;
const EXPANSION_ADD: usize = 128;
const EXPANSION_SEARCH: usize = 128;

/// What the index file holds, written beside it, compared with SQLite on open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Manifest {
    model_id: String,
    count: u64,
    key_sum: u64,
}

/// How a saved index that does not hold SQLite's vectors is said to be.
const STALE: &str = "stale index";

/// Why [`VectorIndex::open`] rebuilt the index, if it did.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    Loaded,
    Rebuilt(String),
}

/// The vector index of one model.
pub struct VectorIndex {
    path: PathBuf,
    model_id: String,
    graph: RwLock<Graph>,
    dirty: AtomicBool,
    /// The saved file that last failed to map in [`VectorIndex::adopt_saved`], not tried again.
    rejected: Mutex<Option<FileStamp>>,
    /// Changes made while a rebuild reads SQLite, made again on the rebuilt graph before it
    /// replaces this one (which they went to); `None` when no rebuild runs.
    during_rebuild: Mutex<Option<Vec<Change>>>,
    /// Held by a rebuild: one at a time.
    rebuilding: Mutex<()>,
}

/// A change to the graph, kept while a rebuild runs.
enum Change {
    Add(i64, Vec<f32>),
    Remove(i64),
}

/// Vectors read from SQLite before they are added to the graph in parallel (1.5 MB of f32).
const REBUILD_BATCH: usize = 1024;

/// The folder in the data directory that holds the index files (derived: deleting it is safe).
pub const INDEX_DIR: &str = "index";

/// The usearch index and the sum of its keys: with its size, what the manifest records.
struct Graph {
    index: Index,
    key_sum: u64,
    /// Set when `index` is a read-only map of the saved file: the file as it was then.
    mapped: Option<FileStamp>,
}

/// Enough of a file's metadata to tell whether the file at a path is still the one that was
/// mapped (a save replaces it by renaming a new file over it).
#[derive(Debug, Clone, PartialEq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&meta),
        })
    }
}

impl Graph {
    fn new() -> Result<Graph> {
        let index = Index::new(&IndexOptions {
            dimensions: DIMENSIONS,
            metric: MetricKind::Cos,
            quantization: ScalarKind::F16,
            connectivity: CONNECTIVITY,
            expansion_add: EXPANSION_ADD,
            expansion_search: EXPANSION_SEARCH,
            multi: false,
        })
        .map_err(index_error)?;
        Ok(Graph { index, key_sum: 0, mapped: None })
    }

    /// Makes a graph mapped at open writable: loaded into memory from its file (usearch lets
    /// the map go before it reads, so the graph is never held twice), or, when another process
    /// has saved over the file since it was mapped, copied from the map.
    fn load_mapped(&mut self, path: &Path) -> Result<()> {
        let Some(stamp) = self.mapped.clone() else {
            return Ok(());
        };
        let text = path.to_str().ok_or_else(|| Error::Index("the index path is not UTF-8".into()))?;
        let size = self.index.size();
        let loaded = if FileStamp::of(path).as_ref() == Some(&stamp) {
            // Another process's save in the second the load takes goes unnoticed here, as its
            // saves do anyway: this process's manifest keeps its own key sum, which then
            // disagrees with SQLite, and the next open rebuilds.
            self.index.load(text).map_err(index_error)
        } else {
            let mut buffer = vec![0u8; self.index.serialized_length()];
            self.index
                .save_to_buffer(&mut buffer)
                .and_then(|()| self.index.load_from_buffer(&buffer))
                .map_err(index_error)
        };
        match loaded {
            Ok(()) => {
                self.mapped = None;
                Ok(())
            }
            // usearch failed before letting the map go (the file could not be opened): still
            // the map, and the next change tries again.
            Err(error) if self.index.size() == size => Err(error),
            Err(error) => {
                // It let the map go first: map the file again if it is still the same one, so
                // searches go on; otherwise the index is empty, its manifest will disagree with
                // SQLite, and the next open (or `adopt_saved`) sets it right.
                let same = FileStamp::of(path).as_ref() == Some(&stamp);
                if !(same && self.index.view(text).is_ok() && self.index.size() == size) {
                    self.mapped = None;
                    let _ = self.index.reset();
                }
                Err(error)
            }
        }
    }

    fn remove(&mut self, chunk_id: i64) -> Result<()> {
        if self.index.remove(chunk_id as u64).map_err(index_error)? > 0 {
            self.key_sum = self.key_sum.wrapping_sub(chunk_id as u64);
        }
        Ok(())
    }

    fn add(&mut self, chunk_id: i64, vector: &[f32]) -> Result<()> {
        // Already there: an index taken up from another process (`adopt_saved`), or rebuilt
        // while this change was made, can hold it. The vector given is SQLite's now.
        self.remove(chunk_id)?;
        if self.index.size() == self.index.capacity() {
            self.index.reserve((self.index.capacity() * 2).max(1024)).map_err(index_error)?;
        }
        self.index.add(chunk_id as u64, vector).map_err(index_error)?;
        self.key_sum = self.key_sum.wrapping_add(chunk_id as u64);
        Ok(())
    }

    /// Adds `items` from `threads` threads at once; the capacity for them must be reserved.
    fn add_parallel(&mut self, items: &[(i64, Vec<f32>)], threads: usize) -> Result<()> {
        if self.index.size() + items.len() > self.index.capacity() {
            let wanted = (self.index.size() + items.len()).max(self.index.capacity() * 2);
            self.index.reserve_capacity_and_threads(wanted, threads).map_err(index_error)?;
        }
        let index = &self.index;
        std::thread::scope(|scope| {
            let workers: Vec<_> = items
                .chunks(items.len().div_ceil(threads).max(1))
                .map(|part| {
                    scope.spawn(move || -> Result<()> {
                        for (id, vector) in part {
                            index.add(*id as u64, vector).map_err(index_error)?;
                        }
                        Ok(())
                    })
                })
                .collect();
            workers.into_iter().try_for_each(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })?;
        for (id, _) in items {
            self.key_sum = self.key_sum.wrapping_add(*id as u64);
        }
        Ok(())
    }

    fn manifest(&self, model_id: &str) -> Manifest {
        Manifest { model_id: model_id.to_owned(), count: self.index.size() as u64, key_sum: self.key_sum }
    }
}

impl VectorIndex {
    /// Opens the index of `model_id` in `data_dir`, rebuilding it from SQLite when the file is
    /// missing, unreadable, or does not hold exactly the stored vectors of ready documents.
    pub fn open(db: &Database, data_dir: &Path, model_id: &str) -> Result<(VectorIndex, Opened)> {
        let name = &crate::text::sha256_hex(model_id.as_bytes())[..16];
        let index = VectorIndex {
            path: data_dir.join(INDEX_DIR).join(format!("{name}.usearch")),
            model_id: model_id.to_owned(),
            graph: RwLock::new(Graph::new()?),
            dirty: AtomicBool::new(false),
            rejected: Mutex::new(None),
            during_rebuild: Mutex::new(None),
            rebuilding: Mutex::new(()),
        };
        index.remove_abandoned_saves();
        let opened = match index.try_load(db) {
            Ok(()) => Opened::Loaded,
            Err(reason) => {
                tracing::info!(%reason, "rebuilding the vector index");
                index.rebuild(db)?;
                Opened::Rebuilt(reason)
            }
        };
        Ok((index, opened))
    }

    fn try_load(&self, db: &Database) -> std::result::Result<(), String> {
        let stored = fingerprint(db, &self.model_id).map_err(|e| e.to_string())?;
        let graph = self.map_saved(&stored)?;
        *self.graph.write().map_err(|_| "index lock poisoned")? = graph;
        Ok(())
    }

    /// The saved index as a read-only map of its file, if its manifest says it holds exactly
    /// `stored` (SQLite's vectors); otherwise why not. An empty index is not mapped.
    fn map_saved(&self, stored: &Manifest) -> std::result::Result<Graph, String> {
        let manifest = self.saved_manifest()?;
        if manifest != *stored {
            return Err(format!("{STALE}: it holds {} vectors, the database {}", manifest.count, stored.count));
        }
        let mut graph = Graph::new().map_err(|e| e.to_string())?;
        if stored.count == 0 {
            return Ok(graph);
        }
        let path = self.path.to_str().ok_or("the index path is not UTF-8")?;
        let stamp = FileStamp::of(&self.path).ok_or("no index file")?;
        graph.index.view(path).map_err(|e| format!("corrupt index file ({e})"))?;
        if graph.index.size() as u64 != stored.count || graph.index.dimensions() != DIMENSIONS {
            return Err(format!("the index file holds {} vectors, its manifest {}", graph.index.size(), stored.count));
        }
        // Another process may have saved over the pair meanwhile (the file first, then its
        // manifest): what was mapped must still be the file the manifest described.
        if FileStamp::of(&self.path).as_ref() != Some(&stamp) || self.saved_manifest()? != manifest {
            return Err("the index was saved again while it was opened".into());
        }
        graph.key_sum = stored.key_sum;
        graph.mapped = Some(stamp);
        Ok(graph)
    }

    /// Deletes temporary files of this index that a save left when its process died (an hour
    /// old: a save in progress in another process is never that slow).
    fn remove_abandoned_saves(&self) {
        let (Some(dir), Some(name)) = (self.path.parent(), self.path.file_stem().and_then(|n| n.to_str())) else {
            return;
        };
        let abandoned = |entry: &std::fs::DirEntry| {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            file.starts_with(&format!("{name}.")) && file.ends_with(".tmp") && old.is_some_and(|d| d.as_secs() > 3600)
        };
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten().filter(abandoned) {
            let _ = std::fs::remove_file(entry.path());
        }
    }

    fn saved_manifest(&self) -> std::result::Result<Manifest, String> {
        std::fs::read(self.manifest_path())
            .map_err(|e| format!("no index manifest ({e})"))
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| format!("unreadable manifest ({e})")))
    }

    /// Takes up the index another process saved, when it holds exactly SQLite's vectors and this
    /// one does not — documents a `hearth docs add` stored while the app is open are then found
    /// by vector search here too, without a restart. One row read when nothing changed; the
    /// engine calls it before each search. Returns whether it took the saved index up.
    pub fn adopt_saved(&self, db: &Database) -> Result<bool> {
        let stored = fingerprint(db, &self.model_id)?;
        if self.graph.read().map_err(|_| poisoned())?.manifest(&self.model_id) == stored {
            return Ok(false);
        }
        let file = FileStamp::of(&self.path);
        let mut rejected = self.rejected.lock().unwrap_or_else(|e| e.into_inner());
        if file.is_some() && *rejected == file {
            return Ok(false); // this very file failed to map before: not again on every search
        }
        let saved = match self.map_saved(&stored) {
            Ok(saved) => saved,
            Err(reason) => {
                // A stale file is only read as far as its manifest; one that did not map is
                // remembered. Nothing better on disk: this process's next save, or start, sets it right.
                if !reason.starts_with(STALE) {
                    tracing::debug!(%reason, "the saved vector index was not taken up");
                    *rejected = file;
                }
                return Ok(false);
            }
        };
        let mut graph = self.graph.write().map_err(|_| poisoned())?;
        // A change may have landed while the file was mapped (this process's own, or another's):
        // the saved index is taken up only if SQLite still holds what it holds.
        if graph.manifest(&self.model_id) == stored || fingerprint(db, &self.model_id)? != stored {
            return Ok(false);
        }
        *graph = saved;
        self.dirty.store(false, Ordering::SeqCst);
        Ok(true)
    }

    /// Rebuilds the index from every stored vector of ready documents and saves it. The graph
    /// is built on every core: vectors are read in batches on this thread and each batch is
    /// added from several threads at once (usearch's concurrent add).
    pub fn rebuild(&self, db: &Database) -> Result<usize> {
        let _one_at_a_time = self.rebuilding.lock().unwrap_or_else(|e| e.into_inner());
        *self.during_rebuild.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
        let rebuilt = self.build_from_sqlite(db);
        let mut graph = self.graph.write().map_err(|_| poisoned())?;
        // Taken under the graph's lock, which every change holds while it records itself.
        let changes = self.during_rebuild.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
        let (mut fresh, count) = rebuilt?;
        // What was added or removed while SQLite was read: the read may have seen it or not, and
        // making it again is harmless either way (an add replaces, a remove of nothing is none).
        for change in changes {
            match change {
                Change::Add(id, vector) => fresh.add(id, &vector)?,
                Change::Remove(id) => fresh.remove(id)?,
            }
        }
        *graph = fresh;
        drop(graph);
        self.dirty.store(true, Ordering::SeqCst);
        self.save()?;
        Ok(count)
    }

    /// A new graph of every stored vector of this model, and how many.
    fn build_from_sqlite(&self, db: &Database) -> Result<(Graph, usize)> {
        let mut fresh = Graph::new()?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let stored = fingerprint(db, &self.model_id)?.count as usize;
        fresh.index.reserve_capacity_and_threads(stored.max(1024), threads).map_err(index_error)?;
        let count = db.read(|conn| {
            // The table in its own order (`+`: not through the index on `model_id`, which
            // would look each row up again).
            let mut stmt = conn
                .prepare("SELECT v.chunk_id, v.vector FROM chunk_vectors v WHERE +v.model_id = ?1")
                .context("preparing")?;
            let mut rows = stmt.query([&self.model_id]).context("reading stored vectors")?;
            let mut batch: Vec<(i64, Vec<f32>)> = Vec::with_capacity(REBUILD_BATCH);
            let mut count = 0;
            loop {
                let row = rows.next().context("reading stored vectors")?;
                if let Some(row) = row {
                    let id: i64 = row.get(0).context("reading a chunk id")?;
                    let blob: Vec<u8> = row.get(1).context("reading a vector")?;
                    let vector = vectors::from_blob(&blob).filter(|v| v.len() == DIMENSIONS).ok_or_else(|| {
                        Error::Index(format!("the stored vector of chunk {id} is not {DIMENSIONS} floats"))
                    })?;
                    batch.push((id, vector));
                }
                if batch.len() == REBUILD_BATCH || (row.is_none() && !batch.is_empty()) {
                    fresh.add_parallel(&batch, threads)?;
                    count += batch.len();
                    batch.clear();
                }
                if row.is_none() {
                    return Ok(count);
                }
            }
        })?;
        Ok((fresh, count))
    }

    /// Adds vectors (a document that just became ready).
    pub fn add(&self, items: &[(i64, Vec<f32>)]) -> Result<()> {
        let mut graph = self.graph.write().map_err(|_| poisoned())?;
        self.note_during_rebuild(|| items.iter().map(|(id, vector)| Change::Add(*id, vector.clone())).collect());
        graph.load_mapped(&self.path)?;
        for (id, vector) in items {
            graph.add(*id, vector)?;
        }
        self.dirty.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Removes vectors (a deleted or re-indexed document).
    pub fn remove(&self, chunk_ids: &[i64]) -> Result<()> {
        let mut graph = self.graph.write().map_err(|_| poisoned())?;
        self.note_during_rebuild(|| chunk_ids.iter().map(|&id| Change::Remove(id)).collect());
        graph.load_mapped(&self.path)?;
        for &id in chunk_ids {
            graph.remove(id)?;
        }
        self.dirty.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Keeps `changes` for a rebuild that is running, if one is (call with the graph's write
    /// lock held: the rebuild takes them under it).
    fn note_during_rebuild(&self, changes: impl FnOnce() -> Vec<Change>) {
        if let Some(during) = self.during_rebuild.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            during.extend(changes());
        }
    }

    /// Whether the graph is still the read-only map of its file made at open (no change since).
    pub fn is_mapped(&self) -> bool {
        self.graph.read().map(|g| g.mapped.is_some()).unwrap_or(false)
    }

    /// The `n` nearest chunks to `query` with their cosine similarity, best first.
    pub fn search(&self, query: &[f32], n: usize) -> Result<Vec<(i64, f64)>> {
        let graph = self.graph.read().map_err(|_| poisoned())?;
        let matches = graph.index.search(query, n).map_err(index_error)?;
        Ok(scored(&matches))
    }

    /// The `n` nearest vectors whose key `keep` accepts: the graph walk skips the others. For a
    /// filter that keeps a sizeable share of the index; a few documents are scanned exactly
    /// instead (a walk that must pass most of the graph to find them is slow).
    pub fn filtered_search(&self, query: &[f32], n: usize, keep: impl Fn(i64) -> bool) -> Result<Vec<(i64, f64)>> {
        let graph = self.graph.read().map_err(|_| poisoned())?;
        let matches = graph.index.filtered_search(query, n, |key| keep(key as i64)).map_err(index_error)?;
        Ok(scored(&matches))
    }

    /// Vectors in the index.
    pub fn len(&self) -> usize {
        self.graph.read().map(|g| g.index.size()).unwrap_or(0)
    }

    /// Whether the index holds no vectors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The model whose vectors this index holds.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// Writes the index and its manifest if anything changed, each to a temporary file renamed
    /// into place, so a crash leaves the old pair or a mismatch that the next open rebuilds.
    pub fn save(&self) -> Result<()> {
        if !self.dirty.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        let io = |context: &str| {
            let context = format!("{context} {}", self.path.display());
            move |source| Error::Io { context, source }
        };
        let dir = self.path.parent().expect("the index path has a directory");
        std::fs::create_dir_all(dir).map_err(io("creating the directory of"))?;
        // Named for this process and save: two processes (or two saves here) writing at once must
        // not write into one temporary file.
        let nonce = format!("{}-{}", std::process::id(), SAVES.fetch_add(1, Ordering::Relaxed));
        let temporary = self.path.with_extension(format!("usearch.{nonce}.tmp"));
        let graph = self.graph.read().map_err(|_| poisoned())?;
        let manifest = graph.manifest(&self.model_id);
        graph
            .index
            .save(temporary.to_str().ok_or_else(|| Error::Index("the index path is not UTF-8".into()))?)
            .map_err(index_error)?;
        drop(graph);
        std::fs::rename(&temporary, &self.path).map_err(io("replacing"))?;
        let json = serde_json::to_vec(&manifest).expect("a manifest serializes");
        let manifest_tmp = self.manifest_path().with_extension(format!("json.{nonce}.tmp"));
        std::fs::write(&manifest_tmp, json).map_err(io("writing the manifest of"))?;
        std::fs::rename(&manifest_tmp, self.manifest_path()).map_err(io("replacing the manifest of"))?;
        Ok(())
    }

    /// The index file (for tests and diagnostics).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn manifest_path(&self) -> PathBuf {
        self.path.with_extension("json")
    }
}

/// What SQLite holds of `model_id`'s vectors: their count and the sum of their chunk ids, kept
/// by triggers (migration V13). Only ready documents have chunks (they are stored in the
/// transaction that makes a document ready, and deleted when it is retried or removed), so
/// every stored vector belongs in the index; a search hit is still checked against its
/// document's status when it is read.
fn fingerprint(db: &Database, model_id: &str) -> Result<Manifest> {
    db.read(|conn| {
        let (count, key_sum): (i64, i64) = conn
            .query_row("SELECT count, key_sum FROM vector_counts WHERE model_id = ?1", params![model_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .context("counting stored vectors")?
            .unwrap_or((0, 0));
        Ok(Manifest { model_id: model_id.to_owned(), count: count as u64, key_sum: key_sum as u64 })
    })
}

/// A search's matches as (chunk id, cosine similarity), nearest first.
fn scored(matches: &usearch::ffi::Matches) -> Vec<(i64, f64)> {
    matches.keys.iter().zip(&matches.distances).map(|(&k, &d)| (k as i64, 1.0 - f64::from(d))).collect()
}

/// Saves made by this process, numbering their temporary files.
static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn poisoned() -> Error {
    Error::Index("index lock poisoned".into())
}

fn index_error(e: impl std::fmt::Display) -> Error {
    Error::Index(e.to_string())
}
