//! `hearth bench chat`: what a chat turn costs apart from the language model, at scale.

use std::time::Instant;

use serde::Serialize;

use hearth_core::Result;
use hearth_core::chat::Turn;
use hearth_core::chat::llm::Extractive;
use hearth_core::ingest::chunking::Chunker;
use hearth_core::models::embedding::Embedder;
use hearth_core::retrieval::index::VectorIndex;
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::Database;

use super::{Latency, peak_rss_mb, seed};

/// What timing chat turns measured.
#[derive(Debug, Clone, Serialize)]
pub struct ChatReport {
    pub chunks: usize,
    pub turns: usize,
    /// Documents attached to the chat (100 chunks each).
    pub session_documents: usize,
    /// A whole turn with the extractive backend (no model): store the question, embed, search, build the
    /// prompt, store the answer.
    pub turn: Latency,
    /// Of that, the parts the turn's metadata reports (mean ms).
    pub mean_embed_ms: f64,
    pub mean_search_ms: f64,
    pub mean_prompt_ms: f64,
    pub peak_rss_mb: Option<f64>,
}

/// Seeds `n` chunks, attaches five documents to a chat, and times `questions` turns.
pub fn chat(
    db: &Database,
    embedder: &dyn Embedder,
    chunker: &Chunker,
    n: usize,
    questions: &[&str],
) -> Result<ChatReport> {
    let documents = seed(db, embedder.model_id(), embedder.dimensions(), n)?;
    let data_dir = db.path().parent().unwrap_or(std::path::Path::new("."));
    let (index, _) = VectorIndex::open(db, data_dir, embedder.model_id())?;
    let attached: Vec<_> = documents.iter().take(5).copied().collect();
    let session = sessions::create(db, NewSession { document_ids: attached.clone(), ..Default::default() })?;
    let turn = Turn {
        db,
        embedder: Some(embedder),
        index: Some(&index),
        keywords: None,
        counter: chunker,
        backend: &Extractive { embedder: Some(embedder) },
    };
    let mut samples = Vec::with_capacity(questions.len());
    let (mut embed, mut search, mut prompt) = (0.0, 0.0, 0.0);
    for question in questions {
        let started = Instant::now();
        let reply = turn.send(session.id, question, &mut |_| true)?;
        samples.push(started.elapsed());
        let timings = reply.record.timings_ms;
        embed += timings.embed;
        search += timings.search;
        prompt += timings.prompt;
    }
    let count = questions.len().max(1) as f64;
    Ok(ChatReport {
        chunks: n,
        turns: questions.len(),
        session_documents: attached.len(),
        turn: Latency::of(samples),
        mean_embed_ms: embed / count,
        mean_search_ms: search / count,
        mean_prompt_ms: prompt / count,
        peak_rss_mb: peak_rss_mb(),
    })
}
