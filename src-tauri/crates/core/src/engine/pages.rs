//! A PDF document's pages, drawn by PDFium in the parser worker (native code reading a file
//! that came from outside), from the copy Hearth kept or the original file, and cached.

use std::collections::VecDeque;
use std::sync::Arc;

use super::Engine;
use crate::error::{Error, Result};
use crate::ingest::documents;
use crate::ingest::extract::DocType;
use crate::ingest::extract::pdf::RenderedPage;
use crate::store::ids::DocumentId;

/// Pages kept drawn: a few either side of the one being read, at one or two zoom levels.
const CACHED_PAGES: usize = 24;

/// The pages drawn lately, the newest last.
#[derive(Default)]
pub(super) struct PageCache {
    entries: VecDeque<(PageKey, Arc<RenderedPage>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PageKey {
    sha256: String,
    page: u32,
    width: u32,
}

impl PageCache {
    fn get(&mut self, key: &PageKey) -> Option<Arc<RenderedPage>> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(at)?;
        let page = entry.1.clone();
        self.entries.push_back(entry);
        Some(page)
    }

    fn put(&mut self, key: PageKey, page: Arc<RenderedPage>) {
        self.entries.retain(|(k, _)| k != &key);
        self.entries.push_back((key, page));
        while self.entries.len() > CACHED_PAGES {
            self.entries.pop_front();
        }
    }
}

impl Engine {
    /// Draws page `page` (1-based) of a PDF document, `width` pixels wide (the screen's
    /// resolution: CSS width × device pixel ratio).
    pub fn render_page(&self, id: DocumentId, page: u32, width: u32) -> Result<Arc<RenderedPage>> {
        let document = documents::get(&self.db, id)?;
        let doc_type = match DocType::parse(&document.doc_type) {
            Some(t @ (DocType::Pdf | DocType::Image)) => t,
            _ => return Err(Error::invalid(format!("{} is not a PDF: it has no pages to show", document.name))),
        };
        // Widths are rounded so that small window resizes reuse what is drawn.
        let width = width.clamp(64, crate::ingest::extract::pdf::MAX_RENDER_WIDTH).div_ceil(64) * 64;
        let key = PageKey { sha256: document.sha256.clone(), page, width };
        if let Some(found) = self.pages.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(found);
        }
        let bytes = self.originals.read(&document)?;
        let drawn = Arc::new(self.parsers().render(doc_type, bytes, page, width, &document.name)?);
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).put(key, drawn.clone());
        Ok(drawn)
    }

    /// Drops a document's drawn pages (it was deleted).
    pub(super) fn forget_pages(&self, sha256: &str) {
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).entries.retain(|(k, _)| k.sha256 != sha256);
    }

    /// Space the kept PDF copies take, in bytes.
    pub fn pdf_copies_bytes(&self) -> u64 {
        self.originals.size_bytes()
    }
}
