//! The app's ingestion worker: one background thread that drains the queue, reporting progress,
//! and sleeps until there may be more.

use std::sync::Arc;

use super::Engine;
use crate::error::{Error, Result};
use crate::ingest::{self, Progress, queue};
use crate::models::reembed::Reembedding;

impl Engine {
    /// Tells the worker there may be work.
    pub fn wake(&self) {
        let (pending, signal) = &self.work;
        *pending.lock().unwrap_or_else(|e| e.into_inner()) = true;
        signal.notify_all();
    }

    /// Starts the worker thread: it re-queues what an earlier run left unfinished, then processes
    /// queued documents one by one, reporting progress, and sleeps until woken.
    pub fn spawn_worker(
        self: &Arc<Self>,
        on_progress: impl Fn(&Progress) + Send + Sync + 'static,
        on_reembed: impl Fn(Reembedding) + Send + 'static,
    ) -> Result<()> {
        let engine = Arc::clone(self);
        let resumed = ingest::resume_interrupted(&self.db, &self.data_dir)?;
        if resumed > 0 {
            tracing::info!(resumed, "re-queued documents interrupted by the last run");
        }
        std::thread::Builder::new()
            .name("ingest".into())
            .spawn(move || engine.work_loop(&on_progress, &on_reembed))
            .map_err(|source| Error::Io { context: "starting the ingestion worker".into(), source })?;
        Ok(())
    }

    fn work_loop(&self, on_progress: &(dyn Fn(&Progress) + Sync), on_reembed: &dyn Fn(Reembedding)) {
        loop {
            {
                let (pending, signal) = &self.work;
                let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
                while !*pending {
                    pending = signal.wait(pending).unwrap_or_else(|e| e.into_inner());
                }
                *pending = false;
            }
            // First of all (at start, too), the keyword index catches up with whatever changed
            // while it was not looking: another process's documents, or a crash before it did.
            self.sync_keywords();
            if let Err(error) = self.drain(on_progress) {
                tracing::error!(%error, "the ingestion worker hit an error; it waits for the next change");
            }
            // With the queue empty, the library is embedded again for a new model, if it must
            // be; a document queued meanwhile goes first (the step loop stops, and is woken).
            match self.reembed_while_idle(on_reembed) {
                Ok(()) => {}
                Err(Error::ModelUnavailable(_)) => {}
                Err(error) => tracing::error!(%error, "embedding the library for the new model"),
            }
            if queue::next_queued(&self.db).ok().flatten().is_some() {
                self.wake();
            }
        }
    }

    /// Processes queued documents until none is left, extracting the next while the current one
    /// is embedded. Without the model, each fails with the reason (it can be retried once the
    /// model is there) instead of waiting forever.
    fn drain(&self, on_progress: &(dyn Fn(&Progress) + Sync)) -> Result<()> {
        if let Err(error @ Error::ModelUnavailable(_)) = self.models() {
            while let Some(id) = ingest::next_queued(&self.db)? {
                on_progress(&Progress::of(&ingest::give_up(&self.db, id, &error)?));
            }
            return Ok(());
        }
        let db = &self.db;
        self.process_overlapped(&mut || ingest::next_queued(db), on_progress, &mut |id, outcome| match outcome {
            Ok(document) => {
                on_progress(&Progress::of(&document));
                Ok(())
            }
            Err(Error::NotFound { .. }) => {
                tracing::info!(%id, "a document was deleted while it was processed");
                Ok(())
            }
            Err(error) => Err(error),
        })
    }
}
