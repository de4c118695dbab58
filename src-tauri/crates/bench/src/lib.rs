//! Measurements behind `hearth bench` and `hearth eval`: ingestion throughput, search and chat
//! latency, the sidebar at scale, and retrieval quality on a test collection. Speed targets live
//! here, in numbers a person reads, never in timed tests. A crate of its own so the desktop app
//! does not carry it; every measurement runs in a scratch database ([`Scratch`]), never the
//! person's library.

pub mod answers;
mod chat;
pub mod crash;
pub mod eval;
mod folders;
mod llm;
pub mod ocr;
pub mod parsers;
mod sessions;

use hearth_core::ingest::chunking::Structure;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hearth_core::ingest::Pipeline;
use hearth_core::ingest::chunking::{Chunker, DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use hearth_core::ingest::extract::{ExtractOptions, Parsers};
use hearth_core::models::embedding::{
    Embedder, EmbeddingCompute, LocalEmbedder, TimedEmbedder, compute_model_dir, locate_model_dir,
};
use hearth_core::retrieval::index::{INDEX_DIR, VectorIndex};
use hearth_core::retrieval::keyword_index::{CATCH_UP_EVERY, KeywordIndex, Synced};
use hearth_core::retrieval::passages;
use hearth_core::retrieval::{self, Mode, SearchRequest, Searchers};
use hearth_core::store::Database;
use hearth_core::{DocumentId, Error, Result};
use rusqlite::params;
use serde::Serialize;
use uuid::Uuid;

/// Questions of the kind people ask their documents; repeated to make up a query count.
pub const QUERIES: &[&str] = &[
    "how does the lens make the light visible far out at sea",
    "what temperature should the oven be for bread",
    "battery voltage drops under load",
    "signal strength of the antenna in a storm",
    "which enzyme breaks down the protein",
    "orbit of the planet around the star",
    "when is the tax invoice due under the contract",
    "soil and seed for a vegetable garden",
    "network memory matrix engine",
    "glacier melting into the river",
];

/// `n` of [`QUERIES`], cycling.
pub fn queries(n: usize) -> Vec<&'static str> {
    QUERIES.iter().copied().cycle().take(n.max(1)).collect()
}

/// A temporary database with the model and a chunker, for evaluations and benchmarks. The
/// directory is removed when this is dropped.
pub struct Scratch {
    _dir: tempfile::TempDir,
    pub db: Database,
    pub model: LocalEmbedder,
    pub chunker: Chunker,
}

impl Scratch {
    /// A fresh database in a temporary directory, with the provisioned model.
    pub fn new() -> Result<Scratch> {
        Scratch::with(Structure::default(), EmbeddingCompute::default())
    }

    /// [`Scratch::new`], with a chunker that uses only `structure` of a document's structure,
    /// and the embedding model computing as `compute` asks.
    pub fn with(structure: Structure, compute: EmbeddingCompute) -> Result<Scratch> {
        let model_dir = compute_model_dir(&locate_model_dir(None), compute);
        let model = LocalEmbedder::load(&model_dir)?;
        let chunker = Chunker::load(&model_dir, MAX_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS)?.with_structure(structure);
        let (dir, db) = scratch_db()?;
        Ok(Scratch { _dir: dir, db, model, chunker })
    }
}

/// A fresh database in a temporary directory (no model), removed with the returned guard.
pub fn scratch_db() -> Result<(tempfile::TempDir, Database)> {
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "making a scratch directory".into(), source })?;
    let db = hearth_core::open(dir.path())?;
    Ok((dir, db))
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Latency {
        samples.sort();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
        Latency { p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1.0) }
    }
}

pub use chat::{ChatReport, chat};
pub use folders::{FolderReport, folder};
pub use llm::{LlmReport, llm};
pub use sessions::{SessionsReport, sessions};

/// What ingesting a set of files measured.
#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    pub files: usize,
    pub chunks: usize,
    pub tokens: usize,
    pub seconds: f64,
    /// Time inside the model alone, to compare end-to-end ingestion with pure embedding.
    pub embed_seconds: f64,
    /// Time keeping the keyword index caught up, as the engine does (every 2 s and at the end).
    pub keyword_sync_seconds: f64,
    pub chunks_per_second: f64,
    pub tokens_per_second: f64,
    /// Pages read by OCR (scans), and how many a second, end to end.
    pub ocr_pages: u32,
    pub ocr_pages_per_second: f64,
    /// This process's peak: the engine (model, pipeline, database), and the parsers when they
    /// run in process.
    pub peak_rss_mb: Option<f64>,
    /// The parser worker's peak, when documents are read in one as the app and `hearth docs
    /// add` read them (it is ended after a document read by OCR).
    pub worker_peak_rss_mb: Option<f64>,
}

/// Ingests `paths` into `db` and measures throughput; `parsers` read the documents (in a worker
/// process, as the app does, or in this one) and `options` say how (OCR and its resolution).
pub fn ingest(
    db: &Database,
    embedder: &dyn Embedder,
    chunker: &Chunker,
    paths: &[PathBuf],
    overlap: bool,
    parsers: &Parsers,
    options: ExtractOptions,
) -> Result<IngestReport> {
    let timed = TimedEmbedder::new(embedder);
    let started = Instant::now();
    let pipeline = Pipeline { db, embedder: &timed, chunker, index: None, parsers, originals: None, options };
    // As the app and `hearth docs add` do: everything queued first (a folder as its files).
    let mut queued = Vec::new();
    for (_, added) in hearth_core::ingest::enqueue_paths(db, paths) {
        let added = added?;
        if !added.existing {
            queued.push(added.document.id);
        }
    }
    let mut ready = Vec::new();
    // The keyword index is caught up as the engine does it: every few seconds and at the end.
    let keywords = KeywordIndex::open(db.path().parent().unwrap_or(Path::new(".")))?;
    let mut sync_time = Duration::ZERO;
    let mut last_sync = Instant::now();
    let mut sync = |force: bool| -> Result<()> {
        if force || last_sync.elapsed() >= CATCH_UP_EVERY {
            let t = Instant::now();
            keywords.sync(db)?;
            sync_time += t.elapsed();
            last_sync = Instant::now();
        }
        Ok(())
    };
    if overlap {
        // The next document extracted while one embeds.
        queued.reverse();
        pipeline.process_overlapped(&mut || Ok(queued.pop()), &|_| {}, &mut |_, outcome| {
            ready.push(outcome?);
            sync(false)
        })?;
    } else {
        for id in queued {
            ready.push(pipeline.process(id, &mut |_| {})?);
            sync(false)?;
        }
    }
    sync(true)?;
    let (mut chunks, mut tokens, mut ocr_pages) = (0, 0, 0);
    for document in &ready {
        chunks += document.chunk_count as usize;
        ocr_pages += document.ocr_pages as u32;
        tokens += db.read(|c| {
            c.query_row("SELECT COALESCE(SUM(token_count), 0) FROM chunks WHERE document_id = ?1", [document.id], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| storage("counting tokens", e))
        })? as usize;
    }
    let seconds = started.elapsed().as_secs_f64();
    let embed_seconds = timed.spent().as_secs_f64();
    Ok(IngestReport {
        files: ready.len(),
        chunks,
        tokens,
        seconds,
        embed_seconds,
        keyword_sync_seconds: sync_time.as_secs_f64(),
        chunks_per_second: chunks as f64 / seconds,
        tokens_per_second: tokens as f64 / seconds,
        ocr_pages,
        ocr_pages_per_second: f64::from(ocr_pages) / seconds,
        peak_rss_mb: peak_rss_mb(),
        worker_peak_rss_mb: parsers.worker_peak_rss_mb(),
    })
}

/// What searching a library of a given size measured.
#[derive(Debug, Clone, Serialize)]
pub struct SearchReport {
    pub chunks: usize,
    pub queries: usize,
    pub seed_seconds: f64,
    /// Building the vector index from the stored vectors (on every core).
    pub index_seconds: f64,
    /// Opening the saved index as a start does: checked against SQLite, then mapped.
    pub index_load_seconds: f64,
    /// The same with the database's and the index's files dropped from the page cache first, as
    /// after a reboot (Linux only; `None` where the OS keeps them: elsewhere, or on tmpfs, where
    /// files live in memory).
    pub index_load_cold_seconds: Option<f64>,
    /// The first vector search on that cold index (its graph's pages read as it is walked).
    pub first_search_cold_ms: Option<f64>,
    /// Making that index writable, as the first document added after a start does: the mapped
    /// graph loaded into memory (searches wait for it).
    pub first_change_seconds: Option<f64>,
    /// Bringing the keyword index up to date: built from every chunk when there is none.
    pub keyword_index_seconds: f64,
    /// Opening the keyword index as a start does (it is caught up by then).
    pub keyword_index_load_seconds: f64,
    /// The library's document list: the first page of 50 and a page deep in it.
    pub library_list: Latency,
    pub modes: Vec<(Mode, Latency)>,
    /// Keyword and hybrid search with FTS5 ranking the keywords (no keyword index), in the same
    /// run: what the keyword index is measured against.
    pub fts5_modes: Vec<(Mode, Latency)>,
    /// Restricted to 5 documents (a chat session's), hybrid.
    pub session_filtered: Latency,
    /// Restricted to a tenth of the documents (a large collection's), hybrid.
    pub collection_filtered: Latency,
    /// What the library's search box does: hybrid, 20 results, each marked with the words
    /// keyword search matched (`passages::mark_hits`).
    pub library_marked: Latency,
    pub peak_rss_mb: Option<f64>,
}

/// Seeds `n` synthetic chunks (Zipf-distributed words, random unit vectors; 100 chunks a document), then
/// times `queries` real queries in each mode, the model embedding each query included.
pub fn search(db: &Database, embedder: &dyn Embedder, n: usize, queries: &[&str]) -> Result<SearchReport> {
    let started = Instant::now();
    // A kept library seeded by an earlier run is measured again as it is (seeding and building a
    // million chunks takes half an hour).
    let seeded = seeded_documents(db)?;
    let documents = if seeded.is_empty() { seed(db, embedder.model_id(), embedder.dimensions(), n)? } else { seeded };
    let seed_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let data_dir = db.path().parent().unwrap_or(Path::new("."));
    let (index, _) = VectorIndex::open(db, data_dir, embedder.model_id())?;
    let index_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let keywords = KeywordIndex::open(data_dir)?;
    keywords.sync(db)?;
    let keyword_index_seconds = started.elapsed().as_secs_f64();
    let with_index = Searchers { embedder: Some(embedder), vectors: Some(&index), keywords: Some(&keywords) };
    let fts5_only = Searchers { keywords: None, ..with_index };
    // Latency is measured warm: the queries run once untimed first (a cold start is measured on
    // its own below, and this benchmark leaves the library's files out of the page cache).
    for &q in queries {
        retrieval::search_with(db, with_index, &SearchRequest::new(q))?;
    }
    let mut modes = Vec::new();
    for mode in [Mode::Keyword, Mode::Vector, Mode::Hybrid] {
        let samples = time_queries(queries, |q| {
            retrieval::search_with(db, with_index, &SearchRequest::new(q).mode(mode)).map(drop)
        })?;
        modes.push((mode, Latency::of(samples)));
    }
    let mut fts5_modes = Vec::new();
    for mode in [Mode::Keyword, Mode::Hybrid] {
        let samples = time_queries(queries, |q| {
            retrieval::search_with(db, fts5_only, &SearchRequest::new(q).mode(mode)).map(drop)
        })?;
        fts5_modes.push((mode, Latency::of(samples)));
    }
    let filter: Vec<DocumentId> = documents.iter().take(5).copied().collect();
    let filtered = time_queries(queries, |q| {
        retrieval::search_with(db, with_index, &SearchRequest::new(q).within(filter.clone())).map(drop)
    })?;
    let collection: Vec<DocumentId> = documents.iter().step_by(10).copied().collect();
    let collection_filtered = time_queries(queries, |q| {
        retrieval::search_with(db, with_index, &SearchRequest::new(q).within(collection.clone())).map(drop)
    })?;
    let marked = time_queries(queries, |q| {
        let hits = retrieval::search_with(db, with_index, &SearchRequest::new(q).k(20))?;
        passages::mark_hits(db, &hits, q).map(drop)
    })?;
    let pages: Vec<i64> = (0..queries.len()).map(|i| if i % 2 == 0 { 0 } else { documents.len() as i64 / 2 }).collect();
    let listed = pages
        .iter()
        .map(|&offset| {
            let t = Instant::now();
            hearth_core::ingest::documents::list(db, hearth_core::store::Page::new(50, offset)?)?;
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<_>>>()?;
    let started = Instant::now();
    let (_, opened) = VectorIndex::open(db, data_dir, embedder.model_id())?;
    let index_load_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let reopened = KeywordIndex::open(data_dir)?;
    if reopened.sync(db)? != Synced::Current {
        return Err(Error::Index("the saved keyword index was not current".into()));
    }
    let keyword_index_load_seconds = started.elapsed().as_secs_f64();
    if let hearth_core::retrieval::index::Opened::Rebuilt(why) = opened {
        return Err(Error::Index(format!("the saved index was not reused: {why}")));
    }
    // A start after a reboot: nothing of the library in the page cache (the index searched above
    // is dropped first: pages it maps would stay).
    drop(index);
    let (mut index_load_cold_seconds, mut first_search_cold_ms, mut first_change_seconds) = (None, None, None);
    if evict_from_page_cache(&[db.path().to_owned(), db.path().with_extension("db-wal")], &data_dir.join(INDEX_DIR)) {
        let started = Instant::now();
        let (cold, _) = VectorIndex::open(db, data_dir, embedder.model_id())?;
        index_load_cold_seconds = Some(started.elapsed().as_secs_f64());
        let query = embedder.embed(&[queries[0]])?.remove(0);
        let started = Instant::now();
        cold.search(&query, 50)?;
        first_search_cold_ms = Some(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        cold.add(&[])?;
        first_change_seconds = Some(started.elapsed().as_secs_f64());
    }
    Ok(SearchReport {
        chunks: n,
        queries: queries.len(),
        seed_seconds,
        index_seconds,
        index_load_seconds,
        index_load_cold_seconds,
        first_search_cold_ms,
        first_change_seconds,
        keyword_index_seconds,
        keyword_index_load_seconds,
        library_list: Latency::of(listed),
        modes,
        fts5_modes,
        session_filtered: Latency::of(filtered),
        collection_filtered: Latency::of(collection_filtered),
        library_marked: Latency::of(marked),
        peak_rss_mb: peak_rss_mb(),
    })
}

/// Drops `files` and the files directly in `dir` from the OS page cache: written to disk first,
/// then `POSIX_FADV_DONTNEED`. Returns whether they were dropped: false on tmpfs, whose files
/// are the page cache.
#[cfg(target_os = "linux")]
fn evict_from_page_cache(files: &[PathBuf], dir: &Path) -> bool {
    const TMPFS_MAGIC: u64 = 0x0102_1994;
    if rustix::fs::statfs(dir).is_ok_and(|fs| fs.f_type as u64 == TMPFS_MAGIC) {
        return false;
    }
    let in_dir = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path());
    for path in files.iter().cloned().chain(in_dir).filter(|p| p.is_file()) {
        if let Ok(file) = std::fs::File::open(&path) {
            let _ = file.sync_all();
            let _ = rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed);
        }
    }
    true
}

#[cfg(not(target_os = "linux"))]
fn evict_from_page_cache(_: &[PathBuf], _: &Path) -> bool {
    false
}

fn time_queries(queries: &[&str], mut run: impl FnMut(&str) -> Result<()>) -> Result<Vec<Duration>> {
    queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            run(q)?;
            Ok(t.elapsed())
        })
        .collect()
}

const WORDS: &[&str] = &[
    "lighthouse",
    "lens",
    "keeper",
    "ship",
    "harbour",
    "storm",
    "bread",
    "flour",
    "starter",
    "oven",
    "circuit",
    "voltage",
    "antenna",
    "signal",
    "memory",
    "matrix",
    "protein",
    "cell",
    "enzyme",
    "river",
    "glacier",
    "orbit",
    "planet",
    "contract",
    "invoice",
    "tax",
    "garden",
    "soil",
    "seed",
    "engine",
    "piston",
    "battery",
    "network",
];

/// Words drawn as in natural text: the r-th most frequent with probability ∝ 1/r (Zipf), over
/// 10,000 filler words with the topic words at mid-frequency ranks, so a query word occurs in a
/// few percent of chunks, as real words do, rather than in nearly all of them.
struct Zipf {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Zipf {
    const SIZE: usize = 10_000;

    fn new() -> Zipf {
        let mut words: Vec<String> = (0..Self::SIZE).map(|i| format!("w{i}")).collect();
        for (i, word) in WORDS.iter().enumerate() {
            words[20 + i * 60] = (*word).to_owned();
        }
        let mut total = 0.0;
        let cumulative = (1..=Self::SIZE)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect::<Vec<_>>();
        let cumulative = cumulative.iter().map(|c| c / total).collect();
        Zipf { words, cumulative }
    }

    /// The word at uniform draw `u` in [0, 1).
    fn word(&self, u: f64) -> &str {
        let rank = self.cumulative.partition_point(|&c| c < u).min(Self::SIZE - 1);
        &self.words[rank]
    }
}

/// The synthetic documents an earlier run seeded, in seeding order.
fn seeded_documents(db: &Database) -> Result<Vec<DocumentId>> {
    db.read(|c| {
        let mut stmt = c
            .prepare(
                "SELECT id FROM documents WHERE name LIKE 'synthetic-%' ORDER BY CAST(substr(name, 11) AS INTEGER)",
            )
            .map_err(|e| storage("listing seeded documents", e))?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| storage("listing seeded documents", e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| storage("listing seeded documents", e))?;
        ids.iter().map(|id| DocumentId::parse(id)).collect()
    })
}

fn seed(db: &Database, model_id: &str, dims: usize, n: usize) -> Result<Vec<DocumentId>> {
    let mut rng = fastrand::Rng::with_seed(7);
    let now = "2026-01-01T00:00:00.000000Z";
    let doc_count = n.div_ceil(100);
    let vocabulary = Zipf::new();
    let ids: Vec<DocumentId> = (0..doc_count).map(|_| DocumentId(Uuid::from_u128(rng.u128(..)))).collect();
    db.write(|tx| {
        for (d, id) in ids.iter().enumerate() {
            let chunks = (n - d * 100).min(100);
            tx.execute(
                "INSERT INTO documents (id, name, sha256, doc_type, size_bytes, status, chunk_count, created_at, updated_at)
                 VALUES (?1, ?2, ?1, 'text', 0, 'ready', ?3, ?4, ?4)",
                params![id, format!("synthetic-{d}.txt"), chunks as i64, now],
            )
            .map_err(|e| storage("seeding a document", e))?;
            for ordinal in 0..chunks {
                let text: Vec<&str> = (0..120).map(|_| vocabulary.word(rng.f64())).collect();
                tx.execute(
                    "INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?1, ?2, ?3, 0, 0, 120)",
                    params![id, ordinal as i64, text.join(" ")],
                )
                .map_err(|e| storage("seeding a chunk", e))?;
                let mut v: Vec<f32> = (0..dims).map(|_| rng.f32() * 2.0 - 1.0).collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.iter_mut().for_each(|x| *x /= norm);
                tx.execute(
                    "INSERT INTO chunk_vectors (chunk_id, model_id, vector) VALUES (?1, ?2, ?3)",
                    params![tx.last_insert_rowid(), model_id, hearth_core::retrieval::vectors::to_blob(&v)],
                )
                .map_err(|e| storage("seeding a vector", e))?;
            }
        }
        Ok(())
    })?;
    Ok(ids)
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    hearth_core::ingest::extract::worker::peak_rss_kib(std::process::id()).map(|kib| kib as f64 / 1024.0)
}

/// A seeding statement failed.
fn storage(context: &str, source: rusqlite::Error) -> Error {
    Error::Storage { context: context.to_owned(), source }
}
