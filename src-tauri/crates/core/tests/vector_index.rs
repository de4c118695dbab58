//! The usearch index as derived state: built from SQLite, checked on open, rebuilt when the file
//! is missing, stale or corrupt, and kept in step with adds and deletes.

mod common;

use hearth_core::Database;
use hearth_core::ingest::Pipeline;
use hearth_core::ingest::documents;
use hearth_core::ingest::extract::Parsers;
use hearth_core::models::embedding::Embedder;
use hearth_core::retrieval::index::{Opened, VectorIndex};
use hearth_core::retrieval::{self as search, Mode, SearchRequest};

use common::{chunker, fixture, model, names};

fn open(db: &Database, dir: &std::path::Path) -> (VectorIndex, Opened) {
    VectorIndex::open(db, dir, model().model_id()).unwrap()
}

fn add_indexed(db: &Database, index: &VectorIndex, name: &str) -> documents::Document {
    let pipeline = Pipeline {
        db,
        embedder: model(),
        chunker: chunker(),
        index: Some(index),
        parsers: Parsers::in_process(),
        originals: None,
    };
    pipeline.add_file(&fixture(name), &mut |_| {}).unwrap().document
}

fn vector_search(db: &Database, index: Option<&VectorIndex>, query: &str) -> Vec<search::Hit> {
    search::search(db, Some(model()), index, &SearchRequest::new(query).k(5).mode(Mode::Vector)).unwrap()
}

#[test]
fn the_index_follows_adds_and_deletes_and_agrees_with_the_exact_scan() {
    let (dir, db) = common::temp_db();
    let (index, opened) = open(&db, dir.path());
    assert_eq!(opened, Opened::Rebuilt("no index manifest (No such file or directory (os error 2))".into()));
    assert!(index.is_empty());
    let bees = add_indexed(&db, &index, "beekeeping.pdf");
    let tides = add_indexed(&db, &index, "tides.docx");
    assert_eq!(index.len() as i64, bees.chunk_count + tides.chunk_count);

    for query in ["treating mites in winter", "spring tides at full moon", "extracting honey from the comb"] {
        let approximate = vector_search(&db, Some(&index), query);
        let exact = vector_search(&db, None, query);
        assert_eq!(approximate[0].chunk_id, exact[0].chunk_id, "{query}");
        assert!((approximate[0].score - exact[0].score).abs() < 0.01, "f16 vectors keep cosine close");
    }

    let gone = documents::delete(&db, bees.id).unwrap();
    assert_eq!(gone.len() as i64, bees.chunk_count);
    index.remove(&gone).unwrap();
    assert_eq!(index.len() as i64, tides.chunk_count);
    let hits = vector_search(&db, Some(&index), "bees and honey");
    assert!(names(&hits).iter().all(|n| *n == "tides.docx"), "{:?}", names(&hits));
}

#[test]
fn a_saved_index_is_loaded_and_a_missing_stale_or_corrupt_one_is_rebuilt() {
    let (dir, db) = common::temp_db();
    let (index, _) = open(&db, dir.path());
    let doc = add_indexed(&db, &index, "volcanoes.html");
    index.save().unwrap();
    let path = index.path().to_owned();
    drop(index);

    let (index, opened) = open(&db, dir.path());
    assert_eq!(opened, Opened::Loaded);
    assert_eq!(index.len() as i64, doc.chunk_count);
    drop(index);

    std::fs::remove_file(&path).unwrap();
    let (index, opened) = open(&db, dir.path());
    assert!(matches!(&opened, Opened::Rebuilt(r) if r.contains("corrupt index file")), "{opened:?}");
    assert_eq!(index.len() as i64, doc.chunk_count);
    assert!(path.exists(), "the rebuilt index is saved");
    drop(index);

    // A document added while the index was not kept up to date (another process, a crash).
    let lights = common::add(&db, &fixture("lighthouses.md")).document;
    let (index, opened) = open(&db, dir.path());
    assert!(matches!(&opened, Opened::Rebuilt(r) if r.starts_with("stale index")), "{opened:?}");
    assert_eq!(index.len() as i64, doc.chunk_count + lights.chunk_count);
    assert_eq!(
        vector_search(&db, Some(&index), "how do sailors recognise a lighthouse")[0].document_name,
        "lighthouses.md"
    );
    drop(index);

    std::fs::write(&path, b"not an index at all").unwrap();
    let (index, opened) = open(&db, dir.path());
    assert!(matches!(&opened, Opened::Rebuilt(r) if r.contains("corrupt")), "{opened:?}");
    assert_eq!(index.len() as i64, doc.chunk_count + lights.chunk_count);
}

#[test]
fn search_never_returns_a_chunk_the_database_no_longer_has() {
    let (dir, db) = common::temp_db();
    let (index, _) = open(&db, dir.path());
    let bees = add_indexed(&db, &index, "beekeeping.pdf");
    add_indexed(&db, &index, "tides.docx");
    // Deleted from SQLite but, as after a crash, still in the graph.
    documents::delete(&db, bees.id).unwrap();
    let hits = vector_search(&db, Some(&index), "bees and honey");
    assert!(!hits.is_empty());
    assert!(names(&hits).iter().all(|n| *n == "tides.docx"), "{:?}", names(&hits));
}
