//! The tantivy keyword index as derived state: built from the chunks, caught up from the change
//! log after adds and deletes, never used while it is behind (FTS5 answers), and rebuilt when it
//! is missing, damaged or another database's.

mod common;

use hearth_core::Database;
use hearth_core::ingest::documents;
use hearth_core::retrieval::keyword_index::{KeywordIndex, Synced};
use hearth_core::retrieval::{self as search, Hit, Mode, SearchRequest, Searchers};

use common::{add, fixture, names};

fn keyword_search(db: &Database, index: Option<&KeywordIndex>, query: &str) -> Vec<Hit> {
    let request = SearchRequest::new(query).k(5).mode(Mode::Keyword);
    search::search_with(db, Searchers { keywords: index, ..Searchers::default() }, &request).unwrap()
}

/// Whether the index itself (not FTS5) answers `words`.
fn index_answers(db: &Database, index: &KeywordIndex, words: &[&str]) -> bool {
    db.read(|conn| index.ranking(conn, words, None, 5)).unwrap().is_some()
}

fn changes_left(db: &Database) -> i64 {
    db.read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM chunk_changes", [], |r| r.get(0)).unwrap())).unwrap()
}

#[test]
fn the_index_ranks_as_fts5_does_and_follows_adds_and_deletes() {
    let (dir, db) = common::temp_db();
    let bees = add(&db, &fixture("beekeeping.pdf")).document;
    let tides = add(&db, &fixture("tides.docx")).document;
    let index = KeywordIndex::open(dir.path()).unwrap();
    assert!(!index_answers(&db, &index, &["honey"]), "an index never built does not answer");

    let synced = index.sync(&db).unwrap();
    assert!(
        matches!(&synced, Synced::Rebuilt(_, n) if *n as i64 == bees.chunk_count + tides.chunk_count),
        "{synced:?}"
    );
    assert_eq!(changes_left(&db), 0, "the changes the index holds leave the log");
    for query in ["Varroa mites in winter", "spring tides at full moon", "extracting honey from the comb"] {
        let by_index = keyword_search(&db, Some(&index), query);
        let by_fts5 = keyword_search(&db, None, query);
        assert!(!by_index.is_empty(), "{query}");
        assert_eq!(by_index[0].chunk_id, by_fts5[0].chunk_id, "{query}: the same best passage");
        let shared = by_index.iter().filter(|h| by_fts5.iter().any(|f| f.chunk_id == h.chunk_id)).count();
        assert!(shared * 5 >= by_index.len() * 4, "{query}: {shared} of {} shared", by_index.len());
    }
    assert!(index_answers(&db, &index, &["honey"]));

    // A document stored after the index caught up: the index is behind, so FTS5 answers (the
    // new document is found all the same) until the next sync.
    let volcanoes = add(&db, &fixture("volcanoes.html")).document;
    assert!(!index_answers(&db, &index, &["magma"]), "a stale index does not answer");
    assert!(names(&keyword_search(&db, Some(&index), "magma")).contains(&"volcanoes.html"));
    assert_eq!(index.sync(&db).unwrap(), Synced::CaughtUp(volcanoes.chunk_count as usize));
    assert!(index_answers(&db, &index, &["magma"]));
    let hits = keyword_search(&db, Some(&index), "magma eruption");
    assert_eq!(names(&hits)[0], "volcanoes.html");

    // A deleted document's passages go from the index with the next sync.
    let gone = documents::delete(&db, bees.id).unwrap();
    assert_eq!(index.sync(&db).unwrap(), Synced::CaughtUp(gone.len()));
    assert!(index_answers(&db, &index, &["Varroa"]));
    assert!(keyword_search(&db, Some(&index), "Varroa").iter().all(|h| h.document_id != bees.id));
    assert_eq!(index.len() as i64, tides.chunk_count + volcanoes.chunk_count);
    assert_eq!(changes_left(&db), 0);
    assert_eq!(index.sync(&db).unwrap(), Synced::Current);
}

#[test]
fn a_filter_keeps_to_its_documents() {
    let (dir, db) = common::temp_db();
    let bees = add(&db, &fixture("beekeeping.pdf")).document;
    let tides = add(&db, &fixture("tides.docx")).document;
    let index = KeywordIndex::open(dir.path()).unwrap();
    index.sync(&db).unwrap();
    let within = |docs: &[_]| db.read(|conn| index.ranking(conn, &["water", "honey", "moon"], Some(docs), 50)).unwrap();
    let in_tides = within(&[tides.id]).expect("the index answers");
    assert!(!in_tides.is_empty());
    let request = SearchRequest::new("water honey moon").k(50).mode(Mode::Keyword).within(vec![tides.id]);
    let hits =
        search::search_with(&db, Searchers { keywords: Some(&index), ..Searchers::default() }, &request).unwrap();
    assert_eq!(hits.len(), in_tides.len());
    assert!(hits.iter().all(|h| h.document_id == tides.id));
    let both = within(&[tides.id, bees.id]).unwrap();
    assert!(both.len() > in_tides.len(), "honey is in the beekeeping guide");
    assert_eq!(within(&[]), Some(Vec::new()));
}

#[test]
fn a_saved_index_is_reused_and_a_damaged_missing_or_foreign_one_is_rebuilt() {
    let (dir, db) = common::temp_db();
    let doc = add(&db, &fixture("volcanoes.html")).document;
    let data_dir = dir.path();
    let index = KeywordIndex::open(data_dir).unwrap();
    index.sync(&db).unwrap();
    let folder = index.path().to_owned();
    drop(index);

    let index = KeywordIndex::open(data_dir).unwrap();
    assert!(index_answers(&db, &index, &["magma"]), "a saved, current index answers at once");
    assert_eq!(index.sync(&db).unwrap(), Synced::Current);
    assert_eq!(index.len() as i64, doc.chunk_count);
    drop(index);

    std::fs::write(folder.join("meta.json"), b"{ not json").unwrap();
    let index = KeywordIndex::open(data_dir).unwrap();
    assert!(matches!(index.sync(&db).unwrap(), Synced::Rebuilt(..)), "a damaged index is built again");
    assert!(index_answers(&db, &index, &["magma"]));
    drop(index);

    std::fs::remove_dir_all(&folder).unwrap();
    let index = KeywordIndex::open(data_dir).unwrap();
    let synced = index.sync(&db).unwrap();
    assert!(matches!(&synced, Synced::Rebuilt(r, n) if r.contains("no keyword index") && *n as i64 == doc.chunk_count));

    // The same folder beside another library (a fresh start that kept the folder), even one
    // that has made more changes than the index holds: built again from that library's chunks.
    let (_other_dir, other) = common::temp_db();
    for name in ["tides.docx", "beekeeping.pdf", "sourdough.txt"] {
        add(&other, &fixture(name));
    }
    assert!(!index_answers(&other, &index, &["magma"]), "an index of another library does not answer");
    let synced = index.sync(&other).unwrap();
    assert!(matches!(&synced, Synced::Rebuilt(r, _) if r.contains("another library")), "{synced:?}");
    assert!(keyword_search(&other, Some(&index), "magma").is_empty());
    assert!(!keyword_search(&other, Some(&index), "tides").is_empty());
}

#[test]
fn two_processes_share_the_index_and_each_sees_the_others_catch_up() {
    let (dir, db) = common::temp_db();
    add(&db, &fixture("tides.docx"));
    let data_dir = dir.path();
    let app = KeywordIndex::open(data_dir).unwrap();
    let cli = KeywordIndex::open(data_dir).unwrap();
    app.sync(&db).unwrap();
    assert!(index_answers(&db, &cli, &["tides"]), "the other reader reloads the commit");

    let volcanoes = add(&db, &fixture("volcanoes.html")).document;
    assert_eq!(cli.sync(&db).unwrap(), Synced::CaughtUp(volcanoes.chunk_count as usize));
    assert!(index_answers(&db, &app, &["magma"]));
    assert_eq!(names(&keyword_search(&db, Some(&app), "magma"))[0], "volcanoes.html");
    assert_eq!(app.sync(&db).unwrap(), Synced::Current, "the other process's catch-up is seen, not redone");
}

#[test]
fn processes_opening_a_new_index_at_once_do_not_clear_each_others() {
    for _ in 0..20 {
        let (dir, db) = common::temp_db();
        add(&db, &fixture("tides.docx"));
        let data_dir = dir.path();
        let opened: Vec<KeywordIndex> = std::thread::scope(|scope| {
            let openers: Vec<_> = (0..4).map(|_| scope.spawn(|| KeywordIndex::open(data_dir).unwrap())).collect();
            openers.into_iter().map(|o| o.join().unwrap()).collect()
        });
        opened[0].sync(&db).unwrap();
        for index in &opened {
            assert!(index_answers(&db, index, &["tides"]), "every opener sees the one index");
            assert_eq!(index.sync(&db).unwrap(), Synced::Current);
        }
    }
}

#[test]
fn a_keyword_index_that_fails_leaves_the_search_to_fts5() {
    let (dir, db) = common::temp_db();
    add(&db, &fixture("tides.docx"));
    let index = KeywordIndex::open(dir.path()).unwrap();
    index.sync(&db).unwrap();
    db.write(|tx| Ok(tx.execute("DELETE FROM library", []).unwrap())).unwrap();
    assert!(db.read(|conn| index.ranking(conn, &["tides"], None, 5)).is_err(), "the index cannot answer");
    assert_eq!(names(&keyword_search(&db, Some(&index), "spring tides"))[0], "tides.docx");
}
