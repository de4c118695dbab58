//! The durable queue: cancel, retry, delete while processing, and resuming after a crash.

mod common;

use hearth_core::ingest::extract::Parsers;
use std::path::PathBuf;

use hearth_core::ingest::documents::{self, DocStatus};
use hearth_core::ingest::{self, Pipeline};
use hearth_core::models::embedding::Embedder;
use hearth_core::store::Page;
use hearth_core::{Database, DocumentId, Error, Result};

use common::{chunker, model};

/// The real model, with something done to the document before a chosen call.
struct Meddling<'a> {
    on_call: usize,
    calls: std::sync::atomic::AtomicUsize,
    action: Box<dyn Fn() + Send + Sync + 'a>,
}

impl Embedder for Meddling<'_> {
    fn model_id(&self) -> &str {
        model().model_id()
    }

    fn dimensions(&self) -> usize {
        model().dimensions()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == self.on_call {
            (self.action)();
        }
        model().embed(texts)
    }
}

fn meddling<'a>(on_call: usize, action: impl Fn() + Send + Sync + 'a) -> Meddling<'a> {
    Meddling { on_call, calls: Default::default(), action: Box::new(action) }
}

/// A text long enough for several embedding batches.
fn long_text(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("long.txt");
    let paragraphs: Vec<String> = (0..40)
        .map(|i| format!("Paragraph {i}. The keeper climbed the tower at dusk to trim the wick and wind the clockwork that turned the lens; on stormy nights he watched the light until dawn, logging ships and weather, number {i}."))
        .collect();
    std::fs::write(&path, paragraphs.join("\n\n")).unwrap();
    path
}

fn stored_chunks(db: &Database, id: DocumentId) -> i64 {
    db.read(|c| {
        Ok(c.query_row(
            "SELECT (SELECT COUNT(*) FROM chunks WHERE document_id = ?1) + (SELECT COUNT(*) FROM chunk_vectors)",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap())
    })
    .unwrap()
}

#[test]
fn cancelling_stops_the_work_and_stores_nothing_then_retry_finishes_it() {
    let (dir, db) = common::temp_db();
    let added = ingest::enqueue_file(&db, &long_text(dir.path())).unwrap();
    let id = added.document.id;
    let cancel = meddling(2, || {
        documents::cancel(&db, id).unwrap();
    });
    let pipeline = Pipeline {
        db: &db,
        embedder: &cancel,
        chunker: chunker(),
        index: None,
        parsers: Parsers::in_process(),
        originals: None,
        options: Default::default(),
    };
    let mut seen = Vec::new();
    let document = pipeline.process(id, &mut |p| seen.push((p.status, p.chunks_done))).unwrap();
    assert_eq!(document.status, DocStatus::Cancelled);
    assert_eq!(stored_chunks(&db, id), 0, "nothing of a cancelled document is stored");
    assert!(seen.iter().all(|(s, _)| *s != DocStatus::Ready));
    assert_eq!(cancel.calls.load(std::sync::atomic::Ordering::SeqCst), 2, "work stopped after the batch it was in");

    let refused = documents::cancel(&db, id).unwrap_err();
    assert!(matches!(refused, Error::InvalidInput(_)), "{refused}");
    let (queued, dropped) = documents::retry(&db, id).unwrap();
    assert_eq!((queued.status, dropped.len()), (DocStatus::Queued, 0));
    assert!(matches!(documents::retry(&db, id), Err(Error::InvalidInput(_))), "already queued");
    let ready = common::pipeline(&db).process(id, &mut |_| {}).unwrap();
    assert_eq!(ready.status, DocStatus::Ready);
    assert_eq!(stored_chunks(&db, id), ready.chunk_count * 2);
}

#[test]
fn a_crash_mid_document_resumes_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = long_text(dir.path());
    let id = {
        let db = hearth_core::open(dir.path()).unwrap();
        let id = ingest::enqueue_file(&db, &file).unwrap().document.id;
        // The process dies in the middle of embedding: a panic on the second batch, on the
        // worker's own thread, leaves the document mid-way exactly as a crash would.
        let crashed = std::thread::scope(|s| {
            s.spawn(|| {
                let crash = meddling(2, || panic!("simulated crash"));
                let pipeline = Pipeline {
                    db: &db,
                    embedder: &crash,
                    chunker: chunker(),
                    index: None,
                    parsers: Parsers::in_process(),
                    originals: None,
                    options: Default::default(),
                };
                pipeline.process(id, &mut |_| {})
            })
            .join()
        });
        assert!(crashed.is_err());
        assert_eq!(documents::get(&db, id).unwrap().status, DocStatus::Embedding);
        assert_eq!(stored_chunks(&db, id), 0);
        id
    };

    let db = hearth_core::open(dir.path()).unwrap();
    assert_eq!(ingest::resume_interrupted(&db, dir.path()).unwrap(), 1);
    assert_eq!(ingest::next_queued(&db).unwrap(), Some(id));
    let document = common::pipeline(&db).process(id, &mut |_| {}).unwrap();
    assert_eq!(document.status, DocStatus::Ready);
    assert!(document.chunk_count > 3, "{} chunks", document.chunk_count);
    let chunks = documents::chunks(&db, id, Page::new(1000, 0).unwrap()).unwrap();
    assert_eq!(chunks.len() as i64, document.chunk_count);
    assert_eq!(ingest::next_queued(&db).unwrap(), None);
}

#[test]
fn deleting_a_document_while_it_is_embedded_leaves_nothing_behind() {
    let (dir, db) = common::temp_db();
    let id = ingest::enqueue_file(&db, &long_text(dir.path())).unwrap().document.id;
    let delete = meddling(1, || {
        documents::delete(&db, id).unwrap();
    });
    let pipeline = Pipeline {
        db: &db,
        embedder: &delete,
        chunker: chunker(),
        index: None,
        parsers: Parsers::in_process(),
        originals: None,
        options: Default::default(),
    };
    let result = pipeline.process(id, &mut |_| {});
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    let orphans: i64 = db
        .read(|c| {
            Ok(c.query_row("SELECT (SELECT COUNT(*) FROM chunks) + (SELECT COUNT(*) FROM chunk_vectors)", [], |r| {
                r.get(0)
            })
            .unwrap())
        })
        .unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn a_queued_file_that_changed_or_vanished_fails_with_a_reason() {
    let (dir, db) = common::temp_db();
    let file = long_text(dir.path());
    let id = ingest::enqueue_file(&db, &file).unwrap().document.id;
    std::fs::write(&file, "something else entirely").unwrap();
    let changed = common::pipeline(&db).process(id, &mut |_| {}).unwrap();
    assert_eq!(changed.status, DocStatus::Failed);
    assert!(changed.error.as_deref().unwrap_or_default().contains("changed after it was added"), "{changed:?}");

    std::fs::remove_file(&file).unwrap();
    documents::retry(&db, id).unwrap();
    let gone = common::pipeline(&db).process(id, &mut |_| {}).unwrap();
    assert!(gone.error.as_deref().unwrap_or_default().contains("can no longer be read"), "{gone:?}");
}
