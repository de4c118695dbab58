//! Ingestion and search with the real model, the real tokenizer and real files.

mod common;

use hearth_core::ingest::chunking::MAX_CHUNK_TOKENS;
use hearth_core::ingest::documents::{self, DocStatus};
use hearth_core::retrieval::{self as search, Mode, SearchRequest};
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::Page;
use hearth_core::{DocumentId, Error};

use common::{add, model, names};

#[test]
fn documents_become_ready_chunked_within_the_model_window() {
    let (_dir, db) = common::temp_db();
    let doc = add(&db, &common::fixture("lighthouses.md")).document;
    assert_eq!(doc.status, DocStatus::Ready);
    assert_eq!(doc.doc_type, "markdown");
    assert!(doc.chunk_count >= 2, "a long document is split: {}", doc.chunk_count);
    let chunks = documents::chunks(&db, doc.id, Page::new(1000, 0).unwrap()).unwrap();
    assert_eq!(chunks.len() as i64, doc.chunk_count);
    for (i, chunk) in chunks.iter().enumerate() {
        assert_eq!(chunk.ordinal, i as i64);
        assert!(chunk.token_count as usize <= MAX_CHUNK_TOKENS, "chunk {i} has {} tokens", chunk.token_count);
        assert!(chunk.char_end > chunk.char_start);
    }
    let text = std::fs::read_to_string(common::fixture("lighthouses.md")).unwrap();
    let first = &chunks[0];
    let span: String =
        text.chars().skip(first.char_start as usize).take((first.char_end - first.char_start) as usize).collect();
    assert_eq!(span, first.text, "offsets point at the chunk's text");
}

#[test]
fn search_finds_passages_by_meaning_and_by_a_rare_word() {
    let (_dir, db) = common::temp_db();
    add(&db, &common::fixture("lighthouses.md"));
    add(&db, &common::fixture("sourdough.txt"));

    let by_meaning = search::search(
        &db,
        Some(model()),
        None,
        &SearchRequest::new("how do sailors tell one coastal beacon from another at night").k(3).mode(Mode::Vector),
    )
    .unwrap();
    assert_eq!(by_meaning[0].document_name, "lighthouses.md");
    assert!(by_meaning[0].text.contains("characteristic"), "{}", by_meaning[0].text);

    let rare = search::search(&db, None, None, &SearchRequest::new("Fresnel").k(3).mode(Mode::Keyword)).unwrap();
    assert!(!rare.is_empty());
    assert!(rare.iter().all(|h| h.document_name == "lighthouses.md" && h.text.contains("Fresnel")));
    assert!(rare[0].keyword.is_some() && rare[0].vector.is_none());

    let hybrid = search::search(
        &db,
        Some(model()),
        None,
        &SearchRequest::new("how long should the dough proof in the fridge").k(5).mode(Mode::Hybrid),
    )
    .unwrap();
    assert_eq!(hybrid[0].document_name, "sourdough.txt");
    let top = &hybrid[0];
    assert!(top.keyword.is_some() && top.vector.is_some(), "both components ranked the best hit");
    let expected = 1.0 / (search::RRF_K + top.keyword.unwrap().rank as f64)
        + 1.0 / (search::RRF_K + top.vector.unwrap().rank as f64);
    assert!((top.score - expected).abs() < 1e-12);
}

#[test]
fn a_document_filter_is_never_crossed() {
    let (_dir, db) = common::temp_db();
    add(&db, &common::fixture("lighthouses.md"));
    let bread = add(&db, &common::fixture("sourdough.txt")).document.id;
    for mode in [Mode::Hybrid, Mode::Vector, Mode::Keyword] {
        let hits = search::search(
            &db,
            Some(model()),
            None,
            &SearchRequest::new("Fresnel lens lighthouse keeper").k(10).mode(mode).within([bread].to_vec()),
        )
        .unwrap();
        assert!(names(&hits).iter().all(|n| *n == "sourdough.txt"), "{mode:?}: {:?}", names(&hits));
    }
    let none = search::search(
        &db,
        Some(model()),
        None,
        &SearchRequest::new("bread").k(10).mode(Mode::Hybrid).within([].to_vec()),
    )
    .unwrap();
    assert!(none.is_empty());
}

#[test]
fn the_same_content_twice_is_the_same_document() {
    let (_dir, db) = common::temp_db();
    let first = add(&db, &common::fixture("sourdough.txt"));
    let copy = tempfile::tempdir().unwrap();
    let renamed = copy.path().join("bread copy.txt");
    std::fs::copy(common::fixture("sourdough.txt"), &renamed).unwrap();
    let second = add(&db, &renamed);
    assert!(second.existing);
    assert_eq!(second.document.id, first.document.id);
    assert_eq!(documents::list(&db, Page::new(10, 0).unwrap()).unwrap().total, 1);
}

#[test]
fn deleting_a_document_removes_everything_and_detaches_it() {
    let (_dir, db) = common::temp_db();
    let light = add(&db, &common::fixture("lighthouses.md")).document.id;
    let bread = add(&db, &common::fixture("sourdough.txt")).document.id;
    let session = sessions::create(&db, NewSession { document_ids: vec![light, bread], ..Default::default() }).unwrap();

    documents::delete(&db, light).unwrap();
    assert!(
        search::search(&db, None, None, &SearchRequest::new("Fresnel").k(10).mode(Mode::Keyword)).unwrap().is_empty()
    );
    let hits =
        search::search(&db, Some(model()), None, &SearchRequest::new("lighthouse keeper").k(10).mode(Mode::Vector))
            .unwrap();
    assert!(names(&hits).iter().all(|n| *n == "sourdough.txt"));
    let left: (i64, i64) = db
        .read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT COUNT(*) FROM chunks WHERE document_id = ?1), (SELECT COUNT(*) FROM chunk_vectors)",
                [light.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap())
        })
        .unwrap();
    assert_eq!(left.0, 0);
    assert_eq!(left.1, documents::get(&db, bread).unwrap().chunk_count, "only the other document's vectors remain");
    assert_eq!(sessions::get(&db, session.id).unwrap().rag_document_ids, vec![bread]);
    assert!(matches!(documents::delete(&db, light), Err(Error::NotFound { .. })));
}

#[test]
fn bad_search_input_is_refused() {
    let (_dir, db) = common::temp_db();
    add(&db, &common::fixture("sourdough.txt"));
    assert!(matches!(
        search::search(&db, None, None, &SearchRequest::new("  ").k(5).mode(Mode::Keyword)),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        search::search(&db, None, None, &SearchRequest::new("x").k(0).mode(Mode::Keyword)),
        Err(Error::InvalidInput(_))
    ));
    let err = search::search(&db, None, None, &SearchRequest::new("x").k(5).mode(Mode::Vector)).unwrap_err();
    assert!(matches!(err, Error::ModelUnavailable(_)));
    let id = DocumentId::new();
    assert!(
        search::search(&db, None, None, &SearchRequest::new("bread").k(5).mode(Mode::Keyword).within([id].to_vec()))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn text_encodings_are_detected_not_guessed() {
    use hearth_core::ingest::extract::decode_text;
    let text = "Crème brûlée for the café — naïve façade";
    let mut utf16le = vec![0xFF, 0xFE];
    utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(decode_text(&utf16le), text);
    let mut utf16be = vec![0xFE, 0xFF];
    utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(decode_text(&utf16be), text);
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend(text.as_bytes());
    assert_eq!(decode_text(&utf8_bom), text);
    assert_eq!(decode_text(text.as_bytes()), text);
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode("Crème brûlée for the café, a naïve façade, déjà vu");
    assert_eq!(decode_text(&latin1), "Crème brûlée for the café, a naïve façade, déjà vu");
}

#[test]
fn a_filtered_keyword_search_scores_exactly_as_the_library_wide_one() {
    let (_dir, db) = common::temp_db();
    let ids: Vec<DocumentId> = ["lighthouses.md", "sourdough.txt", "tides.docx", "volcanoes.html"]
        .iter()
        .map(|f| add(&db, &common::fixture(f)).document.id)
        .collect();
    let query = "light tide bread ash lens water";
    let everywhere = search::search(&db, None, None, &SearchRequest::new(query).k(20).mode(Mode::Keyword)).unwrap();
    let filtered =
        search::search(&db, None, None, &SearchRequest::new(query).k(20).mode(Mode::Keyword).within(ids.to_vec()))
            .unwrap();
    assert!(everywhere.len() > 4, "{}", everywhere.len());
    assert_eq!(filtered, everywhere, "per-document ranges give the same hits, scores and order");
}
