//! PDF through PDFium (the PDF engine of Chrome), bound at run time to the `libpdfium.so` that
//! `scripts/fetch_model.py` provisions in `models/pdfium/` (bundled with the app; never
//! downloaded at run time): each page's lines with their character boxes and fonts, the outline
//! and the title, from which `pdf_text` rebuilds what a reader sees; and a page rendered as an
//! image. A file "protected" with the empty user password opens; one with a real password is
//! refused with a clear reason. PDFium is native code reading untrusted files: in the app and the
//! CLI it runs in the parser worker (`worker.rs`).

use std::path::PathBuf;
use std::sync::OnceLock;

use pdfium_render::prelude::{
    PdfDocument, PdfDocumentMetadataTagType, PdfFontWeight, PdfPage, PdfPageTextChar, PdfRenderConfig, Pdfium,
    PdfiumError, PdfiumInternalError,
};

use super::pdf_text::{self, Line, OutlineEntry, PageLines};
use super::{Extracted, Markup};
use crate::error::{Error, Result};
use crate::models::embedding::locate_model_dir;
use crate::text;

/// Names the PDFium library to use, when it is not beside the embedding model.
pub const PDFIUM_ENV: &str = "HEARTH_PDFIUM_LIBRARY";
/// The widest page image rendered, in pixels: a 4K screen's width.
pub const MAX_RENDER_WIDTH: u32 = 4096;

/// Where the PDFium library is: `$HEARTH_PDFIUM_LIBRARY`, else `models/pdfium/libpdfium.so` next
/// to the embedding model's folder (the bundle's or the repository's).
pub fn library_path() -> PathBuf {
    match std::env::var_os(PDFIUM_ENV).filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => library_beside(&locate_model_dir(None)),
    }
}

/// The PDFium library that belongs with the embedding model in `model_dir`.
pub fn library_beside(model_dir: &std::path::Path) -> PathBuf {
    model_dir.parent().unwrap_or(model_dir).join("pdfium").join(pdfium_file_name())
}

fn pdfium_file_name() -> String {
    Pdfium::pdfium_platform_library_name().to_string_lossy().into_owned()
}

/// PDFium, bound once per process.
fn pdfium() -> Result<&'static Pdfium> {
    static PDFIUM: OnceLock<std::result::Result<Pdfium, String>> = OnceLock::new();
    PDFIUM
        .get_or_init(|| {
            let path = library_path();
            Pdfium::bind_to_library(&path).map(Pdfium::new).map_err(|e| {
                format!("PDFium is missing or broken at {} ({e}); run `python3 scripts/fetch_model.py`", path.display())
            })
        })
        .as_ref()
        .map_err(|e| Error::ModelUnavailable(e.clone()))
}

/// The text of every page, in order, with the boxes of its lines.
pub fn pages(bytes: &[u8]) -> Result<Extracted> {
    let document = open(pdfium()?, bytes)?;
    let count = u32::try_from(document.pages().len()).unwrap_or(0);
    let mut pages = Vec::with_capacity(count as usize);
    for (index, page) in document.pages().iter().enumerate() {
        pages.push(
            page_lines(&page)
                .map_err(|e| Error::invalid(format!("page {} of this PDF could not be read: {e}", index + 1)))?,
        );
    }
    let title = document
        .metadata()
        .get(PdfDocumentMetadataTagType::Title)
        .map(|t| text::one_line(t.value()))
        .filter(|t| !t.is_empty());
    let parts = pdf_text::layout(&pages, &outline(&document));
    Ok(Extracted { parts, pages: Some(count), markup: Markup::Markdown, title })
}

/// A page's lines as PDFium orders its characters: a line ends at PDFium's own line break, or
/// where the next character sits above or below the line.
fn page_lines(page: &PdfPage) -> std::result::Result<PageLines, PdfiumError> {
    let text = page.text()?;
    let chars = text.chars();
    let mut lines = Vec::new();
    let mut current = LineBuilder::default();
    for ch in chars.iter() {
        let Some(c) = ch.unicode_char() else { continue };
        if c == '\r' || c == '\n' {
            current.finish(&chars, &mut lines);
            continue;
        }
        if c.is_whitespace() || c.is_control() && c != '\u{2}' {
            current.space();
            continue;
        }
        let Ok(bounds) = ch.loose_bounds() else { continue };
        let rect = [bounds.left().value, bounds.bottom().value, bounds.right().value, bounds.top().value];
        if current.off_line(rect) {
            current.finish(&chars, &mut lines);
        }
        // PDFium marks a hyphen it found at a line's end with U+0002; it is a hyphen here, and
        // the paragraph builder decides whether it joins a word.
        current.push(if c == '\u{2}' { '-' } else { c }, rect, ch.scaled_font_size().value, ch.index());
    }
    current.finish(&chars, &mut lines);
    Ok(PageLines { lines })
}

/// The line being read.
#[derive(Default)]
struct LineBuilder {
    text: String,
    rect: Option<[f32; 4]>,
    size: f32,
    spaced: bool,
    /// PDFium's indexes of the visible characters, for sampling the line's font.
    indexes: Vec<usize>,
}

impl LineBuilder {
    fn space(&mut self) {
        self.spaced = !self.text.is_empty();
    }

    /// Whether a character at `rect` is on another line: its middle is outside this line's height.
    fn off_line(&self, rect: [f32; 4]) -> bool {
        self.rect.is_some_and(|line| {
            let middle = (rect[1] + rect[3]) / 2.0;
            middle < line[1] || middle > line[3]
        })
    }

    fn push(&mut self, c: char, rect: [f32; 4], size: f32, index: usize) {
        if self.spaced {
            self.text.push(' ');
            self.spaced = false;
        }
        self.text.push(c);
        self.rect = Some(match self.rect {
            Some(r) => [r[0].min(rect[0]), r[1].min(rect[1]), r[2].max(rect[2]), r[3].max(rect[3])],
            None => rect,
        });
        self.size = self.size.max(size);
        self.indexes.push(index);
    }

    fn finish(&mut self, chars: &pdfium_render::prelude::PdfPageTextChars, lines: &mut Vec<Line>) {
        let builder = std::mem::take(self);
        let Some(rect) = builder.rect else { return };
        // The font of three characters (first, middle, last) stands for the line's: asking for
        // every character's font name costs more than the rest of reading the page.
        let n = builder.indexes.len();
        let samples: Vec<PdfPageTextChar> =
            [0, n / 2, n - 1].iter().filter_map(|&i| chars.get(builder.indexes[i]).ok()).collect();
        let most =
            |test: &dyn Fn(&PdfPageTextChar) -> bool| samples.iter().filter(|c| test(c)).count() * 2 > samples.len();
        lines.push(Line { text: builder.text, rect, size: builder.size, bold: most(&is_bold), mono: most(&is_mono) });
    }
}

fn is_bold(ch: &PdfPageTextChar) -> bool {
    let heavy = matches!(
        ch.font_weight(),
        Some(
            PdfFontWeight::Weight600
                | PdfFontWeight::Weight700Bold
                | PdfFontWeight::Weight800
                | PdfFontWeight::Weight900
        )
    );
    let name = ch.font_name().to_ascii_lowercase();
    heavy || ["bold", "black", "heavy", "cmbx", "-bd"].iter().any(|n| name.contains(n))
}

fn is_mono(ch: &PdfPageTextChar) -> bool {
    let name = ch.font_name().to_ascii_lowercase();
    ch.font_is_fixed_pitch() || ["mono", "courier", "cmtt", "typewriter", "consol"].iter().any(|n| name.contains(n))
}

/// The outline's entries that point at a page, with their depth.
fn outline(document: &PdfDocument) -> Vec<OutlineEntry> {
    let mut entries = Vec::new();
    for bookmark in document.bookmarks().iter() {
        let Some(title) = bookmark.title().filter(|t| !t.trim().is_empty()) else { continue };
        let Some(page) = bookmark.destination().and_then(|d| d.page_index().ok()) else { continue };
        let mut level = 1;
        let mut parent = bookmark.parent();
        while let Some(p) = parent {
            level += 1;
            parent = p.parent();
        }
        entries.push(OutlineEntry { title, level, page: page.max(0) as usize });
    }
    entries
}

/// A page drawn as an image.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedPage {
    /// PNG.
    pub png: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
    /// The page's size in PDF points, which line boxes are measured in.
    pub width_pt: f32,
    pub height_pt: f32,
    /// Pages in the document.
    pub pages: u32,
}

/// Draws page `page` (1-based) of the PDF in `bytes`, `width_px` pixels wide.
pub fn render(bytes: &[u8], page: u32, width_px: u32) -> Result<RenderedPage> {
    let document = open(pdfium()?, bytes)?;
    let pages = u32::try_from(document.pages().len()).unwrap_or(0);
    if page == 0 || page > pages {
        return Err(Error::invalid(format!("this PDF has {pages} pages; there is no page {page}")));
    }
    let pdf_page = document
        .pages()
        .get((page - 1) as i32)
        .map_err(|e| Error::invalid(format!("page {page} of this PDF could not be read: {e}")))?;
    let config = PdfRenderConfig::new()
        .set_target_width(width_px.clamp(16, MAX_RENDER_WIDTH) as i32)
        .render_form_data(true)
        .render_annotations(true);
    let bitmap = pdf_page
        .render_with_config(&config)
        .map_err(|e| Error::invalid(format!("page {page} of this PDF could not be drawn: {e}")))?;
    let (width, height) = (bitmap.width() as u32, bitmap.height() as u32);
    Ok(RenderedPage {
        png: encode_png(&bitmap.as_rgba_bytes(), width, height)?,
        width_px: width,
        height_px: height,
        width_pt: pdf_page.width().value,
        height_pt: pdf_page.height().value,
        pages,
    })
}

fn encode_png(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let failed = |e: png::EncodingError| Error::invalid(format!("the page image could not be written: {e}"));
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    // Page images are mostly flat paper and text: the fast setting is nearly as small.
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(rgba).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

fn open<'a>(pdfium: &'a Pdfium, bytes: &'a [u8]) -> Result<PdfDocument<'a>> {
    pdfium.load_pdf_from_byte_slice(bytes, None).map_err(|e| match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
            Error::invalid("this PDF is encrypted with a password; open it, save an unprotected copy and add that")
        }
        e => Error::invalid(format!("this is not a readable PDF (it may be corrupt or truncated): {e}")),
    })
}
