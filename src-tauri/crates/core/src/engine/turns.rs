//! Chat turns through the engine: one at a time per session, stoppable, with or without the
//! embedding model.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Engine;
use crate::chat::llm::{self, LlmBackend, Local, LocalModel, LocalOptions, Unavailable};
use crate::chat::prompt::{Estimate, TokenCounter};
use crate::chat::{Reply, Turn};
use crate::error::{Error, Result};
use crate::models::embedding::Embedder;
use crate::models::gguf::{self, GgufInfo};
use crate::store::ids::SessionId;
use crate::store::settings::{self, LlmBackendKind, LlmSettings};

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
        let settings = settings::llm(&self.db)?;
        // A local model that cannot be loaded answers like a server that is down: the question
        // is kept and the reason said.
        let local = (settings.backend == LlmBackendKind::Local)
            .then(|| self.local_model(&settings, settings::chat(&self.db)?.context_tokens))
            .map(|loaded| loaded.map_err(|e| e.to_string()));
        let stand_in = models.as_ref().map_or(&Estimate as &dyn TokenCounter, |m| &m.chunker as &dyn TokenCounter);
        let (backend, counter): (Box<dyn LlmBackend + '_>, &dyn TokenCounter) = match &local {
            Some(Ok(model)) => (Box::new(Local { model }), model.as_ref()),
            Some(Err(reason)) => (Box::new(Unavailable(reason.clone())), stand_in),
            None => (llm::backend(&settings), stand_in),
        };
        let turn = Turn {
            db: &self.db,
            embedder: models.as_ref().map(|m| &m.embedder as &dyn Embedder),
            index: models.as_ref().map(|m| &m.index),
            counter,
            backend: backend.as_ref(),
        };
        run(&turn, &mut |piece| {
            on_token(piece);
            !stop.load(Ordering::SeqCst)
        })
    }
}

impl Engine {
    /// The `local` backend's model for these settings, loaded on first need and kept warm: the
    /// same file and options give the same loaded model; another file frees the old one first.
    /// A second caller waits for a load under way instead of loading twice.
    pub fn local_model(&self, llm: &LlmSettings, context_tokens: usize) -> Result<Arc<LocalModel>> {
        let path = llm.model_path.as_deref().ok_or_else(|| Error::invalid("no model file is chosen"))?;
        let options = LocalOptions { context_tokens, threads: llm.threads };
        let mut slot = self.local.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(model) = slot.as_ref().filter(|m| m.path() == Path::new(path) && m.options() == &options) {
            return Ok(Arc::clone(model));
        }
        *slot = None;
        let model = Arc::new(LocalModel::load(Path::new(path), &options)?);
        *slot = Some(Arc::clone(&model));
        Ok(model)
    }

    /// Frees the local model (another was chosen, or it sat idle).
    pub fn unload_local_model(&self) {
        *self.local.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl Engine {
    /// Makes the GGUF file at `path` the model that answers (the `local` backend; new chats name
    /// it), after reading its header: a file that is not a usable GGUF model changes nothing.
    /// The model itself loads at the next question.
    pub fn use_local_model(&self, path: &Path, threads: Option<usize>) -> Result<GgufInfo> {
        let path = std::fs::canonicalize(path)
            .map_err(|e| Error::invalid(format!("{} cannot be opened ({e})", path.display())))?;
        let info = gguf::read(&path)?;
        let mut llm = settings::llm(&self.db)?;
        llm.backend = LlmBackendKind::Local;
        llm.model_path = Some(path.display().to_string());
        llm.threads = threads;
        settings::use_model(&self.db, llm, info.display_name())?;
        self.unload_local_model();
        Ok(info)
    }
}
