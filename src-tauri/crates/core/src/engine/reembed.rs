//! Embedding the library again for a new model, in the background (see `models::reembed`).

use super::Engine;
use crate::error::Result;
use crate::ingest::queue;
use crate::models::embedding::Embedder;
use crate::models::reembed::{self, Reembedding};

impl Engine {
    /// How far the library's vectors are for the model that embeds now; `None` when nothing is
    /// left to do (every ready chunk has its vector, and no other model's remain).
    pub fn reembedding(&self) -> Result<Option<Reembedding>> {
        let models = self.models()?;
        let model_id = models.embedder.model_id();
        let progress = reembed::progress(&self.db, model_id)?;
        let pending =
            progress.done < progress.total || models.reembedding() || reembed::other_vectors(&self.db, model_id)?;
        Ok(pending.then_some(progress))
    }

    /// Embeds one batch of the chunks that lack the current model's vector; when none is left,
    /// switches search to the current model and deletes the old vectors. Returns the progress
    /// after the step (`None`: nothing was left to do).
    pub fn reembed_step(&self) -> Result<Option<Reembedding>> {
        self.reembed_batch(reembed::BATCH)
    }

    /// [`Engine::reembed_step`] with `batch` chunks at most.
    pub fn reembed_batch(&self, batch: usize) -> Result<Option<Reembedding>> {
        let Some(before) = self.reembedding()? else { return Ok(None) };
        let models = self.models()?;
        // The index is saved at the switch: one interrupted before is rebuilt from SQLite.
        let embedded = if before.done < before.total {
            reembed::step(&self.db, &models.embedder, &models.index, batch)?
        } else {
            0
        };
        // Every chunk counted before has its vector once `done` reaches it; chunks added since
        // were embedded by the current model as they were stored.
        let after = Reembedding { done: before.done + embedded, total: before.total };
        if after.done == after.total {
            models.index.save()?;
            let dropped = models.switch(&self.db, &self.model_dir)?;
            tracing::info!(dropped, model = %models.embedder.model_id(), "search switched to the new embedding model");
        }
        Ok(Some(after))
    }

    /// Runs re-embedding steps until none is left or a document is queued (documents go first),
    /// telling `on_progress` after each.
    pub(super) fn reembed_while_idle(&self, on_progress: &dyn Fn(Reembedding)) -> Result<()> {
        while queue::next_queued(&self.db)?.is_none() {
            match self.reembed_step()? {
                Some(progress) => on_progress(progress),
                None => return Ok(()),
            }
        }
        Ok(())
    }
}
