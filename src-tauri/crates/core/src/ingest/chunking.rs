//! Splitting text into chunks that each fit the embedding model's window, measured by the
//! model's own tokenizer (text-splitter does the splitting; Markdown-aware for Markdown). A
//! document is first cut into sections at its headings ([`super::sections`]): a chunk lies in one
//! section, knows its heading path, and never consists of a heading alone.

use std::path::Path;

use text_splitter::{ChunkConfig, MarkdownSplitter, TextSplitter};
use tokenizers::Tokenizer;

use super::extract::{Extracted, Markup};
use super::sections::{PageStarts, sections, whole_parts};
use crate::error::{Error, Result};
use crate::models::embedding::MAX_TOKENS;

/// What separates parts (pages) in a document's full text, which chunk offsets index.
pub const PART_SEPARATOR: &str = "\n\n";

/// `[CLS]` and `[SEP]` take two of the model's tokens, so a chunk may have this many.
pub const MAX_CHUNK_TOKENS: usize = MAX_TOKENS - 2;
/// Tokens shared by neighbouring chunks, so a sentence cut at a boundary is still found whole.
pub const DEFAULT_OVERLAP_TOKENS: usize = 32;

/// One piece of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub ordinal: usize,
    /// The passage as the document has it (no headings, no title).
    pub text: String,
    /// 1-based page where the passage starts, for paged formats. A passage runs onto the next
    /// page only when a paragraph does.
    pub page: Option<u32>,
    /// Character offsets into the extracted text (parts joined by [`PART_SEPARATOR`]), end exclusive.
    pub char_start: usize,
    pub char_end: usize,
    /// Tokens in `text`.
    pub token_count: usize,
    /// The headings the passage is under, outermost first.
    pub heading_path: Vec<String>,
    /// What is embedded and indexed ahead of the passage: the document's title and the heading
    /// path ("Title › 5 R Add-On Packages › 5.1 Which packages exist").
    pub context: String,
    /// Tokens in [`Chunk::embedded_text`], at most the chunker's maximum.
    pub embedded_tokens: usize,
    /// Where the passage's lines are on their pages (PDFs).
    pub boxes: Vec<PageBox>,
    /// Set when the passage was read from a page's image by OCR: the recognizer's confidence
    /// (the lowest of its pages'), 0 to 1.
    pub ocr_confidence: Option<f32>,
}

impl Chunk {
    /// The text the embedding model reads: the context, then the passage.
    pub fn embedded_text(&self) -> String {
        with_context(&self.context, &self.text)
    }
}

/// The context ahead of a passage, as the embedding model and keyword search read it.
pub fn with_context(context: &str, text: &str) -> String {
    if context.is_empty() { text.to_owned() } else { format!("{context}{CONTEXT_SEPARATOR}{text}") }
}

/// The boxes of the lines that overlap characters `start..end`; `boxes` are in text order.
fn boxes_within(boxes: &[(usize, usize, PageBox)], start: usize, end: usize) -> Vec<PageBox> {
    let first = boxes.partition_point(|(_, line_end, _)| *line_end <= start);
    boxes[first..].iter().take_while(|(line_start, _, _)| *line_start < end).map(|(_, _, b)| *b).collect()
}

/// Between the context and the passage.
const CONTEXT_SEPARATOR: &str = "\n\n";
/// Between the title and the headings of a context.
pub const PATH_SEPARATOR: &str = " › ";

/// A line's box on a page, in PDF points (`[left, bottom, right, top]`, origin bottom left).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PageBox {
    pub page: u32,
    pub rect: [f32; 4],
}

/// What of a document's structure the chunker uses: all of it unless an evaluation turns a
/// part off to measure what it adds (`hearth eval … --without sections|context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Structure {
    /// Cut at headings (else each part is split as one text, headings in it).
    pub sections: bool,
    /// Embed and index the title and heading path ahead of each passage.
    pub context: bool,
}

impl Default for Structure {
    fn default() -> Self {
        Structure { sections: true, context: true }
    }
}

impl PageBox {
    /// Boxes as `chunks.boxes` stores them: `[[page, left, bottom, right, top], …]`, rounded to a
    /// tenth of a point; `None` when there are none.
    pub fn to_stored(boxes: &[PageBox]) -> Option<String> {
        let rows: Vec<[f32; 5]> = boxes
            .iter()
            .map(|b| {
                let r = b.rect.map(|v| (v * 10.0).round() / 10.0);
                [b.page as f32, r[0], r[1], r[2], r[3]]
            })
            .collect();
        (!rows.is_empty()).then(|| serde_json::to_string(&rows).expect("numbers serialize"))
    }

    /// Reads what [`PageBox::to_stored`] wrote; unreadable boxes are none, so the passage still
    /// opens as text.
    pub fn from_stored(json: Option<&str>) -> Vec<PageBox> {
        let rows: Vec<[f32; 5]> = json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        rows.into_iter()
            .filter(|r| r[0] >= 1.0)
            .map(|r| PageBox { page: r[0] as u32, rect: [r[1], r[2], r[3], r[4]] })
            .collect()
    }
}

/// Splits text by token count.
pub struct Chunker {
    tokenizer: Tokenizer,
    max_tokens: usize,
    overlap: usize,
    structure: Structure,
}

impl Chunker {
    /// Loads the tokenizer from the model directory. `max_tokens` may be at most
    /// [`MAX_CHUNK_TOKENS`]; `overlap` must be smaller than `max_tokens`.
    pub fn load(model_dir: &Path, max_tokens: usize, overlap: usize) -> Result<Chunker> {
        if !(16..=MAX_CHUNK_TOKENS).contains(&max_tokens) || overlap >= max_tokens {
            return Err(Error::invalid(format!(
                "chunk size must be 16 to {MAX_CHUNK_TOKENS} tokens and overlap smaller than it (got {max_tokens}, {overlap})"
            )));
        }
        let path = model_dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&path)
            .map_err(|e| Error::ModelUnavailable(format!("cannot load the tokenizer {}: {e}", path.display())))?;
        // tokenizer.json pins truncation (128) and padding; either would under-count long text.
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::ModelUnavailable(format!("cannot configure the tokenizer: {e}")))?;
        tokenizer.with_padding(None);
        Ok(Chunker { tokenizer, max_tokens, overlap, structure: Structure::default() })
    }

    /// The same chunker using only `structure` of a document's structure.
    pub fn with_structure(self, structure: Structure) -> Chunker {
        Chunker { structure, ..self }
    }

    /// Splits a document section by section (see [`sections`]); every chunk's embedded text —
    /// `title`, heading path and passage — has at most `max_tokens` tokens.
    pub fn split(&self, document: &Extracted, title: &str) -> Result<Vec<Chunk>> {
        let full: String = document.parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(PART_SEPARATOR);
        let pages = PageStarts::of(document);
        let boxes = pages.boxes(document);
        let (mut byte_base, mut char_base) = (0, 0);
        let mut chunks = Vec::new();
        let sections = if self.structure.sections { sections(document) } else { whole_parts(document) };
        for section in sections {
            let context = if self.structure.context { self.context(title, &section.path)? } else { String::new() };
            let context_tokens = if context.is_empty() { 0 } else { self.count(&with_context(&context, ""))? };
            let budget = self.max_tokens - context_tokens;
            let text = &full[section.start..section.end];
            // Sections come in text order: count characters from the previous one's start only.
            if section.start < byte_base {
                (byte_base, char_base) = (0, 0);
            }
            char_base += full[byte_base..section.start].chars().count();
            byte_base = section.start;
            for (char_start, piece) in self.split_text(document.markup, text, budget)? {
                let start = char_base + char_start;
                let end = start + piece.chars().count();
                let token_count = self.count(piece)?;
                chunks.push(Chunk {
                    ordinal: chunks.len(),
                    text: piece.to_owned(),
                    page: pages.page_at(start),
                    char_start: start,
                    char_end: end,
                    token_count,
                    heading_path: section.path.clone(),
                    context: context.clone(),
                    embedded_tokens: token_count + context_tokens,
                    boxes: boxes_within(&boxes, start, end),
                    ocr_confidence: pages.ocr_confidence(document, start, end),
                });
            }
        }
        Ok(chunks)
    }

    /// The title and the heading path, cut (innermost headings kept) to a third of a chunk.
    fn context(&self, title: &str, path: &[String]) -> Result<String> {
        let mut path: Vec<&str> = path.iter().map(String::as_str).collect();
        // A page whose first heading repeats its title ("Volcanoes of Iceland › Volcanoes of
        // Iceland") says it once.
        if path.first().is_some_and(|first| first.trim().eq_ignore_ascii_case(title.trim())) {
            path.remove(0);
        }
        loop {
            let context = std::iter::once(title.trim())
                .chain(path.iter().copied())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(PATH_SEPARATOR);
            if context.is_empty() || self.count(&context)? <= self.max_tokens / 3 {
                return Ok(context);
            }
            if path.is_empty() {
                // A title longer than a third of a chunk: keep its start.
                let words: Vec<&str> = context.split_whitespace().take(self.max_tokens / 6).collect();
                return Ok(words.join(" "));
            }
            path.remove(0);
        }
    }

    fn split_text<'t>(&self, markup: Markup, text: &'t str, max_tokens: usize) -> Result<Vec<(usize, &'t str)>> {
        let config = ChunkConfig::new(max_tokens)
            .with_overlap(self.overlap.min(max_tokens / 2))
            .map_err(|e| Error::invalid(format!("chunk overlap: {e}")))?
            .with_sizer(&self.tokenizer);
        Ok(match markup {
            Markup::Markdown => {
                MarkdownSplitter::new(config).chunk_char_indices(text).map(|c| (c.char_offset, c.chunk)).collect()
            }
            Markup::Plain => {
                TextSplitter::new(config).chunk_char_indices(text).map(|c| (c.char_offset, c.chunk)).collect()
            }
        })
    }

    /// Tokens in `text`, without the special tokens.
    pub fn count(&self, text: &str) -> Result<usize> {
        self.tokenizer
            .encode_fast(text, false)
            .map(|e| e.len())
            .map_err(|e| Error::ModelUnavailable(format!("the tokenizer failed: {e}")))
    }
}
