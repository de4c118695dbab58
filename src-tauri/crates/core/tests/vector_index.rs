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
        options: Default::default(),
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
    assert!(matches!(&opened, Opened::Rebuilt(r) if r.contains("no index file")), "{opened:?}");
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

/// An embedder that embeds every text as one given vector, under the real model's id.
struct Fixed(Vec<f32>);

impl Embedder for Fixed {
    fn model_id(&self) -> &str {
        model().model_id()
    }

    fn dimensions(&self) -> usize {
        self.0.len()
    }

    fn embed(&self, texts: &[&str]) -> hearth_core::Result<Vec<Vec<f32>>> {
        Ok(texts.iter().map(|_| self.0.clone()).collect())
    }
}

/// Random unit vectors, the same every run.
fn random_vectors(n: usize, mut state: u64) -> Vec<Vec<f32>> {
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0
    };
    (0..n)
        .map(|_| {
            let v: Vec<f32> = (0..384).map(|_| next()).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / norm).collect()
        })
        .collect()
}

/// A ready document `doc` (a UUID's last digits) whose chunks have `vectors`, stored as the pipeline
/// does: in one transaction, so its chunk ids are one range. Returns its first chunk id.
fn store_document(db: &Database, doc: u32, vectors: &[Vec<f32>]) -> (hearth_core::DocumentId, i64) {
    let id = format!("00000000-0000-0000-0000-{doc:012}");
    db.write(|tx| {
        tx.execute(
            "INSERT INTO documents (id, name, sha256, doc_type, size_bytes, status, chunk_count, created_at, updated_at)
             VALUES (?1, ?1, ?1, 'text', 0, 'ready', ?2, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            rusqlite::params![id, vectors.len() as i64],
        )
        .unwrap();
        let mut first = None;
        for (i, v) in vectors.iter().enumerate() {
            tx.execute(
                "INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?1, ?2, 'x', 0, 0, 1)",
                rusqlite::params![id, i as i64],
            )
            .unwrap();
            let chunk = tx.last_insert_rowid();
            first.get_or_insert(chunk);
            tx.execute(
                "INSERT INTO chunk_vectors (chunk_id, model_id, vector) VALUES (?1, ?2, ?3)",
                rusqlite::params![chunk, model().model_id(), hearth_core::retrieval::vectors::to_blob(v)],
            )
            .unwrap();
        }
        Ok((hearth_core::DocumentId::parse(&id).unwrap(), first.unwrap()))
    })
    .unwrap()
}

#[test]
fn a_rebuild_over_many_batches_on_every_core_finds_each_stored_vector() {
    let (dir, db) = common::temp_db();
    // 3,000 vectors: two full batches of the parallel rebuild, and a partial one.
    let stored = random_vectors(3_000, 0x2545_f491_4f6c_dd1d);
    let (_, first) = store_document(&db, 1, &stored);
    let (index, opened) = open(&db, dir.path());
    assert!(matches!(opened, Opened::Rebuilt(_)));
    assert_eq!(index.len(), 3_000);
    // The graph is approximate (and random vectors are its hardest case): nearly every stored
    // vector finds its own chunk among its ten nearest, none is missing from the index.
    let probes: Vec<usize> = (0..3_000).step_by(7).collect();
    let found = probes
        .iter()
        .filter(|&&i| index.search(&stored[i], 10).unwrap().iter().any(|(id, _)| *id == first + i as i64))
        .count();
    assert!(found * 100 >= probes.len() * 97, "{found} of {} vectors found themselves", probes.len());
    // Saved and loaded again as it is.
    assert_eq!(open(&db, dir.path()).1, Opened::Loaded);
}

#[test]
fn a_search_within_many_documents_walks_the_graph_and_keeps_to_them() {
    let (dir, db) = common::temp_db();
    // Two large documents (more vectors than an exact scan reads) and a small one.
    let large_a = random_vectors(11_000, 1);
    let large_b = random_vectors(11_000, 2);
    let small = random_vectors(300, 3);
    let (a, _) = store_document(&db, 1, &large_a);
    let (b, b_first) = store_document(&db, 2, &large_b);
    let (c, c_first) = store_document(&db, 3, &small);
    let (index, _) = open(&db, dir.path());
    let within = |docs: Vec<hearth_core::DocumentId>, query: &[f32]| {
        // The query is a stored vector itself, as if the model had embedded its passage.
        let request = SearchRequest::new("x").k(20).mode(Mode::Vector).within(docs);
        search::search(&db, Some(&Fixed(query.to_vec())), Some(&index), &request).unwrap()
    };
    // The graph is approximate: the vector is among the 20 found for nearly every query.
    let probes: Vec<usize> = (0..11_000).step_by(500).collect();
    let mut found = 0;
    for &i in &probes {
        let hits = within(vec![a, b], &large_b[i]);
        assert!(hits.iter().all(|h| h.document_id == a || h.document_id == b), "only the two documents");
        assert_eq!(hits.len(), 20);
        found += usize::from(hits.iter().any(|h| h.chunk_id.0 == b_first + i as i64));
    }
    assert!(found * 10 >= probes.len() * 9, "{found} of {} vectors found among 22,000", probes.len());
    // A few documents are scanned exactly, and a vector outside them is never returned.
    let hits = within(vec![c], &large_a[5]);
    assert!(hits.iter().all(|h| h.document_id == c));
    let hits = within(vec![c], &small[42]);
    assert_eq!(hits[0].chunk_id.0, c_first + 42);
}

#[test]
fn a_saved_index_opens_as_a_map_of_its_file_and_is_loaded_for_its_first_change() {
    let (dir, db) = common::temp_db();
    let stored = random_vectors(2_000, 7);
    let (_, first) = store_document(&db, 1, &stored);
    let (built, _) = open(&db, dir.path());
    assert!(!built.is_mapped(), "a rebuilt index is in memory");
    drop(built);

    let (index, opened) = open(&db, dir.path());
    assert_eq!(opened, Opened::Loaded);
    assert!(index.is_mapped());
    assert_eq!(index.len(), 2_000);
    assert_eq!(index.search(&stored[10], 1).unwrap()[0].0, first + 10, "the map is searched");
    let odd = |id: i64| id % 2 == 1;
    assert!(index.filtered_search(&stored[11], 5, odd).unwrap().iter().all(|(id, _)| odd(*id)));

    // Another process saves a different index over the file while this one has it mapped.
    let (other, _) = open(&db, dir.path());
    let extra = random_vectors(1, 8);
    let (_, extra_id) = store_document(&db, 2, &extra);
    other.add(&[(extra_id, extra[0].clone())]).unwrap();
    other.remove(&[first + 5]).unwrap(); // as many vectors as this one maps, not the same
    other.save().unwrap();
    drop(other);

    // This index's first change loads what it mapped — not the other process's file — then
    // makes the change; its save records exactly that, and the next open finds it current.
    index.remove(&[first]).unwrap();
    assert!(!index.is_mapped());
    assert_eq!(index.len(), 1_999);
    assert_ne!(index.search(&stored[0], 1).unwrap()[0].0, first, "removed");
    assert_eq!(index.search(&stored[5], 1).unwrap()[0].0, first + 5, "not the other process's file");
    index.add(&[(extra_id, extra[0].clone())]).unwrap();
    assert_eq!(index.len(), 2_000);
    db.write(|tx| Ok(tx.execute("DELETE FROM chunks WHERE id = ?1", [first]).unwrap())).unwrap();
    index.save().unwrap();
    drop(index);
    let (index, opened) = open(&db, dir.path());
    assert_eq!(opened, Opened::Loaded, "the saved index holds what SQLite holds");
    assert_eq!(index.search(&extra[0], 1).unwrap()[0].0, extra_id);

    // Unchanged on disk, the first change loads the file itself.
    index.add(&[]).unwrap();
    assert!(!index.is_mapped());
    assert_eq!(index.len(), 2_000);
    assert_eq!(index.search(&stored[1_999], 1).unwrap()[0].0, first + 1_999);
}

#[test]
fn an_index_another_process_saved_is_taken_up_when_it_is_current_and_this_one_is_not() {
    let (dir, db) = common::temp_db();
    let first = random_vectors(500, 11);
    store_document(&db, 1, &first);
    let (app, _) = open(&db, dir.path()); // the app, open all along
    assert!(!app.adopt_saved(&db).unwrap(), "nothing changed: nothing to take up");

    // The CLI stores a document and indexes it, but has not saved its index yet.
    let (cli, _) = open(&db, dir.path());
    let more = random_vectors(3, 12);
    let (_, more_first) = store_document(&db, 2, &more);
    cli.add(&more.iter().enumerate().map(|(i, v)| (more_first + i as i64, v.clone())).collect::<Vec<_>>()).unwrap();
    assert!(!app.adopt_saved(&db).unwrap(), "the saved index is behind SQLite too: kept as it is");
    assert_eq!(app.len(), 500);

    // Once saved, the app takes it up, and finds the new document's vectors.
    cli.save().unwrap();
    assert!(app.adopt_saved(&db).unwrap());
    assert_eq!(app.len(), 503);
    assert!(app.is_mapped());
    assert_eq!(app.search(&more[1], 1).unwrap()[0].0, more_first + 1);
    assert!(!app.adopt_saved(&db).unwrap(), "current now");

    // Adding a vector the taken-up index holds already replaces it (the pipeline adds after
    // storing; another process's save may have come between).
    app.add(&[(more_first, more[0].clone())]).unwrap();
    assert_eq!(app.len(), 503);
    app.save().unwrap();
    drop((app, cli));
    assert_eq!(open(&db, dir.path()).1, Opened::Loaded, "what the app saved still agrees with SQLite");
}

/// Adds `name` through `engine` as the app's worker or `hearth docs add` does.
fn add_through(engine: &hearth_core::Engine, name: &str) {
    let (_, added) = engine.add_paths(&[fixture(name)]).remove(0);
    engine.process(added.unwrap().document.id, &mut |_| {}).unwrap();
}

#[test]
fn an_app_open_all_along_finds_by_vector_what_another_process_added() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = hearth_core::models::embedding::locate_model_dir(None);
    let app = hearth_core::Engine::open(dir.path(), &model_dir).unwrap();
    add_through(&app, "volcanoes.html");
    let by_vector = |engine: &hearth_core::Engine, query: &str| {
        let hits = engine.search(&SearchRequest::new(query).k(3).mode(Mode::Vector)).unwrap();
        hits.into_iter().map(|h| h.document_name).collect::<Vec<_>>()
    };
    assert_eq!(by_vector(&app, "how do sailors recognise a lighthouse")[0], "volcanoes.html", "all there is");

    // `hearth docs add` while the app is open: another engine on the same library.
    let cli = hearth_core::Engine::open(dir.path(), &model_dir).unwrap();
    add_through(&cli, "lighthouses.md");
    drop(cli);
    assert_eq!(by_vector(&app, "how do sailors recognise a lighthouse")[0], "lighthouses.md");
}

#[test]
fn temporary_files_a_dead_save_left_are_deleted_and_a_live_ones_are_kept() {
    let (dir, db) = common::temp_db();
    let (index, _) = open(&db, dir.path());
    let path = index.path().to_owned();
    drop(index);
    let beside = |suffix: &str| path.with_extension(suffix);
    let (dead, live) = (beside("usearch.4242-0.tmp"), beside("json.4243-1.tmp"));
    for file in [&dead, &live] {
        std::fs::write(file, b"half a save").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options().write(true).open(&dead).unwrap().set_modified(two_hours_ago).unwrap();
    open(&db, dir.path());
    assert!(!dead.exists(), "an hour-old temporary file is a dead process's");
    assert!(live.exists(), "a fresh one may be another process's save in progress");
}

#[test]
fn changes_made_while_the_index_is_rebuilt_are_kept() {
    let (dir, db) = common::temp_db();
    let stored = random_vectors(20_000, 21);
    let (_, first) = store_document(&db, 1, &stored);
    let (index, _) = open(&db, dir.path());
    let late = random_vectors(1, 22);
    let late_id = std::thread::scope(|s| {
        let rebuild = s.spawn(|| index.rebuild(&db).unwrap());
        // While the rebuild reads SQLite (seconds for 20,000 vectors in a test build): a document
        // is stored and indexed, and a passage deleted, as the worker and a delete would do.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let (_, late_id) = store_document(&db, 2, &late);
        index.add(&[(late_id, late[0].clone())]).unwrap();
        db.write(|tx| Ok(tx.execute("DELETE FROM chunks WHERE id = ?1", [first]).unwrap())).unwrap();
        index.remove(&[first]).unwrap();
        assert!(!rebuild.is_finished(), "the changes were made during the rebuild");
        assert_eq!(rebuild.join().unwrap(), 20_000, "the rebuild read SQLite as it was before them");
        late_id
    });
    assert_eq!(index.search(&late[0], 1).unwrap()[0].0, late_id, "the add is in the rebuilt graph");
    assert_ne!(index.search(&stored[0], 1).unwrap()[0].0, first, "and the remove");
    assert_eq!(index.len(), 20_000);
    drop(index);
    assert_eq!(open(&db, dir.path()).1, Opened::Loaded, "the saved rebuild agrees with SQLite");
}
