//! `hearth bench crash`: kill -9 at random moments, then check that nothing was lost.
//!
//! Each round starts a real process on one library — `hearth docs add` of new files, a
//! `hearth chat` turn answered by a real GGUF model, or (with `--app`) the desktop app ingesting
//! a watched folder — kills it with SIGKILL after a random delay, and then checks the library
//! the way a person would find it: the database opens and passes SQLite's integrity check, the
//! keyword index agrees with its passages, no passage or vector is orphaned, every stored answer
//! is whole (an answer with its record after its question), `hearth docs add` finishes the
//! interrupted work (nothing left queued, extracting or embedding, nothing failed, no file
//! twice), and the vector index holds exactly the stored vectors.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hearth_core::chat::TurnRecord;
use hearth_core::retrieval::keyword_index::KeywordIndex;
use hearth_core::sessions::messages::{self, Role};
use hearth_core::store::{self, Page};
use hearth_core::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

/// What the run found.
#[derive(Debug, Clone, Serialize)]
pub struct CrashReport {
    pub rounds: Vec<Round>,
    /// Rounds whose checks all held.
    pub passed: usize,
    pub documents_ready: i64,
    pub answers: i64,
    /// Questions left without an answer by a kill (each one whole, as asked).
    pub unanswered_questions: i64,
    /// The longest `hearth docs add` that finished a round's interrupted work.
    pub max_finish_ms: u64,
}

/// What a round runs and kills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// `hearth docs add` of three new files.
    Ingest,
    /// A `hearth chat` turn.
    Chat,
    /// The desktop app, with three new files in its watched folder.
    App,
}

impl Action {
    /// How long the process may run before its kill, in ms: a turn loads a model and writes an
    /// answer, the app starts a window first.
    fn kill_within(self) -> std::ops::Range<u64> {
        match self {
            Action::Ingest => 100..3_000,
            Action::Chat => 300..12_000,
            Action::App => 1_500..10_000,
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Action::Ingest => "ingest",
            Action::Chat => "chat",
            Action::App => "app",
        })
    }
}

/// One kill and what was found after it.
#[derive(Debug, Clone, Serialize)]
pub struct Round {
    pub action: Action,
    /// How long the process ran before SIGKILL.
    pub killed_after_ms: u64,
    /// Whether it had already exited on its own (the kill came too late to interrupt it).
    pub finished_first: bool,
    /// Found at once after the kill: documents left queued, extracting or embedding.
    pub interrupted_documents: i64,
    /// Found at once after the kill: the last question without its answer.
    pub interrupted_turn: bool,
    /// Whether the vector index on disk had to be rebuilt (derived; allowed).
    pub index_rebuilt: bool,
    pub finish_ms: u64,
    /// Each check that failed, in words; empty when the round passed.
    pub failures: Vec<String>,
}

/// Where the processes come from and how many rounds to run.
pub struct CrashPlan<'a> {
    /// The `hearth` command line (this executable).
    pub hearth: &'a Path,
    /// The desktop app, for every third round (needs a display, e.g. under `xvfb-run`).
    pub app: Option<&'a Path>,
    /// The GGUF model that answers the chat rounds.
    pub gguf: &'a Path,
    pub rounds: usize,
    pub seed: u64,
}

/// Runs the rounds in a scratch library; `on_round` hears each as it ends.
pub fn crash(plan: &CrashPlan<'_>, on_round: &mut dyn FnMut(&Round)) -> Result<CrashReport> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Io { context: "a scratch directory".into(), source })?;
    let data = scratch.path().join("library");
    let files = scratch.path().join("files");
    let watched = scratch.path().join("watched");
    for dir in [&files, &watched] {
        std::fs::create_dir_all(dir)
            .map_err(|source| Error::Io { context: format!("creating {}", dir.display()), source })?;
    }
    let run = |args: &[&str]| -> Result<String> {
        let out = Command::new(plan.hearth)
            .args(args)
            .env("HEARTH_DATA_DIR", &data)
            .output()
            .map_err(|source| Error::Io { context: "running hearth".into(), source })?;
        if !out.status.success() {
            return Err(Error::InvalidInput(format!("hearth {args:?}: {}", String::from_utf8_lossy(&out.stderr))));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    run(&["models", "use", &plan.gguf.display().to_string()])?;
    // Short answers, so some turns finish before their kill and others are cut mid-answer.
    run(&["settings", "chat", "--answer-tokens", "96"])?;
    let session: serde_json::Value =
        serde_json::from_str(&run(&["sessions", "create", "--name", "Crash test", "--json"])?).map_err(json)?;
    let session = session["id"].as_str().unwrap_or_default().to_owned();
    if plan.app.is_some() {
        run(&["folders", "watch", &watched.display().to_string()])?;
    }

    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let mut rounds = Vec::new();
    // The watched folder is the app's; files are only ever put in it for app rounds.
    let mut folders: Vec<PathBuf> = Vec::new();
    for i in 0..plan.rounds {
        // The program a round runs: the app's rounds only when there is an app.
        let (action, program) = match (i % 3, plan.app) {
            (2, Some(app)) => (Action::App, app),
            (0 | 2, _) => (Action::Ingest, plan.hearth),
            _ => (Action::Chat, plan.hearth),
        };
        let mut child = match action {
            Action::Ingest => {
                let folder = files.join(format!("round-{i}"));
                write_documents(&folder, i, 3, &mut rng)?;
                folders.push(folder.clone());
                spawn(Command::new(program).args(["docs", "add"]).arg(&folder), &data)?
            }
            Action::Chat => spawn(
                Command::new(program).args([
                    "chat",
                    &session,
                    &format!("Question {i}: what do the logbooks say about the harbour?"),
                ]),
                &data,
            )?,
            Action::App => {
                write_documents(&watched, i, 3, &mut rng)?;
                if !folders.contains(&watched) {
                    folders.push(watched.clone());
                }
                spawn(&mut Command::new(program), &data)?
            }
        };
        let delay = Duration::from_millis(rng.u64(action.kill_within()));
        std::thread::sleep(delay);
        let finished_first = child.try_wait().ok().flatten().is_some();
        let _ = child.kill();
        let _ = child.wait();

        let (interrupted_documents, interrupted_turn) = look(&data)?;
        let mut failures = Vec::new();
        let started = Instant::now();
        let mut args = vec!["docs".to_owned(), "add".to_owned()];
        args.extend(folders.iter().map(|f| f.display().to_string()));
        if let Err(e) = run(&args.iter().map(String::as_str).collect::<Vec<_>>()) {
            failures.push(format!("finishing the interrupted work: {e}"));
        }
        let finish_ms = started.elapsed().as_millis() as u64;
        let index_rebuilt = check(&data, &mut failures)?;
        let round = Round {
            action,
            killed_after_ms: delay.as_millis() as u64,
            finished_first,
            interrupted_documents,
            interrupted_turn,
            index_rebuilt,
            finish_ms,
            failures,
        };
        on_round(&round);
        rounds.push(round);
    }
    let (documents_ready, answers, unanswered_questions) = totals(&data)?;
    Ok(CrashReport {
        passed: rounds.iter().filter(|r| r.failures.is_empty()).count(),
        max_finish_ms: rounds.iter().map(|r| r.finish_ms).max().unwrap_or(0),
        rounds,
        documents_ready,
        answers,
        unanswered_questions,
    })
}

fn spawn(command: &mut Command, data: &Path) -> Result<Child> {
    command
        .env("HEARTH_DATA_DIR", data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| Error::Io { context: "starting a process to kill".into(), source })
}

fn json(e: serde_json::Error) -> Error {
    Error::InvalidInput(format!("unexpected output: {e}"))
}

const WORDS: &[&str] = &[
    "harbour", "lantern", "tide", "keeper", "storm", "gull", "rope", "anchor", "ledger", "beacon", "fog", "hull",
    "mast", "pier", "salt", "chart", "compass", "reef", "current", "shore", "north", "east", "pilot", "signal",
];

/// `count` text files of 7 to 80 KB (a few passages to a few dozen) in `dir`, each unique.
fn write_documents(dir: &Path, round: usize, count: usize, rng: &mut fastrand::Rng) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|source| Error::Io { context: format!("creating {}", dir.display()), source })?;
    for n in 0..count {
        let words = rng.usize(1_000..12_000);
        let mut text = format!("Logbook {round}-{n}. ");
        for w in 0..words {
            text.push_str(WORDS[rng.usize(..WORDS.len())]);
            text.push_str(if w % 13 == 12 { ". " } else { " " });
        }
        let path = dir.join(format!("log-{round}-{n}.txt"));
        std::fs::write(&path, text)
            .map_err(|source| Error::Io { context: format!("writing {}", path.display()), source })?;
    }
    Ok(())
}

fn read_only(data: &Path) -> Result<Connection> {
    let path = data.join(store::paths::DATABASE_FILE);
    Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|source| Error::Storage { context: format!("opening {}", path.display()), source })
}

fn count(conn: &Connection, sql: &str) -> Result<i64> {
    conn.query_row(sql, [], |r| r.get(0)).map_err(|source| Error::Storage { context: sql.to_owned(), source })
}

/// What the kill left, seen before anything repairs it.
fn look(data: &Path) -> Result<(i64, bool)> {
    let conn = read_only(data)?;
    let working = count(&conn, "SELECT COUNT(*) FROM documents WHERE status IN ('queued', 'extracting', 'embedding')")?;
    let last_role: Option<String> =
        conn.query_row("SELECT role FROM chat_messages ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).ok();
    Ok((working, last_role.as_deref() == Some("user")))
}

/// The checks after a kill and the finishing `docs add`; failures are pushed in words.
/// Returns whether the vector index had to be rebuilt.
fn check(data: &Path, failures: &mut Vec<String>) -> Result<bool> {
    let db = match store::open(data) {
        Ok(db) => db,
        Err(e) => {
            failures.push(format!("the library does not open: {e}"));
            return Ok(false);
        }
    };
    let conn = read_only(data)?;
    let expect = |failures: &mut Vec<String>, what: &str, sql: &str, want: i64| -> Result<()> {
        let got = count(&conn, sql)?;
        if got != want {
            failures.push(format!("{what}: {got}, expected {want}"));
        }
        Ok(())
    };
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|source| Error::Storage { context: "integrity check".into(), source })?;
    if integrity != "ok" {
        failures.push(format!("SQLite's integrity check: {integrity}"));
    }
    expect(
        failures,
        "documents still working",
        "SELECT COUNT(*) FROM documents WHERE status IN ('queued', 'extracting', 'embedding')",
        0,
    )?;
    expect(failures, "documents failed", "SELECT COUNT(*) FROM documents WHERE status = 'failed'", 0)?;
    expect(failures, "files in the library twice", "SELECT COUNT(*) - COUNT(DISTINCT sha256) FROM documents", 0)?;
    expect(
        failures,
        "passages of no ready document",
        "SELECT COUNT(*) FROM chunks c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL OR d.status != 'ready'",
        0,
    )?;
    expect(
        failures,
        "vectors of no passage",
        "SELECT COUNT(*) FROM chunk_vectors v LEFT JOIN chunks c ON c.id = v.chunk_id WHERE c.id IS NULL",
        0,
    )?;
    expect(
        failures,
        "passages without a vector",
        "SELECT COUNT(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = c.id)",
        0,
    )?;
    // FTS5's own check that the keyword index matches the passages it indexes.
    if let Err(e) = db.write(|tx| {
        tx.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')", [])
            .map_err(|source| Error::Storage { context: "the keyword index's check".into(), source })
    }) {
        failures.push(format!("keyword index: {e}"));
    }
    answers_whole(&db, failures)?;
    // The vector index: loaded as saved, or rebuilt from SQLite; either way it must hold every
    // stored vector of the model search uses (recorded when a process loaded it).
    let Some(model) = hearth_core::settings::search_model(&db)? else {
        failures.push("no embedding model is recorded for search".into());
        return Ok(false);
    };
    let (index, opened) = hearth_core::retrieval::index::VectorIndex::open(&db, data, &model.model_id)?;
    let stored = conn
        .query_row("SELECT COUNT(*) FROM chunk_vectors WHERE model_id = ?1", [&model.model_id], |r| r.get::<_, i64>(0))
        .map_err(|source| Error::Storage { context: "counting vectors".into(), source })?;
    if index.len() as i64 != stored {
        failures.push(format!("the vector index holds {} vectors, SQLite {stored}", index.len()));
    }
    // The keyword index: caught up from the change log (or rebuilt), it holds every passage.
    let keywords = KeywordIndex::open(data)?;
    let synced = keywords.sync(&db)?;
    let passages = conn
        .query_row("SELECT COUNT(*) FROM chunks", [], |r| r.get::<_, i64>(0))
        .map_err(|source| Error::Storage { context: "counting passages".into(), source })?;
    if keywords.len() as i64 != passages {
        failures
            .push(format!("the keyword index holds {} passages after {synced:?}, SQLite {passages}", keywords.len()));
    }
    Ok(matches!(opened, hearth_core::retrieval::index::Opened::Rebuilt(_)))
}

/// Every answer is stored whole: after a question, with its content and its turn record.
fn answers_whole(db: &hearth_core::Database, failures: &mut Vec<String>) -> Result<()> {
    let sessions = hearth_core::sessions::list(db, Page::new(100, 0)?)?;
    for session in sessions.items {
        let list = messages::list(db, session.id, Page::new(1000, 0)?)?;
        let mut previous: Option<Role> = None;
        for m in &list {
            if m.role == Role::Assistant {
                if previous != Some(Role::User) {
                    failures.push(format!("answer {} follows no question", m.id));
                }
                if m.content.trim().is_empty() || TurnRecord::of(m).is_none() {
                    failures.push(format!("answer {} is not whole (no text or no record)", m.id));
                }
            }
            previous = Some(m.role);
        }
    }
    Ok(())
}

fn totals(data: &Path) -> Result<(i64, i64, i64)> {
    let conn = read_only(data)?;
    Ok((
        count(&conn, "SELECT COUNT(*) FROM documents WHERE status = 'ready'")?,
        count(&conn, "SELECT COUNT(*) FROM chat_messages WHERE role = 'assistant'")?,
        count(
            &conn,
            "SELECT COUNT(*) FROM chat_messages q WHERE q.role = 'user' AND NOT EXISTS (SELECT 1 FROM chat_messages a
               WHERE a.session_id = q.session_id AND a.id = (SELECT MIN(id) FROM chat_messages n WHERE n.session_id = q.session_id AND n.id > q.id)
               AND a.role = 'assistant')",
        )?,
    ))
}
