//! A chat turn, the RAG pipeline: store the question, retrieve from the session's own ready
//! documents, build the prompt within the budget, ask the backend, store the answer with its
//! sources, token counts, what was dropped, the backend and model, and timings.

use std::time::{Duration, Instant};

use super::llm::{Finish, LlmBackend, LlmRequest};
use super::prompt::{self, Candidate, TokenCounter};
use super::record::{PromptRecord, Retrieval, SourceRecord, Timings, TurnRecord};
use crate::error::{Error, Result};
use crate::ingest::documents;
use crate::models::embedding::{Embedder, TimedEmbedder};
use crate::retrieval::index::VectorIndex;
use crate::retrieval::keyword_index::KeywordIndex;
use crate::retrieval::{self, Hit, Mode, SearchRequest};
use crate::sessions::messages::{self, ChatMessage, NewMessage, Role};
use crate::sessions::{self, Scope, Session};
use crate::store::Database;
use crate::store::ids::SessionId;
use crate::store::settings::{self, ChatSettings};

/// What a turn needs. `embedder` is `None` when the model is unavailable: retrieval then falls
/// back to keyword search and says so.
pub struct Turn<'a> {
    pub db: &'a Database,
    pub embedder: Option<&'a dyn Embedder>,
    pub index: Option<&'a VectorIndex>,
    /// The keyword index (FTS5 ranks without it).
    pub keywords: Option<&'a KeywordIndex>,
    pub counter: &'a dyn TokenCounter,
    pub backend: &'a dyn LlmBackend,
}

/// What a turn reports while it runs, in order: the model loading (only when the chat's GGUF model
/// is not loaded yet), then the answer piece by piece.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TurnEvent<'a> {
    /// The chat's model is being loaded: how far, from 0.0 to 1.0.
    Loading { model: &'a str, progress: f32 },
    /// A piece of the answer.
    Token(&'a str),
}

/// The stored question and answer of a turn, and the answer's record.
#[derive(Debug, Clone)]
pub struct Reply {
    pub user: ChatMessage,
    pub assistant: ChatMessage,
    pub record: TurnRecord,
}

impl Turn<'_> {
    /// Runs a turn for a new message. A backend failure leaves the question stored (and
    /// returns `LlmUnavailable`); [`Turn::retry`] answers it later.
    pub fn send(&self, session_id: SessionId, content: &str, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Reply> {
        let session = sessions::get(self.db, session_id)?;
        let chat = settings::chat(self.db)?;
        // Refuse a message that can never fit before storing anything.
        prompt::build(self.counter, &chat.system_instructions, &[], &[], content, budget(&chat))?;
        let user =
            messages::add(self.db, session_id, NewMessage { content: content.to_owned(), ..Default::default() })?;
        sessions::name_after_first_question(self.db, session.id, content)?;
        let (assistant, record) = self.answer(&session, &user, &chat, on_token)?;
        // The chat's tags follow what it is about; failing to tag it does not fail the answer.
        if let Err(e) = sessions::tags::refresh(self.db, session.id) {
            tracing::warn!(error = %e, "tagging a chat");
        }
        Ok(Reply { user, assistant, record })
    }

    /// Answers the session's last message again, when it is a question left without an answer.
    pub fn retry(&self, session_id: SessionId, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Reply> {
        let session = sessions::get(self.db, session_id)?;
        let last = messages::history(self.db, session.id, i64::MAX, 1)?.pop();
        let Some(user) = last.filter(|m| m.role == Role::User) else {
            return Err(Error::invalid("the chat's last message already has an answer"));
        };
        let chat = settings::chat(self.db)?;
        let (assistant, record) = self.answer(&session, &user, &chat, on_token)?;
        Ok(Reply { user, assistant, record })
    }

    fn answer(
        &self,
        session: &Session,
        user: &ChatMessage,
        chat: &ChatSettings,
        on_token: &mut dyn FnMut(&str) -> bool,
    ) -> Result<(ChatMessage, TurnRecord)> {
        let (hits, retrieval, embed, search_time) = self.retrieve(session, &user.content, chat.top_n)?;

        let started = Instant::now();
        let history = written_by_models(messages::history(self.db, session.id, user.id, chat.history_turns * 2)?);
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
        let request = LlmRequest {
            model: &session.llm_model_name,
            messages: &built.messages,
            sources: &passages,
            max_answer_tokens: chat.answer_tokens,
        };
        let completion = self.backend.complete(&request, on_token)?;
        let llm_time = started.elapsed();

        let (used, dropped) = hits.split_at(built.sources_used);
        let record = TurnRecord {
            backend: self.backend.name().to_owned(),
            model: session.llm_model_name.clone(),
            finish: completion.finish,
            question_id: user.id,
            retrieval,
            sources: used.iter().enumerate().map(|(i, h)| SourceRecord::of(Some(i + 1), h)).collect(),
            dropped_sources: dropped.iter().map(|h| SourceRecord::of(None, h)).collect(),
            dropped_history: built.dropped_history,
            history_used: built.history_used,
            prompt: PromptRecord {
                tokens: built.tokens,
                messages: built.messages,
                counted_by: Some(self.counter.name().to_owned()),
            },
            timings_ms: Timings {
                embed: ms(embed),
                search: ms(search_time),
                prompt: ms(prompt_time),
                llm: ms(llm_time),
            },
            generation: completion.generation,
        };
        let content = match (completion.finish, completion.text.trim().is_empty()) {
            (Finish::Stopped, true) => "(stopped before any text)".to_owned(),
            _ => completion.text,
        };
        let metadata = serde_json::to_value(&record).expect("a turn record serializes");
        let assistant = messages::add(
            self.db,
            session.id,
            NewMessage { content, role: Some(Role::Assistant), metadata: Some(metadata) },
        )?;
        Ok((assistant, record))
    }

    /// The session's best passages, with what happened, the embedding time and the search time.
    fn retrieve(
        &self,
        session: &Session,
        query: &str,
        top_n: usize,
    ) -> Result<(Vec<Hit>, Retrieval, Duration, Duration)> {
        let (within, library) = match sessions::scope::documents(self.db, session)? {
            None => (None, Some(sessions::scope::ready_in_library(self.db)?)),
            Some(scoped) => (Some(documents::ready_among(self.db, &scoped)?), None),
        };
        let skipped = match (&within, library, session.scope) {
            (None, Some(0), _) => Some("no document in the library is ready".to_owned()),
            (Some(ready), _, Scope::Documents) if ready.is_empty() && session.rag_document_ids.is_empty() => {
                Some("the chat has no documents".to_owned())
            }
            (Some(ready), _, _) if ready.is_empty() => Some("none of the chat's documents is ready".to_owned()),
            _ => None,
        };
        if let Some(skipped) = skipped {
            return Ok((Vec::new(), Retrieval::Skipped { skipped }, Duration::ZERO, Duration::ZERO));
        }
        let timed = self.embedder.map(TimedEmbedder::new);
        let mode = if timed.is_some() { Mode::Hybrid } else { Mode::Keyword };
        let started = Instant::now();
        let mut request = SearchRequest::new(query).k(top_n).mode(mode);
        if let Some(ready) = &within {
            request = request.within(ready.clone());
        }
        let searchers = retrieval::Searchers {
            embedder: timed.as_ref().map(|t| t as &dyn Embedder),
            vectors: self.index,
            keywords: self.keywords,
        };
        let hits = retrieval::search_with(self.db, searchers, &request)?;
        let total = started.elapsed();
        let embed = timed.map(|t| t.spent()).unwrap_or_default();
        let note = (mode == Mode::Keyword)
            .then(|| "the embedding model is unavailable, so only keyword search was used".to_owned());
        let documents = within.unwrap_or_default();
        let info = Retrieval::Searched { mode, top_n, documents, library, found: hits.len(), note };
        Ok((hits, info, embed, total.saturating_sub(embed)))
    }
}

/// The history without the answers no model wrote (quoted sentences) and their questions: a
/// model connected later would take them for its own words.
fn written_by_models(history: Vec<ChatMessage>) -> Vec<ChatMessage> {
    let quoted = |m: &ChatMessage| TurnRecord::of(m).is_some_and(|r| !r.written_by_model());
    let mut kept: Vec<ChatMessage> = Vec::with_capacity(history.len());
    for message in history {
        if quoted(&message) {
            kept.pop_if(|question| question.role == Role::User);
        } else {
            kept.push(message);
        }
    }
    kept
}

fn budget(chat: &ChatSettings) -> usize {
    chat.context_tokens - chat.answer_tokens
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}
