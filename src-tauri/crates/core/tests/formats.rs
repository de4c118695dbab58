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
    // The contents page is a heading and leader lines: no passage. Each chapter's heading is in
    // its passage's path, not in its text.
    assert_eq!(chunks.iter().map(|c| c.page).collect::<Vec<_>>(), [Some(2), Some(3), Some(4)]);
    assert_eq!(chunks.iter().map(|c| c.heading_path.as_str()).collect::<Vec<_>>(), ["Hives", "Smokers", "Swarms"]);
    assert!(chunks.iter().all(|c| !c.text.starts_with("Hives") && !c.text.contains("Contents")), "{text}");
}

#[test]
fn a_guide_keeps_its_outline_headings_code_lines_and_a_paragraph_across_a_page_break() {
    let (_dir, db) = common::temp_db();
    let guide = add(&db, &fixture("guide.pdf")).document;
    assert_eq!((guide.status, guide.pages), (DocStatus::Ready, Some(4)));
    let chunks = documents::chunks(&db, guide.id, Page::new(100, 0).unwrap()).unwrap();
    let paths: Vec<&str> = chunks.iter().map(|c| c.heading_path.as_str()).collect();
    // The headings are set like body text: only the PDF's outline says what they are, and how deep.
    // A section of a few lines joins the next one on its page, under the headings they share.
    assert_eq!(
        paths,
        [
            "Installing the toolkit",
            "Harvest tools",
            "Harvest tools",
            "Cleaning the tools",
            "Cleaning the tools › Storing frames"
        ]
    );
    assert!(chunks[0].text.starts_with("The toolkit keeps a record"), "{}", chunks[0].text);
    // The fixed-pitch lines stay lines, indented as printed.
    assert!(
        chunks[0].text.contains(
            "```\nfor hive in north south east:\n    apiary record $hive --brood good\n    apiary note $hive \"calm\"\ndone\n```"
        ),
        "{}",
        chunks[0].text
    );
    // The running head repeated on every page is gone; the paragraph that runs from page 1 onto
    // page 2 is one passage, cited on page 1, with lines on both pages.
    let across = &chunks[1];
    assert!(chunks.iter().all(|c| !c.text.contains("Field Manual")));
    assert!(across.text.starts_with("The extractor spins") && across.text.ends_with("best kept for show."));
    assert_eq!(across.page, Some(1));
    let passage = hearth_core::retrieval::passages::passage(&db, across.id, "").unwrap();
    let pages: std::collections::BTreeSet<u32> = passage.boxes.iter().map(|b| b.page).collect();
    assert_eq!(pages.into_iter().collect::<Vec<_>>(), [1, 2]);
    // Boxes are lines on an A4 page (595 × 842 points), top to bottom on each page.
    for b in &passage.boxes {
        let [left, bottom, right, top] = b.rect;
        assert!(
            0.0 <= left && left < right && right <= 595.0 && 0.0 <= bottom && bottom < top && top <= 842.0,
            "{b:?}"
        );
    }
    let first_page: Vec<f32> = passage.boxes.iter().filter(|b| b.page == 1).map(|b| b.rect[3]).collect();
    assert!(first_page.windows(2).all(|w| w[0] > w[1]), "{first_page:?}");

    // The title and heading path are searched with the passage: "apiary" is only in the title,
    // "frames" in one heading (and in the passages about extracting).
    let keyword = |q: &str| search::search(&db, None, None, &SearchRequest::new(q).k(10).mode(Mode::Keyword)).unwrap();
    assert_eq!(keyword("apiary toolkit").len(), chunks.len());
    let cleaning: Vec<String> = keyword("cleaning").into_iter().map(|h| h.text).collect();
    assert_eq!(cleaning.len(), 2, "the passages under \"Cleaning the tools\": {cleaning:?}");
    assert!(cleaning.contains(&chunks[4].text), "{cleaning:?}");
}

#[test]
fn a_pdf_encrypted_with_an_empty_user_password_is_read() {
    let (_dir, db) = common::temp_db();
    let protected = add(&db, &fixture("protected.pdf")).document;
    assert_eq!((protected.status, protected.pages), (DocStatus::Ready, Some(2)), "{:?}", protected.error);
    let chunks = documents::chunks(&db, protected.id, Page::new(10, 0).unwrap()).unwrap();
    assert!(chunks[1].text.contains("bee space of about eight millimetres"), "{chunks:?}");
    assert_eq!(chunks[1].heading_path, "The hive");
}

#[test]
fn a_docx_keeps_headings_paragraphs_and_tables() {
    let (_dir, db) = common::temp_db();
    let docx = add(&db, &fixture("tides.docx")).document;
    assert_eq!((docx.status, docx.doc_type.as_str()), (DocStatus::Ready, "docx"));
    let chunks = documents::chunks(&db, docx.id, Page::new(100, 0).unwrap()).unwrap();
    let text: String = chunks.iter().map(|c| c.text.as_str()).collect();
    // Headings come from the paragraph styles. A short section joins the next one on its page,
    // its heading kept in the text (the path holds only the headings they share); no passage is
    // a heading alone.
    assert!(text.contains("# Spring and neap tides\n\nWhen the Sun and Moon line up"), "{text}");
    assert!(text.contains("# Tidal ranges around the world\n\nPlace | Country"), "{text}");
    assert!(chunks.iter().all(|c| c.text.lines().any(|l| !l.trim().is_empty() && !l.starts_with('#'))), "{chunks:?}");
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
fn a_scanned_pdf_is_read_by_ocr() {
    let (_dir, db) = common::temp_db();
    let document = add(&db, &fixture("bad/scanned.pdf")).document;
    assert_eq!(document.status, DocStatus::Ready, "{:?}", document.error);
    assert_eq!(document.ocr_pages, 1);
    // Small, blurred print: read, but less surely than a clean page.
    assert!(document.ocr_confidence.is_some_and(|c| c > 0.6), "{:?}", document.ocr_confidence);
    let chunks = documents::chunks(&db, document.id, hearth_core::store::Page::new(10, 0).unwrap()).unwrap();
    let text = chunks.iter().map(|c| c.text.to_lowercase()).collect::<Vec<_>>().join(" ");
    // The page's image says "This page was scanned. Its words are pixels." in small print.
    assert!(["this", "page", "scanned", "pixels"].iter().all(|w| text.contains(w)), "{text}");
    assert!(chunks.iter().all(|c| c.ocr_confidence.is_some()), "{chunks:?}");
}

#[test]
fn bad_files_fail_alone_with_a_reason() {
    let (_dir, db) = common::temp_db();
    let good = add(&db, &fixture("sourdough.txt")).document;
    let cases = [
        ("encrypted.pdf", "encrypted with a password"),
        ("blank-paper.png", "no text was found in this image"),
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
    let err = pipeline(&db).add_file(&fixture("bad/slides.pptx"), &mut |_| {}).unwrap_err();
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
