//! Turning a file's bytes into text, one part per page for paged formats. Every parser runs on
//! its own thread with a panic guard, and in the app and the CLI inside a worker process with a
//! time and a memory limit ([`worker`]), so a hostile or broken file fails alone, with a reason,
//! instead of taking the app down or hanging the queue.

mod docx;
mod html;
mod markdown_writer;
pub mod ocr;
pub mod pdf;
mod pdf_text;
mod picture;
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
    /// A picture of text (a scan, a photographed page): PNG, JPEG or TIFF, read by OCR.
    Image,
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
            Some("png" | "jpg" | "jpeg" | "tif" | "tiff") => Ok(DocType::Image),
            _ => Err(Error::invalid(format!(
                "{} is not a supported document type (supported: PDF, DOCX, HTML, Markdown, plain text, and \
                 images of text: PNG, JPEG, TIFF)",
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
            DocType::Image => "image",
        }
    }

    /// Reads the stored spelling back.
    pub fn parse(text: &str) -> Option<DocType> {
        [DocType::Text, DocType::Markdown, DocType::Html, DocType::Pdf, DocType::Docx, DocType::Image]
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
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// 1-based page number, for paged formats.
    pub page: Option<u32>,
    pub text: String,
    /// Where each line of `text` is on the page (PDFs), in order.
    #[serde(default)]
    pub lines: Vec<LineBox>,
    /// Set when the text was read from the page's image by OCR: the recognizer's mean
    /// confidence over the page's characters, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr_confidence: Option<f32>,
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
    /// Pages whose text was read from their image by OCR.
    #[serde(default)]
    pub ocr_pages: u32,
}

/// How a document is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExtractOptions {
    /// Pages without a text layer, and images, are read by OCR, drawn at this resolution (dots
    /// per inch); `None` leaves them unread.
    pub ocr_dpi: Option<u32>,
}

impl ExtractOptions {
    /// The resolution scanned pages are drawn at for OCR unless a person chooses another.
    pub const DEFAULT_OCR_DPI: u32 = 200;
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions { ocr_dpi: Some(Self::DEFAULT_OCR_DPI) }
    }
}

/// How far a long read has come: OCR of page `page` of the `pages` that need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReadProgress {
    pub page: u32,
    pub pages: u32,
}

/// Extracts the text of `bytes` as `doc_type`, within [`PARSE_TIMEOUT`], with the default options.
pub fn extract(doc_type: DocType, bytes: Arc<[u8]>) -> Result<Extracted> {
    extract_within(doc_type, bytes, ExtractOptions::default(), PARSE_TIMEOUT, &mut |_| {})
}

/// [`extract`] with chosen options and time limit: `timeout` is for the whole file, or for each
/// page when pages are read by OCR (told to `progress` as they start).
pub fn extract_within(
    doc_type: DocType,
    bytes: Arc<[u8]>,
    options: ExtractOptions,
    timeout: Duration,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<Extracted> {
    let extracted = guarded(doc_type.as_str(), timeout, progress, move |report| match doc_type {
        DocType::Text => Ok(whole(decode_text(&bytes), Markup::Plain)),
        DocType::Markdown => Ok(whole(decode_text(&bytes), Markup::Markdown)),
        DocType::Html => {
            let page = html::read(&decode_text(&bytes));
            Ok(Extracted { title: page.title, ..whole(page.text, Markup::Markdown) })
        }
        DocType::Docx => docx::to_markdown(&bytes).map(|text| whole(text, Markup::Markdown)),
        DocType::Pdf => pdf::pages(&bytes, options, report),
        DocType::Image => picture::read(&bytes, options, report),
    })?;
    if extracted.parts.iter().all(|p| p.text.trim().is_empty()) {
        return Err(Error::invalid(match (doc_type, options.ocr_dpi) {
            (DocType::Pdf, Some(_)) => "this PDF has no text, neither in a text layer nor in its pages' images",
            (DocType::Pdf, None) => {
                "this PDF has no text layer (it looks scanned), and reading text in images (OCR) is turned off in \
                 Settings"
            }
            (DocType::Image, _) => "no text was found in this image",
            _ => "the document has no text",
        }));
    }
    Ok(extracted)
}

/// Draws page `page` (1-based) of a PDF (or the one page of an image) in `bytes`, `width`
/// pixels wide, within `timeout`.
pub fn render_within(
    doc_type: DocType,
    bytes: Arc<[u8]>,
    page: u32,
    width: u32,
    timeout: Duration,
) -> Result<pdf::RenderedPage> {
    guarded(doc_type.as_str(), timeout, &mut |_| {}, move |_| match doc_type {
        DocType::Pdf => pdf::render(&bytes, page, width),
        DocType::Image => picture::render(&bytes, page, width),
        _ => Err(Error::invalid("only PDFs and images have pages to show")),
    })
}

fn whole(text: String, markup: Markup) -> Extracted {
    Extracted { parts: vec![Part { text, ..Part::default() }], pages: None, markup, title: None, ocr_pages: 0 }
}

/// What a parser thread sends: how far it is, then its result (or its panic).
enum FromParser<T> {
    Progress(ReadProgress),
    Done(std::thread::Result<Result<T>>),
}

/// Runs `parse` on its own thread: a panic or an overrun becomes an error for this file only.
/// What `parse` reports goes to `progress`, and restarts the clock (a long scan is slow page by
/// page, not stuck). A parser that overruns cannot be stopped from outside; its thread is left
/// to finish and its result is dropped.
fn guarded<T: Send + 'static>(
    what: &str,
    timeout: Duration,
    progress: &mut dyn FnMut(ReadProgress),
    parse: impl FnOnce(&mut dyn FnMut(ReadProgress)) -> Result<T> + Send + 'static,
) -> Result<T> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("extract-{what}"))
        .stack_size(PARSER_STACK_BYTES)
        .spawn(move || {
            let reports = sender.clone();
            let mut report = move |p| {
                let _ = reports.send(FromParser::Progress(p));
            };
            // The receiver may be gone after a timeout; nobody is left to tell.
            let _ = sender.send(FromParser::Done(catch_unwind(AssertUnwindSafe(move || parse(&mut report)))));
        })
        .map_err(|source| Error::Io { context: "starting a parser thread".into(), source })?;
    loop {
        match receiver.recv_timeout(timeout) {
            Ok(FromParser::Progress(p)) => progress(p),
            Ok(FromParser::Done(Ok(result))) => return result,
            Ok(FromParser::Done(Err(_panic))) => {
                return Err(Error::invalid(format!(
                    "the {what} reader crashed on this file; it is probably corrupt or truncated"
                )));
            }
            Err(_) => {
                return Err(Error::invalid(format!(
                    "reading this file took longer than {} s; it is probably corrupt or too complex",
                    timeout.as_secs()
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parser_that_panics_is_an_error_for_that_file() {
        let result: Result<()> = guarded("test", Duration::from_secs(5), &mut |_| {}, |_| panic!("boom"));
        let message = result.unwrap_err().to_string();
        assert!(message.contains("crashed"), "{message}");
    }

    #[test]
    fn a_parser_that_hangs_is_given_up_on() {
        let started = std::time::Instant::now();
        let result: Result<()> = guarded("test", Duration::from_millis(200), &mut |_| {}, |_| {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        });
        assert!(result.unwrap_err().to_string().contains("took longer than"));
        assert!(started.elapsed() < Duration::from_secs(2), "the caller did not wait for the parser");
    }
}
