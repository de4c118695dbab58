//! What OCR costs and how well it reads (`hearth bench ocr`): some of a PDF's pages are scanned
//! (drawn to images at a scanner's 300 dpi, their text layer gone), then read by OCR at each
//! resolution asked for, in this process; the words read are compared with the original's text
//! layer, page by page.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use hearth_core::ingest::extract::{self, DocType, ExtractOptions, Extracted, PARSE_TIMEOUT, pdf};
use hearth_core::{Error, Result};
use serde::Serialize;

use crate::peak_rss_mb;

/// The resolution the scanned copy is made at: a common scanner setting.
const SCAN_DPI: u32 = 300;

/// What `hearth bench ocr` measured.
#[derive(Debug, Clone, Serialize)]
pub struct OcrReport {
    pub file: String,
    pub pages: u32,
    pub runs: Vec<OcrRun>,
}

/// One resolution's reading of the scanned pages.
#[derive(Debug, Clone, Serialize)]
pub struct OcrRun {
    pub dpi: u32,
    pub seconds: f64,
    pub pages_per_second: f64,
    /// The share of the text layer's words (with repeats) that OCR read, over all pages.
    pub word_recall: f64,
    /// The lowest page's.
    pub worst_page_recall: f64,
    /// The process's peak so far (runs go in the order asked, so a run's peak includes the
    /// runs before it).
    pub peak_rss_mb: Option<f64>,
}

/// Scans `pages` pages of the PDF at `path` from page `from` and reads them at each of `dpis`.
pub fn ocr(path: &Path, dpis: &[u32], from: u32, pages: u32) -> Result<OcrReport> {
    let bytes =
        std::fs::read(path).map_err(|source| Error::Io { context: format!("reading {}", path.display()), source })?;
    let original = extract::extract_within(
        DocType::Pdf,
        Arc::from(bytes.clone()),
        ExtractOptions { ocr_dpi: None },
        PARSE_TIMEOUT,
        &mut |_| {},
    )?;
    let last = (from.max(1) + pages).saturating_sub(1).min(original.pages.unwrap_or(0));
    let chosen: Vec<u32> = (from.max(1)..=last).collect();
    let pages = chosen.len() as u32;
    let scan: Arc<[u8]> = pdf::scanned_copy(&bytes, SCAN_DPI, Some(&chosen))?.into();
    let mut runs = Vec::new();
    for &dpi in dpis {
        let started = Instant::now();
        let read = extract::extract_within(
            DocType::Pdf,
            scan.clone(),
            ExtractOptions { ocr_dpi: Some(dpi) },
            PARSE_TIMEOUT,
            &mut |_| {},
        )?;
        let seconds = started.elapsed().as_secs_f64();
        let (found, total, worst) = chosen.iter().fold((0, 0, 1.0f64), |(found, total, worst), &page| {
            let (f, t) = recall(&page_text(&original, page), &page_text(&read, page));
            let share = if t == 0 { 1.0 } else { f as f64 / t as f64 };
            (found + f, total + t, worst.min(share))
        });
        runs.push(OcrRun {
            dpi,
            seconds,
            pages_per_second: f64::from(read.ocr_pages) / seconds,
            word_recall: found as f64 / total.max(1) as f64,
            worst_page_recall: worst,
            peak_rss_mb: peak_rss_mb(),
        });
    }
    Ok(OcrReport { file: path.display().to_string(), pages, runs })
}

fn page_text(extracted: &Extracted, page: u32) -> String {
    extracted.parts.iter().filter(|p| p.page == Some(page)).map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n")
}

/// Lower-case words of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// How many of `expected`'s words (with repeats) `got` has, and how many there are.
fn recall(expected: &str, got: &str) -> (usize, usize) {
    let mut have: HashMap<String, usize> = HashMap::new();
    for w in words(got) {
        *have.entry(w).or_default() += 1;
    }
    let (mut found, mut total) = (0, 0);
    for w in words(expected) {
        total += 1;
        if let Some(n) = have.get_mut(&w).filter(|n| **n > 0) {
            *n -= 1;
            found += 1;
        }
    }
    (found, total)
}

#[cfg(test)]
mod tests {
    use super::recall;

    #[test]
    fn recall_counts_repeats_and_ignores_case_and_punctuation() {
        assert_eq!(recall("The cat, the hat.", "the HAT cat"), (3, 4));
        assert_eq!(recall("", "anything"), (0, 0));
    }
}
