//! A chat turn, the RAG pipeline: store the question, retrieve from the session's own ready
//! documents, build the prompt within the budget, ask the backend, store the answer with its
//! sources, token counts, what was dropped, the backend and model, and timings.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::Database;
use crate::documents;
use crate::embedding::{Embedder, TimedEmbedder};
use crate::error::{Error, Result};
use crate::index::VectorIndex;
use crate::llm::{Finish, LlmBackend, LlmRequest, quote};
use crate::messages::{self, ChatMessage, NewMessage, Role};
use crate::prompt::{self, Candidate, TokenCounter};
use crate::search::{self, Hit, Mode};
use crate::sessions::{self, Session};
use crate::settings::{self, ChatSettings};

/// Characters of a source's text kept in the stored metadata.
const SNIPPET_CHARS: usize = 300;

/// What a turn needs. `embedder` is `None` when the model is unavailable: retrieval then falls
/// back to keyword search and says so.
pub struct Turn<'a> {
    pub db: &'a Database,
    pub embedder: Option<&'a dyn Embedder>,
    pub index: Option<&'a VectorIndex>,
    pub counter: &'a dyn TokenCounter,
    pub backend: &'a dyn LlmBackend,
}

/// The stored question and answer of a turn.
#[derive(Debug, Clone)]
pub struct Reply {
    pub user: ChatMessage,
    pub assistant: ChatMessage,
}

impl Turn<'_> {
    /// Runs a turn for a new message. A backend failure leaves the question stored (and
    /// returns `LlmUnavailable`); [`Turn::retry`] answers it later.
    pub fn send(&self, session_id: &str, content: &str, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Reply> {
        let session = sessions::get(self.db, session_id)?;
        let chat = settings::chat(self.db)?;
        // Refuse a message that can never fit before storing anything.
        prompt::build(self.counter, &chat.system_instructions, &[], &[], content, budget(&chat))?;
        let user =
            messages::add(self.db, session_id, NewMessage { content: content.to_owned(), ..Default::default() })?;
        sessions::name_after_first_question(self.db, session.id, content)?;
        let assistant = self.answer(&session, &user, &chat, on_token)?;
        Ok(Reply { user, assistant })
    }

    /// Answers the session's last message again, when it is a question left without an answer.
    pub fn retry(&self, session_id: &str, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Reply> {
        let session = sessions::get(self.db, session_id)?;
        let last = messages::history(self.db, session.id, i64::MAX, 1)?.pop();
        let Some(user) = last.filter(|m| m.role == Role::User) else {
            return Err(Error::invalid("the chat's last message already has an answer"));
        };
        let chat = settings::chat(self.db)?;
        let assistant = self.answer(&session, &user, &chat, on_token)?;
        Ok(Reply { user, assistant })
    }

    fn answer(
        &self,
        session: &Session,
        user: &ChatMessage,
        chat: &ChatSettings,
        on_token: &mut dyn FnMut(&str) -> bool,
    ) -> Result<ChatMessage> {
        let (hits, retrieval, embed, search_time) = self.retrieve(session, &user.content, chat.top_n)?;

        let started = Instant::now();
        let history = messages::history(self.db, session.id, user.id, chat.history_turns * 2)?;
        let candidates: Vec<Candidate> = hits
            .iter()
            .map(|h| Candidate {
                chunk_id: h.chunk_id,
                document_name: h.document_name.clone(),
                page: h.page,
                text: h.text.clone(),
            })
            .collect();
        let built =
            prompt::build(self.counter, &chat.system_instructions, &candidates, &history, &user.content, budget(chat))?;
        let prompt_time = started.elapsed();

        let started = Instant::now();
        let passages = prompt::cited(&candidates[..built.sources_used]);
        let request = LlmRequest { model: &session.llm_model_name, messages: &built.messages, sources: &passages };
        let completion = self.backend.complete(&request, on_token)?;
        let llm_time = started.elapsed();

        let (used, dropped) = hits.split_at(built.sources_used);
        let metadata = json!({
            "backend": self.backend.name(),
            "model": session.llm_model_name,
            "finish": completion.finish,
            "question_id": user.id,
            "retrieval": retrieval,
            "sources": used.iter().enumerate().map(|(i, h)| source_json(Some(i + 1), h)).collect::<Vec<_>>(),
            "dropped_sources": dropped.iter().map(|h| source_json(None, h)).collect::<Vec<_>>(),
            "dropped_history": built.dropped_history,
            "history_used": built.history_used,
            "prompt": { "tokens": built.tokens, "messages": built.messages },
            "timings_ms": {
                "embed": ms(embed),
                "search": ms(search_time),
                "prompt": ms(prompt_time),
                "llm": ms(llm_time),
            },
        });
        let content = match (completion.finish, completion.text.trim().is_empty()) {
            (Finish::Stopped, true) => "(stopped before any text)".to_owned(),
            _ => completion.text,
        };
        messages::add(
            self.db,
            &session.id.to_string(),
            NewMessage { content, role: Some("assistant".into()), metadata: Some(metadata) },
        )
    }

    /// The session's best passages, with what happened, the embedding time and the search time.
    fn retrieve(&self, session: &Session, query: &str, top_n: usize) -> Result<(Vec<Hit>, Value, Duration, Duration)> {
        let attached = &session.rag_document_ids;
        let ready = documents::ready_among(self.db, attached)?;
        if ready.is_empty() {
            let skipped = if attached.is_empty() {
                "the chat has no documents".to_owned()
            } else {
                format!("none of the chat's {} documents is ready", attached.len())
            };
            return Ok((Vec::new(), json!({ "skipped": skipped }), Duration::ZERO, Duration::ZERO));
        }
        let timed = self.embedder.map(TimedEmbedder::new);
        let mode = if timed.is_some() { Mode::Hybrid } else { Mode::Keyword };
        let started = Instant::now();
        let hits = search::search(
            self.db,
            timed.as_ref().map(|t| t as &dyn Embedder),
            self.index,
            query,
            top_n,
            Some(&ready),
            mode,
        )?;
        let total = started.elapsed();
        let embed = timed.map(|t| t.spent()).unwrap_or_default();
        let mut info = json!({ "mode": mode, "top_n": top_n, "documents": ready, "found": hits.len() });
        if mode == Mode::Keyword {
            info["note"] = json!("the embedding model is unavailable, so only keyword search was used");
        }
        Ok((hits, info, embed, total.saturating_sub(embed)))
    }
}

fn budget(chat: &ChatSettings) -> usize {
    chat.context_tokens - chat.answer_tokens
}

fn source_json(number: Option<usize>, hit: &Hit) -> Value {
    json!({
        "n": number,
        "chunk_id": hit.chunk_id,
        "document_id": hit.document_id,
        "document_name": hit.document_name,
        "page": hit.page,
        "snippet": quote(&hit.text, SNIPPET_CHARS),
        "score": hit.score,
        "keyword": hit.keyword,
        "vector": hit.vector,
    })
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// One lock per session (turns in a session run one at a time, turns in different sessions at
/// once) and one stop flag per session (the person's stop button).
#[derive(Default)]
pub struct TurnLocks {
    locks: Mutex<HashMap<Uuid, Arc<Mutex<()>>>>,
    stops: Mutex<HashMap<Uuid, Arc<AtomicBool>>>,
}

impl TurnLocks {
    /// The lock of `session`; hold its guard for the whole turn.
    pub fn of(&self, session: Uuid) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(locks.entry(session).or_default())
    }

    /// The stop flag of `session`, cleared: a turn checks it after every piece of the answer.
    pub fn stop_flag(&self, session: Uuid) -> Arc<AtomicBool> {
        let mut stops = self.stops.lock().unwrap_or_else(|e| e.into_inner());
        let flag = Arc::clone(stops.entry(session).or_default());
        flag.store(false, Ordering::SeqCst);
        flag
    }

    /// Asks the running turn of `session`, if any, to stop.
    pub fn stop(&self, session: Uuid) {
        if let Some(flag) = self.stops.lock().unwrap_or_else(|e| e.into_inner()).get(&session) {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

/// The backend the settings name.
pub fn backend(llm: &settings::LlmSettings) -> Box<dyn LlmBackend> {
    match llm.backend.as_str() {
        "openai-compatible" => Box::new(openai_compatible(llm)),
        _ => Box::new(crate::llm::Placeholder),
    }
}

/// The OpenAI-compatible client for these settings (whichever backend they select).
pub fn openai_compatible(llm: &settings::LlmSettings) -> crate::openai::OpenAiCompatible {
    crate::openai::OpenAiCompatible {
        base_url: llm.base_url.clone(),
        api_key: llm.api_key.clone(),
        first_token_timeout: Duration::from_secs(llm.first_token_timeout_secs),
        answer_timeout: Duration::from_secs(llm.answer_timeout_secs),
    }
}
