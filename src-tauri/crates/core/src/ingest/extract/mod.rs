//! Turning a file's bytes into text, one part per page for paged formats. Every parser runs on
//! its own thread with a panic guard, and in the app and the CLI inside a worker process with a
//! time and a memory limit ([`worker`]), so a hostile or broken file fails alone, with a reason,
//! instead of taking the app down or hanging the queue.

mod docx;
mod html;
mod markdown_writer;
pub mod pdf;
mod pdf_text;
mod text;
pub mod worker;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::Duration;

pub use text::decode_text;
pub use worker::{Parsers, WorkerCommand};

use crate::error::{Error, Result};

/// How long one file's parser may run before the file is given up on.
pub const PARSE_TIMEOUT: Duration = Duration::from_secs(120);
/// Parsers recurse over nested structure; a deep stack keeps hostile nesting from overflowing it.
const PARSER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// The kinds of document Hearth reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocType {
    Text,
    Markdown,
    Html,
    Pdf,
    Docx,
}

impl DocType {
    /// Decides by file extension; anything else is refused with a clear message.
    pub fn from_path(path: &Path) -> Result<DocType> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("txt" | "text" | "log" | "csv") => Ok(DocType::Text),
            Some("md" | "markdown" | "mdown") => Ok(DocType::Markdown),
            Some("html" | "htm" | "xhtml") => Ok(DocType::Html),
            Some("pdf") => Ok(DocType::Pdf),
            Some("docx") => Ok(DocType::Docx),
            _ => Err(Error::invalid(format!(
                "{} is not a supported document type (supported: PDF, DOCX, HTML, Markdown, plain text)",
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            ))),
        }
    }

    /// The stored (and wire) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Text => "text",
            DocType::Markdown => "markdown",
            DocType::Html => "html",
            DocType::Pdf => "pdf",
            DocType::Docx => "docx",
        }
    }

    /// Reads the stored spelling back.
    pub fn parse(text: &str) -> Option<DocType> {
        [DocType::Text, DocType::Markdown, DocType::Html, DocType::Pdf, DocType::Docx]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

/// How extracted text is structured, which decides how it is split into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Markup {
    Plain,
    /// Headings, lists and tables written as Markdown (HTML and DOCX are converted to it).
    Markdown,
}

/// A run of a document's text: a page of a PDF, or the whole of anything else.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// 1-based page number, for paged formats.
    pub page: Option<u32>,
    pub text: String,
    /// Where each line of `text` is on the page (PDFs), in order.
    #[serde(default)]
    pub lines: Vec<LineBox>,
}

/// A line of a page's text and its box on the page.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineBox {
    /// Character offsets into the part's text, end exclusive.
    pub start: u32,
    pub end: u32,
    /// `[left, bottom, right, top]` in PDF points, origin at the page's bottom left.
    pub rect: [f32; 4],
}

/// A document's text in reading order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Extracted {
    pub parts: Vec<Part>,
    /// Page count, for paged formats (pages without text included).
    pub pages: Option<u32>,
    pub markup: Markup,
    /// The title the document gives itself (a PDF's metadata, an HTML page's `<title>`), if any.
    #[serde(default)]
    pub title: Option<String>,
}

/// Extracts the text of `bytes` as `doc_type`, within [`PARSE_TIMEOUT`].
pub fn extract(doc_type: DocType, bytes: Arc<[u8]>) -> Result<Extracted> {
    extract_within(doc_type, bytes, PARSE_TIMEOUT)
}

/// [`extract`] with a chosen time limit.
pub fn extract_within(doc_type: DocType, bytes: Arc<[u8]>, timeout: Duration) -> Result<Extracted> {
    let extracted = guarded(doc_type.as_str(), timeout, move || match doc_type {
        DocType::Text => Ok(whole(decode_text(&bytes), Markup::Plain)),
        DocType::Markdown => Ok(whole(decode_text(&bytes), Markup::Markdown)),
        DocType::Html => {
            let page = html::read(&decode_text(&bytes));
            Ok(Extracted { title: page.title, ..whole(page.text, Markup::Markdown) })
        }
        DocType::Docx => docx::to_markdown(&bytes).map(|text| whole(text, Markup::Markdown)),
        DocType::Pdf => pdf::pages(&bytes),
    })?;
    if extracted.parts.iter().all(|p| p.text.trim().is_empty()) {
        return Err(Error::invalid(match doc_type {
            DocType::Pdf => "this PDF has no text layer (it looks scanned); Hearth cannot read text in images",
            _ => "the document has no text",
        }));
    }
    Ok(extracted)
}

/// Draws page `page` (1-based) of the PDF in `bytes`, `width` pixels wide, within `timeout`.
pub fn render_within(bytes: Arc<[u8]>, page: u32, width: u32, timeout: Duration) -> Result<pdf::RenderedPage> {
    guarded("pdf", timeout, move || pdf::render(&bytes, page, width))
}

fn whole(text: String, markup: Markup) -> Extracted {
    Extracted { parts: vec![Part { page: None, text, lines: Vec::new() }], pages: None, markup, title: None }
}

/// Runs `parse` on its own thread: a panic or an overrun becomes an error for this file only.
/// A parser that overruns cannot be stopped from outside; its thread is left to finish and its
/// result is dropped.
fn guarded<T: Send + 'static>(
    what: &str,
    timeout: Duration,
    parse: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("extract-{what}"))
        .stack_size(PARSER_STACK_BYTES)
        .spawn(move || {
            // The receiver may be gone after a timeout; nobody is left to tell.
            let _ = sender.send(catch_unwind(AssertUnwindSafe(parse)));
        })
        .map_err(|source| Error::Io { context: "starting a parser thread".into(), source })?;
    match receiver.recv_timeout(timeout) {
        Ok(Ok(result)) => result,
        Ok(Err(_panic)) => {
            Err(Error::invalid(format!("the {what} reader crashed on this file; it is probably corrupt or truncated")))
        }
        Err(_) => Err(Error::invalid(format!(
            "reading this file took longer than {} s; it is probably corrupt or too complex",
            timeout.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parser_that_panics_is_an_error_for_that_file() {
        let result: Result<()> = guarded("test", Duration::from_secs(5), || panic!("boom"));
        let message = result.unwrap_err().to_string();
        assert!(message.contains("crashed"), "{message}");
    }

    #[test]
    fn a_parser_that_hangs_is_given_up_on() {
        let started = std::time::Instant::now();
        let result: Result<()> = guarded("test", Duration::from_millis(200), || {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        });
        assert!(result.unwrap_err().to_string().contains("took longer than"));
        assert!(started.elapsed() < Duration::from_secs(2), "the caller did not wait for the parser");
    }
}
