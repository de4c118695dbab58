//! The keyword index beside the database: tantivy, BM25 over each chunk's context and text, as
//! FTS5's `chunks_fts` ranks them. FTS5 scores every chunk a query word matches before it can
//! keep the best; tantivy's block-max WAND skips the blocks of postings that cannot reach the top
//! `k`, which is what keeps keyword search fast when ordinary words match tens of thousands of
//! chunks in a large library (BENCHMARKS.md, "A million chunks").
//!
//! It is derived state, like the vector index: SQLite's chunks are the truth. Every chunk stored
//! or deleted appends its id to `chunk_changes` (triggers, migration V12); the index's last
//! commit records the last change it holds, and [`KeywordIndex::sync`] catches up from there —
//! or rebuilds from every chunk when it is new, damaged, from another schema, or further behind
//! than the log goes. Catching up is idempotent (a changed chunk is deleted and, if it is still
//! there, added again), so it needs no snapshot of the database. A search uses the index only
//! when it holds every change the database has ([`KeywordIndex::ranking`] says `None`
//! otherwise, and FTS5 answers): never a stale answer, whichever process wrote last.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::index::INDEX_DIR;
use crate::error::{Error, Result, StorageContext};
use crate::store::Database;
use crate::store::ids::DocumentId;

/// The folder, inside the data directory's index folder, that holds the keyword index.
pub const KEYWORD_DIR: &str = "keywords";

/// Bumped whenever the schema or the tokenizer changes: an index of another version is rebuilt.
const VERSION: u32 = 1;
const TOKENIZER: &str = "hearth";
/// A catch-up's writer: one thread, tantivy's smallest arena (a few documents' chunks).
const SYNC_ARENA: usize = 15_000_000;
/// A rebuild's writer arena for all its threads.
const REBUILD_ARENA: usize = 120_000_000;
/// Changed chunks read from SQLite per query while catching up.
const SYNC_BATCH: usize = 500;
/// How often the engine catches the index up while a queue of documents is processed (until it
/// does, keyword search is FTS5's).
pub const CATCH_UP_EVERY: Duration = Duration::from_secs(2);
/// How long a sync waits for another process's writer to finish before giving up for now.
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// What the index's last commit records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Payload {
    version: u32,
    /// The library it was built from (`library.id`).
    library: String,
    /// The last `chunk_changes.seq` the index holds.
    seq: i64,
}

/// What [`KeywordIndex::sync`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Synced {
    /// The index already held every change.
    Current,
    /// It caught up with this many changed chunks.
    CaughtUp(usize),
    /// It was built again from every chunk (the reason, the chunks it holds).
    Rebuilt(String, usize),
    /// Another process was writing it for longer than a sync waits; the next sync catches up.
    Busy,
}

/// The keyword index of one data directory.
pub struct KeywordIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The library and change the reader's view holds (`None`: not known, or never built).
    seen: Mutex<Option<(String, i64)>>,
}

#[derive(Clone, Copy)]
struct Fields {
    chunk_id: Field,
    document: Field,
    body: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let chunk_id = builder.add_u64_field("chunk_id", INDEXED | FAST);
    let document = builder.add_text_field("document", STRING);
    // Term frequencies for BM25, no positions: keyword search has no phrases.
    let body = builder.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(TOKENIZER).set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    (builder.build(), Fields { chunk_id, document, body })
}

/// Words as FTS5's `porter unicode61 remove_diacritics 2` makes them: runs of letters and digits,
/// lower-cased, accents removed, English stems.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

impl KeywordIndex {
    /// Opens the keyword index of `data_dir` (in its index folder, beside the vector index), creating an
    /// empty one when there is none or the one there cannot be opened. Cheap: building or
    /// catching up is [`KeywordIndex::sync`]'s work.
    pub fn open(data_dir: &Path) -> Result<KeywordIndex> {
        let index_dir = data_dir.join(INDEX_DIR);
        let dir = index_dir.join(KEYWORD_DIR);
        let (schema, fields) = schema();
        // One process at a time opens or creates it: two starting on a new library must not
        // both find the folder half made and clear each other's.
        let _opening = opening_lock(&index_dir)?;
        let index = match Index::open_in_dir(&dir) {
            Ok(index) if index.schema() == schema => index,
            Ok(_) => fresh(&dir, schema)?,
            Err(tantivy::TantivyError::OpenDirectoryError(_)) | Err(tantivy::TantivyError::OpenReadError(_)) => {
                fresh(&dir, schema)?
            }
            Err(e) => {
                tracing::warn!(error = %e, "the keyword index cannot be opened; it is built again");
                fresh(&dir, schema)?
            }
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(index_error)?;
        let seen = payload(&index).map(|p| (p.library, p.seq));
        Ok(KeywordIndex { dir, index, reader, fields, seen: Mutex::new(seen) })
    }

    /// Brings the index up to the database's last change: the changed chunks when the log has
    /// them all, else every chunk. Waits up to ten seconds for another process's writer.
    pub fn sync(&self, db: &Database) -> Result<Synced> {
        // Already current (the common case, e.g. each time the worker wakes): no writer is
        // started, nor waited for while another process writes.
        if db.read(|conn| self.holds(library(conn)?, head(conn)?))? {
            return Ok(Synced::Current);
        }
        let Some(writer) = self.writer(1, SYNC_ARENA)? else {
            return Ok(Synced::Busy);
        };
        // Read after the writer's lock is held: another process may have just caught up.
        let (library, head, oldest) = db.read(|conn| Ok((library(conn)?, head(conn)?, oldest_change(conn)?)))?;
        let applied = match payload(&self.index) {
            None => Err("there is no keyword index yet".to_owned()),
            Some(p) if p.library != library => Err("it was built from another library".to_owned()),
            Some(p) if p.seq > head => Err(format!("it holds change {} of a database at change {head}", p.seq)),
            // Changes it never held were deleted: it belongs to another copy of the database.
            Some(p) if p.seq < head && oldest.is_none_or(|o| o > p.seq + 1) => {
                Err(format!("it stops at change {} and the log starts later", p.seq))
            }
            Some(p) => Ok(p.seq),
        };
        match applied {
            Err(reason) => {
                drop(writer);
                tracing::info!(%reason, "building the keyword index");
                Ok(match self.rebuild(db)? {
                    Some(count) => Synced::Rebuilt(reason, count),
                    None => Synced::Busy,
                })
            }
            Ok(seq) if seq == head => {
                self.reload(library, head)?;
                Ok(Synced::Current)
            }
            Ok(seq) => {
                let changed = db.read(|conn| changed_since(conn, seq, head))?;
                self.apply(db, &writer, &changed)?;
                self.finish(db, writer, library, head)?;
                Ok(Synced::CaughtUp(changed.len()))
            }
        }
    }

    /// Builds the index again from every chunk, on every core; returns how many it holds, or
    /// `None` when another process held the writer for longer than a sync waits.
    pub fn rebuild(&self, db: &Database) -> Result<Option<usize>> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let Some(writer) = self.writer(threads, REBUILD_ARENA)? else {
            return Ok(None);
        };
        // Changes after `head` are caught up later; adding them now as well is harmless.
        let (library, head) = db.read(|conn| Ok((library(conn)?, head(conn)?)))?;
        writer.delete_all_documents().map_err(index_error)?;
        let count = db.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, document_id, context, text FROM chunks").context("preparing the chunks")?;
            let mut rows = stmt.query([]).context("reading the chunks")?;
            let mut count = 0;
            while let Some(row) = rows.next().context("reading the chunks")? {
                writer.add_document(self.document(row)?).map_err(index_error)?;
                count += 1;
            }
            Ok(count)
        })?;
        self.finish(db, writer, library, head)?;
        Ok(Some(count))
    }

    /// Commits what `writer` holds as change `head`, shows it to searches, trims the log, and
    /// lets small segments merge while this thread still holds the writer (a writer dropped at
    /// once cancels its merges, and a catch-up per document would leave a segment each).
    fn finish(&self, db: &Database, mut writer: IndexWriter, library: String, head: i64) -> Result<()> {
        let payload = Payload { version: VERSION, library: library.clone(), seq: head };
        let mut prepared = writer.prepare_commit().map_err(index_error)?;
        prepared.set_payload(&serde_json::to_string(&payload).expect("a payload serializes"));
        prepared.commit().map_err(index_error)?;
        self.reload(library, head)?;
        self.forget_changes(db, head);
        writer.wait_merging_threads().map_err(index_error)
    }

    /// The best `n` chunks for `words` (the query's words, before stemming) with their BM25
    /// scores, best first, within `docs` when given — or `None` when the index does not hold
    /// every change `conn` sees (the caller asks FTS5 instead).
    pub fn ranking(
        &self,
        conn: &Connection,
        words: &[&str],
        docs: Option<&[DocumentId]>,
        n: usize,
    ) -> Result<Option<Vec<(i64, f64)>>> {
        if !self.holds(library(conn)?, head(conn)?)? {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let mut terms: Vec<Term> = Vec::new();
        let mut analyzer = analyzer();
        for word in words {
            let mut stream = analyzer.token_stream(word);
            while let Some(token) = stream.next() {
                let term = Term::from_field_text(self.fields.body, &token.text);
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
        if terms.is_empty() || docs.is_some_and(<[_]>::is_empty) {
            return Ok(Some(Vec::new()));
        }
        let text: Box<dyn Query> = Box::new(BooleanQuery::new(
            terms
                .into_iter()
                .map(|t| (Occur::Should, Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>))
                .collect(),
        ));
        let query: Box<dyn Query> = match docs {
            None => text,
            Some(ids) => {
                let filter = TermSetQuery::new(
                    ids.iter().map(|id| Term::from_field_text(self.fields.document, &id.to_string())),
                );
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, text),
                    (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(filter), 0.0))),
                ]))
            }
        };
        let top = searcher.search(&*query, &TopDocs::with_limit(n).order_by_score()).map_err(index_error)?;
        let mut ranked = Vec::with_capacity(top.len());
        for (score, address) in top {
            let ids =
                searcher.segment_reader(address.segment_ord).fast_fields().u64("chunk_id").map_err(index_error)?;
            if let Some(id) = ids.first(address.doc_id) {
                ranked.push((id as i64, f64::from(score)));
            }
        }
        // Ties in the order FTS5 gives them: by chunk id.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(Some(ranked))
    }

    /// Chunks the index holds (deleted ones not yet merged away excepted).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no chunks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index's folder (for tests and diagnostics).
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Whether the reader's view holds change `head`, reloading it once if not: another
    /// process, or this one's sync, may have committed since.
    fn holds(&self, library: String, head: i64) -> Result<bool> {
        let now = Some((library, head));
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if *seen == now {
            return Ok(true);
        }
        // The commit's record is read before the reader reloads, so the view holds at least
        // what the record says.
        let recorded = payload(&self.index).map(|p| (p.library, p.seq));
        self.reader.reload().map_err(index_error)?;
        *seen = recorded;
        Ok(*seen == now)
    }

    fn reload(&self, library: String, seq: i64) -> Result<()> {
        self.reader.reload().map_err(index_error)?;
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some((library, seq));
        Ok(())
    }

    /// Takes the writer's lock, waiting for another process's writer up to [`WRITER_WAIT`].
    fn writer(&self, threads: usize, arena: usize) -> Result<Option<IndexWriter>> {
        let started = Instant::now();
        loop {
            match self.index.writer_with_num_threads(threads, arena) {
                Ok(writer) => return Ok(Some(writer)),
                Err(tantivy::TantivyError::LockFailure(..)) if started.elapsed() < WRITER_WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(tantivy::TantivyError::LockFailure(..)) => return Ok(None),
                Err(e) => return Err(index_error(e)),
            }
        }
    }

    /// Deletes each changed chunk from the index and adds back those still in the database.
    fn apply(&self, db: &Database, writer: &IndexWriter, changed: &[i64]) -> Result<()> {
        for &id in changed {
            writer.delete_term(Term::from_field_u64(self.fields.chunk_id, id as u64));
        }
        db.read(|conn| {
            for batch in changed.chunks(SYNC_BATCH) {
                let marks = vec!["?"; batch.len()].join(", ");
                let mut stmt = conn
                    .prepare(&format!("SELECT id, document_id, context, text FROM chunks WHERE id IN ({marks})"))
                    .context("preparing changed chunks")?;
                let mut rows = stmt.query(params_from_iter(batch)).context("reading changed chunks")?;
                while let Some(row) = rows.next().context("reading changed chunks")? {
                    writer.add_document(self.document(row)?).map_err(index_error)?;
                }
            }
            Ok(())
        })
    }

    fn document(&self, row: &rusqlite::Row<'_>) -> Result<TantivyDocument> {
        let id: i64 = row.get(0).context("reading a chunk")?;
        let document: String = row.get(1).context("reading a chunk")?;
        let context: String = row.get(2).context("reading a chunk")?;
        let text: String = row.get(3).context("reading a chunk")?;
        let mut doc = TantivyDocument::default();
        doc.add_u64(self.fields.chunk_id, id as u64);
        doc.add_text(self.fields.document, document);
        // FTS5 weighs both columns alike and counts their tokens together: one field does too.
        doc.add_text(self.fields.body, context);
        doc.add_text(self.fields.body, text);
        Ok(doc)
    }

    /// Deletes the log's changes up to `seq`: the index holds them. Best effort: another
    /// process's write lock only leaves them for the next sync.
    fn forget_changes(&self, db: &Database, seq: i64) {
        let trimmed = db.write(|tx| tx.execute("DELETE FROM chunk_changes WHERE seq <= ?1", [seq]).context("trimming"));
        if let Err(e) = trimmed {
            tracing::warn!(error = %e, "the keyword index's change log was not trimmed");
        }
    }
}

fn opening_lock(index_dir: &Path) -> Result<std::fs::File> {
    let path = index_dir.join(format!("{KEYWORD_DIR}.lock"));
    let io = |source| Error::Io { context: format!("locking {}", path.display()), source };
    std::fs::create_dir_all(index_dir).map_err(io)?;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
    file.lock().map_err(io)?;
    Ok(file)
}

/// An empty index in `dir`, whatever was there before (it is derived).
fn fresh(dir: &Path, schema: Schema) -> Result<Index> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| Error::Io {
            context: format!("removing the old keyword index {}", dir.display()),
            source,
        })?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|source| Error::Io { context: format!("creating the keyword index {}", dir.display()), source })?;
    Index::create_in_dir(dir, schema).map_err(index_error)
}

/// The last commit's record, if it is this version's.
fn payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    let payload: Payload = serde_json::from_str(metas.payload.as_deref()?).ok()?;
    (payload.version == VERSION).then_some(payload)
}

/// The last change the database has made to its chunks (0 before the first).
fn head(conn: &Connection) -> Result<i64> {
    let seq: Option<i64> = conn
        .query_row("SELECT seq FROM sqlite_sequence WHERE name = 'chunk_changes'", [], |r| r.get(0))
        .optional()
        .context("reading the chunks' last change")?;
    Ok(seq.unwrap_or(0))
}

/// The library's identity: a derived index records it.
fn library(conn: &Connection) -> Result<String> {
    conn.query_row("SELECT id FROM library", [], |r| r.get(0)).context("reading the library's identity")
}

fn oldest_change(conn: &Connection) -> Result<Option<i64>> {
    conn.query_row("SELECT MIN(seq) FROM chunk_changes", [], |r| r.get(0)).context("reading the oldest change")
}

/// The chunks changed after `after` up to `head`, each once.
fn changed_since(conn: &Connection, after: i64, head: i64) -> Result<Vec<i64>> {
    let mut stmt = conn
        .prepare("SELECT DISTINCT chunk_id FROM chunk_changes WHERE seq > ?1 AND seq <= ?2")
        .context("preparing the changes")?;
    let ids = stmt
        .query_map([after, head], |r| r.get(0))
        .context("reading the changes")?
        .collect::<rusqlite::Result<_>>()
        .context("reading the changes")?;
    Ok(ids)
}

fn index_error(e: impl std::fmt::Display) -> Error {
    Error::Index(format!("keyword index: {e}"))
}
