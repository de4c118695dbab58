//! What a chat turn records about itself, stored as the answer's metadata: the sources it cited
//! and the ones the budget dropped, how retrieval went, the exact prompt with its token counts,
//! the backend and model, how the answer ended, and where the time went. One type, serialized
//! with serde into the database and the CLI's `--json`, and generated for the window by ts-rs,
//! so a renamed field breaks the build rather than the window's citations.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::llm::{Finish, Generation, PromptMessage};
use super::prompt::TokenCounts;
use crate::retrieval::{ComponentRank, Hit, Mode};
use crate::sessions::messages::ChatMessage;
use crate::store::ids::{ChunkId, DocumentId};
use crate::text;

/// Characters of a source's text kept in the record.
pub const SNIPPET_CHARS: usize = 300;

/// The record of one chat turn (the assistant message's metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "TurnRecord.ts")]
pub struct TurnRecord {
    /// The backend that answered: `placeholder`, `openai-compatible`, …
    pub backend: String,
    /// The model the chat asked for.
    pub model: String,
    pub finish: Finish,
    /// The question this answers.
    #[ts(type = "number")]
    pub question_id: i64,
    pub retrieval: Retrieval,
    /// The sources in the prompt, numbered from 1 as the answer cites them.
    pub sources: Vec<SourceRecord>,
    /// Sources retrieved but left out for the token budget, best first (`n` is null).
    pub dropped_sources: Vec<SourceRecord>,
    /// Ids of history messages left out for the budget, oldest first.
    #[ts(type = "Array<number>")]
    pub dropped_history: Vec<i64>,
    /// Ids of history messages sent, oldest first.
    #[ts(type = "Array<number>")]
    pub history_used: Vec<i64>,
    pub prompt: PromptRecord,
    pub timings_ms: Timings,
    /// How a model run on this machine produced the answer (the `local` backend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub generation: Option<Generation>,
}

impl TurnRecord {
    /// Whether a model wrote the answer; the extractive backend (and the placeholder before it)
    /// only quoted the sources, so its answers are never sent back to a model as history.
    pub fn written_by_model(&self) -> bool {
        !matches!(self.backend.as_str(), super::llm::EXTRACTIVE | "placeholder")
    }

    /// The record stored with `message`, if it is an answer written by a chat turn. A message
    /// without one (a question, a message added by hand, metadata that does not parse) has none.
    pub fn of(message: &ChatMessage) -> Option<TurnRecord> {
        if message.metadata.as_object().is_none_or(|m| m.is_empty()) {
            return None;
        }
        serde_json::from_value(message.metadata.clone())
            .inspect_err(|e| tracing::debug!(message = message.id, error = %e, "metadata is not a turn record"))
            .ok()
    }
}

/// How retrieval went: skipped (and why), or what it searched and found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export_to = "Retrieval.ts")]
pub enum Retrieval {
    /// Nothing was searched: the chat's scope has no ready documents.
    Skipped { skipped: String },
    Searched {
        mode: Mode,
        top_n: usize,
        /// The ready documents searched; empty when the whole library was (see `library`).
        #[ts(type = "Array<string>")]
        documents: Vec<DocumentId>,
        /// How many ready documents the library had, when the chat searched all of it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        library: Option<usize>,
        found: usize,
        /// Said when the search was not the one asked for (keyword only, without the model).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        note: Option<String>,
    },
}

/// A retrieved passage as the record keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "SourceRecord.ts")]
pub struct SourceRecord {
    /// The number the answer cites it by; null when the budget dropped it.
    pub n: Option<usize>,
    #[ts(type = "number")]
    pub chunk_id: ChunkId,
    #[ts(type = "string")]
    pub document_id: DocumentId,
    pub document_name: String,
    #[ts(type = "number | null")]
    pub page: Option<i64>,
    /// The start of the passage's text on one line ([`SNIPPET_CHARS`]): what the citation
    /// quotes, and how the passage is found again after its document is re-indexed.
    pub snippet: String,
    /// The fused score.
    pub score: f64,
    pub keyword: Option<ComponentRank>,
    pub vector: Option<ComponentRank>,
    /// Set when the passage was read from a page's image by OCR: the recognizer's confidence,
    /// 0 to 1 (absent in records from before OCR).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ocr_confidence: Option<f64>,
}

impl SourceRecord {
    /// The record of `hit`, numbered `n` (or dropped).
    pub fn of(n: Option<usize>, hit: &Hit) -> SourceRecord {
        SourceRecord {
            n,
            chunk_id: hit.chunk_id,
            document_id: hit.document_id,
            document_name: hit.document_name.clone(),
            page: hit.page,
            snippet: text::quote(&hit.text, SNIPPET_CHARS),
            score: hit.score,
            keyword: hit.keyword,
            vector: hit.vector,
            ocr_confidence: hit.ocr_confidence,
        }
    }
}

/// The exact prompt sent, and where its tokens went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "PromptRecord.ts")]
pub struct PromptRecord {
    pub tokens: TokenCounts,
    pub messages: Vec<PromptMessage>,
    /// Which tokenizer counted the tokens (absent in answers stored before it was said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub counted_by: Option<String>,
}

/// Where a turn's time went, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(export_to = "Timings.ts")]
pub struct Timings {
    pub embed: f64,
    pub search: f64,
    pub prompt: f64,
    pub llm: f64,
}

/// Every citation mark `[n]` in an answer's text: where it stands and the number it cites.
pub fn citation_marks(content: &str) -> Vec<(std::ops::Range<usize>, usize)> {
    let mut marks = Vec::new();
    let mut from = 0;
    while let Some(open) = content[from..].find('[').map(|i| from + i) {
        let after = &content[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0
            && after[digits..].starts_with(']')
            && let Ok(n) = after[..digits].parse()
        {
            marks.push((open..open + digits + 2, n));
        }
        from = open + 1;
    }
    marks
}
