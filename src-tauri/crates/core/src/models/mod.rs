//! The models Hearth runs on this machine, and what is loaded with them.
//!
//! Owns: the [`embedding`] seam ([`embedding::Embedder`]) and the real model behind it (ONNX
//! Runtime, loaded from provisioned files; nothing is downloaded), reading a chat model's GGUF
//! header without loading it ([`gguf`]), finding the GGUF files other apps keep
//! ([`discovery`]), and [`Models`], the parts that
//! need the model files and are loaded together once: the embedder, a chunker on the model's
//! tokenizer, and the vector index of that model's vectors. Uses [`crate::store`],
//! [`crate::ingest::chunking`] and [`crate::retrieval::index`]. Never stores documents or answers.

pub mod discovery;
pub mod embedding;
pub mod gguf;
pub mod reembed;

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::ingest::chunking::{Chunker, DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use crate::retrieval::index::{Opened, VectorIndex};
use crate::store::Database;
use crate::store::settings::{self, SearchModel};
use embedding::{Embedder, LocalEmbedder};

/// The parts that need the model files: loaded together, once per engine.
pub struct Models {
    /// The model that embeds new documents (and, once every chunk has its vectors, queries).
    pub embedder: LocalEmbedder,
    /// A chunker with the default sizes (a document with other chunk settings gets its own).
    pub chunker: Chunker,
    pub index: VectorIndex,
    /// While the library is embedded again for a new model: the previous model and its index,
    /// which search keeps using until the switch ([`reembed`]).
    previous: Mutex<Option<Arc<Previous>>>,
}

/// The previous embedding model and the index of its vectors.
pub struct Previous {
    pub embedder: LocalEmbedder,
    pub index: VectorIndex,
}

/// What search embeds queries with and looks vectors up in: the model whose vectors every ready
/// chunk has.
pub enum Searching<'a> {
    Current(&'a Models),
    Previous(Arc<Previous>),
}

impl Searching<'_> {
    pub fn embedder(&self) -> &dyn Embedder {
        match self {
            Searching::Current(m) => &m.embedder,
            Searching::Previous(p) => &p.embedder,
        }
    }

    pub fn index(&self) -> &VectorIndex {
        match self {
            Searching::Current(m) => &m.index,
            Searching::Previous(p) => &p.index,
        }
    }
}

impl Models {
    /// Loads the model and tokenizer from `model_dir` and opens (or rebuilds) the vector index in
    /// `data_dir`: about a second, plus a rebuild when the saved index is missing or stale.
    pub fn load(db: &Database, data_dir: &Path, model_dir: &Path) -> Result<Models> {
        let embedder = LocalEmbedder::load(model_dir)?;
        let chunker = Chunker::load(model_dir, MAX_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS)?;
        let (index, opened) = VectorIndex::open(db, data_dir, embedder.model_id())?;
        if let Opened::Rebuilt(reason) = opened {
            tracing::info!(%reason, vectors = index.len(), "rebuilt the vector index");
        }
        let this = search_model(&embedder, model_dir);
        let previous = match settings::search_model(db)? {
            // The model changed: the previous one answers queries until the new vectors are done.
            Some(old) if old.model_id != this.model_id => load_previous(db, data_dir, &old),
            Some(_) => None,
            None => {
                settings::set_search_model(db, &this)?;
                None
            }
        };
        Ok(Models { embedder, chunker, index, previous: Mutex::new(previous.map(Arc::new)) })
    }

    /// What search uses now.
    pub fn searching(&self) -> Searching<'_> {
        match self.previous.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            Some(previous) => Searching::Previous(previous),
            None => Searching::Current(self),
        }
    }

    /// Whether the library is being embedded again for this model.
    pub fn reembedding(&self) -> bool {
        self.previous.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Search switches to this model (every ready chunk has its vector): the previous model's
    /// vectors and index go. Returns how many vectors were deleted.
    pub fn switch(&self, db: &Database, model_dir: &Path) -> Result<usize> {
        settings::set_search_model(db, &search_model(&self.embedder, model_dir))?;
        let previous = self.previous.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(previous) = previous {
            let _ = std::fs::remove_file(previous.index.path());
        }
        reembed::drop_others(db, self.embedder.model_id())
    }
}

/// What `settings::search_model` records for `embedder`, loaded from `model_dir`.
fn search_model(embedder: &LocalEmbedder, model_dir: &Path) -> SearchModel {
    SearchModel { model_id: embedder.model_id().to_owned(), model_dir: model_dir.display().to_string() }
}

/// The previous model, if it still loads as the model its vectors came from. Without it, search
/// uses the new model's vectors as they are computed (and keywords for the rest).
fn load_previous(db: &Database, data_dir: &Path, old: &SearchModel) -> Option<Previous> {
    let embedder = match LocalEmbedder::load(Path::new(&old.model_dir)) {
        Ok(e) if e.model_id() == old.model_id => e,
        Ok(e) => {
            tracing::warn!(expected = %old.model_id, found = %e.model_id(), "the previous embedding model changed too");
            return None;
        }
        Err(e) => {
            tracing::warn!(error = %e, "the previous embedding model is gone; search uses the new vectors as they come");
            return None;
        }
    };
    match VectorIndex::open(db, data_dir, &old.model_id) {
        Ok((index, _)) => Some(Previous { embedder, index }),
        Err(e) => {
            tracing::warn!(error = %e, "the previous model's index");
            None
        }
    }
}
