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
    PdfDocument, PdfDocumentMetadataTagType, PdfFontWeight, PdfPage, PdfPageImageObject, PdfPageObjectCommon,
    PdfPageObjectType, PdfPageObjectsCommon, PdfPageTextChar, PdfRenderConfig, Pdfium, PdfiumError,
    PdfiumInternalError,
};

use super::ocr::{self, OcrLine};
use super::pdf_text::{self, Line, OutlineEntry, PageLines};
use super::{ExtractOptions, Extracted, Markup, ReadProgress};
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

/// A page with fewer visible characters than this in its text layer has none worth keeping…
const NO_TEXT_CHARS: usize = 16;
/// …and so has one with fewer than this under images that cover most of it (a scan with a
/// stamped header, or an invisible text layer of a few words).
const FEW_TEXT_CHARS: usize = 200;
const MOSTLY_IMAGE: f32 = 0.5;

/// The text of every page, in order, with the boxes of its lines. A page without a text layer
/// (a scan) is drawn and read by OCR when `options` allow it, with `progress` told each page.
pub fn pages(bytes: &[u8], options: ExtractOptions, progress: &mut dyn FnMut(ReadProgress)) -> Result<Extracted> {
    let document = open(pdfium()?, bytes)?;
    let count = u32::try_from(document.pages().len()).unwrap_or(0);
    let mut pages = Vec::with_capacity(count as usize);
    let mut scanned = Vec::new();
    for (index, page) in document.pages().iter().enumerate() {
        let lines = page_lines(&page).map_err(|e| unreadable(index, &e))?;
        if is_scanned(&page, &lines) {
            scanned.push(index);
        }
        pages.push(lines);
    }
    let mut confidences = Vec::new();
    if let Some(dpi) = options.ocr_dpi.filter(|_| !scanned.is_empty()) {
        let engine = ocr::shared()?;
        for (n, &index) in scanned.iter().enumerate() {
            progress(ReadProgress { page: n as u32 + 1, pages: scanned.len() as u32 });
            let page = document.pages().get(index as i32).map_err(|e| unreadable(index, &e))?;
            let (image, points_per_pixel) = draw(&page, dpi).map_err(|e| unreadable(index, &e))?;
            let read = engine.read(&image)?;
            confidences.push((index, ocr::mean_confidence(&read)));
            pages[index] = ocr_lines(&read, points_per_pixel, page.height().value);
        }
    }
    let title = document
        .metadata()
        .get(PdfDocumentMetadataTagType::Title)
        .map(|t| text::one_line(t.value()))
        .filter(|t| !t.is_empty());
    let mut parts = pdf_text::layout(&pages, &outline(&document));
    for &(index, confidence) in &confidences {
        if let Some(part) = parts.get_mut(index).filter(|p| !p.text.trim().is_empty()) {
            part.ocr_confidence = confidence;
        }
    }
    let ocr_pages = confidences.len() as u32;
    Ok(Extracted { parts, pages: Some(count), markup: Markup::Markdown, title, ocr_pages })
}

fn unreadable(index: usize, e: &PdfiumError) -> Error {
    Error::invalid(format!("page {} of this PDF could not be read: {e}", index + 1))
}

/// Whether a page's text is in its image only: next to no text layer, or a few words over a
/// page that is mostly image.
fn is_scanned(page: &PdfPage, lines: &PageLines) -> bool {
    let chars: usize = lines.lines.iter().map(|l| l.text.chars().filter(|c| !c.is_whitespace()).count()).sum();
    if chars < NO_TEXT_CHARS {
        return true;
    }
    if chars >= FEW_TEXT_CHARS {
        return false;
    }
    let area = page.width().value * page.height().value;
    let images: f32 = page
        .objects()
        .iter()
        .filter(|o| o.object_type() == PdfPageObjectType::Image)
        .filter_map(|o| o.bounds().ok())
        .map(|b| b.width().value * b.height().value)
        .sum();
    area > 0.0 && images / area >= MOSTLY_IMAGE
}

/// The page drawn at `dpi`, and the size of a pixel in PDF points.
fn draw(page: &PdfPage, dpi: u32) -> std::result::Result<(image::RgbImage, f32), PdfiumError> {
    let width_pt = page.width().value;
    let width_px = ((width_pt / 72.0 * dpi as f32).round() as i32).clamp(16, MAX_OCR_WIDTH);
    let config = PdfRenderConfig::new().set_target_width(width_px).render_form_data(true);
    let bitmap = page.render_with_config(&config)?;
    let image = bitmap.as_image()?.into_rgb8();
    let points_per_pixel = width_pt / image.width().max(1) as f32;
    Ok((image, points_per_pixel))
}

/// The widest page drawn for OCR: an A4 page at 600 dpi.
const MAX_OCR_WIDTH: i32 = 5000;

/// Lines OCR read, as the page's lines in PDF points (origin at the bottom left). Every line
/// gets the page's typical height as its size: a box's height depends on the letters in it
/// (ascenders, descenders), not on the font, so it says nothing of headings.
pub(super) fn ocr_lines(read: &[OcrLine], points_per_pixel: f32, page_height: f32) -> PageLines {
    let mut heights: Vec<f32> = read.iter().map(|l| l.bounds()[3] - l.bounds()[1]).collect();
    heights.sort_by(f32::total_cmp);
    let size = heights.get(heights.len() / 2).map_or(10.0, |h| h * points_per_pixel * 0.6);
    let lines = read
        .iter()
        .map(|l| {
            let [left, top, right, bottom] = l.bounds().map(|v| v * points_per_pixel);
            Line {
                text: l.text.clone(),
                rect: [left, page_height - bottom, right, page_height - top],
                size,
                bold: false,
                mono: false,
                ocr: true,
            }
        })
        .collect();
    PageLines { lines }
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
        lines.push(Line {
            text: builder.text,
            rect,
            size: builder.size,
            bold: most(&is_bold),
            mono: most(&is_mono),
            ocr: false,
        });
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

pub(super) fn encode_png(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
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

/// How scanned copies store their pages (JPEG quality, 0–100).
const SCAN_JPEG_QUALITY: u8 = 85;

/// A copy of the PDF in `bytes` whose pages in `scanned` (1-based; all when `None`) are only an
/// image of themselves, drawn at `dpi` and stored as JPEG, like a scanner's output: no text
/// layer, the text known. The other pages are copied as they are. For tests and benchmarks of
/// OCR (`hearth bench scan`).
pub fn scanned_copy(bytes: &[u8], dpi: u32, scanned: Option<&[u32]>) -> Result<Vec<u8>> {
    let pdfium = pdfium()?;
    let source = open(pdfium, bytes)?;
    let failed = |e: PdfiumError| Error::invalid(format!("the scanned copy could not be made: {e}"));
    let mut copy = pdfium.create_new_pdf().map_err(failed)?;
    for (index, page) in source.pages().iter().enumerate() {
        let number = index as u32 + 1;
        let at = copy.pages().len();
        if !scanned.is_none_or(|pages| pages.contains(&number)) {
            copy.pages_mut().copy_page_from_document(&source, index as i32, at).map_err(failed)?;
            continue;
        }
        let (image, _) = draw(&page, dpi).map_err(failed)?;
        // JPEG, as scanners store pages (and a few hundred kB a page instead of megabytes).
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, SCAN_JPEG_QUALITY)
            .encode_image(&image)
            .map_err(|e| Error::invalid(format!("the scanned copy could not be made: {e}")))?;
        let (width, height) = (page.width(), page.height());
        let mut blank = copy
            .pages_mut()
            .create_page_at_end(pdfium_render::prelude::PdfPagePaperSize::Custom(width, height))
            .map_err(failed)?;
        let mut object = PdfPageImageObject::new_from_jpeg_reader(&copy, std::io::Cursor::new(jpeg)).map_err(failed)?;
        object.scale(width.value, height.value).map_err(failed)?;
        blank.objects_mut().add_image_object(object).map_err(failed)?;
    }
    copy.save_to_bytes().map_err(failed)
}
