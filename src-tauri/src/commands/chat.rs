use hearth_core::SessionId;
use tauri::State;
use tauri::ipc::Channel;

use crate::dto::{ChatReplyDto, TurnEventDto};
use crate::error::CommandResult;
use crate::state::AppState;

/// A chat turn: stores the question, retrieves from the session's documents, asks the LLM
/// backend and stores the answer with its record. The answer streams through `on_event` as it
/// arrives; the stored pair is returned at the end.
#[tauri::command]
pub async fn send_message(
    state: State<'_, AppState>,
    session_id: String,
    content: String,
    on_event: Channel<TurnEventDto>,
) -> CommandResult<ChatReplyDto> {
    let session = SessionId::parse(&session_id)?;
    state
        .run(move |engine| {
            // A closed window may drop a piece; the stored answer is the truth.
            engine.send(session, &content, &mut |event| {
                let _ = on_event.send(TurnEventDto::from(event));
            })
        })
        .await
        .map(Into::into)
}

/// Answers the session's unanswered last question again (after LLM_UNAVAILABLE).
#[tauri::command]
pub async fn retry_turn(
    state: State<'_, AppState>,
    session_id: String,
    on_event: Channel<TurnEventDto>,
) -> CommandResult<ChatReplyDto> {
    let session = SessionId::parse(&session_id)?;
    state
        .run(move |engine| {
            engine.retry_turn(session, &mut |event| {
                let _ = on_event.send(TurnEventDto::from(event));
            })
        })
        .await
        .map(Into::into)
}

/// Stops the session's running turn; the answer so far is kept and marked stopped.
#[tauri::command]
pub async fn stop_turn(state: State<'_, AppState>, session_id: String) -> CommandResult<()> {
    let session = SessionId::parse(&session_id)?;
    state
        .run(move |engine| {
            engine.stop_turn(session);
            Ok(())
        })
        .await
}
