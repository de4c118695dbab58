//! Watched folders kept in sync: scans (at start, on request, and when the file system says a
//! folder changed) and the watcher thread that debounces the file system's events.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::Engine;
use crate::error::{Error, Result};
use crate::ingest::watched::{self, SETTLE, Scan, WatchedFolder};

/// What the watcher thread hears.
pub(super) enum Signal {
    /// Something changed at this path.
    Changed(PathBuf),
    /// The list of watched folders changed.
    Folders,
}

/// Quiet time after the last event before a folder is scanned: an editor's save is several
/// events (write a temporary file, rename it over the old one).
const DEBOUNCE: Duration = Duration::from_millis(1500);
/// How often every folder is scanned anyway, in case an event was missed (a network share).
const RESCAN_EVERY: Duration = Duration::from_secs(10 * 60);

impl Engine {
    /// Starts watching `folder` and scans it now (its documents are queued for the worker).
    pub fn watch_folder(&self, folder: &Path) -> Result<(WatchedFolder, Scan)> {
        let watched = watched::watch(&self.db, folder)?;
        let scan = self.scan_folder(&watched)?;
        self.signal(Signal::Folders);
        Ok((watched::find(&self.db, &watched.path)?, scan))
    }

    /// Stops watching `folder`; its documents stay in the library.
    pub fn unwatch_folder(&self, folder: &Path) -> Result<()> {
        watched::unwatch(&self.db, folder)?;
        self.signal(Signal::Folders);
        Ok(())
    }

    /// The watched folders.
    pub fn watched_folders(&self) -> Result<Vec<WatchedFolder>> {
        watched::list(&self.db)
    }

    /// Brings the library in line with one watched folder: new files queued, changed ones queued
    /// again, gone ones' documents deleted (with their vectors and kept copies).
    pub fn scan_folder(&self, folder: &WatchedFolder) -> Result<Scan> {
        let scan = watched::scan(&self.db, folder)?;
        self.forget(&scan.forgotten_chunks)?;
        for document in &scan.deleted {
            self.originals.remove(&document.sha256);
            self.forget_pages(&document.sha256);
        }
        if scan.added + scan.changed > 0 {
            self.wake();
        }
        Ok(scan)
    }

    /// Scans every watched folder.
    pub fn scan_folders(&self) -> Result<Vec<Scan>> {
        watched::list(&self.db)?.iter().map(|f| self.scan_folder(f)).collect()
    }

    fn signal(&self, signal: Signal) {
        if let Some(sender) = self.folder_signal.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = sender.send(signal);
        }
    }

    /// Keeps the watched folders in sync on a thread of its own: every folder is scanned at
    /// start (changes made while the app was closed), then again a moment after the file system
    /// reports a change in it (and every ten minutes regardless). `on_scan` hears each scan that
    /// changed the library.
    pub fn spawn_folder_watcher(self: &Arc<Self>, on_scan: impl Fn(&Scan) + Send + 'static) -> Result<()> {
        let (sender, signals) = mpsc::channel();
        let events = sender.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                for path in event.paths {
                    let _ = events.send(Signal::Changed(path));
                }
            }
        })
        .map_err(|e| Error::Index(format!("the file-system watcher could not start: {e}")))?;
        *self.folder_signal.lock().unwrap_or_else(|e| e.into_inner()) = Some(sender);
        let engine = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("hearth-folders".into())
            .spawn(move || watch_loop(engine, watcher, signals, on_scan))
            .expect("a thread can be started");
        Ok(())
    }
}

fn watch_loop(
    engine: std::sync::Weak<Engine>,
    mut watcher: notify::RecommendedWatcher,
    signals: mpsc::Receiver<Signal>,
    on_scan: impl Fn(&Scan),
) {
    let mut watching: HashSet<PathBuf> = HashSet::new();
    // Paths the file system reported since the last scan.
    let mut pending: HashSet<PathBuf> = HashSet::new();
    // When every folder is scanned next (at start: now).
    let mut full_at = Instant::now();
    let mut wait = Duration::ZERO;
    loop {
        match signals.recv_timeout(wait) {
            Ok(Signal::Changed(path)) => {
                pending.insert(path);
                wait = DEBOUNCE;
                continue;
            }
            Ok(Signal::Folders) => {
                full_at = Instant::now();
                wait = Duration::ZERO;
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        let Some(engine) = engine.upgrade() else { return };
        let folders = match engine.watched_folders() {
            Ok(folders) => folders,
            Err(e) => {
                tracing::warn!(error = %e, "listing watched folders");
                wait = RESCAN_EVERY;
                continue;
            }
        };
        // Watch what is watched now, and nothing else.
        let now: HashSet<PathBuf> = folders.iter().map(|f| f.path.clone()).collect();
        for gone in watching.difference(&now) {
            let _ = watcher.unwatch(gone);
        }
        for new in now.difference(&watching) {
            if let Err(e) = watcher.watch(new, RecursiveMode::Recursive) {
                tracing::warn!(folder = %new.display(), error = %e, "watching a folder");
            }
        }
        watching = now;
        let full = Instant::now() >= full_at;
        let mut unsettled = false;
        for folder in &folders {
            if !full && !pending.iter().any(|p| p.starts_with(&folder.path)) {
                continue;
            }
            match engine.scan_folder(folder) {
                Ok(scan) => {
                    unsettled |= scan.unsettled > 0;
                    if scan.changed_library() {
                        tracing::info!(folder = %folder.path.display(), added = scan.added, changed = scan.changed, removed = scan.removed, "folder scanned");
                        on_scan(&scan);
                    }
                }
                Err(e) => tracing::warn!(folder = %folder.path.display(), error = %e, "scanning a folder"),
            }
        }
        pending.clear();
        if full {
            full_at = Instant::now() + RESCAN_EVERY;
        }
        drop(engine);
        // A file still being written is looked at again once it has settled.
        wait = if unsettled {
            pending.extend(watching.iter().cloned());
            SETTLE + Duration::from_millis(500)
        } else {
            full_at.saturating_duration_since(Instant::now())
        };
    }
}
