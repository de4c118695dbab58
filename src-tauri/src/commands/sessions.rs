use hearth_core::limits::Page;
use hearth_core::sessions::{self, NewSession};
use tauri::State;

use crate::dto::{CreateSessionRequest, SessionDto, SessionPageDto};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn create_session(state: State<'_, AppState>, request: CreateSessionRequest) -> CommandResult<SessionDto> {
    let new = NewSession {
        name: request.name,
        document_ids: request.rag_document_ids.unwrap_or_default(),
        llm_model_name: request.llm_model_name,
        tags: request.metadata_tags.unwrap_or_default(),
    };
    state.run(move |db| sessions::create(db, new)).await.map(Into::into)
}

/// Sessions, most recently active first; `filter` keeps those whose name contains it.
#[tauri::command]
pub async fn list_sessions(
    state: State<'_, AppState>,
    limit: i64,
    offset: i64,
    filter: Option<String>,
) -> CommandResult<SessionPageDto> {
    state
        .run(move |db| sessions::list_matching(db, filter.as_deref().unwrap_or_default(), Page::new(limit, offset)?))
        .await
        .map(Into::into)
}

#[tauri::command]
pub async fn get_session(state: State<'_, AppState>, id: String) -> CommandResult<SessionDto> {
    state.run(move |db| sessions::get(db, &id)).await.map(Into::into)
}

#[tauri::command]
pub async fn rename_session(state: State<'_, AppState>, id: String, name: String) -> CommandResult<SessionDto> {
    state.run(move |db| sessions::rename(db, &id, &name)).await.map(Into::into)
}

#[tauri::command]
pub async fn delete_session(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.run(move |db| sessions::delete(db, &id)).await
}
