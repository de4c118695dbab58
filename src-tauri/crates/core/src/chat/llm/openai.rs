//! The `openai-compatible` backend: `POST {base_url}/chat/completions` with `stream: true`, read
//! as server-sent events (`data: {json}` lines, ended by `data: [DONE]`). This is what
//! llama.cpp's server, Ollama, LM Studio and vLLM speak. Runs on the caller's (blocking) thread.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::{Completion, Finish, LlmBackend, LlmRequest};
use crate::error::{Error, Result};

/// Where the server is and how long to wait for it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiCompatible {
    /// E.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    /// Longest wait for the answer to start (a local model may need to load first).
    pub first_token_timeout: Duration,
    /// Longest a whole answer may take.
    pub answer_timeout: Duration,
}

#[derive(Deserialize)]
struct Chunk {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
}

#[derive(Deserialize, Default)]
struct Delta {
    content: Option<String>,
}

impl OpenAiCompatible {
    /// Checks that the server answers, by listing its models (`GET {base_url}/models`), within
    /// ten seconds. Returns the model names.
    pub fn list_models(&self) -> Result<Vec<String>> {
        super::servers::openai_models(&self.base_url, self.api_key.as_deref(), Duration::from_secs(10))
            .map_err(|why| Error::LlmUnavailable(format!("the language model server cannot be reached: {why}")))
    }
}

impl LlmBackend for OpenAiCompatible {
    fn name(&self) -> &str {
        "openai-compatible"
    }

    fn complete(&self, request: &LlmRequest<'_>, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Completion> {
        let url = format!("{}/chat/completions", self.base_url.trim_end_matches('/'));
        let unavailable = |what: String| Error::LlmUnavailable(format!("{what} ({url})"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_recv_response(Some(self.first_token_timeout))
            .timeout_global(Some(self.answer_timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut call = agent.post(&url).header("Accept", "text/event-stream");
        if let Some(key) = self.api_key.as_deref().filter(|k| !k.is_empty()) {
            call = call.header("Authorization", &format!("Bearer {key}"));
        }
        let body = json!({ "model": request.model, "messages": request.messages, "stream": true });
        let mut response = call.send_json(&body).map_err(|e| match e {
            ureq::Error::Timeout(_) => unavailable(format!(
                "the language model server did not answer within {} s",
                self.first_token_timeout.as_secs()
            )),
            e => unavailable(format!(
                "the language model server cannot be reached: {}",
                super::servers::in_words(&self.base_url, &e)
            )),
        })?;
        let status = response.status();
        if !status.is_success() {
            let detail = response.body_mut().read_to_string().unwrap_or_default();
            return Err(unavailable(format!(
                "the language model server answered {status}: {}",
                crate::text::quote(&detail, 300)
            )));
        }

        let mut text = String::new();
        let reader = BufReader::new(response.body_mut().as_reader());
        for line in reader.lines() {
            let line = match line {
                Ok(line) => line,
                // The connection broke (or timed out) mid-answer: keep what came.
                Err(e) if !text.is_empty() => {
                    tracing::warn!(error = %e, "the answer stream broke off");
                    return Ok(Completion { text, finish: Finish::CutOff, generation: None });
                }
                Err(e) => return Err(unavailable(format!("the answer stream broke off before any text: {e}"))),
            };
            let Some(data) = line.strip_prefix("data:").map(str::trim) else {
                continue; // comments, `event:` and blank separator lines
            };
            if data == "[DONE]" {
                return Ok(Completion { text, finish: Finish::Complete, generation: None });
            }
            let chunk: Chunk = serde_json::from_str(data).map_err(|e| {
                unavailable(format!("the server sent something that is not a chat-completions stream: {e}"))
            })?;
            if let Some(piece) = chunk.choices.into_iter().next().and_then(|c| c.delta.content) {
                text.push_str(&piece);
                if !on_token(&piece) {
                    return Ok(Completion { text, finish: Finish::Stopped, generation: None });
                }
            }
        }
        if text.is_empty() {
            return Err(unavailable("the server closed the stream without an answer".into()));
        }
        Ok(Completion { text, finish: Finish::CutOff, generation: None })
    }
}
