//! A new embedding model without wiping the library: the new vectors are computed in the
//! background while search keeps answering with the previous model's, then search switches and
//! no old vector is left. The two models are the same weights under two names (two ids).

use std::path::{Path, PathBuf};

use hearth_core::Engine;
use hearth_core::ingest::queue;
use hearth_core::models::embedding::{MODEL_NAME_FILE, locate_model_dir};
use hearth_core::retrieval::{Mode, SearchRequest};
use hearth_core::settings;

/// The provisioned model's files, linked into a directory of its own under another name.
fn renamed_model(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(locate_model_dir(None)).unwrap() {
        let entry = entry.unwrap();
        std::os::unix::fs::symlink(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    std::fs::write(dir.join(MODEL_NAME_FILE), format!("{{\"name\": \"{name}\"}}")).unwrap();
    dir
}

fn vectors_of(engine: &Engine) -> Vec<(String, i64)> {
    engine
        .db()
        .read(|conn| {
            let mut stmt =
                conn.prepare("SELECT model_id, COUNT(*) FROM chunk_vectors GROUP BY model_id ORDER BY 1").unwrap();
            Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect())
        })
        .unwrap()
}

fn top(engine: &Engine, query: &str) -> String {
    engine.search(&SearchRequest::new(query).mode(Mode::Vector).k(3)).unwrap()[0].document_name.clone()
}

#[test]
fn a_new_model_is_embedded_in_the_background_while_search_keeps_answering() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("library");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures");
    let old = renamed_model(root.path(), "first");
    {
        let engine = Engine::open(&data, &old).unwrap();
        for file in ["beekeeping.pdf", "tides.docx", "volcanoes.html", "lighthouses.md"] {
            engine.add_paths(&[fixtures.join(file)]);
        }
        while let Some(id) = queue::next_queued(engine.db()).unwrap() {
            engine.process(id, &mut |_| {}).unwrap();
        }
        assert_eq!(engine.reembedding().unwrap(), None, "one model, every vector there");
        assert_eq!(top(&engine, "when to treat a hive against varroa"), "beekeeping.pdf");
    }
    let chunks = {
        let engine = Engine::open(&data, &old).unwrap();
        vectors_of(&engine)[0].1
    };

    // The app now ships another model: the library is not wiped.
    let new = renamed_model(root.path(), "second");
    let engine = Engine::open(&data, &new).unwrap();
    let started = engine.reembedding().unwrap().expect("the new model's vectors are to be computed");
    assert_eq!((started.done, started.total), (0, chunks as usize));
    assert!(settings::search_model(engine.db()).unwrap().unwrap().model_id.starts_with("first@"));
    // Search answers from the previous model's vectors before any new one exists...
    assert_eq!(top(&engine, "when to treat a hive against varroa"), "beekeeping.pdf");
    let step = engine.reembed_batch(4).unwrap().unwrap();
    assert!(step.done > 0 && step.done < step.total, "{step:?}");
    // ... and halfway through.
    assert_eq!(top(&engine, "why are there two high tides a day"), "tides.docx");
    let ids: Vec<String> = vectors_of(&engine).into_iter().map(|(id, _)| id).collect();
    assert!(ids[0].starts_with("first@") && ids[1].starts_with("second@"), "both live side by side: {ids:?}");

    let mut steps = 1;
    while let Some(progress) = engine.reembed_batch(4).unwrap() {
        steps += 1;
        assert!(progress.done <= progress.total);
    }
    assert!(steps > 2, "in batches, not at once ({steps})");
    let left = vectors_of(&engine);
    assert_eq!(left.len(), 1, "no old vector remains: {left:?}");
    assert!(left[0].0.starts_with("second@") && left[0].1 == chunks, "{left:?}");
    assert!(settings::search_model(engine.db()).unwrap().unwrap().model_id.starts_with("second@"));
    assert_eq!(engine.reembedding().unwrap(), None);
    assert_eq!(top(&engine, "when to treat a hive against varroa"), "beekeeping.pdf");
    assert_eq!(top(&engine, "lava and ash from an eruption"), "volcanoes.html");
}
