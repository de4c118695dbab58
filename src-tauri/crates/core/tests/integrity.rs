//! A damaged database is never silently used: the integrity check at open refuses it, and the
//! way out — the newest backup that passes its check, or an empty library — keeps the damaged
//! file aside.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use hearth_core::sessions::messages::{self, NewMessage};
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::{Page, backup, integrity, paths};
use hearth_core::{Error, ErrorCode, store};

/// A library with `n` chats, closed (so its journal is in the file), and an automatic backup
/// taken after the first `backed_up` of them.
fn library(dir: &Path, n: usize, backed_up: usize) {
    let db = store::open(dir).unwrap();
    for i in 0..n {
        if i == backed_up {
            backup::automatic(&db, dir, 3, Duration::ZERO).unwrap().expect("a backup is written");
        }
        let s = sessions::create(&db, NewSession { name: Some(format!("chat {i}")), ..Default::default() }).unwrap();
        // Long messages fill pages, so there is a b-tree to damage beyond the first pages.
        let content = format!("{i}: {}", "about the bees of the northern coast ".repeat(40));
        messages::add(&db, s.id, NewMessage { content, role: None, metadata: None }).unwrap();
    }
}

fn chats(dir: &Path) -> usize {
    let db = store::open(dir).unwrap();
    sessions::list(&db, Page::new(1000, 0).unwrap()).unwrap().total as usize
}

fn damaged(dir: &Path) -> Error {
    let err = store::open(dir).err().expect("a damaged database is refused");
    assert_eq!(err.code(), ErrorCode::Damaged, "{err}");
    assert!(err.to_string().contains("is damaged") && err.to_string().contains("hearth recover"), "{err}");
    err
}

/// Overwrites part of the file past its header with bytes no page has.
fn scribble(db: &Path, at: u64, len: usize) {
    let mut file = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    file.seek(SeekFrom::Start(at)).unwrap();
    file.write_all(&vec![0xA5; len]).unwrap();
}

fn aside(dir: &Path, prefix: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect()
}

#[test]
fn a_scribbled_page_is_refused_untouched_and_the_newest_good_backup_restores() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path(), 40, 30);
    let db = dir.path().join(paths::DATABASE_FILE);
    assert!(std::fs::metadata(&db).unwrap().len() > 8 * 4096, "several pages");
    assert!(!dir.path().join("hearth.db-wal").exists(), "closing folded the WAL into the file");
    // The headers of pages 2 to 8: b-tree pages and overflow chains SQLite can tell are wrong
    // (it keeps no checksums, so scribbled text inside a row would read as text).
    (1..8).for_each(|page| scribble(&db, page * 4096, 16));
    let before = std::fs::read(&db).unwrap();
    damaged(dir.path());
    assert_eq!(std::fs::read(&db).unwrap(), before, "a refused database is not written to");

    // An older backup that is itself damaged is not offered.
    let backups_dir = dir.path().join(backup::BACKUPS_DIR);
    let good = backup::automatic_backups(&backups_dir).unwrap().pop().unwrap().0;
    let bad = backups_dir.join("hearth-2020-01-01T00-00-00Z.db");
    std::fs::write(&bad, b"SQLite format 3\0 and then nothing a database needs").unwrap();
    let offered = integrity::usable_backups(dir.path()).unwrap();
    assert_eq!(offered.iter().map(|b| b.path.clone()).collect::<Vec<_>>(), vec![good.clone()]);
    assert_eq!(offered[0].sessions, 30);

    let restored = backup::restore(dir.path(), &good).unwrap();
    let kept = restored.previous.expect("the damaged file is kept");
    assert!(kept.file_name().unwrap().to_str().unwrap().starts_with("hearth.db.damaged-"), "{kept:?}");
    assert_eq!(std::fs::read(&kept).unwrap(), before, "kept as it was");
    assert_eq!(chats(dir.path()), 30, "the backup's chats");
}

#[test]
fn a_truncated_file_is_refused_and_a_fresh_start_keeps_it_aside() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path(), 40, 40);
    let db = dir.path().join(paths::DATABASE_FILE);
    let whole = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&db).unwrap().set_len(whole / 2).unwrap();
    damaged(dir.path());

    // Not while the library is open elsewhere.
    let holder = backup::lock_shared(dir.path()).unwrap();
    assert!(integrity::set_aside(dir.path()).unwrap_err().to_string().contains("the library is open"));
    drop(holder);

    let kept = integrity::set_aside(dir.path()).unwrap();
    assert_eq!(std::fs::metadata(&kept).unwrap().len(), whole / 2);
    assert_eq!(chats(dir.path()), 0, "an empty library");
    assert_eq!(aside(dir.path(), "hearth.db.damaged-").len(), 1);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_an_intact_one_opens() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path(), 3, 3);
    assert_eq!(chats(dir.path()), 3, "an intact library passes the check");
    let db = dir.path().join(paths::DATABASE_FILE);
    scribble(&db, 0, 100);
    damaged(dir.path());
    assert!(integrity::usable_backups(dir.path()).unwrap().is_empty(), "no automatic backup was taken");
}

#[test]
fn a_large_file_has_its_header_and_every_table_but_the_passages_checked() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path(), 40, 40);
    let db = dir.path().join(paths::DATABASE_FILE);
    // As if it were large: the check by table finds the damaged chats and messages.
    integrity::check_up_to(&db, 0).expect("an intact file passes");
    (1..8).for_each(|page| scribble(&db, page * 4096, 16));
    let err = integrity::check_up_to(&db, 0).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Damaged, "{err}");

    // A file cut short is found from its header alone, whatever its size.
    let dir = tempfile::tempdir().unwrap();
    library(dir.path(), 40, 40);
    let db = dir.path().join(paths::DATABASE_FILE);
    let whole = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&db).unwrap().set_len(whole - 4096).unwrap();
    let err = integrity::check_up_to(&db, 0).unwrap_err();
    assert!(err.to_string().contains("shorter than the"), "{err}");
}
