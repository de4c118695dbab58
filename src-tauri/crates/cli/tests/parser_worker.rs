//! Documents parsed in a child process (`hearth parser-worker`), as the app and the CLI do: the
//! same text as in-process parsing, one worker across files; a worker that crashes, hangs or
//! talks nonsense is that file's failure with a reason, and the next file gets a fresh worker.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_core::Error;
use hearth_core::ingest::extract::{self, DocType, Parsers, WorkerCommand};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures").join(name)
}

fn bytes(name: &str) -> Arc<[u8]> {
    std::fs::read(fixture(name)).unwrap().into()
}

fn hearth_worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_hearth"), &["parser-worker"])
}

/// A worker that is a shell script instead of Hearth (to play a crash or a hang).
fn script(body: &str) -> WorkerCommand {
    WorkerCommand::new("sh", &["-c", body])
}

#[test]
fn the_worker_reads_every_format_as_the_app_itself_would() {
    let parsers = Parsers::in_worker(hearth_worker(), Duration::from_secs(60));
    for (name, doc_type) in [
        ("beekeeping.pdf", DocType::Pdf),
        ("tides.docx", DocType::Docx),
        ("volcanoes.html", DocType::Html),
        ("lighthouses.md", DocType::Markdown),
        ("sourdough.txt", DocType::Text),
    ] {
        let in_worker = parsers.extract(doc_type, bytes(name), name).unwrap();
        let here = extract::extract(doc_type, bytes(name)).unwrap();
        assert_eq!(in_worker, here, "{name}");
    }
    // A file the parser refuses is an error from the worker, and the worker goes on.
    let refused = parsers.extract(DocType::Pdf, bytes("bad/encrypted.pdf"), "encrypted.pdf").unwrap_err();
    assert!(matches!(refused, Error::InvalidInput(_)), "{refused}");
    assert_eq!(parsers.extract(DocType::Text, bytes("sourdough.txt"), "sourdough.txt").unwrap().parts.len(), 1);
}

#[test]
fn a_worker_that_crashes_fails_that_file_and_the_next_file_gets_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("crashed-once");
    // The first worker dies of a segmentation fault as it reads; the second is Hearth's.
    let body = format!(
        "if [ -e '{m}' ]; then exec '{hearth}' parser-worker; else touch '{m}'; head -c 1 >/dev/null; kill -SEGV $$; fi",
        m = marker.display(),
        hearth = env!("CARGO_BIN_EXE_hearth")
    );
    let parsers = Parsers::in_worker(script(&body), Duration::from_secs(30));
    let crash = parsers.extract(DocType::Pdf, bytes("beekeeping.pdf"), "beekeeping.pdf").unwrap_err();
    let said = crash.to_string();
    assert!(matches!(crash, Error::InvalidInput(_)), "{said}");
    assert!(said.contains("the pdf reader crashed on this file (signal 11 SIGSEGV)"), "{said}");
    let again = parsers.extract(DocType::Pdf, bytes("beekeeping.pdf"), "beekeeping.pdf").unwrap();
    assert_eq!(again.pages, Some(4));
}

#[test]
fn a_pdf_that_exhausts_the_workers_memory_fails_alone() {
    // A real file, no script: one page whose content stream decodes to 6 GB. PDFium aborts at the
    // worker's memory limit; the next file gets a fresh worker.
    let parsers = Parsers::in_worker(hearth_worker(), Duration::from_secs(60));
    let crash = parsers.extract(DocType::Pdf, bytes("bad/memory-bomb.pdf"), "memory-bomb.pdf").unwrap_err();
    let said = crash.to_string();
    assert!(said.contains("the pdf reader crashed on this file (signal 6 SIGABRT, often memory exhausted)"), "{said}");
    assert_eq!(parsers.extract(DocType::Pdf, bytes("guide.pdf"), "guide.pdf").unwrap().pages, Some(4));
}

#[test]
fn the_worker_draws_a_pdf_page_as_this_process_would() {
    let parsers = Parsers::in_worker(hearth_worker(), Duration::from_secs(60));
    let drawn = parsers.render(DocType::Pdf, bytes("guide.pdf"), 2, 640, "guide.pdf").unwrap();
    assert_eq!(&drawn.png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!((drawn.width_px, drawn.pages), (640, 4));
    // A4 in points, and the image keeps the page's proportions.
    assert!((drawn.width_pt - 595.3).abs() < 0.5 && (drawn.height_pt - 841.9).abs() < 0.5, "{drawn:?}");
    assert_eq!(drawn.height_px, (640.0 * drawn.height_pt / drawn.width_pt).round() as u32);
    let here = Parsers::in_process().render(DocType::Pdf, bytes("guide.pdf"), 2, 640, "guide.pdf").unwrap();
    assert_eq!(drawn, here);
    let past = parsers.render(DocType::Pdf, bytes("guide.pdf"), 5, 640, "guide.pdf").unwrap_err().to_string();
    assert!(past.contains("this PDF has 4 pages; there is no page 5"), "{past}");
}

#[test]
fn a_worker_that_hangs_is_killed_at_the_limit() {
    let parsers = Parsers::in_worker(script("cat >/dev/null"), Duration::from_millis(800));
    let started = Instant::now();
    let hang = parsers.extract(DocType::Text, bytes("sourdough.txt"), "sourdough.txt").unwrap_err().to_string();
    assert!(hang.contains("took longer than 0.8 s, so the text reader was stopped"), "{hang}");
    assert!(started.elapsed() < Duration::from_secs(5), "the caller was not kept waiting");
}

#[test]
fn a_worker_that_answers_nonsense_or_cannot_start_is_an_error_not_a_panic() {
    let nonsense =
        Parsers::in_worker(script("head -c 1 >/dev/null; echo this is not a reply"), Duration::from_secs(10));
    let said = nonsense.extract(DocType::Text, bytes("sourdough.txt"), "sourdough.txt").unwrap_err().to_string();
    assert!(said.contains("the text reader stopped on this file (it answered something unreadable"), "{said}");

    let missing = WorkerCommand::new("/nonexistent/hearth", &[]);
    let said = Parsers::in_worker(missing, Duration::from_secs(10))
        .extract(DocType::Text, bytes("sourdough.txt"), "sourdough.txt")
        .unwrap_err()
        .to_string();
    assert!(said.contains("starting the document reader"), "{said}");
}

#[test]
fn the_worker_reads_pdfs_with_the_pdfium_it_is_told_of() {
    let mut command = hearth_worker();
    command.env.push(("HEARTH_PDFIUM_LIBRARY".into(), "/nonexistent/libpdfium.so".into()));
    let parsers = Parsers::in_worker(command, Duration::from_secs(30));
    let said = parsers.extract(DocType::Pdf, bytes("beekeeping.pdf"), "beekeeping.pdf").unwrap_err().to_string();
    assert!(said.contains("PDFium is missing or broken at /nonexistent/libpdfium.so"), "{said}");
    // Other formats do not need it, and the worker goes on.
    assert!(parsers.extract(DocType::Html, bytes("volcanoes.html"), "volcanoes.html").is_ok());
}

#[test]
fn the_worker_reads_a_scan_by_ocr_and_tells_each_page_as_it_goes() {
    // Three scanned pages of four: each is told before it is read (its line also restarts the
    // time limit, which is a page's, not the whole scan's).
    let scan: Arc<[u8]> = extract::pdf::scanned_copy(&bytes("guide.pdf"), 200, Some(&[1, 2, 3])).unwrap().into();
    let parsers = Parsers::in_worker(hearth_worker(), Duration::from_secs(60));
    let mut told = Vec::new();
    let read = parsers
        .extract_with(DocType::Pdf, scan.clone(), "scan.pdf", Default::default(), &mut |p| told.push((p.page, p.pages)))
        .unwrap();
    assert_eq!(told, vec![(1, 3), (2, 3), (3, 3)]);
    assert_eq!((read.pages, read.ocr_pages), (Some(4), 3));
    assert!(!parsers.has_worker(), "the worker that held the OCR models was ended");
    // Its peak memory was kept as it ended: the OCR models' hundreds of MB (Linux's /proc).
    #[cfg(target_os = "linux")]
    assert!(parsers.worker_peak_rss_mb().is_some_and(|mb| mb > 100.0), "{:?}", parsers.worker_peak_rss_mb());
    let here = extract::extract(DocType::Pdf, scan).unwrap();
    assert_eq!(read, here, "the worker reads what this process reads");
    // An image is drawn for the page view as it is, its pixels as its points.
    let png: Arc<[u8]> =
        Parsers::in_process().render(DocType::Pdf, bytes("guide.pdf"), 1, 900, "guide.pdf").unwrap().png.into();
    let drawn = parsers.render(DocType::Image, png, 1, 450, "page.png").unwrap();
    assert_eq!((drawn.width_px, drawn.width_pt, drawn.pages), (450, 900.0, 1));
    assert!(parsers.has_worker(), "a fresh worker drew it, and stays for the next file");
}
