//! What parsing in a worker process costs (`hearth bench parsers`): each file parsed in this
//! process and in a worker, alternately, several rounds; the worker is started once and reused,
//! as the engine does, so its start is reported apart from the per-file cost.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_core::ingest::extract::{self, DocType, PARSE_TIMEOUT, Parsers, WorkerCommand};
use hearth_core::{Error, Result};
use serde::Serialize;

/// What `hearth bench parsers` measured.
#[derive(Debug, Clone, Serialize)]
pub struct ParsersReport {
    pub files: usize,
    pub bytes: usize,
    pub rounds: usize,
    /// The first file in a new worker, minus the same file in this process: starting the worker.
    pub worker_start_ms: f64,
    /// Mean time per file, in this process.
    pub in_process_ms: f64,
    /// Mean time per file in the (running) worker.
    pub in_worker_ms: f64,
    /// The difference: the process boundary's cost per file (copying the bytes and the text).
    pub overhead_ms: f64,
}

/// Parses `paths` `rounds` times each way, the worker started with `worker`.
pub fn parsers(paths: &[PathBuf], worker: WorkerCommand, rounds: usize) -> Result<ParsersReport> {
    let files: Vec<(DocType, Arc<[u8]>, String)> = paths
        .iter()
        .map(|p| {
            let bytes =
                std::fs::read(p).map_err(|source| Error::Io { context: format!("reading {}", p.display()), source })?;
            Ok((DocType::from_path(p)?, Arc::from(bytes), p.display().to_string()))
        })
        .collect::<Result<_>>()?;
    let in_worker = Parsers::in_worker(worker, PARSE_TIMEOUT);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let time = |f: &mut dyn FnMut() -> Result<()>| -> Result<Duration> {
        let started = Instant::now();
        f()?;
        Ok(started.elapsed())
    };

    let (doc_type, bytes, name) = &files[0];
    let cold = time(&mut || in_worker.extract(*doc_type, Arc::clone(bytes), name).map(drop))?;
    let here = time(&mut || extract::extract(*doc_type, Arc::clone(bytes)).map(drop))?;
    let (mut local, mut remote) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds.max(1) {
        for (doc_type, bytes, name) in &files {
            // A file that does not parse costs the same either way; it is timed all the same.
            local += time(&mut || {
                let _ = extract::extract(*doc_type, Arc::clone(bytes));
                Ok(())
            })?;
            remote += time(&mut || {
                let _ = in_worker.extract(*doc_type, Arc::clone(bytes), name);
                Ok(())
            })?;
        }
    }
    let n = (files.len() * rounds.max(1)) as f64;
    Ok(ParsersReport {
        files: files.len(),
        bytes: files.iter().map(|(_, b, _)| b.len()).sum(),
        rounds: rounds.max(1),
        worker_start_ms: ms(cold.saturating_sub(here)),
        in_process_ms: ms(local) / n,
        in_worker_ms: ms(remote) / n,
        overhead_ms: (ms(remote) - ms(local)) / n,
    })
}

/// What `hearth bench pages` measured: drawing a PDF's pages in the parser worker.
#[derive(Debug, Clone, Serialize)]
pub struct PagesReport {
    pub pages: usize,
    pub width_px: u32,
    /// Mean time per page, asked of the running worker (PDFium drawing, PNG, the pipe).
    pub mean_ms: f64,
    pub max_ms: f64,
    /// Mean PNG size.
    pub mean_kb: f64,
}

/// Draws the first `pages` pages of `path`, `width` pixels wide, in a worker started with `worker`.
pub fn pages(path: &std::path::Path, worker: WorkerCommand, pages: u32, width: u32) -> Result<PagesReport> {
    let bytes: Arc<[u8]> = std::fs::read(path)
        .map_err(|source| Error::Io { context: format!("reading {}", path.display()), source })?
        .into();
    let name = path.display().to_string();
    let in_worker = Parsers::in_worker(worker, PARSE_TIMEOUT);
    // The first page also opens the document in a fresh worker: drawn once before timing.
    let first = in_worker.render(DocType::Pdf, Arc::clone(&bytes), 1, width, &name)?;
    let count = pages.clamp(1, first.pages);
    let (mut total, mut max, mut kb) = (0.0, 0.0f64, 0.0);
    for page in 1..=count {
        let started = Instant::now();
        let drawn = in_worker.render(DocType::Pdf, Arc::clone(&bytes), page, width, &name)?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        total += ms;
        max = max.max(ms);
        kb += drawn.png.len() as f64 / 1024.0;
    }
    Ok(PagesReport {
        pages: count as usize,
        width_px: first.width_px,
        mean_ms: total / f64::from(count),
        max_ms: max,
        mean_kb: kb / f64::from(count),
    })
}
