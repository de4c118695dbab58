//! Watched folders: added, changed, touched, renamed, deleted and half-written files, and
//! changes made while the app was closed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hearth_core::ingest::documents::{self, DocStatus};
use hearth_core::ingest::queue;
use hearth_core::models::embedding::locate_model_dir;
use hearth_core::retrieval::{Mode, SearchRequest};
use hearth_core::store::Page;
use hearth_core::{Engine, Error};

/// Writes `text` to `path` as a file last modified a while ago (settled).
fn write_settled(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(30)).unwrap();
}

/// Processes every queued document, as the app's worker does.
fn process_all(engine: &Engine) {
    while let Some(id) = queue::next_queued(engine.db()).unwrap() {
        let done = engine.process(id, &mut |_| {}).unwrap();
        assert_eq!(done.status, DocStatus::Ready, "{done:?}");
    }
}

fn found(engine: &Engine, words: &str) -> Vec<String> {
    let request = SearchRequest::new(words).mode(Mode::Keyword).k(5);
    engine.search(&request).unwrap().into_iter().map(|h| h.document_name).collect()
}

fn names(engine: &Engine) -> Vec<String> {
    let mut names: Vec<String> =
        documents::list(engine.db(), Page::new(100, 0).unwrap()).unwrap().items.into_iter().map(|d| d.name).collect();
    names.sort();
    names
}

fn open(data: &Path) -> Arc<Engine> {
    Engine::open(data, &locate_model_dir(None)).unwrap()
}

#[test]
fn a_watched_folder_follows_its_files_and_what_changed_while_the_app_was_closed() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    std::fs::create_dir(folder.join("notes")).unwrap();
    write_settled(&folder.join("ferns.md"), "# Ferns\n\nFerns spread by spores and like deep shade.\n");
    write_settled(&folder.join("notes/orchids.txt"), "Most orchids grow on trees and take water from the air.\n");
    std::fs::write(folder.join("photo.png"), "not a document").unwrap();

    let engine = open(data.path());
    let (watched, scan) = engine.watch_folder(folder).unwrap();
    assert_eq!((scan.files, scan.added, scan.removed), (2, 2, 0), "{scan:?}");
    process_all(&engine);
    assert_eq!(names(&engine), ["ferns.md", "orchids.txt"]);
    assert_eq!(engine.watched_folders().unwrap()[0].documents, 2);

    // Unchanged: nothing is read or done.
    let scan = engine.scan_folder(&watched).unwrap();
    assert!(!scan.changed_library() && scan.errors.is_empty(), "{scan:?}");

    // Changed: indexed again in place (same document, new text).
    let ferns = documents::list(engine.db(), Page::new(10, 0).unwrap())
        .unwrap()
        .items
        .into_iter()
        .find(|d| d.name == "ferns.md")
        .unwrap();
    write_settled(&folder.join("ferns.md"), "# Ferns\n\nBracken fronds uncurl in spring like a fiddlehead.\n");
    let scan = engine.scan_folder(&watched).unwrap();
    assert_eq!(scan.changed, 1, "{scan:?}");
    process_all(&engine);
    assert_eq!(found(&engine, "fiddlehead"), ["ferns.md"]);
    assert!(found(&engine, "spores").is_empty(), "the old text is gone");
    assert_eq!(documents::get(engine.db(), ferns.id).unwrap().status, DocStatus::Ready, "the same document");

    // Touched (saved unchanged): read once, nothing indexed.
    write_settled(&folder.join("ferns.md"), "# Ferns\n\nBracken fronds uncurl in spring like a fiddlehead.\n");
    let scan = engine.scan_folder(&watched).unwrap();
    assert!(!scan.changed_library(), "{scan:?}");

    // Renamed: the document follows the file; nothing is embedded again.
    let orchids = documents::list(engine.db(), Page::new(10, 0).unwrap())
        .unwrap()
        .items
        .into_iter()
        .find(|d| d.name == "orchids.txt")
        .unwrap();
    std::fs::rename(folder.join("notes/orchids.txt"), folder.join("epiphytes.txt")).unwrap();
    let scan = engine.scan_folder(&watched).unwrap();
    assert_eq!((scan.moved, scan.removed, scan.added), (1, 0, 0), "{scan:?}");
    let moved = documents::get(engine.db(), orchids.id).unwrap();
    assert_eq!((moved.name.as_str(), moved.status), ("epiphytes.txt", DocStatus::Ready));
    assert!(moved.original_path.unwrap().ends_with("epiphytes.txt"));

    // Being written (modified just now): left for the next scan.
    std::fs::write(folder.join("half.md"), "# Half\n\nStill being").unwrap();
    let scan = engine.scan_folder(&watched).unwrap();
    assert_eq!((scan.unsettled, scan.added), (1, 0), "{scan:?}");
    std::fs::remove_file(folder.join("half.md")).unwrap();

    // Deleted: its document leaves the library.
    std::fs::remove_file(folder.join("ferns.md")).unwrap();
    let scan = engine.scan_folder(&watched).unwrap();
    assert_eq!(scan.removed, 1, "{scan:?}");
    assert!(matches!(documents::get(engine.db(), ferns.id).unwrap_err(), Error::NotFound { .. }));
    assert!(found(&engine, "fiddlehead").is_empty());

    // While the app is closed: a file added and one changed are found at the next start.
    drop(engine);
    write_settled(&folder.join("mosses.md"), "# Mosses\n\nMosses have no roots, only rhizoids.\n");
    write_settled(&folder.join("epiphytes.txt"), "Epiphytes such as Spanish moss hang from live oaks.\n");
    let engine = open(data.path());
    let scans = engine.scan_folders().unwrap();
    assert_eq!((scans[0].added, scans[0].changed), (1, 1), "{scans:?}");
    process_all(&engine);
    assert_eq!(names(&engine), ["epiphytes.txt", "mosses.md"]);
    assert_eq!(found(&engine, "rhizoids"), ["mosses.md"]);

    // A folder that is not there (an unplugged disk) removes nothing.
    engine.unwatch_folder(folder).unwrap();
    assert!(engine.watched_folders().unwrap().is_empty());
    assert_eq!(names(&engine).len(), 2, "unwatching keeps the documents");
    let missing = engine.watch_folder(&folder.join("nowhere")).unwrap_err();
    assert!(matches!(missing, Error::InvalidInput(_)), "{missing:?}");
}

#[test]
fn the_watcher_sees_a_file_dropped_in_the_folder() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = open(data.path());
    engine.watch_folder(dir.path()).unwrap();
    let (heard, scans) = std::sync::mpsc::channel();
    engine.spawn_folder_watcher(move |scan| heard.send(scan.added).unwrap()).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(dir.path().join("tides.md"), "# Tides\n\nThe moon pulls the sea into two bulges.\n").unwrap();
    // Debounced, then left to settle, then added.
    let added = scans.recv_timeout(Duration::from_secs(20)).expect("the watcher scanned the folder");
    assert_eq!(added, 1);
    assert_eq!(
        queue::next_queued(engine.db()).unwrap().map(|id| documents::get(engine.db(), id).unwrap().name).as_deref(),
        Some("tides.md")
    );
}
