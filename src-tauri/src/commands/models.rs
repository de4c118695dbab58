use std::path::PathBuf;

use hearth_core::models::gguf::{self, GgufInfo};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

/// What a GGUF file's header says, read without loading the model.
#[tauri::command]
pub async fn inspect_model(state: State<'_, AppState>, path: String) -> CommandResult<GgufInfo> {
    state.run(move |_| gguf::read(&PathBuf::from(path))).await
}
