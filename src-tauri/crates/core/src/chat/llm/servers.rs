//! The local model servers a person may already run, found in one click: Ollama, LM Studio,
//! llama.cpp's server, Jan and vLLM, each on its usual loopback port. Detection asks each at once
//! with a short timeout (a port with nothing behind it is refused at once; one that hangs costs
//! the timeout), and lists its models: `/v1/models`, and for Ollama `/api/tags`. Errors are said
//! in words, naming the app that was expected.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A server app and where it listens by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    /// `ollama`, `lm-studio`, `llama.cpp`, `jan`, `vllm`.
    pub id: &'static str,
    /// What a person calls it.
    pub name: &'static str,
    pub port: u16,
}

impl Preset {
    /// Its OpenAI-compatible base URL on this machine.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }
}

/// The servers Hearth looks for.
pub const PRESETS: [Preset; 5] = [
    Preset { id: "ollama", name: "Ollama", port: 11434 },
    Preset { id: "lm-studio", name: "LM Studio", port: 1234 },
    Preset { id: "llama.cpp", name: "llama.cpp's server", port: 8080 },
    Preset { id: "jan", name: "Jan", port: 1337 },
    Preset { id: "vllm", name: "vLLM", port: 8000 },
];

/// How long detection waits for each server.
pub const DETECT_TIMEOUT: Duration = Duration::from_millis(800);

/// What one preset's port said.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "DetectedServer.ts")]
pub struct DetectedServer {
    pub preset: String,
    pub name: String,
    pub base_url: String,
    /// Whether it answered with a model list.
    pub running: bool,
    pub models: Vec<String>,
    /// Why not, in words, when it did not.
    pub problem: Option<String>,
}

/// Asks every preset at once; each within `timeout`. In the presets' order.
pub fn detect(presets: &[Preset], timeout: Duration) -> Vec<DetectedServer> {
    std::thread::scope(|scope| {
        let asks: Vec<_> = presets.iter().map(|p| scope.spawn(move || ask(p, timeout))).collect();
        asks.into_iter().map(|a| a.join().expect("a detection thread does not panic")).collect()
    })
}

fn ask(preset: &Preset, timeout: Duration) -> DetectedServer {
    let base_url = preset.base_url();
    let listed = if preset.id == "ollama" {
        ollama_tags(preset.port, timeout).or_else(|_| openai_models(&base_url, None, timeout))
    } else {
        openai_models(&base_url, None, timeout)
    };
    let (running, models, problem) = match listed {
        Ok(models) => (true, models, None),
        Err(problem) => (false, Vec::new(), Some(problem)),
    };
    DetectedServer { preset: preset.id.to_owned(), name: preset.name.to_owned(), base_url, running, models, problem }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into()
}

#[derive(Deserialize)]
struct ModelList {
    data: Vec<ModelEntry>,
}

#[derive(Deserialize)]
struct ModelEntry {
    id: String,
}

#[derive(Deserialize)]
struct Tags {
    models: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
    name: String,
}

/// The models of an OpenAI-compatible server (`GET {base_url}/models`), or why not, in words.
pub fn openai_models(base_url: &str, api_key: Option<&str>, timeout: Duration) -> Result<Vec<String>, String> {
    let url = format!("{}/models", base_url.trim_end_matches('/'));
    let mut call = agent(timeout).get(&url);
    if let Some(key) = api_key.filter(|k| !k.is_empty()) {
        call = call.header("Authorization", &format!("Bearer {key}"));
    }
    let mut response = call.call().map_err(|e| in_words(base_url, &e))?;
    if !response.status().is_success() {
        return Err(format!("the server at {} answered {} to {url}", host_port(base_url), response.status()));
    }
    let list: ModelList = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("the server at {} does not list models as OpenAI's API does: {e}", host_port(base_url)))?;
    Ok(list.data.into_iter().map(|m| m.id).collect())
}

/// Ollama's own model list (`GET /api/tags`).
fn ollama_tags(port: u16, timeout: Duration) -> Result<Vec<String>, String> {
    let base = format!("http://127.0.0.1:{port}");
    let mut response = agent(timeout).get(&format!("{base}/api/tags")).call().map_err(|e| in_words(&base, &e))?;
    if !response.status().is_success() {
        return Err(format!("127.0.0.1:{port} answered {} to /api/tags", response.status()));
    }
    let tags: Tags = response.body_mut().read_json().map_err(|e| format!("127.0.0.1:{port} is not Ollama: {e}"))?;
    Ok(tags.models.into_iter().map(|t| t.name).collect())
}

/// `host:port` of a URL, for messages.
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// A failure to reach `base_url`, in words: "nothing answers at 127.0.0.1:11434 — is Ollama
/// running?" rather than `os error 111`.
pub fn in_words(base_url: &str, error: &ureq::Error) -> String {
    let at = host_port(base_url);
    let app = at
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse::<u16>().ok())
        .and_then(|port| PRESETS.iter().find(|p| p.port == port))
        .map_or("the server", |p| p.name);
    let refused = matches!(error, ureq::Error::ConnectionFailed)
        || matches!(error, ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused);
    match error {
        _ if refused => format!("nothing answers at {at} — is {app} running?"),
        ureq::Error::Timeout(_) => format!("{at} did not answer in time — is {app} busy or stuck?"),
        ureq::Error::HostNotFound => format!("there is no host {at} (check the address)"),
        e => format!("{at} cannot be reached: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_is_read_from_urls() {
        assert_eq!(host_port("http://127.0.0.1:11434/v1"), "127.0.0.1:11434");
        assert_eq!(host_port("https://example.org"), "example.org");
    }

    #[test]
    fn a_refused_connection_names_the_app_expected_there() {
        let refused = ureq::Error::ConnectionFailed;
        assert_eq!(
            in_words("http://127.0.0.1:11434/v1", &refused),
            "nothing answers at 127.0.0.1:11434 — is Ollama running?"
        );
        assert_eq!(
            in_words("http://127.0.0.1:9/v1", &refused),
            "nothing answers at 127.0.0.1:9 — is the server running?"
        );
    }
}
