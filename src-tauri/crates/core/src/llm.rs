//! Language-model backends behind one small trait, so a test can use a fake and the turn does
//! not care which one answers. `placeholder` (the default; no model ships with Hearth) answers
//! honestly that no model is configured and shows the passages it found; `openai-compatible`
//! speaks the chat-completions protocol of llama.cpp's server, Ollama, LM Studio and vLLM.

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Who says a prompt message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptRole {
    System,
    User,
    Assistant,
}

/// One message of a prompt, as sent to the backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// The backend used until a language model is configured.
pub struct Placeholder;

/// Characters of each passage the placeholder quotes.
const PLACEHOLDER_QUOTE_CHARS: usize = 400;

impl LlmBackend for Placeholder {
    fn name(&self) -> &str {
        "placeholder"
    }

    fn complete(&self, request: &LlmRequest<'_>, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Completion> {
        let mut text = String::from(
            "No language model is configured, so this is not a generated answer. A local llama.cpp \
             server, Ollama or LM Studio can answer instead: connect one in Settings (the gear at the \
             top left), or with `hearth settings llm --backend openai-compatible --url …`.\n\n",
        );
        if request.sources.is_empty() {
            text.push_str("This chat has no ready documents to search, so there are no passages to show.");
        } else {
            text.push_str("The passages that best match your question:\n");
            for source in request.sources {
                let page = source.page.map(|p| format!(", page {p}")).unwrap_or_default();
                text.push_str(&format!(
                    "\n[{}] {}{page}: {}\n",
                    source.number,
                    source.document_name,
                    quote(&source.text, PLACEHOLDER_QUOTE_CHARS)
                ));
            }
        }
        let finish = if on_token(&text) { Finish::Complete } else { Finish::Stopped };
        Ok(Completion { text, finish })
    }
}

/// `text` on one line: every run of whitespace made one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of `text` on one line, with an ellipsis when cut.
pub fn quote(text: &str, max: usize) -> String {
    let flat = one_line(text);
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}
