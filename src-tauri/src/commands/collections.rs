//! Collections: named sets of library documents that a chat can be limited to.

use hearth_core::collections;
use hearth_core::{CollectionId, DocumentId};
use tauri::State;

use crate::dto::CollectionDto;
use crate::error::CommandResult;
use crate::state::AppState;

fn parse_documents(ids: &[String]) -> CommandResult<Vec<DocumentId>> {
    Ok(ids.iter().map(|id| DocumentId::parse(id)).collect::<Result<_, _>>()?)
}

/// Every collection, by name.
#[tauri::command]
pub async fn list_collections(state: State<'_, AppState>) -> CommandResult<Vec<CollectionDto>> {
    state.run(|engine| collections::list(engine.db())).await.map(|list| list.into_iter().map(Into::into).collect())
}

#[tauri::command]
pub async fn create_collection(
    state: State<'_, AppState>,
    name: String,
    document_ids: Vec<String>,
) -> CommandResult<CollectionDto> {
    let documents = parse_documents(&document_ids)?;
    state.run(move |engine| collections::create(engine.db(), &name, &documents)).await.map(Into::into)
}

#[tauri::command]
pub async fn rename_collection(state: State<'_, AppState>, id: String, name: String) -> CommandResult<CollectionDto> {
    let id = CollectionId::parse(&id)?;
    state.run(move |engine| collections::rename(engine.db(), id, &name)).await.map(Into::into)
}

#[tauri::command]
pub async fn add_to_collection(
    state: State<'_, AppState>,
    id: String,
    document_ids: Vec<String>,
) -> CommandResult<CollectionDto> {
    let id = CollectionId::parse(&id)?;
    let documents = parse_documents(&document_ids)?;
    state.run(move |engine| collections::add(engine.db(), id, &documents)).await.map(Into::into)
}

#[tauri::command]
pub async fn remove_from_collection(
    state: State<'_, AppState>,
    id: String,
    document_ids: Vec<String>,
) -> CommandResult<CollectionDto> {
    let id = CollectionId::parse(&id)?;
    let documents = parse_documents(&document_ids)?;
    state.run(move |engine| collections::remove(engine.db(), id, &documents)).await.map(Into::into)
}

/// Deletes a collection (its documents stay); chats limited to it then search the whole library.
#[tauri::command]
pub async fn delete_collection(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let id = CollectionId::parse(&id)?;
    state.run(move |engine| collections::delete(engine.db(), id)).await
}
