use hearth_core::chat::llm;
use hearth_core::settings;
use tauri::State;

use crate::dto::{SaveSettingsRequest, SettingsDto};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsDto> {
    state.run(|engine| settings::all(engine.db())).await.map(Into::into)
}

/// Saves every setting, all or nothing; they apply to the next turn and the next document.
#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, request: SaveSettingsRequest) -> CommandResult<SettingsDto> {
    state
        .run(move |engine| {
            let stored_key = settings::llm(engine.db())?.api_key;
            settings::save_all(engine.db(), request.into_settings(stored_key))
        })
        .await
        .map(Into::into)
}

/// Asks the saved OpenAI-compatible server for its models: the names, or LLM_UNAVAILABLE with
/// the reason.
#[tauri::command]
pub async fn test_llm_connection(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    state.run(|engine| llm::openai_compatible(&settings::llm(engine.db())?).list_models()).await
}
