//! `hearth bench llm`: the local backend's speed on a GGUF file, as llama.cpp's own `llama-bench`
//! reports it (prefill and decode tokens per second at a prompt and answer length), plus what a
//! person waits for (time to first token) and what the KV cache saves when a second turn's
//! prompt starts as the first one did.

use std::path::Path;
use std::time::Instant;

use hearth_core::Result;
use hearth_core::chat::llm::{LocalModel, LocalOptions};
use hearth_core::chat::prompt::TokenCounter;
use serde::Serialize;

use super::peak_rss_mb;

/// What running a local model measured.
#[derive(Debug, Clone, Serialize)]
pub struct LlmReport {
    pub model: String,
    pub quantization: String,
    pub threads: u32,
    pub context_size: u32,
    pub load_seconds: f64,
    /// The prompt read, in the model's tokens (as close to the asked length as whole words allow).
    pub prompt_tokens: u32,
    pub answer_tokens: u32,
    pub prefill_tokens_per_s: f64,
    pub decode_tokens_per_s: f64,
    pub time_to_first_token_ms: f64,
    /// A second prompt that shares all but its last sentence with the first: the tokens taken
    /// from the KV cache, and its time to first token against the first one's.
    pub reused_tokens: u32,
    pub reused_time_to_first_token_ms: f64,
    pub peak_rss_mb: Option<f64>,
}

/// Loads the model at `path`, reads a prompt of about `prompt_tokens` and writes exactly
/// `answer_tokens`, then a second prompt that differs only at its end.
pub fn llm(path: &Path, prompt_tokens: usize, answer_tokens: usize, threads: Option<usize>) -> Result<LlmReport> {
    let started = Instant::now();
    let context_tokens = (prompt_tokens + answer_tokens + 64).max(512);
    let model = LocalModel::load(path, &LocalOptions { context_tokens, threads })?;
    let load_seconds = started.elapsed().as_secs_f64();
    let prompt = text_of(&model, prompt_tokens)?;
    let first = model.generate(&prompt, answer_tokens, true, &mut |_| true)?;
    let first = first.generation.expect("the local backend reports its generation");
    let second_prompt = format!("{prompt} And one more sentence at the end.");
    let second = model.generate(&second_prompt, 1, true, &mut |_| true)?;
    let second = second.generation.expect("the local backend reports its generation");
    Ok(LlmReport {
        model: model.info().label(),
        quantization: first.quantization.clone(),
        threads: first.threads,
        context_size: first.context_size,
        load_seconds,
        prompt_tokens: first.prompt_tokens,
        answer_tokens: first.answer_tokens,
        prefill_tokens_per_s: first.prefill_tokens_per_s,
        decode_tokens_per_s: first.decode_tokens_per_s,
        time_to_first_token_ms: first.time_to_first_token_ms,
        reused_tokens: second.reused_tokens,
        reused_time_to_first_token_ms: second.time_to_first_token_ms,
        peak_rss_mb: peak_rss_mb(),
    })
}

/// Plain English text of about `tokens` of the model's tokens.
fn text_of(model: &LocalModel, tokens: usize) -> Result<String> {
    const SENTENCE: &str = "The keeper climbed the lighthouse stairs at dusk to light the lamp for the ships at sea. ";
    let per_sentence = model.count(SENTENCE)?.max(1);
    Ok(SENTENCE.repeat(tokens.div_ceil(per_sentence).max(1)))
}
