//! OCR with the real models on scans made from text PDFs this repository holds, so the text a
//! scan must give back is known: the words of the original's text layer.

use std::sync::Arc;

use hearth_core::ingest::extract::{self, DocType, ExtractOptions, Extracted, pdf};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures").join(name))
        .expect("fixture")
}

fn read(doc_type: DocType, bytes: Vec<u8>) -> hearth_core::Result<Extracted> {
    extract::extract(doc_type, Arc::from(bytes))
}

/// Lower-case words of letters and digits, in order.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The share of `expected`'s words (counted with repeats) that `got` has.
fn recall(expected: &str, got: &str) -> f64 {
    let mut have: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for w in words(got) {
        *have.entry(w).or_default() += 1;
    }
    let expected = words(expected);
    let found = expected
        .iter()
        .filter(|w| match have.get_mut(*w) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count();
    found as f64 / expected.len().max(1) as f64
}

fn page_text(extracted: &Extracted, page: u32) -> String {
    extracted.parts.iter().filter(|p| p.page == Some(page)).map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n")
}

fn all_text(extracted: &Extracted) -> String {
    extracted.parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_scanned_pdf_gives_back_the_words_of_its_text_layer_with_their_boxes() {
    let original = fixture("guide.pdf");
    let text = read(DocType::Pdf, original.clone()).expect("the original reads");
    let scan = pdf::scanned_copy(&original, 200, None).expect("a scanned copy");
    let scanned = read(DocType::Pdf, scan.clone()).expect("the scan is read by OCR");
    let size = pdf::render(&original, 1, 100).expect("page 1 drawn");
    let (width, height) = (size.width_pt + 0.5, size.height_pt + 0.5);
    assert_eq!(scanned.ocr_pages, text.pages.unwrap(), "every page was read by OCR");
    let r = recall(&all_text(&text), &all_text(&scanned));
    assert!(r >= 0.97, "word recall {r:.3}\nexpected: {}\ngot: {}", all_text(&text), all_text(&scanned));
    for part in scanned.parts.iter().filter(|p| !p.text.trim().is_empty()) {
        let confidence = part.ocr_confidence.expect("an OCR page says so");
        assert!(confidence > 0.8 && confidence <= 1.0, "confidence {confidence}");
        assert!(!part.lines.is_empty(), "OCR lines keep their boxes");
        for line in &part.lines {
            let [left, bottom, right, top] = line.rect;
            assert!(left >= 0.0 && right <= width && left < right, "{:?}", line.rect);
            assert!(bottom >= 0.0 && top <= height && bottom < top, "{:?}", line.rect);
        }
    }
    // With OCR off, the scan is refused with the reason.
    let off = extract::extract_within(
        DocType::Pdf,
        Arc::from(scan),
        ExtractOptions { ocr_dpi: None },
        extract::PARSE_TIMEOUT,
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(off.contains("OCR") && off.contains("turned off"), "{off}");
}

#[test]
fn a_mixed_pdf_reads_its_text_layer_and_its_scanned_page() {
    let original = fixture("guide.pdf");
    let text = read(DocType::Pdf, original.clone()).expect("the original reads");
    assert!(text.pages.unwrap() >= 2, "the fixture has two pages or more");
    let mixed = pdf::scanned_copy(&original, 200, Some(&[2])).expect("a copy with page 2 scanned");
    let mut pages = Vec::new();
    let read = extract::extract_within(
        DocType::Pdf,
        Arc::from(mixed),
        ExtractOptions::default(),
        extract::PARSE_TIMEOUT,
        &mut |p| pages.push((p.page, p.pages)),
    )
    .expect("the mixed PDF reads");
    assert_eq!(read.ocr_pages, 1);
    assert_eq!(pages, vec![(1, 1)], "OCR progress is told page by page");
    // A copy keeps the pages but not the outline, whose titles mark headings: the page as a
    // copy without scans reads it is the reference.
    let copied = self::read(DocType::Pdf, pdf::scanned_copy(&original, 200, Some(&[])).expect("a plain copy"))
        .expect("the plain copy reads");
    assert_eq!(copied.ocr_pages, 0);
    assert_eq!(page_text(&read, 1), page_text(&copied, 1), "the text layer is read as before");
    assert!(read.parts.iter().filter(|p| p.page == Some(1)).all(|p| p.ocr_confidence.is_none()));
    assert!(read.parts.iter().filter(|p| p.page == Some(2)).all(|p| p.ocr_confidence.is_some()));
    let r = recall(&page_text(&text, 2), &page_text(&read, 2));
    assert!(r >= 0.97, "word recall on the scanned page {r:.3}");
}

#[test]
fn an_image_of_a_page_is_a_document() {
    let original = fixture("manual.pdf");
    let text = read(DocType::Pdf, original.clone()).expect("the original reads");
    let png = pdf::render(&original, 1, 1700).expect("page 1 drawn").png;
    let read = read(DocType::Image, png).expect("the image is read");
    assert_eq!((read.pages, read.ocr_pages), (Some(1), 1));
    let r = recall(&page_text(&text, 1), &all_text(&read));
    assert!(r >= 0.97, "word recall {r:.3}\nexpected: {}\ngot: {}", page_text(&text, 1), all_text(&read));
    assert!(read.parts.iter().all(|p| p.text.trim().is_empty() || p.ocr_confidence.is_some()));
}

#[test]
fn an_image_without_text_fails_with_a_clear_reason() {
    let blank = image::RgbImage::from_pixel(800, 600, image::Rgb([250, 250, 250]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(blank)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG");
    let error = read(DocType::Image, png).unwrap_err().to_string();
    assert!(error.contains("no text was found in this image"), "{error}");
    let error = read(DocType::Image, b"not an image at all".to_vec()).unwrap_err().to_string();
    assert!(error.contains("could not be read"), "{error}");
}

#[test]
fn a_page_scanned_upside_down_is_turned_and_read() {
    let original = fixture("manual.pdf");
    let text = read(DocType::Pdf, original.clone()).expect("the original reads");
    let drawn = image::load_from_memory(&pdf::render(&original, 1, 1700).expect("page 1 drawn").png).expect("PNG");
    let turned = image::imageops::rotate180(&drawn.into_rgb8());
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(turned.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG");
    let read = read(DocType::Image, png).expect("the turned image is read");
    let r = recall(&page_text(&text, 1), &all_text(&read));
    assert!(r >= 0.97, "word recall {r:.3}\ngot: {}", all_text(&read));
    // The boxes are on the image as it is: the page's first line is at the image's bottom, and
    // the page's lines come first to last.
    let lines: Vec<_> = read.parts.iter().flat_map(|p| &p.lines).collect();
    let first = lines.first().expect("lines with boxes");
    let last = lines.last().expect("lines with boxes");
    assert!(first.rect[1] < last.rect[1], "the first line read is lower on the turned image: {first:?} {last:?}");
    assert!(first.rect[3] < turned.height() as f32 / 2.0, "{first:?}");
}
