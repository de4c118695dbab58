//! The backend used until a language model is configured: it says so, and quotes the passages
//! retrieval found, numbered as the sources are.

use super::{Completion, Finish, LlmBackend, LlmRequest};
use crate::error::Result;
use crate::text::quote;

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
        Ok(Completion { text, finish, generation: None })
    }
}
