//! The `local` backend: a GGUF model run in this process by llama.cpp (the `llama-cpp-2` crate
//! compiles llama.cpp's own vendored source; nothing is downloaded). The model is memory-mapped
//! once and kept warm with one context whose KV cache holds the last prompt and answer, so a turn
//! whose prompt starts the same way (instructions, sources, history) only computes what is new.
//! The file's header is read and checked ([`gguf::read`]) before llama.cpp sees the file.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use super::{Completion, Finish, Generation, LlmBackend, LlmRequest, PromptMessage};
use crate::chat::prompt::TokenCounter;
use crate::error::{Error, Result};
use crate::models::gguf::{self, GgufInfo};

/// Tokens decoded in one llama.cpp call while reading the prompt.
const BATCH_TOKENS: usize = 512;
/// The template used when a file carries none (the common ChatML layout), said in the record.
const FALLBACK_TEMPLATE: &str = "chatml";
/// How many recent tokens the repetition penalty looks at, and how hard it pushes: small models
/// otherwise loop on a phrase.
const PENALTY_LAST_N: i32 = 64;
const PENALTY_REPEAT: f32 = 1.1;
/// The candidates the penalty is applied to, the most likely first.
const PENALTY_TOP_K: i32 = 40;

/// The CPU's physical cores (the default thread count: a second thread on a core's hyperthread
/// slows llama.cpp down), counted from `/proc/cpuinfo` on Linux; else every logical CPU.
fn physical_cores() -> usize {
    let logical = std::thread::available_parallelism().map_or(2, |n| n.get());
    let Ok(info) = std::fs::read_to_string("/proc/cpuinfo") else { return logical };
    let mut cores = std::collections::HashSet::new();
    let mut package = "";
    for line in info.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        match key.trim() {
            "physical id" => package = value.trim(),
            "core id" => {
                cores.insert((package.to_owned(), value.trim().to_owned()));
            }
            _ => {}
        }
    }
    if cores.is_empty() { logical } else { cores.len().min(logical) }
}

/// llama.cpp's process-wide initialisation: once, with its logging kept off the terminal.
fn backend() -> Result<&'static LlamaBackend> {
    static BACKEND: OnceLock<std::result::Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            let mut backend = LlamaBackend::init().map_err(|e| format!("llama.cpp could not start: {e}"))?;
            backend.void_logs();
            Ok(backend)
        })
        .as_ref()
        .map_err(|e| Error::LlmUnavailable(e.clone()))
}

self_cell::self_cell!(
    /// The model and the one context on it (a context borrows its model).
    struct Loaded {
        owner: LlamaModel,
        #[not_covariant]
        dependent: Session,
    }
);

/// A context and the tokens its KV cache holds, in order from position 0.
struct Session<'m> {
    context: LlamaContext<'m>,
    cached: Vec<LlamaToken>,
}

/// How to load a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalOptions {
    /// The context wanted, in tokens; clamped to what the model was trained with.
    pub context_tokens: usize,
    /// CPU threads; `None` for every core.
    pub threads: Option<usize>,
}

/// A GGUF model loaded and kept warm.
pub struct LocalModel {
    path: PathBuf,
    info: GgufInfo,
    options: LocalOptions,
    context_size: u32,
    threads: i32,
    template: Option<String>,
    state: Mutex<Loaded>,
}

impl LocalModel {
    /// Checks the file's header, then loads the model (memory-mapped) and a context of
    /// `options.context_tokens` (at most the trained context). A file that is not a usable GGUF
    /// model, or one too large for the memory available, is refused with the reason.
    pub fn load(path: &Path, options: &LocalOptions) -> Result<LocalModel> {
        LocalModel::load_reporting(path, options, |_| {})
    }

    /// [`LocalModel::load`], reporting how far loading the weights got (0.0 to 1.0) to
    /// `on_progress`, on the loading thread.
    pub fn load_reporting(
        path: &Path,
        options: &LocalOptions,
        mut on_progress: impl FnMut(f32) + 'static,
    ) -> Result<LocalModel> {
        let info = gguf::read(path)?;
        gguf::check_fits_memory(&info)?;
        let backend = backend()?;
        let params = LlamaModelParams::default().with_progress_callback(move |progress| {
            on_progress(progress);
            true
        });
        let model = LlamaModel::load_from_file(backend, path, &params).map_err(|e| {
            Error::invalid(format!(
                "llama.cpp could not load {} ({e}); its architecture ({}) may be newer than this build supports",
                info.file_name,
                info.architecture.as_deref().unwrap_or("unknown")
            ))
        })?;
        let trained = u32::try_from(info.trained_context.unwrap_or(u64::from(model.n_ctx_train()))).unwrap_or(u32::MAX);
        let wanted = u32::try_from(options.context_tokens).unwrap_or(u32::MAX);
        let context_size = wanted.min(trained.max(512)).max(512);
        let threads = options.threads.unwrap_or_else(physical_cores).clamp(1, 256) as i32;
        let template = model.chat_template(None).ok().and_then(|t| t.to_string().ok());
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(context_size))
            .with_n_batch(BATCH_TOKENS as u32)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let loaded = Loaded::try_new(model, |model| {
            let context = model
                .new_context(backend, params)
                .map_err(|e| Error::LlmUnavailable(format!("llama.cpp could not make a context: {e}")))?;
            Ok::<_, Error>(Session { context, cached: Vec::new() })
        })?;
        tracing::info!(model = %info.label(), context_size, threads, "local model loaded");
        Ok(LocalModel {
            path: path.to_owned(),
            info,
            options: options.clone(),
            context_size,
            threads,
            template,
            state: Mutex::new(loaded),
        })
    }

    /// The file this model was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options it was loaded with.
    pub fn options(&self) -> &LocalOptions {
        &self.options
    }

    /// What the file's header says.
    pub fn info(&self) -> &GgufInfo {
        &self.info
    }

    /// The context size in use, in tokens.
    pub fn context_size(&self) -> u32 {
        self.context_size
    }

    /// Whether the file carries its own chat template (else ChatML is used).
    pub fn has_template(&self) -> bool {
        self.template.is_some()
    }

    /// The prompt as the model reads it: the messages through the file's chat template (or ChatML
    /// when it has none), ending where the assistant's answer starts.
    pub fn render(&self, messages: &[PromptMessage]) -> Result<String> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let model = state.borrow_owner();
        let template = match &self.template {
            Some(_) => model.chat_template(None),
            None => LlamaChatTemplate::new(FALLBACK_TEMPLATE).map_err(Into::into),
        }
        .map_err(|e| Error::LlmUnavailable(format!("the model's chat template cannot be used: {e}")))?;
        let chat = messages
            .iter()
            .map(|m| LlamaChatMessage::new(m.role.as_str().to_owned(), m.content.clone()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::invalid(format!("a message cannot be given to the model: {e}")))?;
        model
            .apply_chat_template(&template, &chat, true)
            .map_err(|e| Error::LlmUnavailable(format!("the chat template could not be applied: {e}")))
    }

    /// The prompt's tokens, by the model's own tokenizer.
    fn tokenize(&self, text: &str) -> Vec<LlamaToken> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // The rendered template already holds the model's start tokens, written as text.
        state.borrow_owner().vocab().tokenize(text.as_bytes(), false, true)
    }

    /// Generates an answer to `prompt` (already rendered), at most `max_tokens` long, handing
    /// each complete piece of text to `on_token` (false stops it). With `ignore_end`, it goes on
    /// past the model's end-of-answer token (benchmarks measure a fixed length).
    pub fn generate(
        &self,
        prompt: &str,
        max_tokens: usize,
        ignore_end: bool,
        on_token: &mut dyn FnMut(&str) -> bool,
    ) -> Result<Completion> {
        let started = Instant::now();
        let tokens = self.tokenize(prompt);
        if tokens.len() + max_tokens.min(1) > self.context_size as usize {
            return Err(Error::invalid(format!(
                "the prompt is {} tokens, more than the model's context of {}",
                tokens.len(),
                self.context_size
            )));
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .with_dependent_mut(|model, session| {
                generate_in(model, session, self.context_size, &tokens, max_tokens, ignore_end, started, on_token)
            })
            .map(|(text, finish, mut generation)| {
                generation.model_file = self.info.file_name.clone();
                generation.quantization = self.info.quantization.clone();
                generation.context_size = self.context_size;
                generation.threads = self.threads as u32;
                generation.chat_template =
                    if self.has_template() { "the model's own".into() } else { FALLBACK_TEMPLATE.into() };
                Completion { text, finish, generation: Some(generation) }
            })
    }
}

impl TokenCounter for LocalModel {
    fn count(&self, text: &str) -> Result<usize> {
        Ok(self.tokenize(text).len())
    }

    fn name(&self) -> &str {
        "the chat model's own tokenizer"
    }
}

/// The `local` backend over a loaded model.
pub struct Local<'a> {
    pub model: &'a LocalModel,
}

impl LlmBackend for Local<'_> {
    fn name(&self) -> &str {
        "local"
    }

    fn complete(&self, request: &LlmRequest<'_>, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Completion> {
        let prompt = self.model.render(request.messages)?;
        self.model.generate(&prompt, request.max_answer_tokens, false, on_token)
    }
}

/// The decoding loop, on the session's context: keeps the longest prefix of the cached tokens
/// that the new prompt shares, reads the rest of the prompt, then samples token by token.
#[allow(clippy::too_many_arguments)]
fn generate_in(
    model: &LlamaModel,
    session: &mut Session<'_>,
    context_size: u32,
    tokens: &[LlamaToken],
    max_tokens: usize,
    ignore_end: bool,
    started: Instant,
    on_token: &mut dyn FnMut(&str) -> bool,
) -> Result<(String, Finish, Generation)> {
    let failed = |what: &str, e: &dyn std::fmt::Display| Error::LlmUnavailable(format!("llama.cpp {what}: {e}"));
    // At least the prompt's last token is read again: its logits start the answer.
    let reused = session.cached.iter().zip(tokens).take_while(|(a, b)| a == b).count().min(tokens.len() - 1);
    if !session.context.clear_kv_cache_seq(Some(0), Some(reused as u32), None).unwrap_or(false) {
        session.context.clear_kv_cache();
        session.cached.clear();
        return generate_in(model, session, context_size, tokens, max_tokens, ignore_end, started, on_token);
    }
    session.cached.truncate(reused);

    let mut batch = LlamaBatch::new(BATCH_TOKENS, 1);
    let prefill_started = Instant::now();
    for (chunk_index, chunk) in tokens[reused..].chunks(BATCH_TOKENS).enumerate() {
        batch.clear();
        let base = reused + chunk_index * BATCH_TOKENS;
        for (i, &token) in chunk.iter().enumerate() {
            let last = base + i == tokens.len() - 1;
            batch.add(token, (base + i) as i32, &[0], last).map_err(|e| failed("could not batch the prompt", &e))?;
        }
        session.context.decode(&mut batch).map_err(|e| failed("could not read the prompt", &e))?;
        session.cached.extend_from_slice(chunk);
    }
    let prefill = prefill_started.elapsed();

    let vocab = model.vocab();
    // The penalty looks at the best few candidates only: greedy picks among them anyway, and
    // penalising the whole vocabulary every token costs decode speed (BENCHMARKS.md).
    let mut sampler = LlamaSampler::chain_simple([
        LlamaSampler::top_k(PENALTY_TOP_K),
        LlamaSampler::penalties(vocab.n_tokens(), PENALTY_LAST_N, PENALTY_REPEAT, 0.0, 0.0),
        LlamaSampler::greedy(),
    ]);
    let room = context_size as usize - tokens.len();
    let limit = max_tokens.min(room);
    let mut text = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut first_token = None;
    let decode_started = Instant::now();
    let mut produced = 0usize;
    let mut logits_at = batch.n_tokens() - 1;
    let finish = loop {
        if produced >= limit {
            break Finish::CutOff;
        }
        let token = sampler.sample(&session.context, logits_at);
        sampler.accept(token);
        if vocab.is_eog(token) && !ignore_end {
            break Finish::Complete;
        }
        produced += 1;
        first_token.get_or_insert_with(|| started.elapsed());
        pending.extend(vocab.token_to_piece(token, false, None));
        let piece = take_complete_utf8(&mut pending);
        let go_on = piece.is_empty() || on_token(&piece);
        text.push_str(&piece);
        batch.clear();
        batch
            .add(token, (tokens.len() + produced - 1) as i32, &[0], true)
            .map_err(|e| failed("could not batch", &e))?;
        session.context.decode(&mut batch).map_err(|e| failed("could not continue the answer", &e))?;
        session.cached.push(token);
        logits_at = 0;
        if !go_on {
            break Finish::Stopped;
        }
    };
    if !pending.is_empty() {
        let rest = String::from_utf8_lossy(&pending).into_owned();
        if finish != Finish::Stopped {
            on_token(&rest);
        }
        text.push_str(&rest);
    }
    let decode = decode_started.elapsed();
    // Three decimals, as the turn's timings: such numbers read back from the stored JSON exactly.
    let thousandths = |x: f64| (x * 1000.0).round() / 1000.0;
    let per_second =
        |n: usize, d: std::time::Duration| if d.is_zero() { 0.0 } else { thousandths(n as f64 / d.as_secs_f64()) };
    Ok((
        text,
        finish,
        Generation {
            prompt_tokens: tokens.len() as u32,
            reused_tokens: reused as u32,
            answer_tokens: produced as u32,
            time_to_first_token_ms: first_token.map_or(0.0, |d| thousandths(d.as_secs_f64() * 1000.0)),
            prefill_tokens_per_s: per_second(tokens.len() - reused, prefill),
            decode_tokens_per_s: per_second(produced.saturating_sub(1), decode),
            ..Generation::default()
        },
    ))
}

/// The longest whole-UTF-8 start of `pending`, taken out of it. A character split across tokens
/// waits for its other bytes; bytes that can never be UTF-8 become U+FFFD.
fn take_complete_utf8(pending: &mut Vec<u8>) -> String {
    match std::str::from_utf8(pending) {
        Ok(text) => {
            let text = text.to_owned();
            pending.clear();
            text
        }
        Err(e) if e.error_len().is_none() => {
            let valid = e.valid_up_to();
            let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
            pending.drain(..valid);
            text
        }
        Err(_) => {
            let text = String::from_utf8_lossy(pending).into_owned();
            pending.clear();
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_handed_on_only_in_whole_characters() {
        let mut pending = "é".as_bytes()[..1].to_vec();
        assert_eq!(take_complete_utf8(&mut pending), "");
        pending.extend(&"é".as_bytes()[1..]);
        pending.extend(b"t");
        assert_eq!(take_complete_utf8(&mut pending), "ét");
        assert!(pending.is_empty());
        pending.extend([0xff, b'a']);
        assert_eq!(take_complete_utf8(&mut pending), "\u{fffd}a");
    }
}
