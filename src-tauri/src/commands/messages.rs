use hearth_core::limits::Page;
use hearth_core::messages::{self, NewMessage};
use tauri::State;

use crate::dto::{AddMessageRequest, ChatMessageDto};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn add_message(
    state: State<'_, AppState>,
    session_id: String,
    request: AddMessageRequest,
) -> CommandResult<ChatMessageDto> {
    let new = NewMessage { content: request.content, role: request.role, metadata: None };
    state.run(move |db| messages::add(db, &session_id, new)).await.map(Into::into)
}

#[tauri::command]
pub async fn list_messages(
    state: State<'_, AppState>,
    session_id: String,
    limit: i64,
    offset: i64,
) -> CommandResult<Vec<ChatMessageDto>> {
    let list = state.run(move |db| messages::list(db, &session_id, Page::new(limit, offset)?)).await?;
    Ok(list.into_iter().map(Into::into).collect())
}
