//! Backups: a consistent copy while the library is in use, restores that check before they
//! replace anything, and the automatic backups kept.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use hearth_core::sessions::messages::{self, NewMessage};
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::backup;
use hearth_core::store::{Page, paths};
use hearth_core::{Error, store};

fn chat(db: &hearth_core::Database, name: &str) {
    let s = sessions::create(db, NewSession { name: Some(name.into()), ..Default::default() }).unwrap();
    messages::add(db, s.id, NewMessage { content: format!("about {name}"), role: None, metadata: None }).unwrap();
}

fn names(db: &hearth_core::Database) -> Vec<String> {
    let mut names: Vec<_> =
        sessions::list(db, Page::new(100, 0).unwrap()).unwrap().items.into_iter().map(|s| s.name).collect();
    names.sort();
    names
}

#[test]
fn a_backup_written_while_the_library_is_used_holds_one_moment_and_restores() {
    let library = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("monday.db");
    {
        let db = store::open(library.path()).unwrap();
        chat(&db, "bees");
        // Another writer keeps writing while the copy is taken.
        std::thread::scope(|scope| {
            let writer = scope.spawn(|| (0..50).for_each(|i| chat(&db, &format!("busy {i}"))));
            let info = db.backup_to(&file).unwrap();
            // One moment's state: the one writer is at most between a chat's two writes (the
            // chat made, its message not yet), never halfway through a write.
            assert!(
                info.sessions >= 1 && (info.sessions - info.messages) <= 1 && info.messages <= info.sessions,
                "{info:?}"
            );
            writer.join().unwrap();
        });
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(!elsewhere.path().join("monday.db.partial").exists());

        // A restore is refused while the library is open.
        let open = backup::restore(library.path(), &file).unwrap_err();
        assert!(open.to_string().contains("the library is open"), "{open}");
        chat(&db, "after the backup");
    }
    std::fs::create_dir_all(library.path().join("index")).unwrap();
    let restored = backup::restore(library.path(), &file).unwrap();
    let aside = restored.previous.expect("the previous database is kept aside");
    assert!(aside.file_name().unwrap().to_str().unwrap().starts_with("hearth.db.before-restore-"));
    assert!(!library.path().join("index").exists(), "the derived index goes, to be rebuilt");

    let db = store::open(library.path()).unwrap();
    let now = names(&db);
    assert!(now.contains(&"bees".to_owned()) && !now.contains(&"after the backup".to_owned()), "{now:?}");
    assert_eq!(now.len() as i64, restored.backup.sessions);
    drop(db);
    let before = backup::check(&aside).unwrap();
    assert_eq!(before.sessions, 52, "the database aside is whole (its journal went in first)");
}

#[test]
fn a_damaged_foreign_or_newer_backup_is_refused_and_nothing_changes() {
    let library = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let good = scratch.path().join("good.db");
    {
        let db = store::open(library.path()).unwrap();
        (0..200).for_each(|i| chat(&db, &format!("chat {i}")));
        db.backup_to(&good).unwrap();
        db.checkpoint().unwrap();
    }
    let database = library.path().join(paths::DATABASE_FILE);
    let untouched = std::fs::read(&database).unwrap();

    let mut damaged = std::fs::read(&good).unwrap();
    let page = 4096;
    damaged[3 * page..5 * page].fill(0xA5);
    let damaged_file = scratch.path().join("damaged.db");
    std::fs::write(&damaged_file, damaged).unwrap();
    let text = scratch.path().join("notes.db");
    std::fs::write(&text, "not a database at all").unwrap();
    let newer = scratch.path().join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01T00:00:00Z', '1')",
        )
        .unwrap();

    for (file, why) in [
        (&damaged_file, "integrity check failed"),
        (&text, "not a database"),
        (&newer, "newer Hearth"),
        (&scratch.path().join("missing.db"), "No such file"),
    ] {
        let err = backup::restore(library.path(), file).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(err.to_string().contains("is not a usable backup") && err.to_string().contains(why), "{err}");
        assert_eq!(std::fs::read(&database).unwrap(), untouched, "{why}: the database is untouched");
        assert_eq!(
            std::fs::read_dir(library.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
                .count(),
            0
        );
    }
}

#[test]
fn automatic_backups_are_written_when_due_and_the_oldest_deleted() {
    let library = tempfile::tempdir().unwrap();
    let db = store::open(library.path()).unwrap();
    chat(&db, "bees");
    let dir = library.path().join(backup::BACKUPS_DIR);
    assert!(backup::automatic(&db, library.path(), 0, Duration::ZERO).unwrap().is_none(), "0 kept: off");
    for _ in 0..4 {
        assert!(backup::automatic(&db, library.path(), 2, Duration::ZERO).unwrap().is_some());
        std::thread::sleep(Duration::from_millis(1100)); // one a second: names are to the second
    }
    assert_eq!(backup::automatic_backups(&dir).unwrap().len(), 2, "the newest two are kept");
    assert!(backup::automatic(&db, library.path(), 2, Duration::from_secs(3600)).unwrap().is_none(), "not due");
    let newest = &backup::automatic_backups(&dir).unwrap()[1].0;
    assert_eq!(backup::check(newest).unwrap().sessions, 1);
}
