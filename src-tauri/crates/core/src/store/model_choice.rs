//! Which model answers a chat: none (the extractive answer), a GGUF file run in Hearth, or a model
//! of a server. One string form, used by the settings, a chat's row, the CLI's `models use` and
//! the window: `extractive`, a file's path, `URL#NAME`, or `ollama:NAME` (Ollama on its usual
//! port, stored as `URL#NAME`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};

/// The base URL `ollama:NAME` stands for.
pub const OLLAMA_URL: &str = "http://127.0.0.1:11434/v1";
/// The string form of [`ModelChoice::Extractive`] (and the model name a chat without a model shows).
pub const EXTRACTIVE: &str = "extractive";

/// Which model answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// No model: the sentences of the sources that best answer the question.
    Extractive,
    /// A GGUF file run in Hearth (an absolute path).
    File(PathBuf),
    /// A model of an OpenAI-compatible server.
    Server { base_url: String, model: String },
}

impl ModelChoice {
    /// The model's own name: the file's name without `.gguf`, the server's model id, or
    /// `extractive`. What a chat's `llm_model_name` is.
    pub fn name(&self) -> String {
        match self {
            ModelChoice::Extractive => EXTRACTIVE.to_owned(),
            ModelChoice::File(path) => file_model_name(path),
            ModelChoice::Server { model, .. } => model.clone(),
        }
    }
}

/// A GGUF file's model name: its file name without `.gguf` (what LM Studio and GPT4All show).
pub fn file_model_name(path: &Path) -> String {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    file.strip_suffix(".gguf").unwrap_or(&file).to_owned()
}

impl fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelChoice::Extractive => f.write_str(EXTRACTIVE),
            ModelChoice::File(path) => write!(f, "{}", path.display()),
            ModelChoice::Server { base_url, model } => write!(f, "{base_url}#{model}"),
        }
    }
}

impl serde::Serialize for ModelChoice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl FromStr for ModelChoice {
    type Err = Error;

    fn from_str(s: &str) -> Result<ModelChoice> {
        let s = s.trim();
        let server = |base_url: &str, model: &str| {
            let model = model.trim();
            if model.is_empty() {
                return Err(Error::invalid(format!("{s:?} names no model: use URL#NAME or ollama:NAME")));
            }
            Ok(ModelChoice::Server { base_url: base_url.trim_end_matches('/').to_owned(), model: model.to_owned() })
        };
        if s.is_empty() {
            Err(Error::invalid("no model is named: use a .gguf file, ollama:NAME, URL#NAME or extractive"))
        } else if s == EXTRACTIVE || s == "none" {
            Ok(ModelChoice::Extractive)
        } else if let Some(name) = s.strip_prefix("ollama:") {
            server(OLLAMA_URL, name)
        } else if s.starts_with("http://") || s.starts_with("https://") {
            let (url, model) = s
                .rsplit_once('#')
                .ok_or_else(|| Error::invalid(format!("{s:?} names no model: add #NAME, e.g. {s}#qwen2.5-3b")))?;
            server(url, model)
        } else {
            Ok(ModelChoice::File(PathBuf::from(s)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_reads_and_writes_back() {
        let parse = |s: &str| s.parse::<ModelChoice>().unwrap();
        assert_eq!(parse("extractive"), ModelChoice::Extractive);
        assert_eq!(
            parse("ollama:qwen2.5:3b"),
            ModelChoice::Server { base_url: OLLAMA_URL.into(), model: "qwen2.5:3b".into() }
        );
        let server = parse("http://127.0.0.1:1234/v1/#qwen2.5-3b-instruct");
        assert_eq!(server.to_string(), "http://127.0.0.1:1234/v1#qwen2.5-3b-instruct");
        assert_eq!(parse(&server.to_string()), server);
        let file = parse("/models/Qwen2.5-3B-Instruct-Q4_K_M.gguf");
        assert_eq!(
            (file.name(), file.to_string()),
            ("Qwen2.5-3B-Instruct-Q4_K_M".into(), "/models/Qwen2.5-3B-Instruct-Q4_K_M.gguf".into())
        );
        for bad in ["", "ollama:", "http://127.0.0.1:8080/v1", "http://x/v1#  "] {
            assert!(matches!(bad.parse::<ModelChoice>(), Err(Error::InvalidInput(_))), "{bad:?}");
        }
    }
}
