//! `hearth docs …` and `hearth search`: printing what the engine does with documents.

use std::path::PathBuf;

use hearth_core::ingest::documents::{self, DocStatus};
use hearth_core::ingest::{Added, Progress};
use hearth_core::retrieval::SearchRequest;
use hearth_core::store::Page;
use hearth_core::{DocumentId, Engine, Error, ErrorCode, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::SearchArgs;
use crate::output::Out;

/// Adds each path (a folder: the documents inside it) to the queue, then has the engine process
/// the new documents now, with a progress bar each. One file's failure is reported and does not
/// stop the others; the command fails at the end if any file could not be added or did not
/// become ready.
pub fn add(engine: &Engine, out: &Out, paths: &[PathBuf]) -> Result<()> {
    let mut results: Vec<AddResult> = engine
        .add_paths(paths)
        .into_iter()
        .map(|(path, added)| added.map_err(|e| (path.display().to_string(), e)))
        .collect();
    // A file already in the library whose processing was interrupted (a killed `docs add`) is
    // taken over and finished, one that failed (a full disk, say) is tried again; one another
    // live process is working on is reported as such.
    for result in results.iter_mut() {
        let Ok(added) = result else { continue };
        let id = added.document.id;
        let again = match added.document.status {
            _ if !added.existing => continue,
            DocStatus::Failed => engine.retry_document(id),
            status if status.is_unfinished() => engine.take_over(id),
            _ => continue,
        };
        match again {
            Ok(document) => added.document = document,
            Err(e) => *result = Err((added.document.name.clone(), e)),
        }
    }
    // The next document is extracted while the current one is embedded.
    let mut queued: Vec<DocumentId> = results
        .iter()
        .flatten()
        .filter(|a| a.document.status == DocStatus::Queued)
        .map(|a| a.document.id)
        .rev()
        .collect();
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg:30!} {bar:30} {pos}/{len} chunks ({eta})").expect("valid template"),
    );
    engine.process_overlapped(&mut || Ok(queued.pop()), &|p| show_progress(&bar, p), &mut |id, outcome| {
        let document = outcome?;
        if let Some(added) = results.iter_mut().flatten().find(|a| a.document.id == id) {
            added.document = document;
        }
        Ok(())
    })?;
    // The app's worker, running beside this command, may have taken some of them from the
    // queue: they are finished there (or here, should the app go away).
    for added in results.iter_mut().flatten().filter(|a| !a.existing) {
        if added.document.status.is_unfinished() {
            added.document = engine.await_document(added.document.id, &mut |p| show_progress(&bar, p))?;
        }
    }
    bar.finish_and_clear();
    out.added(&results)?;
    all_ready(results)
}

fn show_progress(bar: &ProgressBar, p: &Progress) {
    if p.ocr_pages > 0 {
        bar.set_length(u64::from(p.ocr_pages));
        bar.set_position(u64::from(p.ocr_page.saturating_sub(1)));
        bar.set_message(format!("{} (OCR page {} of {})", p.name, p.ocr_page, p.ocr_pages));
        return;
    }
    bar.set_length(p.chunks_total as u64);
    bar.set_position(p.chunks_done as u64);
    bar.set_message(format!("{} ({})", p.name, p.status.as_str()));
}

type AddResult = std::result::Result<Added, (String, Error)>;

/// Fails (exit code 2) unless every file was added and is ready; a full disk fails as itself
/// (exit code 6), since trying again as it is cannot help.
fn all_ready(results: Vec<AddResult>) -> Result<()> {
    let failed = results.iter().find_map(|r| match r {
        Err((path, _)) => Some(path.clone()),
        Ok(a) if a.document.status != DocStatus::Ready => Some(a.document.name.clone()),
        Ok(_) => None,
    });
    let full = results.into_iter().filter_map(|r| r.err()).map(|(_, e)| e).find(|e| e.code() == ErrorCode::DiskFull);
    match (full, failed) {
        (Some(full), _) => Err(full),
        (None, Some(name)) => {
            Err(Error::InvalidInput(format!("not every file was added and made ready (first: {name})")))
        }
        (None, None) => Ok(()),
    }
}

/// Queues a failed or cancelled document again (or re-indexes a ready one) and processes it now.
pub fn retry(engine: &Engine, out: &Out, id: DocumentId) -> Result<()> {
    let queued = engine.retry_document(id)?;
    let document = engine.process(queued.id, &mut |_| {})?;
    let results = vec![Ok(Added { document, existing: false })];
    out.added(&results)?;
    all_ready(results)
}

pub fn list(engine: &Engine, out: &Out, page: Page) -> Result<()> {
    out.documents(&documents::list(engine.db(), page)?)
}

pub fn show(engine: &Engine, out: &Out, id: DocumentId, page: Page) -> Result<()> {
    let document = documents::get(engine.db(), id)?;
    let chunks = documents::chunks(engine.db(), id, page)?;
    out.document(&document, &chunks)
}

pub fn search(engine: &Engine, out: &Out, args: SearchArgs) -> Result<()> {
    let request = SearchRequest { query: args.query, k: args.k, documents: args.docs, mode: args.mode };
    out.hits(&engine.search(&request)?)
}
