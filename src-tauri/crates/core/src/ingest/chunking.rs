//! Splitting text into chunks that each fit the embedding model's window, measured by the
//! model's own tokenizer (text-splitter does the splitting; Markdown-aware for Markdown).

use std::path::Path;

use text_splitter::{ChunkConfig, MarkdownSplitter, TextSplitter};
use tokenizers::Tokenizer;

use super::extract::{Extracted, Markup};
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
    pub text: String,
    /// 1-based page, for paged formats. A chunk never spans pages.
    pub page: Option<u32>,
    /// Character offsets into the extracted text (parts joined by [`PART_SEPARATOR`]), end exclusive.
    pub char_start: usize,
    pub char_end: usize,
    pub token_count: usize,
}

/// Splits text by token count.
pub struct Chunker {
    tokenizer: Tokenizer,
    max_tokens: usize,
    overlap: usize,
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
        Ok(Chunker { tokenizer, max_tokens, overlap })
    }

    /// Splits a document, page by page; every chunk has at most `max_tokens` tokens.
    pub fn split(&self, document: &Extracted) -> Result<Vec<Chunk>> {
        let mut chunks = Vec::new();
        let mut offset = 0;
        for part in &document.parts {
            for (char_start, text) in self.split_text(document.markup, &part.text)? {
                let token_count = self.count(text)?;
                chunks.push(Chunk {
                    ordinal: chunks.len(),
                    text: text.to_owned(),
                    page: part.page,
                    char_start: offset + char_start,
                    char_end: offset + char_start + text.chars().count(),
                    token_count,
                });
            }
            offset += part.text.chars().count() + PART_SEPARATOR.len();
        }
        Ok(chunks)
    }

    fn split_text<'t>(&self, markup: Markup, text: &'t str) -> Result<Vec<(usize, &'t str)>> {
        let config = ChunkConfig::new(self.max_tokens)
            .with_overlap(self.overlap)
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
