//! Passages as a person sees them, with the real model and real files: a cited chunk with the
//! question's words marked the way keyword search matched them, and jumping to a page.

mod common;

use std::collections::BTreeSet;

use hearth_core::ingest::documents;
use hearth_core::retrieval::passages;
use hearth_core::retrieval::{self as search, Mode, SearchRequest};
use hearth_core::store::Page;
use hearth_core::text;
use hearth_core::{ChunkId, DocumentId, Error};

#[test]
fn a_passage_marks_the_words_keyword_search_matched() {
    let (_dir, db) = common::temp_db();
    let doc = common::add(&db, &common::fixture("beekeeping.pdf")).document;
    let question = "When should the hive be treated against mites?";
    let hits = search::search(
        &db,
        None,
        None,
        &SearchRequest::new(question).k(1).mode(Mode::Keyword).within([doc.id].to_vec()),
    )
    .unwrap();

    let passage = passages::passage(&db, hits[0].chunk_id, question).unwrap();
    assert_eq!((passage.document_id, passage.document_name.as_str()), (doc.id, "beekeeping.pdf"));
    assert_eq!((passage.chunk.page, passage.document_type.as_str()), (Some(3), "pdf"));
    let whole: String = passage.runs.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(whole, passage.chunk.text, "the runs are the whole chunk, in order");
    let matched: BTreeSet<String> = passage.runs.iter().filter(|r| r.matched).map(|r| r.text.to_lowercase()).collect();
    // The stemmer matches "mite" for "mites" and "treat" for "treated"; stop words are not marked.
    for word in ["mites", "mite", "treat", "hive"] {
        assert!(matched.contains(word), "{word} is marked: {matched:?}");
    }
    assert!(matched.iter().all(|w| !["when", "the", "should", "be"].contains(&w.as_str())), "{matched:?}");
}

#[test]
fn a_passage_without_matching_words_is_its_plain_text() {
    let (_dir, db) = common::temp_db();
    let doc = common::add(&db, &common::fixture("beekeeping.pdf")).document;
    let chunk = &documents::chunks(&db, doc.id, Page::new(1, 0).unwrap()).unwrap()[0];
    for query in ["", "zebra crossings", "   "] {
        let passage = passages::passage(&db, chunk.id, query).unwrap();
        assert_eq!(passage.runs.len(), 1, "{query:?}");
        assert_eq!(passage.runs[0].text, chunk.text);
        assert!(!passage.runs[0].matched);
    }
    assert!(matches!(passages::passage(&db, ChunkId(i64::MAX), "bees"), Err(Error::NotFound { .. })));
    let long = "bees ".repeat(500);
    assert!(matches!(passages::passage(&db, chunk.id, &long), Err(Error::InvalidInput(_))));
}

#[test]
fn a_page_is_found_by_its_first_chunk() {
    let (_dir, db) = common::temp_db();
    let pdf = common::add(&db, &common::fixture("beekeeping.pdf")).document;
    let id = pdf.id;
    let chunks = documents::chunks(&db, id, Page::new(100, 0).unwrap()).unwrap();
    for page in 1..=4 {
        let ordinal = passages::first_on_page(&db, id, page).unwrap().expect("every page has text");
        let chunk = &chunks[ordinal as usize];
        assert_eq!(chunk.page, Some(page));
        assert!(ordinal == 0 || chunks[ordinal as usize - 1].page < Some(page), "the page's first chunk");
    }
    assert_eq!(passages::first_on_page(&db, id, 0).unwrap(), Some(0), "before the first page: the first");
    assert_eq!(passages::first_on_page(&db, id, 5).unwrap(), None, "past the last page");

    let markdown = common::add(&db, &common::fixture("lighthouses.md")).document;
    assert_eq!(passages::first_on_page(&db, markdown.id, 1).unwrap(), None, "no pages");
    assert!(matches!(passages::first_on_page(&db, DocumentId::new(), 1), Err(Error::NotFound { .. })));
}

#[test]
fn search_hits_show_exactly_what_keyword_search_matched() {
    let (_dir, db) = common::temp_db();
    common::add(&db, &common::fixture("beekeeping.pdf"));
    common::add(&db, &common::fixture("lighthouses.md"));
    let query = "Varroa mites";
    let hits =
        search::search(&db, Some(common::model()), None, &SearchRequest::new(query).k(10).mode(Mode::Hybrid)).unwrap();
    let runs = passages::mark_hits(&db, &hits, query).unwrap();
    assert_eq!(runs.len(), hits.len());
    for (hit, runs) in hits.iter().zip(&runs) {
        let whole: String = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(whole, hit.text, "the runs are the hit's whole text");
        // A hit has marks exactly when keyword search ranked it; one found by meaning has none.
        assert_eq!(runs.iter().any(|r| r.matched), hit.keyword.is_some(), "{}: {runs:?}", hit.document_name);
    }
    let top: BTreeSet<&str> = runs[0].iter().filter(|r| r.matched).map(|r| r.text.as_str()).collect();
    assert_eq!((hits[0].page, top), (Some(3), BTreeSet::from(["Varroa", "mite", "mites"])));
    assert!(hits.iter().any(|h| h.keyword.is_none()), "some hit was found by meaning alone");
}

#[test]
fn a_citation_survives_re_indexing_its_document() {
    let (_dir, db) = common::temp_db();
    let doc = common::add(&db, &common::fixture("beekeeping.pdf")).document;
    // A later document, so that the re-indexed chunks get new ids.
    common::add(&db, &common::fixture("lighthouses.md"));
    let id = doc.id;
    let question = "When should the hive be treated against mites?";
    let hit = &search::search(
        &db,
        None,
        None,
        &SearchRequest::new(question).k(1).mode(Mode::Keyword).within([doc.id].to_vec()),
    )
    .unwrap()[0];
    // What an answer stores about its source (see chat.rs): the chunk id and a flattened quote.
    let snippet = text::quote(&hit.text, 300);
    assert_eq!(passages::cited(&db, hit.chunk_id, id, &snippet, question).unwrap().chunk.id, hit.chunk_id);

    documents::retry(&db, id).unwrap();
    common::pipeline(&db).process(doc.id, &mut |_| {}).unwrap();
    assert!(matches!(passages::passage(&db, hit.chunk_id, question), Err(Error::NotFound { .. })), "a new id");

    let found = passages::cited(&db, hit.chunk_id, id, &snippet, question).unwrap();
    assert_ne!(found.chunk.id, hit.chunk_id);
    assert_eq!((found.chunk.page, found.chunk.text.as_str()), (Some(3), hit.text.as_str()));
    assert!(found.runs.iter().any(|r| r.matched), "marked as before");

    let elsewhere = "Quokkas live on Rottnest Island, off the coast of Western Australia near Perth…";
    assert!(matches!(passages::cited(&db, hit.chunk_id, id, elsewhere, question), Err(Error::NotFound { .. })));
    documents::delete(&db, id).unwrap();
    assert!(matches!(passages::cited(&db, found.chunk.id, id, &snippet, question), Err(Error::NotFound { .. })));
}

#[test]
fn a_citation_never_opens_another_document_that_took_its_chunk_id() {
    let (_dir, db) = common::temp_db();
    let bees = common::add(&db, &common::fixture("beekeeping.pdf")).document;
    let chunk = documents::chunks(&db, bees.id, Page::new(1, 0).unwrap()).unwrap().remove(0);
    let snippet = text::quote(&chunk.text, 300);
    documents::delete(&db, bees.id).unwrap();
    // SQLite hands the freed ids out again.
    let bread = common::add(&db, &common::fixture("sourdough.txt")).document;
    let reused = documents::chunks(&db, bread.id, Page::new(1, 0).unwrap()).unwrap().remove(0);
    assert_eq!(reused.id, chunk.id, "the premise: the id was reused");

    let result = passages::cited(&db, chunk.id, bees.id, &snippet, "queen");
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    // Cited from the new document with a quote of other words, it is not taken either.
    let result = passages::cited(&db, chunk.id, bread.id, &snippet, "queen");
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
}

#[test]
fn a_pdf_page_is_drawn_from_the_copy_kept_after_the_original_moves_and_the_copy_goes_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        hearth_core::Engine::open(dir.path(), &hearth_core::models::embedding::locate_model_dir(None)).unwrap();
    let original = dir.path().join("guide.pdf");
    std::fs::copy(common::fixture("guide.pdf"), &original).unwrap();
    let added = engine.add_paths(std::slice::from_ref(&original)).remove(0).1.unwrap();
    let id = added.document.id;
    let document = engine.process(id, &mut |_| {}).unwrap();
    assert_eq!(document.status, documents::DocStatus::Ready);
    let copy = dir.path().join("originals").join(format!("{}.pdf", document.sha256));
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&original).unwrap());
    assert!(engine.pdf_copies_bytes() > 0);

    // The original moves away: the page is drawn from the copy, at the width asked for (rounded
    // up to 64 pixels, so that small resizes reuse the drawn page), and kept drawn.
    std::fs::remove_file(&original).unwrap();
    let page = engine.render_page(id, 2, 600).unwrap();
    assert_eq!((page.width_px, page.pages), (640, 4));
    assert!(std::sync::Arc::ptr_eq(&page, &engine.render_page(id, 2, 620).unwrap()), "the second asking is cached");
    let text = engine.render_page(DocumentId::parse(&id.to_string()).unwrap(), 9, 600).unwrap_err().to_string();
    assert!(text.contains("there is no page 9"), "{text}");

    // Not a PDF: no pages to draw. Deleted: the copy goes too.
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "# Notes\n\nA line.").unwrap();
    let md = engine.add_paths(std::slice::from_ref(&notes)).remove(0).1.unwrap().document.id;
    engine.process(md, &mut |_| {}).unwrap();
    assert!(engine.render_page(md, 1, 600).unwrap_err().to_string().contains("is not a PDF"));
    engine.delete_document(id).unwrap();
    assert!(!copy.exists());
    assert!(matches!(engine.render_page(id, 1, 600), Err(Error::NotFound { .. })));

    // With copies turned off, none is kept: pages come from the original while it stays put.
    let settings = hearth_core::store::settings::IngestSettings { keep_pdf_copies: false, ..Default::default() };
    hearth_core::store::settings::set_ingest(engine.db(), settings).unwrap();
    std::fs::copy(common::fixture("guide.pdf"), &original).unwrap();
    let again = engine.add_paths(std::slice::from_ref(&original)).remove(0).1.unwrap().document.id;
    engine.process(again, &mut |_| {}).unwrap();
    assert!(!copy.exists());
    assert_eq!(engine.render_page(again, 1, 300).unwrap().width_px, 320);
    std::fs::remove_file(&original).unwrap();
    let gone = engine.render_page(again, 3, 300).unwrap_err().to_string();
    assert!(gone.contains("no longer where it was added and no copy was kept"), "{gone}");
}
