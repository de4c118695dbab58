use hearth_core::Error;
use hearth_core::sessions::{self, NewSession, Scope, transfer};
use hearth_core::store::Page;
use hearth_core::{DocumentId, SessionId};
use tauri::State;

use crate::dto::{CreateSessionRequest, ImportedDto, ScopeDto, SessionDto, SessionPageDto};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn create_session(state: State<'_, AppState>, request: CreateSessionRequest) -> CommandResult<SessionDto> {
    let document_ids = request.rag_document_ids.unwrap_or_default();
    let new = NewSession {
        name: request.name,
        document_ids: document_ids.iter().map(|id| DocumentId::parse(id)).collect::<Result<_, _>>()?,
        llm_model_name: request.llm_model_name,
        tags: request.metadata_tags.unwrap_or_default(),
        scope: request.scope.map(Scope::try_from).transpose()?,
    };
    state.run(move |engine| sessions::create(engine.db(), new)).await.map(Into::into)
}

/// Sessions, most recently active first; `filter` keeps those whose name contains it or whose
/// messages hold all its words (with the words around the match).
#[tauri::command]
pub async fn list_sessions(
    state: State<'_, AppState>,
    limit: i64,
    offset: i64,
    filter: Option<String>,
) -> CommandResult<SessionPageDto> {
    let page = Page::new(limit, offset)?;
    state
        .run(move |engine| sessions::list_matching(engine.db(), filter.as_deref().unwrap_or_default(), page))
        .await
        .map(Into::into)
}

#[tauri::command]
pub async fn get_session(state: State<'_, AppState>, id: String) -> CommandResult<SessionDto> {
    let id = SessionId::parse(&id)?;
    state.run(move |engine| sessions::get(engine.db(), id)).await.map(Into::into)
}

#[tauri::command]
pub async fn rename_session(state: State<'_, AppState>, id: String, name: String) -> CommandResult<SessionDto> {
    let id = SessionId::parse(&id)?;
    state.run(move |engine| sessions::rename(engine.db(), id, &name)).await.map(Into::into)
}

#[tauri::command]
pub async fn delete_session(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let id = SessionId::parse(&id)?;
    state.run(move |engine| sessions::delete(engine.db(), id)).await
}

/// Sets what a chat searches, from its next question.
#[tauri::command]
pub async fn set_session_scope(state: State<'_, AppState>, id: String, scope: ScopeDto) -> CommandResult<SessionDto> {
    let id = SessionId::parse(&id)?;
    let scope = Scope::try_from(scope)?;
    state.run(move |engine| sessions::scope::set(engine.db(), id, scope)).await.map(Into::into)
}

/// Writes chats (`ids`; every chat when empty) to `path` as Markdown (`md`) or JSON (`json`);
/// returns how many.
#[tauri::command]
pub async fn export_sessions(
    state: State<'_, AppState>,
    ids: Vec<String>,
    format: String,
    path: String,
) -> CommandResult<usize> {
    let ids = ids.iter().map(|id| SessionId::parse(id)).collect::<Result<Vec<_>, _>>()?;
    let markdown = match format.as_str() {
        "md" => true,
        "json" => false,
        other => return Err(Error::InvalidInput(format!("export as md or json, not {other:?}")).into()),
    };
    state
        .run(move |engine| {
            let export =
                if ids.is_empty() { transfer::export_all(engine.db())? } else { transfer::export(engine.db(), &ids)? };
            let text = if markdown {
                transfer::markdown(&export)
            } else {
                serde_json::to_string_pretty(&export).expect("an export serializes")
            };
            std::fs::write(&path, text).map_err(|source| Error::Io { context: format!("writing {path}"), source })?;
            Ok(export.chats.len())
        })
        .await
}

/// Imports a JSON export's chats as new chats.
#[tauri::command]
pub async fn import_sessions(state: State<'_, AppState>, path: String) -> CommandResult<ImportedDto> {
    state
        .run(move |engine| {
            let bytes =
                std::fs::read(&path).map_err(|source| Error::Io { context: format!("reading {path}"), source })?;
            transfer::import(engine.db(), &bytes)
        })
        .await
        .map(Into::into)
}

/// The person's tags for a chat (kept from then on); an empty list gives it back to automatic
/// tags, computed now.
#[tauri::command]
pub async fn set_session_tags(state: State<'_, AppState>, id: String, tags: Vec<String>) -> CommandResult<SessionDto> {
    let id = SessionId::parse(&id)?;
    state
        .run(move |engine| {
            sessions::tags::set(engine.db(), id, &tags)?;
            if tags.is_empty() {
                sessions::tags::refresh(engine.db(), id)?;
            }
            sessions::get(engine.db(), id)
        })
        .await
        .map(Into::into)
}
