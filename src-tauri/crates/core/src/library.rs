//! The engine as the desktop app uses it: the database, the embedding model and vector index
//! (loaded once, on first need), one background worker that drains the ingestion queue, and
//! chat turns (one at a time per session, stoppable). Adding files only records them; the
//! worker does the slow part and reports progress.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use uuid::Uuid;

use crate::chat::{self, Reply, Turn, TurnLocks};
use crate::chunking::{Chunker, DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use crate::db::Database;
use crate::documents::{self, Document};
use crate::embedding::{Embedder, LocalEmbedder};
use crate::error::{Error, Result};
use crate::index::{Opened, VectorIndex};
use crate::ingest::{self, Added, Pipeline, Progress};
use crate::limits;
use crate::passages::{self, Run};
use crate::prompt::{Estimate, TokenCounter};
use crate::search::{self, Hit, Mode};
use crate::settings;

/// The parts that need the model files: loaded together, once.
pub struct Engine {
    pub embedder: LocalEmbedder,
    pub chunker: Chunker,
    pub index: VectorIndex,
}

/// The library of one data directory.
pub struct Library {
    db: Arc<Database>,
    data_dir: PathBuf,
    model_dir: PathBuf,
    engine: OnceLock<std::result::Result<Arc<Engine>, String>>,
    /// Set when there may be queued work; the worker sleeps on the condition variable.
    work: (Mutex<bool>, Condvar),
    turns: TurnLocks,
}

impl Library {
    pub fn new(db: Arc<Database>, data_dir: &Path, model_dir: &Path) -> Arc<Library> {
        Arc::new(Library {
            db,
            data_dir: data_dir.to_owned(),
            model_dir: model_dir.to_owned(),
            engine: OnceLock::new(),
            work: (Mutex::new(true), Condvar::new()),
            turns: TurnLocks::default(),
        })
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The model, chunker and index, loading them on first use (about a second, plus an index
    /// rebuild if the saved one is missing or stale). A missing model stays an error.
    pub fn engine(&self) -> Result<Arc<Engine>> {
        self.engine
            .get_or_init(|| self.load_engine().map(Arc::new).map_err(|e| e.to_string()))
            .clone()
            .map_err(Error::ModelUnavailable)
    }

    fn load_engine(&self) -> Result<Engine> {
        let embedder = LocalEmbedder::load(&self.model_dir)?;
        let chunker = Chunker::load(&self.model_dir, MAX_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS)?;
        let (index, opened) = VectorIndex::open(&self.db, &self.data_dir, embedder.model_id())?;
        if let Opened::Rebuilt(reason) = opened {
            tracing::info!(%reason, vectors = index.len(), "rebuilt the vector index");
        }
        Ok(Engine { embedder, chunker, index })
    }

    /// Queues files (as dropped on the window), a folder as the documents inside it; each file
    /// gets its own result, and so does a path that gave no file.
    pub fn add_paths(&self, paths: &[PathBuf]) -> Vec<(PathBuf, Result<Added>)> {
        let results = ingest::enqueue_paths(&self.db, paths);
        self.wake();
        results
    }

    /// Deletes a document everywhere, the vector index included.
    pub fn delete(&self, id: &str) -> Result<()> {
        let chunk_ids = documents::delete(&self.db, id)?;
        self.forget(&chunk_ids)
    }

    /// Retries a failed or cancelled document, or re-indexes a ready one.
    pub fn retry(&self, id: &str) -> Result<Document> {
        let (document, chunk_ids) = documents::retry(&self.db, id)?;
        self.forget(&chunk_ids)?;
        self.wake();
        Ok(document)
    }

    fn forget(&self, chunk_ids: &[i64]) -> Result<()> {
        if chunk_ids.is_empty() {
            return Ok(());
        }
        match self.engine() {
            Ok(engine) => {
                engine.index.remove(chunk_ids)?;
                engine.index.save()
            }
            // Without the model there is no index in use; it is checked and rebuilt when the
            // model is back.
            Err(_) => Ok(()),
        }
    }

    /// Searches the library; keyword search works without the model.
    pub fn search(&self, query: &str, k: usize, documents: Option<&[Uuid]>, mode: Mode) -> Result<Vec<Hit>> {
        let engine = match mode {
            Mode::Keyword => None,
            Mode::Hybrid | Mode::Vector => Some(self.engine()?),
        };
        let embedder = engine.as_ref().map(|e| &e.embedder as &dyn Embedder);
        search::search(&self.db, embedder, engine.as_ref().map(|e| &e.index), query, k, documents, mode)
    }

    /// [`Library::search`], each hit with its text as runs, the words keyword search matched
    /// marked ([`passages::mark_hits`]): what the library's search box shows.
    pub fn search_marked(
        &self,
        query: &str,
        k: usize,
        documents: Option<&[Uuid]>,
        mode: Mode,
    ) -> Result<Vec<(Hit, Vec<Run>)>> {
        let hits = self.search(query, k, documents, mode)?;
        let runs = passages::mark_hits(&self.db, &hits, query)?;
        Ok(hits.into_iter().zip(runs).collect())
    }

    /// Runs a chat turn (see [`chat::Turn`]), one at a time per session; `on_token` gets the
    /// answer as it arrives. Without the model, retrieval is keyword-only and tokens are
    /// estimated, so a chat still gets its answer.
    pub fn send(&self, session_id: &str, content: &str, on_token: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.turn(session_id, on_token, |turn, on_token| turn.send(session_id, content, on_token))
    }

    /// Answers a session's unanswered last question again (after the backend failed).
    pub fn retry_turn(&self, session_id: &str, on_token: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.turn(session_id, on_token, |turn, on_token| turn.retry(session_id, on_token))
    }

    /// Stops the session's running turn; the answer so far is kept and marked stopped.
    pub fn stop_turn(&self, session_id: &str) -> Result<()> {
        self.turns.stop(limits::parse_uuid("session", session_id)?);
        Ok(())
    }

    fn turn(
        &self,
        session_id: &str,
        on_token: &mut dyn FnMut(&str),
        run: impl FnOnce(&Turn<'_>, &mut dyn FnMut(&str) -> bool) -> Result<Reply>,
    ) -> Result<Reply> {
        let session = limits::parse_uuid("session", session_id)?;
        let lock = self.turns.of(session);
        let _one_at_a_time = lock.lock().unwrap_or_else(|e| e.into_inner());
        let stop = self.turns.stop_flag(session);
        let engine = self.engine().inspect_err(|e| tracing::warn!(error = %e, "chat without the model")).ok();
        let backend = chat::backend(&settings::llm(&self.db)?);
        let turn = Turn {
            db: &self.db,
            embedder: engine.as_ref().map(|e| &e.embedder as &dyn Embedder),
            index: engine.as_ref().map(|e| &e.index),
            counter: engine.as_ref().map_or(&Estimate as &dyn TokenCounter, |e| &e.chunker as &dyn TokenCounter),
            backend: backend.as_ref(),
        };
        run(&turn, &mut |piece| {
            on_token(piece);
            !stop.load(Ordering::SeqCst)
        })
    }

    /// Rebuilds the vector index from the stored vectors; returns how many it holds.
    pub fn rebuild_index(&self) -> Result<usize> {
        self.engine()?.index.rebuild(&self.db)
    }

    /// Tells the worker there may be work.
    pub fn wake(&self) {
        let (pending, signal) = &self.work;
        *pending.lock().unwrap_or_else(|e| e.into_inner()) = true;
        signal.notify_all();
    }

    /// Starts the worker thread: it re-queues what an earlier run left unfinished, then processes
    /// queued documents one by one, reporting progress, and sleeps until woken.
    pub fn spawn_worker(self: &Arc<Self>, on_progress: impl Fn(&Progress) + Send + 'static) -> Result<()> {
        let library = Arc::clone(self);
        let resumed = ingest::resume_interrupted(&self.db)?;
        if resumed > 0 {
            tracing::info!(resumed, "re-queued documents interrupted by the last run");
        }
        std::thread::Builder::new()
            .name("ingest".into())
            .spawn(move || library.work_loop(&on_progress))
            .map_err(|source| Error::Io { context: "starting the ingestion worker".into(), source })?;
        Ok(())
    }

    fn work_loop(&self, on_progress: &dyn Fn(&Progress)) {
        loop {
            {
                let (pending, signal) = &self.work;
                let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
                while !*pending {
                    pending = signal.wait(pending).unwrap_or_else(|e| e.into_inner());
                }
                *pending = false;
            }
            if let Err(error) = self.drain(on_progress) {
                tracing::error!(%error, "the ingestion worker hit an error; it waits for the next change");
            }
        }
    }

    /// Processes queued documents until none is left, then saves the index.
    fn drain(&self, on_progress: &dyn Fn(&Progress)) -> Result<()> {
        while let Some(id) = ingest::next_queued(&self.db)? {
            let engine = match self.engine() {
                Ok(engine) => engine,
                Err(error) => {
                    let document = ingest::give_up(&self.db, id, &error)?;
                    on_progress(&Progress::of(&document));
                    continue;
                }
            };
            // Chunk sizes are settings: a change applies to the next document, without a restart.
            let sizes = settings::ingest(&self.db)?;
            let custom = (sizes != settings::IngestSettings::default())
                .then(|| Chunker::load(&self.model_dir, sizes.chunk_tokens, sizes.overlap_tokens))
                .transpose()?;
            let pipeline = Pipeline {
                db: &self.db,
                embedder: &engine.embedder,
                chunker: custom.as_ref().unwrap_or(&engine.chunker),
                index: Some(&engine.index),
            };
            match pipeline.process(id, &mut |p| on_progress(p)) {
                Ok(document) => on_progress(&Progress::of(&document)),
                Err(Error::NotFound { .. }) => tracing::info!(%id, "a document was deleted while it was processed"),
                Err(error) => return Err(error),
            }
        }
        if let Some(Ok(engine)) = self.engine.get() {
            engine.index.save()?;
        }
        Ok(())
    }
}
