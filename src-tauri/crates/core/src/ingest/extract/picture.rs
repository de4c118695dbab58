//! Pictures of text (a scan saved as PNG, JPEG or TIFF, a photographed page): one page, read by
//! OCR. The page's "points" are the image's pixels, so line boxes and the page view agree
//! without a resolution. A multi-page TIFF gives its first page.

use image::{DynamicImage, ImageReader};

use super::ocr;
use super::pdf::{RenderedPage, ocr_lines};
use super::pdf_text;
use super::{ExtractOptions, Extracted, Markup, ReadProgress};
use crate::error::{Error, Result};

/// The image's text, laid out in paragraphs as a scanned PDF page's would be.
pub fn read(bytes: &[u8], options: ExtractOptions, progress: &mut dyn FnMut(ReadProgress)) -> Result<Extracted> {
    if options.ocr_dpi.is_none() {
        return Err(Error::invalid(
            "reading text in images (OCR) is turned off in Settings, so an image cannot be added",
        ));
    }
    let image = decode(bytes)?.into_rgb8();
    let engine = ocr::shared()?;
    progress(ReadProgress { page: 1, pages: 1 });
    let read = engine.read(&image)?;
    let confidence = ocr::mean_confidence(&read);
    let page = ocr_lines(&read, 1.0, image.height() as f32);
    let mut parts = pdf_text::layout(&[page], &[]);
    for part in &mut parts {
        part.ocr_confidence = confidence.filter(|_| !part.text.trim().is_empty());
    }
    Ok(Extracted { parts, pages: Some(1), markup: Markup::Markdown, title: None, ocr_pages: 1 })
}

/// The image, `width` pixels wide, as PNG (the page view's one page).
pub fn render(bytes: &[u8], page: u32, width: u32) -> Result<RenderedPage> {
    if page != 1 {
        return Err(Error::invalid(format!("an image has one page; there is no page {page}")));
    }
    let image = decode(bytes)?;
    let (w, h) = (image.width(), image.height());
    let width = width.clamp(16, super::pdf::MAX_RENDER_WIDTH);
    let height = ((h as f32 * width as f32 / w.max(1) as f32).round() as u32).max(1);
    let drawn = image.resize_exact(width, height, image::imageops::FilterType::Triangle).into_rgba8();
    Ok(RenderedPage {
        png: super::pdf::encode_png(drawn.as_raw(), width, height)?,
        width_px: width,
        height_px: height,
        width_pt: w as f32,
        height_pt: h as f32,
        pages: 1,
    })
}

fn decode(bytes: &[u8]) -> Result<DynamicImage> {
    ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::invalid(format!("this image could not be read: {e}")))?
        .decode()
        .map_err(|e| Error::invalid(format!("this image could not be read (it may be corrupt or truncated): {e}")))
}
