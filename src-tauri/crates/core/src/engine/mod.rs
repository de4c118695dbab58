//! The façade: one [`Engine`] per data directory, driven by both front ends (the Tauri shell and
//! the `hearth` CLI) for every operation that spans more than one table or needs the models:
//! adding and processing documents, retry, cancel and delete, search, the chat turn, and the
//! vector index's upkeep. Single-table reads and writes (listing sessions, renaming one) go
//! straight to their module with [`Engine::db`].
//!
//! Owns: the database handle, the models (loaded once, on first need), the ingestion worker and
//! its wake-up signal, and the per-session turn locks. Uses every stage below it. Never knows
//! who called: no Tauri, no terminal output; progress and answer pieces go to callbacks.

mod backups;
mod documents;
mod folders;
mod models;
mod pages;
mod reembed;
mod turns;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::chat::TurnLocks;
use crate::chat::llm::LocalModel;
use crate::error::{Error, Result};
use crate::ingest::extract::ocr;
use crate::ingest::extract::pdf::{self, PDFIUM_ENV};
use crate::ingest::extract::{Parsers, WorkerCommand};
use crate::ingest::originals::Originals;
use crate::models::embedding::{self, ModelStatus};
use crate::models::{Models, Searching};
use crate::retrieval::keyword_index::{KeywordIndex, Synced};
use crate::store::secrets::{KeptIn, LLM_API_KEY, Secrets};
use crate::store::{self, Database, settings};

/// The running engine of one data directory.
pub struct Engine {
    db: Arc<Database>,
    data_dir: PathBuf,
    model_dir: PathBuf,
    models: OnceLock<std::result::Result<Arc<Models>, String>>,
    /// The keyword index, opened on first use (`None` if it could not be: FTS5 ranks).
    keywords: OnceLock<Option<Arc<KeywordIndex>>>,
    /// Set when there may be queued work; the worker sleeps on the condition variable.
    work: (Mutex<bool>, Condvar),
    turns: TurnLocks,
    /// The GGUF model of the `local` backend, loaded on first need and kept warm.
    local: Mutex<Option<Arc<LocalModel>>>,
    /// When the local model was last asked for or last answered (for freeing it when idle).
    local_used: Mutex<Instant>,
    /// API keys, kept out of the database.
    secrets: Secrets,
    /// Where documents are parsed: a worker process once [`Engine::use_parser_worker`] names
    /// one, else this process.
    parsers: OnceLock<Parsers>,
    /// Copies of added PDFs, for drawing their pages.
    originals: Originals,
    /// Pages drawn lately, so paging back and forth does not draw them again.
    pages: Mutex<pages::PageCache>,
    /// Tells the folder watcher (once started) that the watched folders changed.
    folder_signal: Mutex<Option<std::sync::mpsc::Sender<folders::Signal>>>,
}

impl Engine {
    /// Opens the database in `data_dir` (creating it as needed); the models are read from
    /// `model_dir` when first needed.
    pub fn open(data_dir: &Path, model_dir: &Path) -> Result<Arc<Engine>> {
        let db = Arc::new(store::open(data_dir)?);
        // Documents this process takes are marked as its work for as long as it runs.
        crate::ingest::lease::hold(data_dir)?;
        Ok(Engine::new(db, data_dir, model_dir))
    }

    /// An engine over an open database.
    pub fn new(db: Arc<Database>, data_dir: &Path, model_dir: &Path) -> Arc<Engine> {
        Engine::with_secrets(db, data_dir, model_dir, Secrets::of(data_dir))
    }

    /// An engine whose secrets are in `secrets` (a test's fake credential store). A key an
    /// earlier version stored in the database is moved there. `model_dir` is the model as
    /// shipped; its int8 copy beside it is used instead when the settings ask for int8 compute.
    pub fn with_secrets(db: Arc<Database>, data_dir: &Path, model_dir: &Path, secrets: Secrets) -> Arc<Engine> {
        if let Err(e) = settings::take_stored_api_key(&db)
            .and_then(|key| key.map(|k| secrets.set(LLM_API_KEY, Some(&k))).transpose())
        {
            tracing::warn!(error = %e, "could not move the API key out of the database");
        }
        let compute = settings::ingest(&db).map(|s| s.compute).unwrap_or_default();
        let model_dir = embedding::compute_model_dir(model_dir, compute);
        Arc::new(Engine {
            db,
            data_dir: data_dir.to_owned(),
            model_dir,
            models: OnceLock::new(),
            keywords: OnceLock::new(),
            work: (Mutex::new(true), Condvar::new()),
            turns: TurnLocks::default(),
            local: Mutex::new(None),
            local_used: Mutex::new(Instant::now()),
            secrets,
            parsers: OnceLock::new(),
            originals: Originals::in_data_dir(data_dir),
            pages: Mutex::new(pages::PageCache::default()),
            folder_signal: Mutex::new(None),
        })
    }

    /// The database, for single-table work (sessions, messages, settings, listings).
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The data directory (the database, the vector index).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The embedding model, its chunker and the vector index, loaded on first use (about a
    /// second, plus an index rebuild if the saved one is missing or stale). A missing model
    /// stays an error (`ModelUnavailable`) for the engine's life.
    pub fn models(&self) -> Result<Arc<Models>> {
        self.models
            .get_or_init(|| {
                Models::load(&self.db, &self.data_dir, &self.model_dir).map(Arc::new).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(Error::ModelUnavailable)
    }

    /// The keyword index (cheap to open; [`Engine::sync_keywords`] builds it or catches it up).
    /// `None` when it cannot be opened: keyword search is FTS5's then, as it is while the index
    /// is behind.
    pub fn keywords(&self) -> Option<Arc<KeywordIndex>> {
        self.keywords
            .get_or_init(|| match KeywordIndex::open(&self.data_dir) {
                Ok(index) => Some(Arc::new(index)),
                Err(error) => {
                    tracing::warn!(%error, "no keyword index: FTS5 ranks keyword search");
                    None
                }
            })
            .clone()
    }

    /// Brings the keyword index up to the chunks' last change (built from every chunk when it is
    /// new or unusable). Called after documents are stored or deleted, and by the worker when
    /// it wakes; a failure is logged, not returned: search falls back to FTS5 meanwhile.
    pub fn sync_keywords(&self) {
        let Some(index) = self.keywords() else { return };
        match index.sync(&self.db) {
            Ok(Synced::Rebuilt(reason, chunks)) => tracing::info!(%reason, chunks, "built the keyword index"),
            Ok(Synced::Busy) => tracing::info!("another process is writing the keyword index; it catches up later"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the keyword index did not catch up; FTS5 ranks meanwhile"),
        }
    }

    /// What search uses now ([`Models::searching`]), having first taken up the vector index
    /// another process saved if it is current and this one is not (see
    /// [`VectorIndex::adopt_saved`](crate::retrieval::index::VectorIndex::adopt_saved)).
    pub(crate) fn searching<'m>(&self, models: &'m Models) -> Searching<'m> {
        let searching = models.searching();
        if let Searching::Current(current) = &searching {
            match current.index.adopt_saved(&self.db) {
                Ok(true) => {
                    tracing::info!(vectors = current.index.len(), "took up the vector index another process saved")
                }
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "checking the vector index against the database"),
            }
        }
        searching
    }

    /// Parses documents in worker processes started with `command` (the app's or the CLI's own
    /// executable in its worker mode), each file within `timeout`; call once, before documents
    /// are processed. Returns false if parsers were already chosen.
    pub fn use_parser_worker(&self, mut command: WorkerCommand, timeout: Duration) -> bool {
        // The worker finds PDFium and the OCR models where this engine's models are (the app's
        // bundle, say).
        if !command.env.iter().any(|(k, _)| k == PDFIUM_ENV) {
            let library = std::env::var(PDFIUM_ENV)
                .unwrap_or_else(|_| pdf::library_beside(&self.model_dir).display().to_string());
            command.env.push((PDFIUM_ENV.to_owned(), library));
        }
        if !command.env.iter().any(|(k, _)| k == ocr::OCR_DIR_ENV) {
            let dir = std::env::var(ocr::OCR_DIR_ENV)
                .unwrap_or_else(|_| ocr::dir_beside(&self.model_dir).display().to_string());
            command.env.push((ocr::OCR_DIR_ENV.to_owned(), dir));
        }
        self.parsers.set(Parsers::in_worker(command, timeout)).is_ok()
    }

    /// Where documents are parsed.
    pub(crate) fn parsers(&self) -> &Parsers {
        self.parsers.get().unwrap_or_else(|| Parsers::in_process())
    }

    /// The language-model server's API key, if one is kept.
    pub fn api_key(&self) -> Result<Option<String>> {
        self.secrets.get(LLM_API_KEY)
    }

    /// Keeps the server's API key (`None` or empty forgets it) in the credential store, or where
    /// none runs, in a file only its owner can read; says which.
    pub fn set_api_key(&self, key: Option<&str>) -> Result<KeptIn> {
        self.secrets.set(LLM_API_KEY, key)
    }

    /// Where an API key is kept now.
    pub fn secrets_kept_in(&self) -> KeptIn {
        self.secrets.kept_in()
    }

    /// How this engine's embedding model computes: int8 when it runs the quantized copy.
    pub fn embedding_compute(&self) -> embedding::EmbeddingCompute {
        embedding::compute_of(&self.model_dir)
    }

    /// Whether the embedding model loads, and why not (`hearth doctor`).
    pub fn model_status(&self) -> ModelStatus {
        embedding::model_status(&self.model_dir)
    }
}
