//! Every supported format, from real files made by real tools (tests/fixtures/src says how),
//! and every kind of bad file, each failing alone with a reason a person understands.

mod common;

use hearth_core::ingest::documents::{self, DocStatus};
use hearth_core::retrieval::{self as search, Mode, SearchRequest};
use hearth_core::store::Page;
use hearth_core::{Database, Error};

use common::{add, fixture, model, names, pipeline};

fn ask(db: &Database, question: &str, mode: Mode) -> search::Hit {
    search::search(db, Some(model()), None, &SearchRequest::new(question).k(5).mode(mode)).unwrap().remove(0)
}

#[test]
fn a_pdf_is_read_page_by_page_and_answers_carry_their_page() {
    let (_dir, db) = common::temp_db();
    let pdf = add(&db, &fixture("beekeeping.pdf")).document;
    assert_eq!((pdf.status, pdf.doc_type.as_str(), pdf.pages), (DocStatus::Ready, "pdf", Some(4)));
    let chunks = documents::chunks(&db, pdf.id, Page::new(100, 0).unwrap()).unwrap();
    let pages: Vec<Option<i64>> = chunks.iter().map(|c| c.page).collect();
    assert_eq!(pages, vec![Some(1), Some(2), Some(3), Some(4)], "one short page, one chunk, never spanning pages");

    let by_meaning = ask(&db, "when is the best time of year to treat the hive against parasites", Mode::Vector);
    assert_eq!((by_meaning.document_name.as_str(), by_meaning.page), ("beekeeping.pdf", Some(3)));
    let rare = search::search(&db, None, None, &SearchRequest::new("Varroa").k(5).mode(Mode::Keyword)).unwrap();
    assert_eq!(rare.iter().map(|h| h.page).collect::<Vec<_>>(), vec![Some(3)]);
}

#[test]
fn a_printed_manual_reads_without_running_heads_page_numbers_or_contents_leaders() {
    let (_dir, db) = common::temp_db();
    let manual = add(&db, &fixture("manual.pdf")).document;
    assert_eq!((manual.status, manual.pages), (DocStatus::Ready, Some(4)));
    let chunks = documents::chunks(&db, manual.id, Page::new(100, 0).unwrap()).unwrap();
    let text: String = chunks.iter().map(|c| format!("{}\n", c.text)).collect();
    // Every page of the PDF carries the running head and its number; the contents page lists
    // the chapters with dot leaders. None of that is a passage.
    assert!(!text.contains("Field Manual of Beekeeping"), "{text}");
    assert!(!text.contains("Page "), "{text}");
    assert!(!text.contains(". . ."), "{text}");
    // Words hyphenated across a line break are whole again.
    assert!(text.contains("It is recommended to leave a metre"), "{text}");
    assert!(text.contains("untreated material such as hessian"), "{text}");
    assert!(!text.contains('\u{2}'), "{text}");
    assert_eq!(chunks.iter().map(|c| c.page).collect::<Vec<_>>(), [Some(1), Some(2), Some(3), Some(4)]);
}

#[test]
fn a_docx_keeps_headings_paragraphs_and_tables() {
    let (_dir, db) = common::temp_db();
    let docx = add(&db, &fixture("tides.docx")).document;
    assert_eq!((docx.status, docx.doc_type.as_str()), (DocStatus::Ready, "docx"));
    let text: String =
        documents::chunks(&db, docx.id, Page::new(100, 0).unwrap()).unwrap().into_iter().map(|c| c.text).collect();
    assert!(text.contains("# Spring and neap tides"), "headings become Markdown headings: {text}");
    assert!(text.contains("Burntcoat Head, Bay of Fundy | Canada | 16.3 metres"), "table rows are kept: {text}");

    let hit = ask(&db, "where is the largest tidal range in the world", Mode::Hybrid);
    assert_eq!(hit.document_name, "tides.docx");
    assert!(hit.text.contains("Burntcoat Head"), "{}", hit.text);
}

#[test]
fn html_keeps_the_article_and_drops_scripts_styles_and_navigation() {
    let (_dir, db) = common::temp_db();
    let html = add(&db, &fixture("volcanoes.html")).document;
    assert_eq!((html.status, html.doc_type.as_str()), (DocStatus::Ready, "html"));
    for chrome in
        ["analyticsbeacon", "navigationcounter", "injectedfootertext", "crimson", "Glacier", "Cookie", "helicopter"]
    {
        let hits = search::search(&db, None, None, &SearchRequest::new(chrome).k(5).mode(Mode::Keyword)).unwrap();
        assert!(hits.is_empty(), "{chrome:?} is page chrome, not the document: {:?}", hits[0].text);
    }
    let hit = ask(&db, "why were flights across Europe grounded", Mode::Hybrid);
    assert_eq!(hit.document_name, "volcanoes.html");
    assert!(hit.text.contains("Eyjafjallajökull"), "{}", hit.text);
}

#[test]
fn every_format_together_answers_from_the_right_document() {
    let (_dir, db) = common::temp_db();
    for name in ["beekeeping.pdf", "tides.docx", "volcanoes.html", "lighthouses.md", "sourdough.txt"] {
        assert_eq!(add(&db, &fixture(name)).document.status, DocStatus::Ready, "{name}");
    }
    let cases = [
        ("how much honey must be left for the bees over winter", "beekeeping.pdf"),
        ("what is the rule of twelfths", "tides.docx"),
        ("famine after the 1783 eruption", "volcanoes.html"),
        ("how long should the dough proof in the fridge", "sourdough.txt"),
    ];
    for (question, expected) in cases {
        let hits =
            search::search(&db, Some(model()), None, &SearchRequest::new(question).k(3).mode(Mode::Hybrid)).unwrap();
        assert_eq!(hits[0].document_name, expected, "{question}: {:?}", names(&hits));
    }
}

#[test]
fn bad_files_fail_alone_with_a_reason() {
    let (_dir, db) = common::temp_db();
    let good = add(&db, &fixture("sourdough.txt")).document;
    let cases = [
        ("encrypted.pdf", "encrypted with a password"),
        ("scanned.pdf", "no text layer"),
        ("truncated.pdf", "corrupt or truncated"),
        ("corrupt.docx", "not a readable DOCX"),
        ("notazip.docx", "not a readable DOCX"),
        ("empty.txt", "the document has no text"),
    ];
    for (name, reason) in cases {
        let document = add(&db, &fixture(&format!("bad/{name}"))).document;
        assert_eq!(document.status, DocStatus::Failed, "{name}");
        let error = document.error.unwrap_or_default();
        assert!(error.contains(reason), "{name}: {error:?} should say {reason:?}");
        assert_eq!(document.chunk_count, 0);
    }
    assert_eq!(documents::get(&db, good.id).unwrap(), good, "the good document is untouched");
    let hits =
        search::search(&db, Some(model()), None, &SearchRequest::new("sourdough starter").k(5).mode(Mode::Hybrid))
            .unwrap();
    assert!(names(&hits).iter().all(|n| *n == "sourdough.txt"), "{:?}", names(&hits));
}

#[test]
fn files_that_can_never_be_read_are_refused_and_nothing_is_recorded() {
    let (_dir, db) = common::temp_db();
    let err = pipeline(&db).add_file(&fixture("bad/picture.png"), &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)) && err.to_string().contains("not a supported"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.txt");
    // Sparse: the size is over the limit without writing 200 MB.
    std::fs::File::create(&huge).unwrap().set_len(hearth_core::ingest::MAX_FILE_BYTES + 1).unwrap();
    let err = pipeline(&db).add_file(&huge, &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)) && err.to_string().contains("the limit is 200 MB"), "{err}");

    let missing = pipeline(&db).add_file(&dir.path().join("gone.txt"), &mut |_| {}).unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
    assert_eq!(documents::list(&db, Page::new(10, 0).unwrap()).unwrap().total, 0);
}
