//! The `settings` table: small JSON values under fixed keys, each with a default in code.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use ts_rs::TS;

use super::Database;
use super::codec;
use super::model_choice::ModelChoice;
use crate::error::{Error, Result, StorageContext};
use crate::ingest::chunking::{DEFAULT_OVERLAP_TOKENS, MAX_CHUNK_TOKENS};
use crate::ingest::extract::ExtractOptions;
use crate::models::embedding::EmbeddingCompute;
use crate::sessions::limits::MAX_MODEL_NAME_CHARS;
use crate::text;

/// The model a new session asks for when none is named.
pub const DEFAULT_MODEL_NAME_KEY: &str = "default_model_name";
/// The server model new chats ask for until one is picked (the name servers that serve one
/// model ignore).
pub const DEFAULT_MODEL_NAME: &str = "default";
const CHAT_KEY: &str = "chat";
const LLM_KEY: &str = "llm";
const INGEST_KEY: &str = "ingest";
const THEME_KEY: &str = "theme";
const BACKUPS_KEY: &str = "backups";
const SEARCH_MODEL_KEY: &str = "search_model";

/// How new documents are chunked (documents already in the library keep their chunks until
/// they are re-indexed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngestSettings {
    pub chunk_tokens: usize,
    pub overlap_tokens: usize,
    /// Keep a copy of each added PDF in the data directory, so its pages can be shown even
    /// after the original moves.
    pub keep_pdf_copies: bool,
    /// How the embedding model computes; a change applies at the next start, and the library
    /// is then embedded again in the background (search goes on meanwhile).
    pub compute: EmbeddingCompute,
    /// Read text in scanned pages and images (OCR).
    pub ocr: bool,
    /// The resolution scanned pages are drawn at for OCR, in dots per inch.
    pub ocr_dpi: u32,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            chunk_tokens: MAX_CHUNK_TOKENS,
            overlap_tokens: DEFAULT_OVERLAP_TOKENS,
            keep_pdf_copies: true,
            compute: EmbeddingCompute::default(),
            ocr: true,
            ocr_dpi: ExtractOptions::DEFAULT_OCR_DPI,
        }
    }
}

/// The resolutions OCR may draw pages at: below 100 dpi small print is unreadable, above 400
/// a page is slow and large for no gain.
pub const OCR_DPI_RANGE: std::ops::RangeInclusive<u32> = 100..=400;

impl IngestSettings {
    /// How documents are read under these settings.
    pub fn extract_options(&self) -> ExtractOptions {
        ExtractOptions { ocr_dpi: self.ocr.then_some(self.ocr_dpi) }
    }

    /// Whether chunks are cut at other sizes than the default ones.
    pub fn custom_sizes(&self) -> bool {
        let default = IngestSettings::default();
        (self.chunk_tokens, self.overlap_tokens) != (default.chunk_tokens, default.overlap_tokens)
    }
}

/// The automatic backups the app keeps of the database (in `backups/` in the data directory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupSettings {
    /// How many are kept, newest first; 0 turns them off.
    pub keep: usize,
    /// How often one is written, in hours.
    pub every_hours: u32,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings { keep: 3, every_hours: 24 }
    }
}

/// Most automatic backups kept.
pub const MAX_BACKUPS_KEPT: usize = 100;

/// The window's colours: follow the OS, or always light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "Theme.ts")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl std::str::FromStr for Theme {
    type Err = Error;

    fn from_str(s: &str) -> Result<Theme> {
        match s {
            "system" => Ok(Theme::System),
            "light" => Ok(Theme::Light),
            "dark" => Ok(Theme::Dark),
            other => Err(Error::invalid(format!("unknown theme {other:?}: use system, light or dark"))),
        }
    }
}

/// Which kind of language model answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "LlmBackendKind.ts")]
pub enum LlmBackendKind {
    /// No model: the answer quotes the sentences of the sources that best answer the question.
    /// (Stored as `placeholder` before it quoted sentences.)
    #[default]
    #[serde(alias = "placeholder")]
    Extractive,
    /// A server speaking OpenAI's chat-completions protocol (llama.cpp, Ollama, LM Studio, vLLM).
    #[serde(rename = "openai-compatible")]
    OpenAiCompatible,
    /// A GGUF model file run in Hearth itself (llama.cpp).
    Local,
}

impl LlmBackendKind {
    /// The stored (and wire) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LlmBackendKind::Extractive => "extractive",
            LlmBackendKind::OpenAiCompatible => "openai-compatible",
            LlmBackendKind::Local => "local",
        }
    }
}

impl std::str::FromStr for LlmBackendKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<LlmBackendKind> {
        match s {
            "extractive" | "placeholder" => Ok(LlmBackendKind::Extractive),
            "openai-compatible" => Ok(LlmBackendKind::OpenAiCompatible),
            "local" => Ok(LlmBackendKind::Local),
            other => Err(Error::invalid(format!(
                "unknown LLM backend {other:?}: use extractive, openai-compatible or local"
            ))),
        }
    }
}

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
    pub backend: LlmBackendKind,
    /// For `openai-compatible`, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    // The API key is not a setting: it is kept out of the database (`store::secrets`).
    pub first_token_timeout_secs: u64,
    pub answer_timeout_secs: u64,
    /// For `local`: the GGUF file.
    pub model_path: Option<String>,
    /// For `local`: CPU threads (every core when not set).
    pub threads: Option<usize>,
    /// Folders the person added to look for GGUF files in.
    pub model_folders: Vec<String>,
    /// Minutes a loaded model may sit unused before it is freed; 0 keeps it loaded.
    pub idle_unload_minutes: u64,
}

impl LlmSettings {
    /// The model these settings select; `server_model` names which of a server's models.
    pub fn choice(&self, server_model: String) -> ModelChoice {
        match (self.backend, &self.model_path) {
            (LlmBackendKind::Local, Some(path)) => ModelChoice::File(path.into()),
            (LlmBackendKind::OpenAiCompatible, _) => {
                ModelChoice::Server { base_url: self.base_url.clone(), model: server_model }
            }
            _ => ModelChoice::Extractive,
        }
    }
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            backend: LlmBackendKind::Extractive,
            base_url: "http://127.0.0.1:8080/v1".to_owned(),
            first_token_timeout_secs: 60,
            answer_timeout_secs: 600,
            model_path: None,
            threads: None,
            model_folders: Vec::new(),
            idle_unload_minutes: 10,
        }
    }
}

/// The default model name for new sessions.
pub fn default_model_name(conn: &Connection) -> Result<String> {
    Ok(get::<String>(conn, DEFAULT_MODEL_NAME_KEY)?.unwrap_or_else(|| DEFAULT_MODEL_NAME.to_owned()))
}

/// The model new chats use: the language-model settings' choice (a server's model is the
/// default model name).
pub fn default_choice(conn: &Connection) -> Result<ModelChoice> {
    // Settings that no longer read answer nothing rather than stop a chat being made.
    let llm: LlmSettings = get(conn, LLM_KEY).ok().flatten().unwrap_or_default();
    Ok(llm.choice(default_model_name(conn)?))
}

/// A new chat's model and its name: the default choice, where `name` (when given) names which
/// of a server's models answers.
pub fn new_chat_model(conn: &Connection, name: Option<String>) -> Result<(ModelChoice, String)> {
    let mut choice = default_choice(conn)?;
    if let (ModelChoice::Server { model, .. }, Some(name)) = (&mut choice, &name) {
        model.clone_from(name);
    }
    let name = name.unwrap_or_else(|| choice.name());
    Ok((choice, name))
}

/// Changes the default model name for sessions created from now on.
pub fn set_default_model_name(db: &Database, name: &str) -> Result<String> {
    let name = text::required("model name", name, MAX_MODEL_NAME_CHARS)?;
    put(db, DEFAULT_MODEL_NAME_KEY, &name)?;
    Ok(name)
}

/// Saves language-model settings and the model new chats name, in one transaction.
pub fn use_model(db: &Database, settings: LlmSettings, model_name: &str) -> Result<LlmSettings> {
    check_llm(&settings)?;
    let name = text::required("model name", model_name, MAX_MODEL_NAME_CHARS)?;
    db.write(|tx| {
        put_in(tx, LLM_KEY, &settings)?;
        put_in(tx, DEFAULT_MODEL_NAME_KEY, &name)
    })?;
    Ok(settings)
}

/// The chat settings, defaults filled in.
pub fn chat(db: &Database) -> Result<ChatSettings> {
    Ok(db.read(|conn| get(conn, CHAT_KEY))?.unwrap_or_default())
}

/// Saves chat settings after checking them.
pub fn set_chat(db: &Database, settings: ChatSettings) -> Result<ChatSettings> {
    check_chat(&settings)?;
    put(db, CHAT_KEY, &settings)?;
    Ok(settings)
}

fn check_chat(settings: &ChatSettings) -> Result<()> {
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
    text::at_most("system instructions", settings.system_instructions.chars().count(), 20_000, "characters")
}

/// The language-model settings, defaults filled in.
pub fn llm(db: &Database) -> Result<LlmSettings> {
    Ok(db.read(|conn| get(conn, LLM_KEY))?.unwrap_or_default())
}

/// Takes the API key out of the stored language-model settings, where versions before
/// `store::secrets` kept it in plain text, and returns it (to be kept as a secret).
pub fn take_stored_api_key(db: &Database) -> Result<Option<String>> {
    let key = db.write(|tx| {
        let key: Option<String> = tx
            .query_row("SELECT json_extract(value, '$.api_key') FROM settings WHERE key = ?1", [LLM_KEY], |row| {
                row.get(0)
            })
            .optional()
            .context("reading the stored API key")?
            .flatten();
        if key.is_some() {
            // Zero the old row's bytes rather than leave them in a free page.
            tx.pragma_update(None, "secure_delete", true).context("erasing the stored API key")?;
            tx.execute("UPDATE settings SET value = json_remove(value, '$.api_key') WHERE key = ?1", [LLM_KEY])
                .context("removing the stored API key")?;
        }
        Ok(key)
    })?;
    if key.is_some() {
        db.checkpoint()?;
    }
    Ok(key.filter(|k| !k.is_empty()))
}

/// Saves language-model settings after checking them.
pub fn set_llm(db: &Database, settings: LlmSettings) -> Result<LlmSettings> {
    check_llm(&settings)?;
    put(db, LLM_KEY, &settings)?;
    Ok(settings)
}

fn check_llm(settings: &LlmSettings) -> Result<()> {
    match settings.backend {
        LlmBackendKind::OpenAiCompatible => {
            let url = settings.base_url.trim();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::invalid(format!("the server URL must start with http:// or https://, got {url:?}")));
            }
        }
        LlmBackendKind::Local if settings.model_path.as_deref().is_none_or(|p| p.trim().is_empty()) => {
            return Err(Error::invalid("the local backend needs a GGUF model file"));
        }
        LlmBackendKind::Local | LlmBackendKind::Extractive => {}
    }
    if settings.threads.is_some_and(|t| !(1..=256).contains(&t)) {
        return Err(Error::invalid("threads must be 1 to 256"));
    }
    if settings.first_token_timeout_secs == 0 || settings.answer_timeout_secs == 0 {
        return Err(Error::invalid("timeouts must be at least one second"));
    }
    Ok(())
}

/// The chunking settings for new documents.
pub fn ingest(db: &Database) -> Result<IngestSettings> {
    Ok(db.read(|conn| get(conn, INGEST_KEY))?.unwrap_or_default())
}

/// Saves chunking settings after checking them.
pub fn set_ingest(db: &Database, settings: IngestSettings) -> Result<IngestSettings> {
    check_ingest(&settings)?;
    put(db, INGEST_KEY, &settings)?;
    Ok(settings)
}

fn check_ingest(settings: &IngestSettings) -> Result<()> {
    let max = MAX_CHUNK_TOKENS;
    if !(16..=max).contains(&settings.chunk_tokens) || settings.overlap_tokens >= settings.chunk_tokens / 2 {
        return Err(Error::invalid(format!(
            "chunks must be 16 to {max} tokens, with an overlap under half of that (got {} and {})",
            settings.chunk_tokens, settings.overlap_tokens
        )));
    }
    if !OCR_DPI_RANGE.contains(&settings.ocr_dpi) {
        return Err(Error::invalid(format!(
            "the OCR resolution must be {} to {} dpi (got {})",
            OCR_DPI_RANGE.start(),
            OCR_DPI_RANGE.end(),
            settings.ocr_dpi
        )));
    }
    Ok(())
}

/// The theme.
pub fn theme(db: &Database) -> Result<Theme> {
    Ok(db.read(|conn| get::<Theme>(conn, THEME_KEY))?.unwrap_or_default())
}

/// Saves the theme.
pub fn set_theme(db: &Database, theme: Theme) -> Result<Theme> {
    put(db, THEME_KEY, &theme)?;
    Ok(theme)
}

/// The embedding model whose vectors search uses: the model every ready chunk has a vector of.
/// While a new model's vectors are computed, it stays the old one (see `models::reembed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchModel {
    pub model_id: String,
    /// Where it was loaded from, to load it again for queries until the switch.
    pub model_dir: String,
}

/// The model search uses, once one is recorded.
pub fn search_model(db: &Database) -> Result<Option<SearchModel>> {
    db.read(|conn| get(conn, SEARCH_MODEL_KEY))
}

/// Records the model search uses.
pub fn set_search_model(db: &Database, model: &SearchModel) -> Result<()> {
    put(db, SEARCH_MODEL_KEY, model)
}

/// The automatic backups' settings.
pub fn backups(db: &Database) -> Result<BackupSettings> {
    Ok(db.read(|conn| get(conn, BACKUPS_KEY))?.unwrap_or_default())
}

fn check_backups(settings: &BackupSettings) -> Result<()> {
    if settings.keep > MAX_BACKUPS_KEPT || settings.every_hours == 0 || settings.every_hours > 24 * 365 {
        return Err(Error::invalid(format!(
            "backups: keep 0 to {MAX_BACKUPS_KEPT}, one every 1 to {} hours (got {} and {})",
            24 * 365,
            settings.keep,
            settings.every_hours
        )));
    }
    Ok(())
}

/// Every setting the settings screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllSettings {
    pub chat: ChatSettings,
    pub llm: LlmSettings,
    /// Which of a server's models new chats ask for (a local model is named by its file).
    pub model_name: String,
    pub ingest: IngestSettings,
    pub theme: Theme,
    #[serde(default)]
    pub backups: BackupSettings,
}

/// Reads every setting.
pub fn all(db: &Database) -> Result<AllSettings> {
    let model_name = db.read(default_model_name)?;
    Ok(AllSettings {
        chat: chat(db)?,
        llm: llm(db)?,
        model_name,
        ingest: ingest(db)?,
        theme: theme(db)?,
        backups: backups(db)?,
    })
}

/// Checks every setting, then saves them all in one transaction: all or nothing.
pub fn save_all(db: &Database, settings: AllSettings) -> Result<AllSettings> {
    check_chat(&settings.chat)?;
    check_llm(&settings.llm)?;
    check_ingest(&settings.ingest)?;
    check_backups(&settings.backups)?;
    // A local model is named by its file, so new chats name the model that really answers.
    let name = match (&settings.llm.backend, &settings.llm.model_path) {
        (LlmBackendKind::Local, Some(path)) => super::model_choice::file_model_name(std::path::Path::new(path)),
        _ => text::required("model name", &settings.model_name, MAX_MODEL_NAME_CHARS)?,
    };
    db.write(|tx| {
        put_in(tx, CHAT_KEY, &settings.chat)?;
        put_in(tx, LLM_KEY, &settings.llm)?;
        put_in(tx, DEFAULT_MODEL_NAME_KEY, &name)?;
        put_in(tx, INGEST_KEY, &settings.ingest)?;
        put_in(tx, BACKUPS_KEY, &settings.backups)?;
        put_in(tx, THEME_KEY, &settings.theme)
    })?;
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
    db.write(|tx| put_in(tx, key, value))
}

fn put_in<T: Serialize>(conn: &Connection, key: &str, value: &T) -> Result<()> {
    let json = serde_json::to_string(value).expect("settings serialize");
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, json, codec::to_db(codec::now())],
    )
    .context(format!("saving the {key} setting"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_are_stored_with_the_text_values_the_schema_always_had() {
        for kind in [LlmBackendKind::Extractive, LlmBackendKind::OpenAiCompatible, LlmBackendKind::Local] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(kind.as_str().parse::<LlmBackendKind>().unwrap(), kind);
        }
        for (theme, text) in [(Theme::System, "system"), (Theme::Light, "light"), (Theme::Dark, "dark")] {
            assert_eq!(serde_json::to_value(theme).unwrap(), text);
            assert_eq!(text.parse::<Theme>().unwrap(), theme);
        }
    }
}
