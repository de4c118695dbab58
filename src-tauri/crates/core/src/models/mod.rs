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

use std::path::Path;

use crate::error::Result;
use crate::ingest::chunking::{Chunker, DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use crate::retrieval::index::{Opened, VectorIndex};
use crate::store::Database;
use embedding::{Embedder, LocalEmbedder};

/// The parts that need the model files: loaded together, once per engine.
pub struct Models {
    pub embedder: LocalEmbedder,
    /// A chunker with the default sizes (a document with other chunk settings gets its own).
    pub chunker: Chunker,
    pub index: VectorIndex,
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
        Ok(Models { embedder, chunker, index })
    }
}
