use std::path::PathBuf;

use hearth_core::documents;
use hearth_core::limits::{self, Page};
use hearth_core::session_documents;
use tauri::State;

use crate::dto::{
    AddedDocumentDto, DocumentDetailDto, DocumentDto, DocumentPageDto, SearchHitDto, SearchRequest, SessionDto,
};
use crate::error::{CommandResult, IpcError};
use crate::state::AppState;

/// Results a search returns when the request does not say.
const DEFAULT_K: usize = 10;

/// Queues files for ingestion (as dropped on the window); each path gets its own outcome.
#[tauri::command]
pub async fn add_documents(state: State<'_, AppState>, paths: Vec<String>) -> CommandResult<Vec<AddedDocumentDto>> {
    state
        .with_library(move |library| {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            Ok(library
                .add_paths(&paths)
                .into_iter()
                .map(|(path, result)| {
                    let path = path.display().to_string();
                    match result {
                        Ok(added) => AddedDocumentDto {
                            path,
                            document: Some(added.document.into()),
                            existing: added.existing,
                            error: None,
                        },
                        Err(e) => {
                            AddedDocumentDto { path, document: None, existing: false, error: Some(IpcError::from(e)) }
                        }
                    }
                })
                .collect())
        })
        .await
}

#[tauri::command]
pub async fn list_documents(state: State<'_, AppState>, limit: i64, offset: i64) -> CommandResult<DocumentPageDto> {
    state.run(move |db| documents::list(db, Page::new(limit, offset)?)).await.map(Into::into)
}

/// A document with one page of its chunks, in order.
#[tauri::command]
pub async fn get_document(
    state: State<'_, AppState>,
    id: String,
    limit: i64,
    offset: i64,
) -> CommandResult<DocumentDetailDto> {
    state
        .run(move |db| {
            let document = documents::get(db, &id)?;
            let chunks = documents::chunks(db, &id, Page::new(limit, offset)?)?;
            Ok(DocumentDetailDto { document: document.into(), chunks: chunks.into_iter().map(Into::into).collect() })
        })
        .await
}

#[tauri::command]
pub async fn delete_document(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.with_library(move |library| library.delete(&id)).await
}

#[tauri::command]
pub async fn cancel_document(state: State<'_, AppState>, id: String) -> CommandResult<DocumentDto> {
    state.run(move |db| documents::cancel(db, &id)).await.map(Into::into)
}

/// Retries a failed or cancelled document, or re-indexes a ready one.
#[tauri::command]
pub async fn retry_document(state: State<'_, AppState>, id: String) -> CommandResult<DocumentDto> {
    state.with_library(move |library| library.retry(&id)).await.map(Into::into)
}

/// Rebuilds the vector index from the stored vectors; returns how many it holds.
#[tauri::command]
pub async fn rebuild_index(state: State<'_, AppState>) -> CommandResult<u32> {
    state.with_library(|library| library.rebuild_index()).await.map(|n| n.try_into().unwrap_or(u32::MAX))
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, request: SearchRequest) -> CommandResult<Vec<SearchHitDto>> {
    state
        .with_library(move |library| {
            let filter = request
                .document_ids
                .map(|ids| ids.iter().map(|id| limits::parse_uuid("document", id)).collect::<Result<Vec<_>, _>>())
                .transpose()?;
            let k = request.k.map_or(DEFAULT_K, |k| k as usize);
            let mode = request.mode.unwrap_or_default().into();
            let hits = library.search_marked(&request.query, k, filter.as_deref(), mode)?;
            Ok(hits.into_iter().map(|(hit, runs)| SearchHitDto::new(hit, runs)).collect())
        })
        .await
}

#[tauri::command]
pub async fn attach_documents(
    state: State<'_, AppState>,
    session_id: String,
    document_ids: Vec<String>,
) -> CommandResult<SessionDto> {
    state.run(move |db| session_documents::attach(db, &session_id, &document_ids)).await.map(Into::into)
}

#[tauri::command]
pub async fn detach_document(
    state: State<'_, AppState>,
    session_id: String,
    document_id: String,
) -> CommandResult<SessionDto> {
    state.run(move |db| session_documents::detach(db, &session_id, &document_id)).await.map(Into::into)
}
