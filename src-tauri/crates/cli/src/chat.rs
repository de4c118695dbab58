//! `hearth chat` (one turn, or an interactive loop) and `hearth settings`.

use std::io::{BufRead, Write};

use hearth_core::chat::{Reply, TurnEvent};
use hearth_core::store::secrets::KeptIn;
use hearth_core::{Database, Engine, Result, SessionId, settings};

use crate::args::{ChatSettingsArgs, DocumentSettingsArgs, LlmSettingsArgs};
use crate::output::Out;

/// Runs one turn, or, without a message, a loop reading questions from standard input.
pub fn chat(engine: &Engine, out: &Out, session: SessionId, message: Option<&str>) -> Result<()> {
    match message {
        Some(message) => one_turn(engine, out, session, message),
        None => {
            let stdin = std::io::stdin();
            prompt_marker();
            for line in stdin.lock().lines() {
                let line =
                    line.map_err(|source| hearth_core::Error::Io { context: "reading a question".into(), source })?;
                if !line.trim().is_empty() {
                    // One failed turn (a backend that is down) does not end the conversation.
                    if let Err(e) = one_turn(engine, out, session, &line) {
                        let _ = writeln!(std::io::stderr(), "error: {e}");
                    }
                }
                prompt_marker();
            }
            Ok(())
        }
    }
}

fn prompt_marker() {
    let _ = write!(std::io::stderr(), "> ");
    let _ = std::io::stderr().flush();
}

fn one_turn(engine: &Engine, out: &Out, session: SessionId, message: &str) -> Result<()> {
    let streaming = !out.is_json();
    let reply: Reply = engine.send(session, message, &mut |event| match event {
        TurnEvent::Token(piece) if streaming => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(piece.as_bytes());
            let _ = stdout.flush();
        }
        // Loading a large model takes seconds: say so, on one line of stderr.
        TurnEvent::Loading { model, progress } if streaming => {
            let end = if progress >= 1.0 { "\n" } else { "" };
            let _ = write!(std::io::stderr(), "\rloading {model}… {:>3.0}%{end}", progress * 100.0);
        }
        _ => {}
    })?;
    out.answer(&reply)
}

pub fn show_settings(engine: &Engine, out: &Out) -> Result<()> {
    let db = engine.db();
    let api_key = engine.api_key()?.map(|_| engine.secrets_kept_in());
    out.json_or_lines(&serde_json::json!({
        "chat": settings::chat(db)?,
        "llm": settings::llm(db)?,
        "api_key": api_key,
        "documents": settings::ingest(db)?,
        "computing_now": engine.embedding_compute(),
    }))
}

pub fn set_llm(engine: &Engine, out: &Out, args: LlmSettingsArgs) -> Result<()> {
    let db = engine.db();
    let mut llm = settings::llm(db)?;
    if let Some(backend) = args.backend {
        llm.backend = backend;
    }
    if let Some(url) = args.url {
        llm.base_url = url;
    }
    if let Some(secs) = args.timeout {
        llm.first_token_timeout_secs = secs;
    }
    let saved = settings::set_llm(db, llm)?;
    let kept = match args.api_key {
        Some(key) => match engine.set_api_key(Some(&key))? {
            _ if key.is_empty() => "; the API key is forgotten".to_owned(),
            KeptIn::Keyring => "; the API key is in the system's credential store".to_owned(),
            KeptIn::File { path, why } => {
                format!("; no credential store answers ({why}), so the API key is in {path}, readable only by you")
            }
        },
        None => String::new(),
    };
    out.done(&format!("LLM backend: {} ({}){kept}", saved.backend.as_str(), saved.base_url))
}

pub fn set_documents(engine: &Engine, out: &Out, args: DocumentSettingsArgs) -> Result<()> {
    let db = engine.db();
    let mut ingest = settings::ingest(db)?;
    if let Some(n) = args.chunk_tokens {
        ingest.chunk_tokens = n;
    }
    if let Some(n) = args.overlap_tokens {
        ingest.overlap_tokens = n;
    }
    if let Some(compute) = args.compute {
        ingest.compute = compute;
    }
    if let Some(ocr) = args.ocr {
        ingest.ocr = ocr;
    }
    if let Some(dpi) = args.ocr_dpi {
        ingest.ocr_dpi = dpi;
    }
    let saved = settings::set_ingest(db, ingest)?;
    out.json_or_lines(&serde_json::json!({ "documents": saved, "computing_now": engine.embedding_compute() }))
}

pub fn set_chat(db: &Database, out: &Out, args: ChatSettingsArgs) -> Result<()> {
    let mut chat = settings::chat(db)?;
    if let Some(n) = args.top_n {
        chat.top_n = n;
    }
    if let Some(n) = args.history_turns {
        chat.history_turns = n;
    }
    if let Some(n) = args.context_tokens {
        chat.context_tokens = n;
    }
    if let Some(n) = args.answer_tokens {
        chat.answer_tokens = n;
    }
    if let Some(text) = args.instructions {
        chat.system_instructions = text;
    }
    let saved = settings::set_chat(db, chat)?;
    out.json_or_lines(&saved)
}
