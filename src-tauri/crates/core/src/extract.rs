//! Turning a file's bytes into text. Text encodings are detected, never assumed: a byte-order
//! mark decides first, then strict UTF-8, then chardetng's guess among legacy 8-bit encodings.

use std::path::Path;

use crate::error::{Error, Result};

/// The kinds of document Hearth can read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocType {
    Text,
    Markdown,
}

impl DocType {
    /// Decides by file extension; anything else is refused with a clear message.
    pub fn from_path(path: &Path) -> Result<DocType> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("txt" | "text" | "log" | "csv") => Ok(DocType::Text),
            Some("md" | "markdown" | "mdown") => Ok(DocType::Markdown),
            _ => Err(Error::invalid(format!(
                "{} is not a supported document type (supported so far: .txt, .md)",
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            ))),
        }
    }

    /// The stored (and wire) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Text => "text",
            DocType::Markdown => "markdown",
        }
    }
}

/// A document's text and, where the format has them, its pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub text: String,
}

/// Extracts the text of `bytes` as `doc_type`.
pub fn extract(doc_type: DocType, bytes: &[u8]) -> Result<Extracted> {
    let text = match doc_type {
        DocType::Text | DocType::Markdown => decode_text(bytes),
    };
    if text.trim().is_empty() {
        return Err(Error::invalid("the document has no text"));
    }
    Ok(Extracted { text })
}

/// Decodes text whatever its encoding: BOM (UTF-8, UTF-16 LE/BE), else valid UTF-8, else the
/// legacy encoding chardetng detects.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, true);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}
