use hearth_core::retrieval::passages::{Passage, Run};
use serde::Serialize;
use ts_rs::TS;

use super::ChunkDto;

/// A piece of a passage's text; `matched` pieces are words of the question (shown highlighted).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "TextRunDto.ts")]
pub struct TextRunDto {
    pub text: String,
    pub matched: bool,
}

impl From<Run> for TextRunDto {
    fn from(r: Run) -> Self {
        TextRunDto { text: r.text, matched: r.matched }
    }
}

/// A chunk opened from a citation or a search result: its document, and its whole text as runs.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "PassageDto.ts")]
pub struct PassageDto {
    pub chunk: ChunkDto,
    pub document_id: String,
    pub document_name: String,
    /// `pdf`, `docx`, `html`, `markdown` or `text`.
    pub document_type: String,
    pub runs: Vec<TextRunDto>,
}

impl From<Passage> for PassageDto {
    fn from(p: Passage) -> Self {
        PassageDto {
            chunk: p.chunk.into(),
            document_id: p.document_id.to_string(),
            document_name: p.document_name,
            document_type: p.document_type,
            runs: p.runs.into_iter().map(Into::into).collect(),
        }
    }
}
