//! `hearth docs …` and `hearth search`: the commands that need the embedding model.

use std::path::{Path, PathBuf};

use hearth_core::chunking::{Chunker, DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use hearth_core::documents::{DocStatus, Document};
use hearth_core::embedding::{Embedder, LocalEmbedder, locate_model_dir};
use hearth_core::index::{Opened, VectorIndex};
use hearth_core::ingest::{self, Added, Pipeline};
use hearth_core::limits::{self, Page};
use hearth_core::search::{self, Mode};
use hearth_core::{Database, Error, Result, documents};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::SearchArgs;
use crate::output::Out;

/// Adds each path (a folder: the documents inside it) to the queue, then processes the new
/// documents with a progress bar each. One file's failure is reported and does not stop the
/// others; the command fails at the end if any file could not be added or did not become ready.
pub fn add(db: &Database, data_dir: &Path, out: &Out, paths: &[PathBuf]) -> Result<()> {
    let mut results: Vec<AddResult> = ingest::enqueue_paths(db, paths)
        .into_iter()
        .map(|(path, added)| added.map_err(|e| (path.display().to_string(), e)))
        .collect();
    if results.iter().any(|r| r.as_ref().is_ok_and(|a| !a.existing)) {
        let (model, chunker) = load_model()?;
        let index = open_index(db, data_dir, &model)?;
        let pipeline = Pipeline { db, embedder: &model, chunker: &chunker, index: Some(&index) };
        for added in results.iter_mut().flatten().filter(|a| !a.existing) {
            let bar = ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{msg:30!} {bar:30} {pos}/{len} chunks ({eta})").expect("valid template"),
            );
            added.document = pipeline.process(added.document.id, &mut |p| {
                bar.set_length(p.chunks_total as u64);
                bar.set_position(p.chunks_done as u64);
                bar.set_message(format!("{} ({})", p.name, p.status.as_str()));
            })?;
            bar.finish_and_clear();
        }
        index.save()?;
    }
    out.added(&results)?;
    all_ready(&results)
}

type AddResult = std::result::Result<Added, (String, Error)>;

/// Fails (exit code 2) unless every file was added and is ready.
fn all_ready(results: &[AddResult]) -> Result<()> {
    let failed = results.iter().find_map(|r| match r {
        Err((path, _)) => Some(path.clone()),
        Ok(a) if a.document.status != DocStatus::Ready => Some(a.document.name.clone()),
        Ok(_) => None,
    });
    match failed {
        Some(name) => Err(Error::InvalidInput(format!("not every file was added and made ready (first: {name})"))),
        None => Ok(()),
    }
}

/// Removes a document, and its vectors from the index.
pub fn rm(db: &Database, data_dir: &Path, out: &Out, id: &str) -> Result<()> {
    let chunk_ids = documents::delete(db, id)?;
    drop_from_index(db, data_dir, &chunk_ids)?;
    out.done(&format!("deleted document {id}"))
}

/// Queues a failed or cancelled document again (or re-indexes a ready one) and processes it.
pub fn retry(db: &Database, data_dir: &Path, out: &Out, id: &str) -> Result<()> {
    let (document, old_chunks) = documents::retry(db, id)?;
    drop_from_index(db, data_dir, &old_chunks)?;
    add_queued(db, data_dir, out, document)
}

fn add_queued(db: &Database, data_dir: &Path, out: &Out, document: Document) -> Result<()> {
    let (model, chunker) = load_model()?;
    let index = open_index(db, data_dir, &model)?;
    let pipeline = Pipeline { db, embedder: &model, chunker: &chunker, index: Some(&index) };
    let document = pipeline.process(document.id, &mut |_| {})?;
    index.save()?;
    let results = [Ok(Added { document, existing: false })];
    out.added(&results)?;
    all_ready(&results)
}

/// Rebuilds the vector index from the stored vectors.
pub fn rebuild_index(db: &Database, data_dir: &Path, out: &Out) -> Result<()> {
    let model = LocalEmbedder::load(&locate_model_dir(None))?;
    let (index, _) = VectorIndex::open(db, data_dir, model.model_id())?;
    let count = index.rebuild(db)?;
    out.done(&format!("rebuilt the vector index: {count} vectors in {}", index.path().display()))
}

fn drop_from_index(db: &Database, data_dir: &Path, chunk_ids: &[i64]) -> Result<()> {
    if chunk_ids.is_empty() {
        return Ok(());
    }
    let dir = locate_model_dir(None);
    // Without the model there is no model id, so no index to update; the next open rebuilds it.
    if let Ok(model) = LocalEmbedder::load(&dir) {
        let index = open_index(db, data_dir, &model)?;
        index.remove(chunk_ids)?;
        index.save()?;
    }
    Ok(())
}

fn open_index(db: &Database, data_dir: &Path, model: &LocalEmbedder) -> Result<VectorIndex> {
    let (index, opened) = VectorIndex::open(db, data_dir, model.model_id())?;
    if let Opened::Rebuilt(reason) = opened {
        tracing::info!(%reason, vectors = index.len(), "rebuilt the vector index");
    }
    Ok(index)
}

/// Scores retrieval on a TREC collection, in a temporary database (the library is not touched).
pub fn eval_trec(out: &Out, dir: &std::path::Path) -> Result<()> {
    let (_scratch, db, model, chunker) = scratch_library()?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("ingesting {bar:30} {pos}/{len} documents ({per_sec}, {eta})")
            .expect("valid template"),
    );
    let report = hearth_core::eval::run_trec(&db, &model, &chunker, dir, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    out.eval(&report)
}

/// A temporary database with the model and chunker, for evaluations and benchmarks. The
/// directory lives as long as the returned guard.
pub fn scratch_library() -> Result<(tempfile::TempDir, Database, LocalEmbedder, Chunker)> {
    let (model, chunker) = load_model()?;
    let scratch =
        tempfile::tempdir().map_err(|source| Error::Io { context: "making a scratch directory".into(), source })?;
    let db = hearth_core::open(scratch.path())?;
    Ok((scratch, db, model, chunker))
}

/// The embedding model and a chunker on its tokenizer, with the default chunk settings.
fn load_model() -> Result<(LocalEmbedder, Chunker)> {
    let dir = locate_model_dir(None);
    Ok((LocalEmbedder::load(&dir)?, Chunker::load(&dir, MAX_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS)?))
}

pub fn list(db: &Database, out: &Out, page: Page) -> Result<()> {
    out.documents(&documents::list(db, page)?)
}

pub fn show(db: &Database, out: &Out, id: &str, page: Page) -> Result<()> {
    let document = documents::get(db, id)?;
    let chunks = documents::chunks(db, id, page)?;
    out.document(&document, &chunks)
}

pub fn search(db: &Database, data_dir: &Path, out: &Out, query: &SearchArgs) -> Result<()> {
    let mode: Mode = query.mode.parse()?;
    let filter = query
        .docs
        .as_ref()
        .map(|ids| ids.iter().map(|id| limits::parse_uuid("document", id)).collect::<Result<Vec<_>>>())
        .transpose()?;
    let (model, index) = match mode {
        Mode::Keyword => (None, None),
        _ => {
            let model = LocalEmbedder::load(&locate_model_dir(None))?;
            let index = open_index(db, data_dir, &model)?;
            (Some(model), Some(index))
        }
    };
    let embedder = model.as_ref().map(|m| m as &dyn Embedder);
    let hits = search::search(db, embedder, index.as_ref(), &query.query, query.k, filter.as_deref(), mode)?;
    out.hits(&hits)
}
