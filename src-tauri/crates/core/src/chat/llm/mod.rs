//! Language-model backends behind one small trait, so a test can use a fake and the turn does
//! not care which one answers; one file per backend. [`placeholder`] (the default; no model
//! ships with Hearth) answers honestly that no model is configured and shows the passages it
//! found; [`openai`] speaks the chat-completions protocol of llama.cpp's server, Ollama, LM
//! Studio and vLLM.

pub mod openai;
pub mod placeholder;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::store::settings::{LlmBackendKind, LlmSettings};
pub use openai::OpenAiCompatible;
pub use placeholder::Placeholder;

/// Who says a prompt message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "PromptRole.ts")]
#[serde(rename_all = "lowercase")]
pub enum PromptRole {
    System,
    User,
    Assistant,
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
    /// The sources in the prompt (the placeholder quotes them; a model reads them in the prompt).
    pub sources: &'a [CitedPassage],
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
}

/// A language model. `on_token` gets each piece of text as it arrives and returns whether to go
/// on (false: the person pressed stop).
pub trait LlmBackend: Send + Sync {
    /// `placeholder`, `openai-compatible`, …
    fn name(&self) -> &str;
    fn complete(&self, request: &LlmRequest<'_>, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Completion>;
}

/// The backend the settings name.
pub fn backend(llm: &LlmSettings) -> Box<dyn LlmBackend> {
    match llm.backend {
        LlmBackendKind::OpenAiCompatible => Box::new(openai_compatible(llm)),
        LlmBackendKind::Placeholder => Box::new(Placeholder),
    }
}

/// The OpenAI-compatible client for these settings (whichever backend they select): what the
/// settings screen's connection test asks.
pub fn openai_compatible(llm: &LlmSettings) -> OpenAiCompatible {
    OpenAiCompatible {
        base_url: llm.base_url.clone(),
        api_key: llm.api_key.clone(),
        first_token_timeout: Duration::from_secs(llm.first_token_timeout_secs),
        answer_timeout: Duration::from_secs(llm.answer_timeout_secs),
    }
}
