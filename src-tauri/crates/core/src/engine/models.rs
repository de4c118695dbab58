//! Which model answers: the models found on this machine and the servers running on it, the
//! default for new chats, and each chat's own.

use std::path::{Path, PathBuf};

use super::Engine;
use crate::chat::llm::servers::{self, DETECT_TIMEOUT, DetectedServer, PRESETS};
use crate::error::{Error, Result};
use crate::models::discovery::{self, FoundModel, Places};
use crate::models::gguf::{self, GgufInfo};
use crate::sessions::{self, Session};
use crate::store::ids::SessionId;
use crate::store::model_choice::ModelChoice;
use crate::store::settings::{self, LlmBackendKind};

impl Engine {
    /// The GGUF files found where other apps keep them, in the folders the person added, and the
    /// tiny model provisioned with Hearth (headers only; nothing is loaded).
    pub fn find_models(&self) -> Result<Vec<FoundModel>> {
        let added = settings::llm(&self.db)?.model_folders.into_iter().map(PathBuf::from).collect();
        let models_dir = self.model_dir.parent().map(Path::to_path_buf);
        Ok(discovery::find(&Places::of_this_user(models_dir, added)))
    }

    /// Adds a folder to look for GGUF files in (kept in the settings); returns it made absolute.
    pub fn add_model_folder(&self, dir: &Path) -> Result<PathBuf> {
        let dir = std::fs::canonicalize(dir)
            .ok()
            .filter(|d| d.is_dir())
            .ok_or_else(|| Error::invalid(format!("{} is not a folder that can be opened", dir.display())))?;
        let mut llm = settings::llm(&self.db)?;
        let entry = dir.display().to_string();
        if !llm.model_folders.contains(&entry) {
            llm.model_folders.push(entry);
            settings::set_llm(&self.db, llm)?;
        }
        Ok(dir)
    }

    /// Which of the usual local servers (Ollama, LM Studio, llama.cpp, Jan, vLLM) answer on this
    /// machine, and their models; each is asked at once, within a second.
    pub fn detect_servers(&self) -> Vec<DetectedServer> {
        servers::detect(&PRESETS, DETECT_TIMEOUT)
    }

    /// Asks the server the settings name for its models, with the kept API key: the names, or
    /// `LlmUnavailable` with the reason in words (the settings screen's connection test).
    pub fn test_server(&self) -> Result<Vec<String>> {
        crate::chat::llm::openai_compatible(&settings::llm(&self.db)?, self.api_key()?).list_models()
    }

    /// Makes `choice` the model new chats use (chats keep their own). A file is checked first:
    /// one that is not a usable GGUF model changes nothing. Returns the choice as stored (a
    /// file's path made absolute).
    pub fn use_model(&self, choice: &ModelChoice) -> Result<ModelChoice> {
        let (choice, _) = checked(choice)?;
        self.save_default(&choice, None)?;
        Ok(choice)
    }

    /// Makes the GGUF file at `path` the model new chats use, after reading its header (see
    /// [`Engine::use_model`]); `threads` is saved with it. The model loads at the next question.
    pub fn use_local_model(&self, path: &Path, threads: Option<usize>) -> Result<GgufInfo> {
        let (choice, info) = checked(&ModelChoice::File(path.to_owned()))?;
        self.save_default(&choice, Some(threads))?;
        Ok(info.expect("a file's header was read"))
    }

    /// Switches the model that answers `session`, from its next question; a file is checked
    /// first, as [`Engine::use_model`] does.
    pub fn set_session_model(&self, session: SessionId, choice: &ModelChoice) -> Result<Session> {
        sessions::set_model(&self.db, session, &checked(choice)?.0)
    }

    /// Saves `choice` as the default, with `threads` when given, in one write.
    fn save_default(&self, choice: &ModelChoice, threads: Option<Option<usize>>) -> Result<()> {
        let mut llm = settings::llm(&self.db)?;
        if let Some(threads) = threads {
            llm.threads = threads;
        }
        match choice {
            ModelChoice::Extractive => llm.backend = LlmBackendKind::Extractive,
            ModelChoice::File(path) => {
                llm.backend = LlmBackendKind::Local;
                llm.model_path = Some(path.display().to_string());
            }
            ModelChoice::Server { base_url, .. } => {
                llm.backend = LlmBackendKind::OpenAiCompatible;
                llm.base_url.clone_from(base_url);
            }
        }
        settings::use_model(&self.db, llm, &choice.name())?;
        Ok(())
    }
}

/// `choice` with a file's path made absolute and its header (read and returned): a file that is
/// not a usable GGUF model is `InvalidInput` with the reason.
fn checked(choice: &ModelChoice) -> Result<(ModelChoice, Option<GgufInfo>)> {
    match choice {
        ModelChoice::File(path) => {
            let path = std::fs::canonicalize(path)
                .map_err(|e| Error::invalid(format!("{} cannot be opened ({e})", path.display())))?;
            let info = gguf::read(&path)?;
            Ok((ModelChoice::File(path), Some(info)))
        }
        other => Ok((other.clone(), None)),
    }
}
