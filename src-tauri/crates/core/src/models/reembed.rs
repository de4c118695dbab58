//! A new embedding model without wiping the library: vectors for the new model are computed in
//! the background, a batch at a time, while search keeps using the old model's vectors (the old
//! model embeds the queries); once every ready chunk has a vector of the new model, search
//! switches to it and the old vectors are deleted.
//!
//! Vectors are stored per model id (`chunk_vectors`), so both sets live side by side until the
//! switch; `settings::search_model` records which one search uses.

use rusqlite::params;
use serde::Serialize;

use super::embedding::Embedder;
use crate::error::{Result, StorageContext};
use crate::ingest::chunking::with_context;
use crate::retrieval::index::VectorIndex;
use crate::retrieval::vectors;
use crate::store::Database;

/// Chunks embedded per step: small enough that a new document waits little for the queue.
pub const BATCH: usize = 64;
/// Chunks given to the model at once: about the ingestion pipeline's batch of tokens (four
/// full chunks), which keeps ONNX Runtime's memory where ingestion keeps it. At 32 chunks a
/// call, re-embedding the Debian documentation set peaked at 1.9 GB.
const MODEL_BATCH: usize = 4;

/// How far the new model's vectors are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reembedding {
    /// Ready chunks with a vector of the new model.
    pub done: usize,
    /// Ready chunks.
    pub total: usize,
}

/// How many ready chunks have a vector of `model_id`, of how many.
pub fn progress(db: &Database, model_id: &str) -> Result<Reembedding> {
    db.read(|conn| {
        let (total, done): (i64, i64) = conn
            .query_row(
                "SELECT COUNT(*), COUNT(v.chunk_id) FROM chunks c
                 JOIN documents d ON d.id = c.document_id AND d.status = 'ready'
                 LEFT JOIN chunk_vectors v ON v.chunk_id = c.id AND v.model_id = ?1",
                [model_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .context("counting the new model's vectors")?;
        Ok(Reembedding { done: done as usize, total: total as usize })
    })
}

/// Whether vectors of any other model than `model_id` are stored.
pub fn other_vectors(db: &Database, model_id: &str) -> Result<bool> {
    db.read(|conn| {
        conn.query_row("SELECT EXISTS (SELECT 1 FROM chunk_vectors WHERE model_id <> ?1)", [model_id], |r| r.get(0))
            .context("looking for other models' vectors")
    })
}

/// Embeds up to `batch` ready chunks that have no vector of `embedder`'s model, storing the
/// vectors and adding them to `index`; returns how many.
pub fn step(db: &Database, embedder: &dyn Embedder, index: &VectorIndex, batch: usize) -> Result<usize> {
    let model_id = embedder.model_id().to_owned();
    let chunks: Vec<(i64, String)> = db.read(|conn| {
        let mut stmt = conn
            .prepare_cached(
                "SELECT c.id, c.context, c.text FROM chunks c
                 JOIN documents d ON d.id = c.document_id AND d.status = 'ready'
                 WHERE NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = c.id AND v.model_id = ?1)
                 ORDER BY c.id LIMIT ?2",
            )
            .context("finding chunks to embed again")?;
        let rows = stmt
            .query_map(params![model_id, batch as i64], |r| {
                Ok((r.get(0)?, with_context(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?)))
            })
            .context("finding chunks to embed again")?
            .collect::<rusqlite::Result<_>>()
            .context("reading chunks to embed again")?;
        Ok(rows)
    })?;
    if chunks.is_empty() {
        return Ok(0);
    }
    let texts: Vec<&str> = chunks.iter().map(|(_, text)| text.as_str()).collect();
    let mut embedded = Vec::with_capacity(texts.len());
    for batch in texts.chunks(MODEL_BATCH) {
        embedded.extend(embedder.embed(batch)?);
    }
    db.write(|tx| {
        let mut insert = tx
            .prepare_cached(
                // An upsert, not INSERT OR REPLACE: a replace deletes without firing the delete
                // trigger that keeps `vector_counts` (migration V13).
                "INSERT INTO chunk_vectors (chunk_id, model_id, vector) VALUES (?1, ?2, ?3)
             ON CONFLICT (chunk_id, model_id) DO UPDATE SET vector = excluded.vector",
            )
            .context("storing new vectors")?;
        for ((id, _), vector) in chunks.iter().zip(&embedded) {
            insert.execute(params![id, model_id, vectors::to_blob(vector)]).context("storing a new vector")?;
        }
        Ok(())
    })?;
    let items: Vec<(i64, Vec<f32>)> = chunks.iter().map(|(id, _)| *id).zip(embedded).collect();
    index.add(&items)?;
    Ok(items.len())
}

/// Deletes every vector of another model than `model_id`; returns how many went.
pub fn drop_others(db: &Database, model_id: &str) -> Result<usize> {
    db.write(|tx| {
        tx.execute("DELETE FROM chunk_vectors WHERE model_id <> ?1", [model_id]).context("deleting old vectors")
    })
}
