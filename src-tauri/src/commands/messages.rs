use hearth_core::SessionId;
use hearth_core::sessions::messages::{self, NewMessage};
use hearth_core::store::Page;
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
    let session = SessionId::parse(&session_id)?;
    let role = request.role.as_deref().map(str::parse).transpose()?;
    let new = NewMessage { content: request.content, role, metadata: None };
    state.run(move |engine| messages::add(engine.db(), session, new)).await.map(Into::into)
}

#[tauri::command]
pub async fn list_messages(
    state: State<'_, AppState>,
    session_id: String,
    limit: i64,
    offset: i64,
) -> CommandResult<Vec<ChatMessageDto>> {
    let session = SessionId::parse(&session_id)?;
    let page = Page::new(limit, offset)?;
    let list = state.run(move |engine| messages::list(engine.db(), session, page)).await?;
    Ok(list.into_iter().map(Into::into).collect())
}
