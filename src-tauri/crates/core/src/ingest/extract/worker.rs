//! Parsers in a child process, so that native code reading an untrusted file cannot take the app
//! down: the same executable started in a hidden worker mode (`WorkerCommand`), kept running
//! across files, given a wall-time limit per file (killed past it) and a memory limit (set by the
//! worker on itself), and started again after a failure. A crash, a signal or an overrun is that
//! file's failure, with a reason; what the worker writes to stderr goes to the log, never to the
//! person's terminal.
//!
//! The protocol, over the child's stdin and stdout: a request is a JSON line
//! `{"doc_type": "pdf", "len": N, "options": {…}}` (with `"render": {"page": P, "width": W}` to
//! draw a page instead of reading its text) followed by the file's N bytes; the reply is any
//! number of `{"progress": {"page": P, "pages": N}}` lines (OCR, page by page; each restarts the
//! time limit) and then one JSON line, `{"ok": Extracted}`, `{"page": RenderedPage}` or
//! `{"error": "…"}`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::pdf::RenderedPage;
use super::{DocType, ExtractOptions, Extracted, PARSE_TIMEOUT, ReadProgress, extract_within, render_within};
use crate::error::{Error, Result};

/// The worker's own memory limit (address space): far above what a sane document needs, well
/// below what takes a machine down.
pub const WORKER_MEMORY_BYTES: u64 = 4 << 30;
/// Inside the worker, a parser runs as long as it takes: the supervisor's limit kills the whole
/// worker, which (unlike a thread) really stops it.
const NO_LIMIT: Duration = Duration::from_secs(u32::MAX as u64);

/// How to start a worker: a program and the arguments that put it in worker mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Variables set in the worker's environment (where PDFium is, for one).
    pub env: Vec<(String, String)>,
}

impl WorkerCommand {
    /// `program args…`, with nothing added to its environment.
    pub fn new(program: impl Into<PathBuf>, args: &[&str]) -> WorkerCommand {
        WorkerCommand { program: program.into(), args: args.iter().map(|a| (*a).to_owned()).collect(), env: Vec::new() }
    }
}

/// Where parsers run: in this process (tests, benchmarks) or in a worker process.
pub struct Parsers {
    command: Option<WorkerCommand>,
    timeout: Duration,
    worker: Mutex<Option<Worker>>,
    /// The highest peak memory of the workers ended so far, in KiB (see
    /// [`Parsers::worker_peak_rss_mb`]).
    ended_peak_kib: AtomicU64,
}

/// A running worker: its process, its stdin, and the lines it writes to stdout.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<std::io::Result<String>>,
}

#[derive(Serialize, Deserialize)]
struct Request {
    doc_type: String,
    len: usize,
    #[serde(default)]
    options: ExtractOptions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    render: Option<RenderRequest>,
}

/// Draw page `page` (1-based), `width` pixels wide.
#[derive(Serialize, Deserialize, Clone, Copy)]
struct RenderRequest {
    page: u32,
    width: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Progress(ReadProgress),
    Ok(Extracted),
    Page(PageImage),
    Error(String),
}

/// A rendered page on the pipe: the PNG as base64.
#[derive(Serialize, Deserialize)]
struct PageImage {
    png: String,
    width_px: u32,
    height_px: u32,
    width_pt: f32,
    height_pt: f32,
    pages: u32,
}

impl From<RenderedPage> for PageImage {
    fn from(page: RenderedPage) -> PageImage {
        PageImage {
            png: BASE64.encode(&page.png),
            width_px: page.width_px,
            height_px: page.height_px,
            width_pt: page.width_pt,
            height_pt: page.height_pt,
            pages: page.pages,
        }
    }
}

impl PageImage {
    fn decode(self) -> std::result::Result<RenderedPage, String> {
        Ok(RenderedPage {
            png: BASE64.decode(self.png).map_err(|e| e.to_string())?,
            width_px: self.width_px,
            height_px: self.height_px,
            width_pt: self.width_pt,
            height_pt: self.height_pt,
            pages: self.pages,
        })
    }
}

impl Parsers {
    /// Parsers that run in this process, each on a guarded thread (what tests and benchmarks use).
    pub fn in_process() -> &'static Parsers {
        static IN_PROCESS: OnceLock<Parsers> = OnceLock::new();
        IN_PROCESS.get_or_init(|| Parsers::new(None, PARSE_TIMEOUT))
    }

    /// Parsers that run in a worker started with `command`, each file within `timeout`.
    pub fn in_worker(command: WorkerCommand, timeout: Duration) -> Parsers {
        Parsers::new(Some(command), timeout)
    }

    fn new(command: Option<WorkerCommand>, timeout: Duration) -> Parsers {
        Parsers { command, timeout, worker: Mutex::new(None), ended_peak_kib: AtomicU64::new(0) }
    }

    /// Extracts `bytes` as `doc_type` with the default options (see [`super::extract`]), in the
    /// worker when there is one. One file at a time: a second caller waits.
    pub fn extract(&self, doc_type: DocType, bytes: Arc<[u8]>, file_name: &str) -> Result<Extracted> {
        self.extract_with(doc_type, bytes, file_name, ExtractOptions::default(), &mut |_| {})
    }

    /// [`Parsers::extract`] with chosen options, telling `progress` of each page read by OCR.
    pub fn extract_with(
        &self,
        doc_type: DocType,
        bytes: Arc<[u8]>,
        file_name: &str,
        options: ExtractOptions,
        progress: &mut dyn FnMut(ReadProgress),
    ) -> Result<Extracted> {
        if self.command.is_none() {
            return extract_within(doc_type, bytes, options, self.timeout, progress);
        }
        let request = Request { doc_type: doc_type.as_str().into(), len: bytes.len(), options, render: None };
        match self.ask(request, &bytes, file_name, progress)? {
            Reply::Ok(extracted) => {
                if extracted.ocr_pages > 0 {
                    // The OCR models and their buffers (hundreds of MB) would stay in the worker
                    // for as long as it lives: it is ended, and the next file gets a fresh one.
                    self.retire();
                }
                Ok(extracted)
            }
            _ => Err(Error::invalid("the document reader answered with something else than the text")),
        }
    }

    /// Ends the worker, which is idle between requests (dropping it kills and reaps it); the next
    /// file starts a fresh one.
    fn retire(&self) {
        let worker = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(worker) = worker {
            self.note_peak(&worker);
        }
    }

    /// Keeps the peak memory of a worker about to end.
    fn note_peak(&self, worker: &Worker) {
        if let Some(kib) = worker.peak_rss_kib() {
            tracing::debug!(peak_rss_mb = kib / 1024, "ending the parser worker");
            self.ended_peak_kib.fetch_max(kib, Ordering::Relaxed);
        }
    }

    /// The highest peak resident memory of any worker these parsers have run, the running one
    /// included, in MiB (Linux; `None` elsewhere or before any worker ran). What `hearth bench
    /// ingest` reports beside its own process's peak: the app's memory is both.
    pub fn worker_peak_rss_mb(&self) -> Option<f64> {
        let running = self.worker.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(Worker::peak_rss_kib);
        let kib = running.unwrap_or(0).max(self.ended_peak_kib.load(Ordering::Relaxed));
        (kib > 0).then(|| kib as f64 / 1024.0)
    }

    /// Whether a worker is running now (for tests).
    pub fn has_worker(&self) -> bool {
        self.worker.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Draws page `page` (1-based) of a PDF or an image, `width` pixels wide, in the worker when
    /// there is one.
    pub fn render(
        &self,
        doc_type: DocType,
        bytes: Arc<[u8]>,
        page: u32,
        width: u32,
        file_name: &str,
    ) -> Result<RenderedPage> {
        if self.command.is_none() {
            return render_within(doc_type, bytes, page, width, self.timeout);
        }
        let request = Request {
            doc_type: doc_type.as_str().into(),
            len: bytes.len(),
            options: ExtractOptions::default(),
            render: Some(RenderRequest { page, width }),
        };
        match self.ask(request, &bytes, file_name, &mut |_| {})? {
            Reply::Page(image) => {
                image.decode().map_err(|e| Error::invalid(format!("the page image was damaged: {e}")))
            }
            _ => Err(Error::invalid("the document reader answered with something else than a page image")),
        }
    }

    /// Sends one request to the worker (started if needed); an error reply becomes an error.
    fn ask(
        &self,
        request: Request,
        bytes: &[u8],
        file_name: &str,
        progress: &mut dyn FnMut(ReadProgress),
    ) -> Result<Reply> {
        let command = self.command.as_ref().expect("asked only when there is a worker");
        let doc_type = DocType::parse(&request.doc_type).unwrap_or(DocType::Pdf);
        let mut slot = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Worker::start(command, file_name)?);
        }
        let worker = slot.as_mut().expect("a worker was just started");
        match worker.ask(&request, bytes, self.timeout, progress) {
            Ok(Reply::Error(message)) => Err(Error::invalid(message)),
            Ok(reply) => Ok(reply),
            Err(failure) => {
                // The worker is gone or stuck: stop it, say why, and start a fresh one next time.
                let mut gone = slot.take().expect("the worker is there");
                self.note_peak(&gone);
                let status = gone.stop();
                let reason = failure.reason(doc_type, self.timeout, status);
                tracing::warn!(file = file_name, %reason, "the parser worker failed");
                Err(Error::invalid(reason))
            }
        }
    }
}

/// How asking the worker went wrong.
enum Failure {
    TimedOut,
    /// It closed its output or wrote something that is not a reply: it died or is broken.
    Gone(String),
}

impl Failure {
    fn reason(&self, doc_type: DocType, timeout: Duration, status: Option<ExitStatus>) -> String {
        let what = doc_type.as_str();
        match self {
            Failure::TimedOut => format!(
                "reading this file took longer than {}, so the {what} reader was stopped; it is probably corrupt or too \
                 complex",
                seconds(timeout)
            ),
            Failure::Gone(detail) => match status.as_ref().and_then(signal) {
                Some(how) => {
                    format!("the {what} reader crashed on this file ({how}); it is probably corrupt or hostile")
                }
                None => {
                    let code = status.and_then(|s| s.code()).map(|c| format!(", exit code {c}")).unwrap_or_default();
                    format!(
                        "the {what} reader stopped on this file ({detail}{code}); it is probably corrupt or hostile"
                    )
                }
            },
        }
    }
}

/// The signal that killed a process, in words.
fn signal(status: &ExitStatus) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal().map(|signal| {
            let name = match signal {
                6 => " SIGABRT, often memory exhausted",
                9 => " SIGKILL",
                11 => " SIGSEGV",
                _ => "",
            };
            format!("signal {signal}{name}")
        })
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
}

/// "120 s", "0.8 s".
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{} s", d.as_secs()) } else { format!("{:.1} s", d.as_secs_f64()) }
}

impl Worker {
    fn start(command: &WorkerCommand, file_name: &str) -> Result<Worker> {
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Io {
                context: format!("starting the document reader ({})", command.program.display()),
                source,
            })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (sender, replies) = mpsc::channel();
        std::thread::Builder::new()
            .name("parser-replies".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    if sender.send(line).is_err() {
                        return;
                    }
                }
            })
            .map_err(|source| Error::Io { context: "starting the reader's reply thread".into(), source })?;
        // What a parser prints (a panic message, a native library's complaint) goes to the log.
        std::thread::Builder::new()
            .name("parser-stderr".into())
            .spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(std::result::Result::ok) {
                    tracing::warn!(target: "hearth::parser", "{line}");
                }
            })
            .map_err(|source| Error::Io { context: "starting the reader's log thread".into(), source })?;
        tracing::debug!(pid = child.id(), first_file = file_name, "started the parser worker");
        Ok(Worker { child, stdin, replies })
    }

    /// Sends one request with its file and waits for the reply, passing on progress (each report
    /// restarts the time limit).
    fn ask(
        &mut self,
        request: &Request,
        bytes: &[u8],
        timeout: Duration,
        progress: &mut dyn FnMut(ReadProgress),
    ) -> std::result::Result<Reply, Failure> {
        let header = serde_json::to_string(request).expect("a request serializes");
        let sent = self
            .stdin
            .write_all(header.as_bytes())
            .and_then(|()| self.stdin.write_all(b"\n"))
            .and_then(|()| self.stdin.write_all(bytes))
            .and_then(|()| self.stdin.flush());
        if let Err(e) = sent {
            return Err(Failure::Gone(format!("it stopped reading: {e}")));
        }
        loop {
            let reply = match self.replies.recv_timeout(timeout) {
                Ok(Ok(line)) => serde_json::from_str::<Reply>(&line)
                    .map_err(|e| Failure::Gone(format!("it answered something unreadable: {e}")))?,
                Ok(Err(e)) => return Err(Failure::Gone(format!("its output broke: {e}"))),
                Err(RecvTimeoutError::Timeout) => return Err(Failure::TimedOut),
                Err(RecvTimeoutError::Disconnected) => return Err(Failure::Gone("it closed its output".into())),
            };
            match reply {
                Reply::Progress(p) => progress(p),
                reply => return Ok(reply),
            }
        }
    }

    /// The worker's peak resident memory so far, in KiB.
    fn peak_rss_kib(&self) -> Option<u64> {
        peak_rss_kib(self.child.id())
    }

    /// Kills the worker if it still runs, and reaps it.
    fn stop(&mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        // It may be exiting on its own: give it a moment before the kill hides how it ended.
        std::thread::sleep(Duration::from_millis(50));
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The peak resident memory of process `pid` so far, in KiB (`VmHWM` in Linux's `/proc`; `None`
/// elsewhere, or once the process is gone).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.split_whitespace().next()?.parse().ok()
}

/// The worker's side: limits its own memory, then answers requests from stdin until it closes.
/// What the executable runs in worker mode.
pub fn serve() -> Result<()> {
    limit_memory(WORKER_MEMORY_BYTES);
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut output = stdout.lock();
    let io = |source| Error::Io { context: "the parser worker's pipe".into(), source };
    loop {
        let mut header = String::new();
        if input.read_line(&mut header).map_err(io)? == 0 {
            return Ok(());
        }
        let request: Request =
            serde_json::from_str(&header).map_err(|e| Error::invalid(format!("not a parser request: {e}")))?;
        let mut bytes = vec![0; request.len];
        input.read_exact(&mut bytes).map_err(io)?;
        let reply = match (DocType::parse(&request.doc_type), request.render) {
            (Some(doc_type), Some(RenderRequest { page, width })) => {
                match render_within(doc_type, bytes.into(), page, width, NO_LIMIT) {
                    Ok(page) => Reply::Page(page.into()),
                    Err(e) => Reply::Error(e.to_string()),
                }
            }
            (Some(doc_type), None) => {
                // A progress line that cannot be written means the supervisor is gone; the
                // final reply's write says so.
                let mut progress = |p| {
                    let _ = send(&mut output, &Reply::Progress(p));
                };
                match extract_within(doc_type, bytes.into(), request.options, NO_LIMIT, &mut progress) {
                    Ok(extracted) => Reply::Ok(extracted),
                    Err(e) => Reply::Error(e.to_string()),
                }
            }
            (None, _) => Reply::Error(format!("unknown document type {:?}", request.doc_type)),
        };
        send(&mut output, &reply).map_err(io)?;
    }
}

/// Writes one reply line and flushes it.
fn send(output: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    let line = serde_json::to_string(reply).expect("a reply serializes");
    output.write_all(line.as_bytes()).and_then(|()| output.write_all(b"\n")).and_then(|()| output.flush())
}

/// Caps this process's address space, so a parser that runs away fails its allocation (and the
/// worker dies) instead of exhausting the machine.
fn limit_memory(bytes: u64) {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        if let Err(e) = setrlimit(Resource::As, Rlimit { current: Some(bytes), maximum: Some(bytes) }) {
            tracing::warn!(error = %e, "the parser worker could not limit its memory");
        }
    }
    #[cfg(not(unix))]
    let _ = bytes;
}
