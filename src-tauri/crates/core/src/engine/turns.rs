//! Chat turns through the engine: one at a time per session, stoppable, with or without the
//! embedding model.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Engine;
use crate::chat::llm::{self, Extractive, LlmBackend, Local, LocalModel, LocalOptions, OpenAiCompatible, Unavailable};
use crate::chat::prompt::{Estimate, TokenCounter};
use crate::chat::{Reply, Turn, TurnEvent};
use crate::error::Result;
use crate::sessions;
use crate::store::ids::SessionId;
use crate::store::model_choice::ModelChoice;
use crate::store::settings::{self, LlmSettings};

impl Engine {
    /// Runs a chat turn (see [`Turn`]), one at a time per session; `on_token` gets the answer as
    /// it arrives. Without the model, retrieval is keyword-only and tokens are estimated, so a
    /// chat still gets its answer.
    pub fn send(&self, session: SessionId, content: &str, on_event: &mut dyn FnMut(TurnEvent<'_>)) -> Result<Reply> {
        self.turn(session, on_event, |turn, on_token| turn.send(session, content, on_token))
    }

    /// Answers a session's unanswered last question again (after the backend failed).
    pub fn retry_turn(&self, session: SessionId, on_event: &mut dyn FnMut(TurnEvent<'_>)) -> Result<Reply> {
        self.turn(session, on_event, |turn, on_token| turn.retry(session, on_token))
    }

    /// Stops the session's running turn; the answer so far is kept and marked stopped.
    pub fn stop_turn(&self, session: SessionId) {
        self.turns.stop(session);
    }

    fn turn(
        &self,
        session: SessionId,
        on_event: &mut dyn FnMut(TurnEvent<'_>),
        run: impl FnOnce(&Turn<'_>, &mut dyn FnMut(&str) -> bool) -> Result<Reply>,
    ) -> Result<Reply> {
        let lock = self.turns.of(session);
        let _one_at_a_time = lock.lock().unwrap_or_else(|e| e.into_inner());
        let stop = self.turns.stop_flag(session);
        let models = self.models().inspect_err(|e| tracing::warn!(error = %e, "chat without the model")).ok();
        let settings = settings::llm(&self.db)?;
        let choice = self.model_of(session, &settings)?;
        // A local model that cannot be loaded answers like a server that is down: the question
        // is kept and the reason said.
        let local = match &choice {
            ModelChoice::File(path) => {
                let name = choice.name();
                let mut loading = |progress| on_event(TurnEvent::Loading { model: &name, progress });
                let context_tokens = settings::chat(&self.db)?.context_tokens;
                Some(self.local_model(path, settings.threads, context_tokens, &mut loading).map_err(|e| e.to_string()))
            }
            _ => None,
        };
        let stand_in = models.as_ref().map_or(&Estimate as &dyn TokenCounter, |m| &m.chunker as &dyn TokenCounter);
        // While the library is embedded again for a new model, the previous one searches.
        let searching = models.as_ref().map(|m| self.searching(m));
        let embedder = searching.as_ref().map(|s| s.embedder());
        let (backend, counter): (Box<dyn LlmBackend + '_>, &dyn TokenCounter) = match (&choice, &local) {
            (_, Some(Ok(model))) => (Box::new(Local { model }), model.as_ref()),
            (_, Some(Err(reason))) => (Box::new(Unavailable(reason.clone())), stand_in),
            (ModelChoice::Server { base_url, .. }, None) => {
                let key = self.api_key().inspect_err(|e| tracing::warn!(error = %e, "no API key")).ok().flatten();
                let server = OpenAiCompatible { base_url: base_url.clone(), ..llm::openai_compatible(&settings, key) };
                (Box::new(server), stand_in)
            }
            _ => (Box::new(Extractive { embedder }), stand_in),
        };
        let keywords = self.keywords();
        let turn = Turn {
            db: &self.db,
            embedder,
            index: searching.as_ref().map(|s| s.index()),
            keywords: keywords.as_deref(),
            counter,
            backend: backend.as_ref(),
        };
        let reply = run(&turn, &mut |piece| {
            on_event(TurnEvent::Token(piece));
            !stop.load(Ordering::SeqCst)
        });
        // Idle time counts from the end of the last answer, not its start.
        if local.is_some() {
            *self.local_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        }
        reply
    }
}

impl Engine {
    /// Which model answers `session`: its own choice, or, for a chat made before chats had one,
    /// the settings' backend asking for the chat's model name.
    pub fn model_of(&self, session: SessionId, llm: &LlmSettings) -> Result<ModelChoice> {
        let session = sessions::get(&self.db, session)?;
        Ok(session.model.unwrap_or_else(|| llm.choice(session.llm_model_name)))
    }

    /// The GGUF model at `path`, loaded on first need and kept warm: the same file and options
    /// give the same loaded model; another file frees the old one first. A second caller waits
    /// for a load under way instead of loading twice. While it loads, `on_progress` hears how far
    /// it got (0.0 to 1.0, in steps of at least a hundredth).
    pub fn local_model(
        &self,
        path: &Path,
        threads: Option<usize>,
        context_tokens: usize,
        on_progress: &mut dyn FnMut(f32),
    ) -> Result<Arc<LocalModel>> {
        let options = LocalOptions { context_tokens, threads };
        let mut slot = self.local.lock().unwrap_or_else(|e| e.into_inner());
        *self.local_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        if let Some(model) = slot.as_ref().filter(|m| m.path() == Path::new(path) && m.options() == &options) {
            return Ok(Arc::clone(model));
        }
        *slot = None;
        let model = Arc::new(load_reporting(path, &options, on_progress)?);
        *slot = Some(Arc::clone(&model));
        Ok(model)
    }

    /// Frees the local model when it has not been asked for `idle_unload_minutes` (the setting;
    /// 0 keeps it) and no answer is using it. Returns whether it was freed.
    pub fn unload_if_idle(&self) -> Result<bool> {
        match settings::llm(&self.db)?.idle_unload_minutes {
            0 => Ok(false),
            minutes => Ok(self.unload_if_idle_for(Duration::from_secs(minutes * 60))),
        }
    }

    /// Frees the local model when it has not been asked for `limit` and no answer is using it.
    pub fn unload_if_idle_for(&self, limit: Duration) -> bool {
        let idle = self.local_used.lock().unwrap_or_else(|e| e.into_inner()).elapsed();
        let mut slot = self.local.lock().unwrap_or_else(|e| e.into_inner());
        // The slot's own reference is the only one when no turn holds the model.
        let unused = slot.as_ref().is_some_and(|m| Arc::strong_count(m) == 1);
        if !unused || idle < limit {
            return false;
        }
        *slot = None;
        tracing::info!(idle_s = idle.as_secs(), "freed the local model after it sat idle");
        true
    }

    /// Checks every `period`, on a thread of its own, whether the local model sat idle long
    /// enough to be freed (see [`Engine::unload_if_idle`]); the thread ends with the engine.
    pub fn spawn_idle_unloader(self: &Arc<Self>, period: Duration) {
        let engine = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("hearth-idle-unload".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(period);
                    let Some(engine) = engine.upgrade() else { return };
                    if let Err(e) = engine.unload_if_idle() {
                        tracing::warn!(error = %e, "checking whether the local model sat idle");
                    }
                }
            })
            .expect("a thread can be started");
    }

    /// Whether a local model is loaded now.
    pub fn local_model_loaded(&self) -> bool {
        self.local.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }
}

/// Loads the model on a thread of its own while this one passes its progress on: llama.cpp's
/// progress callback must own what it captures, and `on_progress` is borrowed.
fn load_reporting(path: &Path, options: &LocalOptions, on_progress: &mut dyn FnMut(f32)) -> Result<LocalModel> {
    let (progress, heard) = std::sync::mpsc::channel::<f32>();
    std::thread::scope(|scope| {
        let loading = scope.spawn(move || {
            let mut last = -1.0f32;
            LocalModel::load_reporting(path, options, move |p| {
                if p - last >= 0.01 || p >= 1.0 {
                    last = p;
                    let _ = progress.send(p);
                }
            })
        });
        // Ends when the loader drops its sender, that is when loading is over.
        for p in heard {
            on_progress(p);
        }
        loading.join().unwrap_or_else(|_| Err(crate::error::Error::LlmUnavailable("loading the model failed".into())))
    })
}
