//! Language-model backends behind one small trait, so a test can use a fake and the turn does
//! not care which one answers; one file per backend. [`extractive`] (the default: no model is
//! connected) quotes the sentences of the sources that best answer the question; [`local`] runs
//! a GGUF model in Hearth with llama.cpp; [`openai`] speaks the chat-completions protocol of
//! llama.cpp's server, Ollama, LM Studio and vLLM.

pub mod extractive;
pub mod local;
pub mod openai;
pub mod servers;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::store::settings::LlmSettings;
pub use extractive::{EXTRACTIVE, Extractive};
pub use local::{Local, LocalModel, LocalOptions};
pub use openai::OpenAiCompatible;

/// Who says a prompt message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "PromptRole.ts")]
#[serde(rename_all = "lowercase")]
pub enum PromptRole {
    System,
    User,
    Assistant,
}

impl PromptRole {
    /// The role's name, as chat templates spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            PromptRole::System => "system",
            PromptRole::User => "user",
            PromptRole::Assistant => "assistant",
        }
    }
}

/// One message of a prompt, as sent to the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "PromptMessage.ts")]
pub struct PromptMessage {
    pub role: PromptRole,
    pub content: String,
}

/// A passage the prompt cites, numbered from 1 in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct CitedPassage {
    pub number: usize,
    pub document_name: String,
    pub page: Option<i64>,
    pub text: String,
}

/// What the backend is asked.
pub struct LlmRequest<'a> {
    pub model: &'a str,
    pub messages: &'a [PromptMessage],
    /// The sources in the prompt (the extractive backend quotes them; a model reads them in the
    /// prompt).
    pub sources: &'a [CitedPassage],
    /// The longest answer wanted, in tokens (the answer budget); a backend that counts tokens
    /// cuts the answer there (`Finish::CutOff`).
    pub max_answer_tokens: usize,
}

/// How an answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "Finish.ts")]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    Complete,
    /// The person stopped it; the text so far is kept.
    Stopped,
    /// The stream broke off before its end; the text so far is kept.
    CutOff,
}

/// An answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub finish: Finish,
    /// How a model run here produced it (the `local` backend); servers do not say.
    pub generation: Option<Generation>,
}

/// What running a model on this machine took: the model, the context, and the speed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(export_to = "Generation.ts")]
pub struct Generation {
    /// The GGUF file's name.
    pub model_file: String,
    pub quantization: String,
    /// The context in use, in tokens.
    pub context_size: u32,
    pub threads: u32,
    /// "the model's own", or the template used because the file has none.
    pub chat_template: String,
    /// The whole prompt, in the model's tokens.
    pub prompt_tokens: u32,
    /// Of those, how many were already in the KV cache from the previous turn (not recomputed).
    pub reused_tokens: u32,
    pub answer_tokens: u32,
    /// From asking the model to its first token of answer.
    pub time_to_first_token_ms: f64,
    /// Reading the prompt (the part not reused).
    pub prefill_tokens_per_s: f64,
    /// Writing the answer.
    pub decode_tokens_per_s: f64,
}

/// A language model. `on_token` gets each piece of text as it arrives and returns whether to go
/// on (false: the person pressed stop).
pub trait LlmBackend: Send + Sync {
    /// `extractive`, `openai-compatible`, `local`, …
    fn name(&self) -> &str;
    fn complete(&self, request: &LlmRequest<'_>, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Completion>;
}

/// A backend that cannot answer, and says why: the question is still stored, and the turn fails
/// with `LlmUnavailable` (as a server that is down does), so it can be retried.
pub struct Unavailable(pub String);

impl LlmBackend for Unavailable {
    fn name(&self) -> &str {
        "unavailable"
    }

    fn complete(&self, _: &LlmRequest<'_>, _: &mut dyn FnMut(&str) -> bool) -> Result<Completion> {
        Err(crate::error::Error::LlmUnavailable(self.0.clone()))
    }
}

/// The OpenAI-compatible client for these settings (whichever backend they select), with
/// `api_key` (kept out of the settings: `store::secrets`).
pub fn openai_compatible(llm: &LlmSettings, api_key: Option<String>) -> OpenAiCompatible {
    OpenAiCompatible {
        base_url: llm.base_url.clone(),
        api_key,
        first_token_timeout: Duration::from_secs(llm.first_token_timeout_secs),
        answer_timeout: Duration::from_secs(llm.answer_timeout_secs),
    }
}
