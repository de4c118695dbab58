//! The `settings` table: small JSON values under fixed keys, each with a default in code.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::columns;
use crate::db::Database;
use crate::error::{Error, Result, StorageContext};
use crate::limits;

/// The model a new session asks for when none is named.
pub const DEFAULT_MODEL_NAME_KEY: &str = "default_model_name";
/// Until a language model is configured, answers come from the placeholder backend.
pub const DEFAULT_MODEL_NAME: &str = "placeholder";
const CHAT_KEY: &str = "chat";
const LLM_KEY: &str = "llm";

/// How a chat turn retrieves and builds its prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatSettings {
    /// Passages retrieved for each question.
    pub top_n: usize,
    /// Earlier question-and-answer pairs sent along.
    pub history_turns: usize,
    pub system_instructions: String,
    /// The backend's context window, in tokens.
    pub context_tokens: usize,
    /// Tokens of the window kept free for the answer.
    pub answer_tokens: usize,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            top_n: 5,
            history_turns: 6,
            system_instructions: "You are Hearth, an assistant that answers from the person's own documents. \
                Answer from the numbered sources below when they contain the answer, and cite them as [n]. \
                If they do not, say so plainly before answering from general knowledge. Be concise."
                .to_owned(),
            context_tokens: 4096,
            answer_tokens: 512,
        }
    }
}

/// Which language model answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmSettings {
    /// `placeholder` or `openai-compatible`.
    pub backend: String,
    /// For `openai-compatible`, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub first_token_timeout_secs: u64,
    pub answer_timeout_secs: u64,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            backend: "placeholder".to_owned(),
            base_url: "http://127.0.0.1:8080/v1".to_owned(),
            api_key: None,
            first_token_timeout_secs: 60,
            answer_timeout_secs: 600,
        }
    }
}

/// The default model name for new sessions.
pub fn default_model_name(conn: &Connection) -> Result<String> {
    Ok(get::<String>(conn, DEFAULT_MODEL_NAME_KEY)?.unwrap_or_else(|| DEFAULT_MODEL_NAME.to_owned()))
}

/// Changes the default model name for sessions created from now on.
pub fn set_default_model_name(db: &Database, name: &str) -> Result<String> {
    let name = limits::required_text("model name", name, limits::MAX_MODEL_NAME_CHARS)?;
    put(db, DEFAULT_MODEL_NAME_KEY, &name)?;
    Ok(name)
}

/// The chat settings, defaults filled in.
pub fn chat(db: &Database) -> Result<ChatSettings> {
    Ok(db.read(|conn| get(conn, CHAT_KEY))?.unwrap_or_default())
}

/// Saves chat settings after checking them.
pub fn set_chat(db: &Database, settings: ChatSettings) -> Result<ChatSettings> {
    if !(1..=50).contains(&settings.top_n) {
        return Err(Error::invalid(format!("top N must be 1 to 50, got {}", settings.top_n)));
    }
    if settings.history_turns > 100 {
        return Err(Error::invalid(format!("history turns must be at most 100, got {}", settings.history_turns)));
    }
    if !(512..=1_000_000).contains(&settings.context_tokens) || settings.answer_tokens >= settings.context_tokens / 2 {
        return Err(Error::invalid(
            "the context window must be 512 to 1,000,000 tokens, with under half of it kept for the answer",
        ));
    }
    limits::at_most("system instructions", settings.system_instructions.chars().count(), 20_000, "characters")?;
    put(db, CHAT_KEY, &settings)?;
    Ok(settings)
}

/// The language-model settings, defaults filled in.
pub fn llm(db: &Database) -> Result<LlmSettings> {
    Ok(db.read(|conn| get(conn, LLM_KEY))?.unwrap_or_default())
}

/// Saves language-model settings after checking them.
pub fn set_llm(db: &Database, settings: LlmSettings) -> Result<LlmSettings> {
    match settings.backend.as_str() {
        "placeholder" => {}
        "openai-compatible" => {
            let url = settings.base_url.trim();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::invalid(format!("the server URL must start with http:// or https://, got {url:?}")));
            }
        }
        other => {
            return Err(Error::invalid(format!("unknown LLM backend {other:?}: use placeholder or openai-compatible")));
        }
    }
    if settings.first_token_timeout_secs == 0 || settings.answer_timeout_secs == 0 {
        return Err(Error::invalid("timeouts must be at least one second"));
    }
    put(db, LLM_KEY, &settings)?;
    Ok(settings)
}

fn get<T: DeserializeOwned>(conn: &Connection, key: &str) -> Result<Option<T>> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0))
        .optional()
        .context(format!("reading the {key} setting"))?;
    stored
        .map(|json| {
            serde_json::from_str(&json)
                .map_err(|e| Error::invalid(format!("the stored {key} setting is unreadable ({e}); save it again")))
        })
        .transpose()
}

fn put<T: Serialize>(db: &Database, key: &str, value: &T) -> Result<()> {
    let json = serde_json::to_string(value).expect("settings serialize");
    db.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, json, columns::to_db(columns::now())],
        )
        .context(format!("saving the {key} setting"))?;
        Ok(())
    })
}
