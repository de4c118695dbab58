//! `hearth docs …` and `hearth search`: the commands that need the embedding model.

use std::path::PathBuf;

use hearth_core::chunking::{Chunker, DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use hearth_core::embedding::{Embedder, LocalEmbedder, locate_model_dir};
use hearth_core::ingest::{self, Added};
use hearth_core::limits::{self, Page};
use hearth_core::search::{self, Mode};
use hearth_core::{Database, Error, Result, documents};
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::Out;

/// Adds each path; one file's failure is reported and does not stop the others. Fails at the end
/// if any file could not be added.
pub fn add(db: &Database, out: &Out, paths: &[PathBuf]) -> Result<()> {
    let (model, chunker) = load_model()?;
    let mut results: Vec<std::result::Result<Added, (String, Error)>> = Vec::new();
    for path in paths {
        let bar = ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{msg:30!} {bar:30} {pos}/{len} chunks ({eta})").expect("valid template"),
        );
        bar.set_message(path.display().to_string());
        let result = ingest::add_file(db, &model, &chunker, path, &mut |p| {
            bar.set_length(p.chunks_total as u64);
            bar.set_position(p.chunks_done as u64);
            bar.set_message(format!("{} ({})", p.name, p.status.as_str()));
        });
        bar.finish_and_clear();
        results.push(result.map_err(|e| (path.display().to_string(), e)));
    }
    out.added(&results)?;
    match results.iter().find_map(|r| r.as_ref().err()) {
        Some((path, _)) => Err(Error::InvalidInput(format!("not every file was added (first failure: {path})"))),
        None => Ok(()),
    }
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

pub fn search(db: &Database, out: &Out, query: &str, docs: Option<&[String]>, mode: &str, k: usize) -> Result<()> {
    let mode: Mode = mode.parse()?;
    let filter = docs
        .map(|ids| ids.iter().map(|id| limits::parse_uuid("document", id)).collect::<Result<Vec<_>>>())
        .transpose()?;
    let model = match mode {
        Mode::Keyword => None,
        _ => Some(LocalEmbedder::load(&locate_model_dir(None))?),
    };
    let hits = search::search(db, model.as_ref().map(|m| m as &dyn Embedder), query, k, filter.as_deref(), mode)?;
    out.hits(&hits)
}
