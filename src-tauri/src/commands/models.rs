use std::path::PathBuf;

use hearth_core::SessionId;
use hearth_core::chat::llm::servers::DetectedServer;
use hearth_core::models::discovery::FoundModel;
use hearth_core::models::gguf::{self, GgufInfo};
use hearth_core::store::model_choice::ModelChoice;
use tauri::State;

use crate::dto::{SessionDto, SettingsDto};
use crate::error::CommandResult;
use crate::state::AppState;

/// What a GGUF file's header says, read without loading the model.
#[tauri::command]
pub async fn inspect_model(state: State<'_, AppState>, path: String) -> CommandResult<GgufInfo> {
    state.run(move |_| gguf::read(&PathBuf::from(path))).await
}

/// The GGUF files found where other apps keep them and in the added folders (headers only).
#[tauri::command]
pub async fn find_models(state: State<'_, AppState>) -> CommandResult<Vec<FoundModel>> {
    state.run(|engine| engine.find_models()).await
}

/// Which of the usual local servers answer on this machine, and their models.
#[tauri::command]
pub async fn detect_servers(state: State<'_, AppState>) -> CommandResult<Vec<DetectedServer>> {
    state.run(|engine| Ok(engine.detect_servers())).await
}

/// Makes `choice` (a file, `URL#NAME`, `ollama:NAME` or `extractive`) the model new chats use.
#[tauri::command]
pub async fn use_model(state: State<'_, AppState>, choice: String) -> CommandResult<SettingsDto> {
    let choice: ModelChoice = choice.parse()?;
    state
        .run(move |engine| {
            engine.use_model(&choice)?;
            super::settings::settings_of(engine)
        })
        .await
}

/// Switches the model that answers a chat, from its next question.
#[tauri::command]
pub async fn set_session_model(
    state: State<'_, AppState>,
    session_id: String,
    choice: String,
) -> CommandResult<SessionDto> {
    let session = SessionId::parse(&session_id)?;
    let choice: ModelChoice = choice.parse()?;
    state.run(move |engine| engine.set_session_model(session, &choice)).await.map(Into::into)
}

/// Adds a folder to look for GGUF files in; returns the settings with it.
#[tauri::command]
pub async fn add_model_folder(state: State<'_, AppState>, path: String) -> CommandResult<SettingsDto> {
    state
        .run(move |engine| {
            engine.add_model_folder(&PathBuf::from(path))?;
            super::settings::settings_of(engine)
        })
        .await
}
