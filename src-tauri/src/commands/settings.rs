use hearth_core::{chat, settings};
use tauri::State;

use crate::dto::{SaveSettingsRequest, SettingsDto};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsDto> {
    state.run(settings::all).await.map(Into::into)
}

/// Saves every setting, all or nothing; they apply to the next turn and the next document.
#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, request: SaveSettingsRequest) -> CommandResult<SettingsDto> {
    state
        .run(move |db| {
            let stored_key = settings::llm(db)?.api_key;
            settings::save_all(db, request.into_settings(stored_key))
        })
        .await
        .map(Into::into)
}

/// Asks the saved OpenAI-compatible server for its models: the names, or LLM_UNAVAILABLE with
/// the reason.
#[tauri::command]
pub async fn test_llm_connection(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    state.run(|db| chat::openai_compatible(&settings::llm(db)?).list_models()).await
}
