//! `hearth chat` (one turn, or an interactive loop) and `hearth settings`.

use std::io::{BufRead, Write};

use hearth_core::chat::Reply;
use hearth_core::{Database, Engine, Result, SessionId, settings};

use crate::args::{ChatSettingsArgs, LlmSettingsArgs};
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
    let reply: Reply = engine.send(session, message, &mut |piece| {
        if streaming {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(piece.as_bytes());
            let _ = stdout.flush();
        }
    })?;
    out.answer(&reply)
}

pub fn show_settings(db: &Database, out: &Out) -> Result<()> {
    let mut llm = settings::llm(db)?;
    if llm.api_key.is_some() {
        llm.api_key = Some("(set)".into());
    }
    out.json_or_lines(&serde_json::json!({ "chat": settings::chat(db)?, "llm": llm }))
}

pub fn set_llm(db: &Database, out: &Out, args: LlmSettingsArgs) -> Result<()> {
    let mut llm = settings::llm(db)?;
    if let Some(backend) = args.backend {
        llm.backend = backend;
    }
    if let Some(url) = args.url {
        llm.base_url = url;
    }
    if let Some(key) = args.api_key {
        llm.api_key = Some(key).filter(|k| !k.is_empty());
    }
    if let Some(secs) = args.timeout {
        llm.first_token_timeout_secs = secs;
    }
    let saved = settings::set_llm(db, llm)?;
    out.done(&format!("LLM backend: {} ({})", saved.backend.as_str(), saved.base_url))
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
