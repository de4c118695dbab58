//! Chat turns through the engine: one at a time per session, stoppable, with or without the
//! embedding model.

use std::sync::atomic::Ordering;

use super::Engine;
use crate::chat::llm;
use crate::chat::prompt::{Estimate, TokenCounter};
use crate::chat::{Reply, Turn};
use crate::error::Result;
use crate::models::embedding::Embedder;
use crate::store::ids::SessionId;
use crate::store::settings;

impl Engine {
    /// Runs a chat turn (see [`Turn`]), one at a time per session; `on_token` gets the answer as
    /// it arrives. Without the model, retrieval is keyword-only and tokens are estimated, so a
    /// chat still gets its answer.
    pub fn send(&self, session: SessionId, content: &str, on_token: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.turn(session, on_token, |turn, on_token| turn.send(session, content, on_token))
    }

    /// Answers a session's unanswered last question again (after the backend failed).
    pub fn retry_turn(&self, session: SessionId, on_token: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.turn(session, on_token, |turn, on_token| turn.retry(session, on_token))
    }

    /// Stops the session's running turn; the answer so far is kept and marked stopped.
    pub fn stop_turn(&self, session: SessionId) {
        self.turns.stop(session);
    }

    fn turn(
        &self,
        session: SessionId,
        on_token: &mut dyn FnMut(&str),
        run: impl FnOnce(&Turn<'_>, &mut dyn FnMut(&str) -> bool) -> Result<Reply>,
    ) -> Result<Reply> {
        let lock = self.turns.of(session);
        let _one_at_a_time = lock.lock().unwrap_or_else(|e| e.into_inner());
        let stop = self.turns.stop_flag(session);
        let models = self.models().inspect_err(|e| tracing::warn!(error = %e, "chat without the model")).ok();
        let backend = llm::backend(&settings::llm(&self.db)?);
        let turn = Turn {
            db: &self.db,
            embedder: models.as_ref().map(|m| &m.embedder as &dyn Embedder),
            index: models.as_ref().map(|m| &m.index),
            counter: models.as_ref().map_or(&Estimate as &dyn TokenCounter, |m| &m.chunker as &dyn TokenCounter),
            backend: backend.as_ref(),
        };
        run(&turn, &mut |piece| {
            on_token(piece);
            !stop.load(Ordering::SeqCst)
        })
    }
}
