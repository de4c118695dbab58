use hearth_core::models::embedding::EmbeddingCompute;
use hearth_core::settings::{
    AllSettings, BackupSettings, ChatSettings, IngestSettings, LlmBackendKind, LlmSettings, Theme,
};
use hearth_core::store::backup::BackupInfo;
use hearth_core::store::secrets::KeptIn;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Retrieval and prompt settings.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export_to = "ChatSettingsDto.ts")]
pub struct ChatSettingsDto {
    pub top_n: u32,
    pub history_turns: u32,
    pub system_instructions: String,
    pub context_tokens: u32,
    pub answer_tokens: u32,
}

/// The language model. The API key never travels to the window: only whether one is set.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "LlmSettingsDto.ts")]
pub struct LlmSettingsDto {
    pub backend: LlmBackendKind,
    pub base_url: String,
    pub has_api_key: bool,
    /// Where an API key is kept: the system's credential store, or (when none runs) a file only
    /// you can read.
    pub api_key_kept_in: KeptIn,
    pub first_token_timeout_secs: u32,
    pub answer_timeout_secs: u32,
    /// For `local`: the GGUF file.
    pub model_path: Option<String>,
    /// For `local`: CPU threads (every core when null).
    pub threads: Option<u32>,
    /// For a server: which of its models new chats ask for.
    pub model_name: String,
    /// Folders the person added to look for GGUF files in.
    pub model_folders: Vec<String>,
    /// Minutes a loaded model may sit unused before it is freed; 0 keeps it loaded.
    pub idle_unload_minutes: u32,
}

/// How new documents are chunked.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export_to = "IngestSettingsDto.ts")]
pub struct IngestSettingsDto {
    pub chunk_tokens: u32,
    pub overlap_tokens: u32,
    /// Keep a copy of each added PDF, to show its pages after the original moves.
    pub keep_pdf_copies: bool,
    /// How the embedding model computes (applies at the next start).
    pub compute: EmbeddingCompute,
    /// Read text in scanned pages and images (OCR).
    pub ocr: bool,
    /// The resolution scanned pages are drawn at for OCR, in dots per inch (100 to 400).
    pub ocr_dpi: u32,
    /// What `compute` means on this machine, and what this run uses (not saved).
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub computing: Option<EmbeddingCompute>,
}

/// The automatic backups of the database.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export_to = "BackupSettingsDto.ts")]
pub struct BackupSettingsDto {
    /// How many are kept (0: none are made).
    pub keep: u32,
    /// One every so many hours.
    pub every_hours: u32,
    /// Where they are written (the data directory's `backups/`; not saved, so a save leaves it out).
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub folder: Option<String>,
}

/// A backup written, as `backup_database` reports it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "BackupInfoDto.ts")]
pub struct BackupInfoDto {
    pub path: String,
    /// When the file was written (RFC 3339), as far as the file system knows.
    pub written_at: Option<String>,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub sessions: i64,
    #[ts(type = "number")]
    pub messages: i64,
    #[ts(type = "number")]
    pub documents: i64,
}

impl From<BackupInfo> for BackupInfoDto {
    fn from(b: BackupInfo) -> Self {
        let written = std::fs::metadata(&b.path).and_then(|m| m.modified()).ok();
        BackupInfoDto {
            written_at: written.map(|at| chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339()),
            path: b.path.display().to_string(),
            bytes: b.bytes,
            sessions: b.sessions,
            messages: b.messages,
            documents: b.documents,
        }
    }
}

/// Every setting, as the settings screen shows them.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "SettingsDto.ts")]
pub struct SettingsDto {
    /// The model new chats use, as `set_session_model` takes it (`extractive`, a file's path,
    /// `URL#NAME`).
    pub default_choice: String,
    pub chat: ChatSettingsDto,
    pub llm: LlmSettingsDto,
    pub ingest: IngestSettingsDto,
    pub theme: Theme,
    pub backups: BackupSettingsDto,
}

/// The language-model part of a save: `api_key` left out keeps the stored key, `""` clears it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export_to = "SaveLlmSettings.ts")]
pub struct SaveLlmSettings {
    pub backend: LlmBackendKind,
    pub base_url: String,
    #[ts(optional)]
    pub api_key: Option<String>,
    pub first_token_timeout_secs: u32,
    pub answer_timeout_secs: u32,
    #[serde(default)]
    pub model_path: Option<String>,
    #[serde(default)]
    pub threads: Option<u32>,
    pub model_name: String,
    #[serde(default)]
    pub model_folders: Vec<String>,
    pub idle_unload_minutes: u32,
}

/// What `save_settings` takes: every setting, saved all or nothing.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export_to = "SaveSettingsRequest.ts")]
pub struct SaveSettingsRequest {
    pub chat: ChatSettingsDto,
    pub llm: SaveLlmSettings,
    pub ingest: IngestSettingsDto,
    pub theme: Theme,
    pub backups: BackupSettingsDto,
}

fn count(n: usize) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

impl SettingsDto {
    /// The settings, with whether an API key is kept and where.
    pub fn new(
        s: AllSettings,
        default_choice: String,
        has_api_key: bool,
        api_key_kept_in: KeptIn,
        backups_folder: String,
        computing: EmbeddingCompute,
    ) -> Self {
        SettingsDto {
            default_choice,
            chat: ChatSettingsDto {
                top_n: count(s.chat.top_n),
                history_turns: count(s.chat.history_turns),
                system_instructions: s.chat.system_instructions,
                context_tokens: count(s.chat.context_tokens),
                answer_tokens: count(s.chat.answer_tokens),
            },
            llm: LlmSettingsDto {
                backend: s.llm.backend,
                base_url: s.llm.base_url,
                has_api_key,
                api_key_kept_in,
                first_token_timeout_secs: s.llm.first_token_timeout_secs.try_into().unwrap_or(u32::MAX),
                answer_timeout_secs: s.llm.answer_timeout_secs.try_into().unwrap_or(u32::MAX),
                model_path: s.llm.model_path,
                threads: s.llm.threads.map(count),
                model_name: s.model_name,
                model_folders: s.llm.model_folders,
                idle_unload_minutes: s.llm.idle_unload_minutes.try_into().unwrap_or(u32::MAX),
            },
            ingest: IngestSettingsDto {
                chunk_tokens: count(s.ingest.chunk_tokens),
                overlap_tokens: count(s.ingest.overlap_tokens),
                keep_pdf_copies: s.ingest.keep_pdf_copies,
                compute: s.ingest.compute,
                ocr: s.ingest.ocr,
                ocr_dpi: s.ingest.ocr_dpi,
                computing: Some(computing),
            },
            theme: s.theme,
            backups: BackupSettingsDto {
                keep: count(s.backups.keep),
                every_hours: s.backups.every_hours,
                folder: Some(backups_folder),
            },
        }
    }
}

impl SaveSettingsRequest {
    /// The settings to store, and the API key to keep: `None` keeps the kept one, `Some("")`
    /// forgets it.
    pub fn into_settings(self) -> (AllSettings, Option<String>) {
        let api_key = self.llm.api_key;
        let settings = AllSettings {
            chat: ChatSettings {
                top_n: self.chat.top_n as usize,
                history_turns: self.chat.history_turns as usize,
                system_instructions: self.chat.system_instructions,
                context_tokens: self.chat.context_tokens as usize,
                answer_tokens: self.chat.answer_tokens as usize,
            },
            llm: LlmSettings {
                backend: self.llm.backend,
                base_url: self.llm.base_url,
                first_token_timeout_secs: self.llm.first_token_timeout_secs.into(),
                answer_timeout_secs: self.llm.answer_timeout_secs.into(),
                model_path: self.llm.model_path,
                threads: self.llm.threads.map(|t| t as usize),
                model_folders: self.llm.model_folders,
                idle_unload_minutes: self.llm.idle_unload_minutes.into(),
            },
            model_name: self.llm.model_name,
            ingest: IngestSettings {
                chunk_tokens: self.ingest.chunk_tokens as usize,
                overlap_tokens: self.ingest.overlap_tokens as usize,
                keep_pdf_copies: self.ingest.keep_pdf_copies,
                compute: self.ingest.compute,
                ocr: self.ingest.ocr,
                ocr_dpi: self.ingest.ocr_dpi,
            },
            theme: self.theme,
            backups: BackupSettings { keep: self.backups.keep as usize, every_hours: self.backups.every_hours },
        };
        (settings, api_key)
    }
}

/// Why the library did not open at start: the error, and for a damaged database
/// (`code` DAMAGED) the newest automatic backups that pass their check, newest first.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "StartupProblemDto.ts")]
pub struct StartupProblemDto {
    pub code: crate::error::ErrorCode,
    pub message: String,
    pub backups: Vec<BackupInfoDto>,
}

/// How to recover from a damaged database: a backup's path to restore, or null for an empty
/// library. The damaged file is kept aside either way.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export_to = "RecoverRequest.ts")]
pub struct RecoverRequest {
    pub backup: Option<String>,
}

/// What recovery did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "RecoveredDto.ts")]
pub struct RecoveredDto {
    /// The backup now in place, when one was restored.
    pub restored: Option<BackupInfoDto>,
    /// Where the damaged database was moved.
    pub set_aside: Option<String>,
}
