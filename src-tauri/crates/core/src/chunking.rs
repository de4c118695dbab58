//! Splitting text into chunks that each fit the embedding model's window, measured by the
//! model's own tokenizer (text-splitter does the splitting; Markdown-aware for Markdown).

use std::path::Path;

use text_splitter::{ChunkConfig, MarkdownSplitter, TextSplitter};
use tokenizers::Tokenizer;

use crate::embedding::MAX_TOKENS;
use crate::error::{Error, Result};
use crate::extract::DocType;

/// `[CLS]` and `[SEP]` take two of the model's tokens, so a chunk may have this many.
pub const MAX_CHUNK_TOKENS: usize = MAX_TOKENS - 2;
/// Tokens shared by neighbouring chunks, so a sentence cut at a boundary is still found whole.
pub const DEFAULT_OVERLAP_TOKENS: usize = 32;

/// One piece of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub ordinal: usize,
    pub text: String,
    /// Character offsets into the extracted text, end exclusive.
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

    /// Splits `text`; every chunk has at most `max_tokens` tokens.
    pub fn split(&self, doc_type: DocType, text: &str) -> Result<Vec<Chunk>> {
        let config = ChunkConfig::new(self.max_tokens)
            .with_overlap(self.overlap)
            .map_err(|e| Error::invalid(format!("chunk overlap: {e}")))?
            .with_sizer(&self.tokenizer);
        let pieces: Vec<(usize, &str)> = match doc_type {
            DocType::Markdown => {
                MarkdownSplitter::new(config).chunk_char_indices(text).map(|c| (c.char_offset, c.chunk)).collect()
            }
            DocType::Text => {
                TextSplitter::new(config).chunk_char_indices(text).map(|c| (c.char_offset, c.chunk)).collect()
            }
        };
        pieces
            .into_iter()
            .enumerate()
            .map(|(ordinal, (char_start, chunk))| {
                let token_count = self.count(chunk)?;
                Ok(Chunk {
                    ordinal,
                    text: chunk.to_owned(),
                    char_start,
                    char_end: char_start + chunk.chars().count(),
                    token_count,
                })
            })
            .collect()
    }

    /// Tokens in `text`, without the special tokens.
    pub fn count(&self, text: &str) -> Result<usize> {
        self.tokenizer
            .encode_fast(text, false)
            .map(|e| e.len())
            .map_err(|e| Error::ModelUnavailable(format!("the tokenizer failed: {e}")))
    }
}
