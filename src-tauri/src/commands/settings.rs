use hearth_core::settings;
use hearth_core::{Engine, Result};
use tauri::State;

use crate::dto::{BackupInfoDto, SaveSettingsRequest, SettingsDto};
use crate::error::CommandResult;
use crate::state::AppState;

/// Every setting as the window shows them, with whether an API key is kept and where.
pub fn settings_of(engine: &Engine) -> Result<SettingsDto> {
    let default_choice = engine.db().read(settings::default_choice)?.to_string();
    Ok(SettingsDto::new(
        settings::all(engine.db())?,
        default_choice,
        engine.api_key()?.is_some(),
        engine.secrets_kept_in(),
        engine.data_dir().join(hearth_core::store::backup::BACKUPS_DIR).display().to_string(),
        engine.embedding_compute(),
    ))
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsDto> {
    state.run(settings_of).await
}

/// Saves every setting, all or nothing; they apply to the next turn and the next document. An
/// API key goes to the credential store, never the database.
#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, request: SaveSettingsRequest) -> CommandResult<SettingsDto> {
    state
        .run(move |engine| {
            let (all, api_key) = request.into_settings();
            settings::save_all(engine.db(), all)?;
            if let Some(key) = api_key {
                engine.set_api_key(Some(&key))?;
            }
            settings_of(engine)
        })
        .await
}

/// Asks the saved OpenAI-compatible server for its models: the names, or LLM_UNAVAILABLE with
/// the reason.
#[tauri::command]
pub async fn test_llm_connection(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    state.run(|engine| engine.test_server()).await
}

/// Writes a consistent copy of the database to `path` (chosen in the save dialog) while the app
/// keeps working.
#[tauri::command]
pub async fn backup_database(state: State<'_, AppState>, path: String) -> CommandResult<BackupInfoDto> {
    let path = std::path::PathBuf::from(path);
    state.run(move |engine| engine.backup_to(&path)).await.map(Into::into)
}
