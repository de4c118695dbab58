use hearth_core::Error;
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::migrations::{self, latest_version, run_with, runner, schema_version};
use hearth_core::store::paths;
use refinery::Migration;
use rusqlite::Connection;

fn first_migration_only() -> refinery::Runner {
    let first = runner().get_migrations().iter().min_by_key(|m| m.version()).unwrap().clone();
    let sql = first.sql().unwrap().to_owned();
    refinery::Runner::new(&[Migration::unapplied(&format!("V{}__{}", first.version(), first.name()), &sql).unwrap()])
        .set_grouped(true)
}

#[test]
fn a_database_created_by_the_first_migration_upgrades_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(paths::DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        run_with(first_migration_only(), &mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 1);
        conn.execute(
            "INSERT INTO sessions (id, name, created_at, last_updated_at, llm_model_name)
             VALUES ('5f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11', 'from v1', '2025-01-01T00:00:00.000000Z',
                     '2025-01-01T00:00:00.000000Z', 'old-model')",
            [],
        )
        .unwrap();
    }
    let db = hearth_core::open(dir.path()).unwrap();
    let health = hearth_core::health(&db).unwrap();
    assert_eq!(health.schema_version, latest_version());
    assert!(latest_version() >= 2);
    let old = sessions::get(&db, "5f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11".parse().unwrap()).unwrap();
    assert_eq!(old.name, "from v1");
    sessions::create(&db, NewSession::default()).unwrap();
}

#[test]
fn an_edited_applied_migration_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    drop(hearth_core::open(dir.path()).unwrap());
    let edited: Vec<Migration> = runner()
        .get_migrations()
        .iter()
        .map(|m| {
            let mut sql = m.sql().unwrap().to_owned();
            if m.version() == 1 {
                sql.push_str("\nCREATE TABLE sneaky (x INTEGER);\n");
            }
            Migration::unapplied(&format!("V{}__{}", m.version(), m.name()), &sql).unwrap()
        })
        .collect();
    let mut conn = Connection::open(dir.path().join(paths::DATABASE_FILE)).unwrap();
    let err = run_with(refinery::Runner::new(&edited).set_abort_divergent(true), &mut conn).unwrap_err();
    assert!(matches!(err, Error::Migration(_)), "{err}");
    let sneaky: i64 =
        conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sneaky'", [], |r| r.get(0)).unwrap();
    assert_eq!(sneaky, 0);
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(hearth_core::open(dir.path()).unwrap());
    let path = dir.path().join(paths::DATABASE_FILE);
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01T00:00:00Z', '1')",
        [],
    )
    .unwrap();
    drop(conn);
    let err = hearth_core::open(dir.path()).err().expect("refused");
    assert!(matches!(err, Error::Migration(_)), "{err}");
}

#[test]
fn the_schema_is_current_after_open_and_uses_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = hearth_core::open(dir.path()).unwrap();
    let health = hearth_core::health(&db).unwrap();
    assert_eq!(health.schema_version, migrations::latest_version());
    assert_eq!(health.journal_mode, "wal");
    let fk: i64 = db.read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap())).unwrap();
    assert_eq!(fk, 1);
}

/// The migrations up to and including `version`.
fn migrations_up_to(version: i32) -> refinery::Runner {
    let migrations: Vec<Migration> = runner()
        .get_migrations()
        .iter()
        .filter(|m| m.version() <= version)
        .map(|m| Migration::unapplied(&format!("V{}__{}", m.version(), m.name()), m.sql().unwrap()).unwrap())
        .collect();
    refinery::Runner::new(&migrations).set_grouped(true)
}

#[test]
fn chunks_stored_before_heading_paths_stay_searchable_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(paths::DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        run_with(migrations_up_to(4), &mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO documents (id, name, sha256, doc_type, size_bytes, status, chunk_count, created_at, updated_at)
             VALUES ('6f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11', 'old.txt', 'abc', 'text', 10, 'ready', 1,
                     '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z');
             INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count)
             VALUES ('6f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11', 0, 'Lighthouse keepers trimmed the wicks', 0, 36, 6);",
        )
        .unwrap();
    }
    let db = hearth_core::open(dir.path()).unwrap();
    let found: Vec<(String, String, String)> = db
        .read(|conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT c.text, c.heading_path, c.context FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
                     WHERE chunks_fts MATCH 'wicks'",
                )
                .unwrap();
            Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect())
        })
        .unwrap();
    assert_eq!(found, [("Lighthouse keepers trimmed the wicks".to_owned(), String::new(), String::new())]);
    // Deleting the old chunk keeps the text index consistent (FTS5's own check).
    db.write(|tx| {
        tx.execute("DELETE FROM chunks", []).unwrap();
        tx.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')", []).unwrap();
        Ok(())
    })
    .unwrap();
}

#[test]
fn messages_written_before_chat_search_are_found_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(paths::DATABASE_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        run_with(migrations_up_to(5), &mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO sessions (id, name, created_at, last_updated_at, llm_model_name)
             VALUES ('7f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11', 'old chat', '2025-01-01T00:00:00.000000Z',
                     '2025-01-01T00:00:00.000000Z', 'm');
             INSERT INTO chat_messages (session_id, timestamp, role, content)
             VALUES ('7f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11', '2025-01-01T00:00:00.000000Z', 'user',
                     'Which ferries cross the fjord?');",
        )
        .unwrap();
    }
    let db = hearth_core::open(dir.path()).unwrap();
    let found = sessions::list_matching(&db, "ferry fjord", hearth_core::store::Page::new(10, 0).unwrap()).unwrap();
    assert_eq!(found.items.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["old chat"]);
    assert_eq!(found.found, [Some("Which ferries cross the fjord?".to_owned())]);
}

#[test]
fn chats_made_before_scopes_search_what_they_searched_or_else_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(paths::DATABASE_FILE);
    let (with_docs, without) = ("7f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11", "8a1d7a53-6c1e-4f5e-9c39-1e5d2a8b0c12");
    {
        let mut conn = Connection::open(&path).unwrap();
        run_with(migrations_up_to(6), &mut conn).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO sessions (id, name, created_at, last_updated_at, llm_model_name)
             VALUES ('{with_docs}', 'with', '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z', 'm'),
                    ('{without}', 'without', '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z', 'm');
             INSERT INTO documents (id, name, sha256, doc_type, size_bytes, status, created_at, updated_at)
             VALUES ('9b2e7a53-6c1e-4f5e-9c39-1e5d2a8b0c13', 'a.md', 'x', 'markdown', 1, 'ready',
                     '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z');
             INSERT INTO session_documents (session_id, document_id, position, attached_at)
             VALUES ('{with_docs}', '9b2e7a53-6c1e-4f5e-9c39-1e5d2a8b0c13', 0, '2025-01-01T00:00:00.000000Z');"
        ))
        .unwrap();
    }
    let db = hearth_core::open(dir.path()).unwrap();
    let scope = |id: &str| sessions::get(&db, id.parse().unwrap()).unwrap().scope;
    assert_eq!(scope(with_docs), sessions::Scope::Documents);
    assert_eq!(scope(without), sessions::Scope::Library);
}

#[test]
fn processes_opening_a_new_library_at_once_migrate_it_once() {
    // The app and `hearth` opening a library that does not exist yet, at the same moment: before
    // the migration lock, the second failed with "table sessions already exists" (CI saw it).
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            let opened: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        hearth_core::open(dir.path()).map(drop)
                    })
                })
                .collect();
            for result in opened {
                result.join().unwrap().expect("every opener gets the library");
            }
        });
    }
}

/// A model's vector count and key sum.
type Counted = (String, i64, i64);

/// `vector_counts` against what it stands for, per model.
fn vector_counts_and_truth(conn: &Connection) -> (Vec<Counted>, Vec<Counted>) {
    let rows = |sql: &str| {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
    };
    (
        rows("SELECT model_id, count, key_sum FROM vector_counts WHERE count > 0 ORDER BY model_id"),
        rows("SELECT model_id, COUNT(*), SUM(chunk_id) FROM chunk_vectors GROUP BY model_id ORDER BY model_id"),
    )
}

#[test]
fn vector_counts_start_from_the_stored_vectors_and_follow_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(paths::DATABASE_FILE);
    let store = |conn: &Connection, chunks: std::ops::Range<i64>, model: &str| {
        for ordinal in chunks {
            conn.execute(
                "INSERT OR IGNORE INTO chunks (id, document_id, ordinal, text, char_start, char_end, token_count)
                 VALUES (?1, '6f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11', ?1, 'text', 0, 4, 1)",
                [ordinal],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO chunk_vectors (chunk_id, model_id, vector) VALUES (?1, ?2, x'00')",
                rusqlite::params![ordinal, model],
            )
            .unwrap();
        }
    };
    {
        let mut conn = Connection::open(&path).unwrap();
        run_with(migrations_up_to(12), &mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO documents (id, name, sha256, doc_type, size_bytes, status, chunk_count, created_at, updated_at)
             VALUES ('6f0c7a53-6c1e-4f5e-9c39-1e5d2a8b0c11', 'old.txt', 'abc', 'text', 10, 'ready', 1,
                     '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z');",
        )
        .unwrap();
        store(&conn, 1..40, "old-model");
        store(&conn, 10..20, "new-model");
    }
    let db = hearth_core::open(dir.path()).unwrap();
    db.write(|tx| {
        let (counts, truth) = vector_counts_and_truth(tx);
        assert_eq!(counts, truth, "the upgrade counts what was stored");
        assert_eq!(counts[0], ("new-model".to_owned(), 10, (10..20).sum()));
        store(tx, 40..45, "new-model");
        // An upsert of a vector that exists (what a re-embedding does) changes no count.
        tx.execute(
            "INSERT INTO chunk_vectors (chunk_id, model_id, vector) VALUES (12, 'new-model', x'01')
             ON CONFLICT (chunk_id, model_id) DO UPDATE SET vector = excluded.vector",
            [],
        )
        .unwrap();
        tx.execute("UPDATE chunk_vectors SET model_id = 'third-model' WHERE chunk_id = 3", []).unwrap();
        tx.execute("DELETE FROM chunks WHERE id IN (1, 2, 15)", []).unwrap(); // cascades to their vectors
        tx.execute("DELETE FROM chunk_vectors WHERE model_id = 'old-model'", []).unwrap();
        let (counts, truth) = vector_counts_and_truth(tx);
        assert_eq!(counts, truth);
        assert_eq!(counts.len(), 2, "{counts:?}");
        Ok(())
    })
    .unwrap();
}
