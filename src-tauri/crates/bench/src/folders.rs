//! `hearth bench folder`: scanning a watched folder of many files.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use hearth_core::ingest::watched::{self, Scan};
use hearth_core::{Engine, Error, Result};

use super::{Latency, peak_rss_mb};

/// What scanning a large watched folder measured.
#[derive(Debug, Clone, Serialize)]
pub struct FolderReport {
    pub files: usize,
    /// The first scan: every file read, hashed and queued (not embedded).
    pub first_scan_ms: f64,
    /// Scans of the folder unchanged: every file's size and time looked at, none read.
    pub unchanged_scan: Latency,
    /// A scan after 10 files changed.
    pub ten_changed_scan_ms: f64,
    pub peak_rss_mb: Option<f64>,
}

/// Writes `files` small text files in a scratch folder (100 per sub-folder), watches it from a
/// scratch library, and times its scans.
pub fn folder(files: usize, repeats: usize) -> Result<FolderReport> {
    let io = |source| Error::Io { context: "writing the scratch folder".into(), source };
    let data = tempfile::tempdir().map_err(io)?;
    let dir = tempfile::tempdir().map_err(io)?;
    let settled = SystemTime::now() - Duration::from_secs(60);
    let write = |i: usize, text: &str| -> Result<()> {
        let sub = dir.path().join(format!("part-{:03}", i / 100));
        std::fs::create_dir_all(&sub).map_err(io)?;
        let path = sub.join(format!("note-{i:05}.txt"));
        std::fs::write(&path, text).map_err(io)?;
        std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(settled)).map_err(io)
    };
    for i in 0..files {
        write(i, &format!("Note {i}: the lantern by the harbour was lit at dusk on day {i}.\n"))?;
    }
    let engine = Engine::open(data.path(), Path::new("/nonexistent-model-dir"))?;
    let started = Instant::now();
    let (folder, first) = engine.watch_folder(dir.path())?;
    let first_scan_ms = started.elapsed().as_secs_f64() * 1000.0;
    check(&first, files)?;
    let mut samples = Vec::new();
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let scan = watched::scan(engine.db(), &folder)?;
        samples.push(t.elapsed());
        if scan.changed_library() {
            return Err(Error::InvalidInput(format!("an unchanged folder changed the library: {scan:?}")));
        }
    }
    for i in 0..10.min(files) {
        write(i * files / 10, &format!("Note {i}, rewritten: the lantern went out.\n"))?;
    }
    let t = Instant::now();
    let changed = engine.scan_folder(&folder)?;
    let ten_changed_scan_ms = t.elapsed().as_secs_f64() * 1000.0;
    if changed.changed != 10.min(files) {
        return Err(Error::InvalidInput(format!("expected 10 changed files: {changed:?}")));
    }
    Ok(FolderReport {
        files,
        first_scan_ms,
        unchanged_scan: Latency::of(samples),
        ten_changed_scan_ms,
        peak_rss_mb: peak_rss_mb(),
    })
}

fn check(scan: &Scan, files: usize) -> Result<()> {
    if scan.added != files || !scan.errors.is_empty() {
        return Err(Error::InvalidInput(format!("the first scan added {} of {files}: {:?}", scan.added, scan.errors)));
    }
    Ok(())
}
