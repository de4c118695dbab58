use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hearth_core::ingest::extract::pdf::RenderedPage;
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
    /// Where the passage's lines are on the PDF's pages (empty for other formats).
    pub boxes: Vec<PageBoxDto>,
}

/// A line of a passage on a PDF page: `[left, bottom, right, top]` in PDF points, origin at
/// the page's bottom left.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[ts(export_to = "PageBoxDto.ts")]
pub struct PageBoxDto {
    pub page: u32,
    pub rect: [f32; 4],
}

/// A PDF page drawn as an image, and the sizes that place a passage's boxes on it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "PageImageDto.ts")]
pub struct PageImageDto {
    /// The image as a `data:image/png;base64,…` URL.
    pub src: String,
    pub width_px: u32,
    pub height_px: u32,
    /// The page's size in PDF points.
    pub width_pt: f32,
    pub height_pt: f32,
    /// Pages in the document.
    pub pages: u32,
}

impl From<&RenderedPage> for PageImageDto {
    fn from(page: &RenderedPage) -> Self {
        PageImageDto {
            src: format!("data:image/png;base64,{}", BASE64.encode(&page.png)),
            width_px: page.width_px,
            height_px: page.height_px,
            width_pt: page.width_pt,
            height_pt: page.height_pt,
            pages: page.pages,
        }
    }
}

impl From<Passage> for PassageDto {
    fn from(p: Passage) -> Self {
        PassageDto {
            chunk: p.chunk.into(),
            document_id: p.document_id.to_string(),
            document_name: p.document_name,
            document_type: p.document_type,
            runs: p.runs.into_iter().map(Into::into).collect(),
            boxes: p.boxes.into_iter().map(|b| PageBoxDto { page: b.page, rect: b.rect }).collect(),
        }
    }
}
