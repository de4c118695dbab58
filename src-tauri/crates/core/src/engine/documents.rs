//! The library's documents through the engine: adding (queued for the worker, or processed now
//! by the CLI), retry, cancel, delete, search and the vector index's upkeep.

use std::path::PathBuf;

use super::Engine;
use crate::error::{Error, Result, StorageContext};
use crate::ingest::chunking::Chunker;
use crate::ingest::documents::{self, DocStatus, Document};
use crate::ingest::{self, Added, Pipeline, Progress};
use crate::retrieval::index::VectorIndex;
use crate::retrieval::keyword_index::CATCH_UP_EVERY;
use crate::retrieval::passages::{self, Run};
use crate::retrieval::{self, Hit, Mode, SearchRequest};
use crate::store::ids::DocumentId;
use crate::store::settings;

impl Engine {
    /// Queues files (as dropped on the window, or named to `hearth docs add`), a folder as the
    /// documents inside it, and wakes the worker; each file gets its own result, and so does a
    /// path that gave no file.
    pub fn add_paths(&self, paths: &[PathBuf]) -> Vec<(PathBuf, Result<Added>)> {
        let results = ingest::enqueue_paths(&self.db, paths);
        self.wake();
        results
    }

    /// Takes a queued document through extraction and embedding now, adding its vectors to the
    /// index and saving it (`hearth docs retry`; the worker and `hearth docs add` process many
    /// with [`Engine::process_overlapped`]). A missing model is `ModelUnavailable`, and the
    /// document stays queued.
    pub fn process(&self, id: DocumentId, progress: &mut dyn FnMut(&Progress)) -> Result<Document> {
        let document = self.with_pipeline(|pipeline, index| {
            let document = pipeline.process(id, progress)?;
            index.save()?;
            Ok(document)
        })?;
        self.sync_keywords();
        Ok(document)
    }

    /// Processes documents as `next` names them, extracting the next one while the current one
    /// is embedded ([`Pipeline::process_overlapped`]); `done` hears each outcome in order, and an
    /// error from it stops. The vector index is saved every half minute and at the end (it is
    /// derived: a crash in between costs a rebuild, never data). The worker drains the queue
    /// through this, and `hearth docs add` processes what it added.
    pub fn process_overlapped(
        &self,
        next: &mut (dyn FnMut() -> Result<Option<DocumentId>> + Send),
        progress: &(dyn Fn(&Progress) + Sync),
        done: &mut dyn FnMut(DocumentId, Result<Document>) -> Result<()>,
    ) -> Result<()> {
        const SAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);
        let result = self.with_pipeline(|pipeline, index| {
            let (mut saved, mut synced) = (std::time::Instant::now(), std::time::Instant::now());
            let result = pipeline.process_overlapped(next, progress, &mut |id, outcome| {
                done(id, outcome)?;
                if saved.elapsed() >= SAVE_EVERY {
                    index.save()?;
                    saved = std::time::Instant::now();
                }
                // The keyword index catches up more often: until it does, FTS5 ranks.
                if synced.elapsed() >= CATCH_UP_EVERY {
                    self.sync_keywords();
                    synced = std::time::Instant::now();
                }
                Ok(())
            });
            index.save()?;
            result
        });
        self.sync_keywords();
        result
    }

    /// Runs `f` with the pipeline of the current models and settings, and their vector index.
    fn with_pipeline<T>(&self, f: impl FnOnce(&Pipeline<'_>, &VectorIndex) -> Result<T>) -> Result<T> {
        let models = self.models()?;
        // Chunk sizes are settings: a change applies to the next document, without a restart.
        let sizes = settings::ingest(&self.db)?;
        let custom = sizes
            .custom_sizes()
            .then(|| Chunker::load(&self.model_dir, sizes.chunk_tokens, sizes.overlap_tokens))
            .transpose()?;
        let pipeline = Pipeline {
            db: &self.db,
            embedder: &models.embedder,
            chunker: custom.as_ref().unwrap_or(&models.chunker),
            index: Some(&models.index),
            parsers: self.parsers(),
            originals: sizes.keep_pdf_copies.then_some(&self.originals),
            options: sizes.extract_options(),
        };
        f(&pipeline, &models.index)
    }

    /// Deletes a document everywhere (chunks, vectors, sessions' links), the vector index
    /// included.
    pub fn delete_document(&self, id: DocumentId) -> Result<()> {
        let document = documents::get(&self.db, id)?;
        let chunk_ids = documents::delete(&self.db, id)?;
        // The hash is unique in the library: no other document shares the copy.
        self.originals.remove(&document.sha256);
        self.forget_pages(&document.sha256);
        self.forget(&chunk_ids)
    }

    /// Takes over a document another process left half done (it was killed or crashed while
    /// extracting or embedding it): it is queued again. A queued document is returned as it is;
    /// one a live process is working on is refused.
    pub fn take_over(&self, id: DocumentId) -> Result<Document> {
        let document = documents::get(&self.db, id)?;
        if matches!(document.status, DocStatus::Extracting | DocStatus::Embedding) {
            if !self.interrupted(id)? {
                return Err(Error::InvalidInput(format!(
                    "{} is being processed by another Hearth process (the app?); it will be ready there",
                    document.name
                )));
            }
            ingest::resume_interrupted(&self.db, &self.data_dir)?;
            return documents::get(&self.db, id);
        }
        Ok(document)
    }

    /// Waits for a document this process queued that another live process's worker took from
    /// the queue (the app's worker drains every queued document, `hearth docs add`'s too): until
    /// it is ready, failed or cancelled. Should that process die, the document is taken over
    /// and processed here; one put back in the queue is processed here at once.
    pub fn await_document(&self, id: DocumentId, progress: &mut dyn FnMut(&Progress)) -> Result<Document> {
        loop {
            let document = documents::get(&self.db, id)?;
            match document.status {
                DocStatus::Ready | DocStatus::Failed | DocStatus::Cancelled => return Ok(document),
                DocStatus::Queued => return self.process(id, progress),
                DocStatus::Extracting | DocStatus::Embedding if self.interrupted(id)? => {
                    self.take_over(id)?;
                }
                DocStatus::Extracting | DocStatus::Embedding => {
                    progress(&Progress::of(&document));
                    std::thread::sleep(std::time::Duration::from_millis(250));
                }
            }
        }
    }

    /// Whether `id` is in a working state that no live process holds.
    fn interrupted(&self, id: DocumentId) -> Result<bool> {
        let worker: Option<String> = self.db.read(|conn| {
            conn.query_row("SELECT worker FROM documents WHERE id = ?1", [id], |r| r.get(0))
                .context("reading a document's worker")
        })?;
        Ok(crate::ingest::lease::abandoned(&self.data_dir, worker.as_deref()))
    }

    /// Retries a failed or cancelled document, or re-indexes a ready one: it is queued again
    /// and the worker is woken. One a killed process left half done is taken over.
    pub fn retry_document(&self, id: DocumentId) -> Result<Document> {
        let current = documents::get(&self.db, id)?;
        if matches!(current.status, DocStatus::Extracting | DocStatus::Embedding) && self.interrupted(id)? {
            let document = self.take_over(id)?;
            self.wake();
            return Ok(document);
        }
        let (document, chunk_ids) = documents::retry(&self.db, id)?;
        self.forget(&chunk_ids)?;
        self.wake();
        Ok(document)
    }

    /// Cancels a queued or in-progress document (whichever process is working on it stops at
    /// its next batch).
    pub fn cancel_document(&self, id: DocumentId) -> Result<Document> {
        documents::cancel(&self.db, id)
    }

    /// Drops chunks that are gone from the vector index.
    pub(super) fn forget(&self, chunk_ids: &[i64]) -> Result<()> {
        if chunk_ids.is_empty() {
            return Ok(());
        }
        self.sync_keywords();
        match self.models() {
            Ok(models) => {
                models.index.remove(chunk_ids)?;
                models.index.save()
            }
            // Without the model there is no index in use; it is checked against the database
            // and rebuilt when the model is back.
            Err(Error::ModelUnavailable(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Searches the library; keyword search works without the model.
    pub fn search(&self, request: &SearchRequest) -> Result<Vec<Hit>> {
        let models = match request.mode {
            Mode::Keyword => None,
            Mode::Hybrid | Mode::Vector => Some(self.models()?),
        };
        // While the library is embedded again for a new model, the previous one searches.
        let searching = models.as_ref().map(|m| self.searching(m));
        let keywords = self.keywords();
        let searchers = retrieval::Searchers {
            embedder: searching.as_ref().map(|s| s.embedder()),
            vectors: searching.as_ref().map(|s| s.index()),
            keywords: keywords.as_deref(),
        };
        retrieval::search_with(&self.db, searchers, request)
    }

    /// [`Engine::search`], each hit with its text as runs, the words keyword search matched
    /// marked ([`passages::mark_hits`]): what the library's search box shows.
    pub fn search_marked(&self, request: &SearchRequest) -> Result<Vec<(Hit, Vec<Run>)>> {
        let hits = self.search(request)?;
        let runs = passages::mark_hits(&self.db, &hits, &request.query)?;
        Ok(hits.into_iter().zip(runs).collect())
    }

    /// Rebuilds the vector index from the stored vectors, and the keyword index from the
    /// chunks; returns how many vectors the vector index holds.
    pub fn rebuild_index(&self) -> Result<usize> {
        let vectors = self.models()?.index.rebuild(&self.db)?;
        if let Some(keywords) = self.keywords() {
            keywords
                .rebuild(&self.db)?
                .ok_or_else(|| Error::Index("another process is writing the keyword index".into()))?;
        }
        Ok(vectors)
    }
}
