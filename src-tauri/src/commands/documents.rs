use std::path::PathBuf;

use hearth_core::ingest::documents;
use hearth_core::retrieval::SearchRequest;
use hearth_core::sessions::documents as session_documents;
use hearth_core::store::Page;
use hearth_core::{DocumentId, SessionId};
use tauri::State;

use crate::dto::{
    AddedDocumentDto, DocumentDetailDto, DocumentDto, DocumentPageDto, SearchHitDto, SearchRequest as SearchRequestDto,
    SessionDto,
};
use crate::error::{CommandResult, IpcError};
use crate::state::AppState;

/// Queues files for ingestion (as dropped on the window); each path gets its own outcome.
#[tauri::command]
pub async fn add_documents(state: State<'_, AppState>, paths: Vec<String>) -> CommandResult<Vec<AddedDocumentDto>> {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    state
        .run(move |engine| {
            Ok(engine
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
    let page = Page::new(limit, offset)?;
    state.run(move |engine| documents::list(engine.db(), page)).await.map(Into::into)
}

/// A document with one page of its chunks, in order.
#[tauri::command]
pub async fn get_document(
    state: State<'_, AppState>,
    id: String,
    limit: i64,
    offset: i64,
) -> CommandResult<DocumentDetailDto> {
    let id = DocumentId::parse(&id)?;
    let page = Page::new(limit, offset)?;
    state
        .run(move |engine| {
            let document = documents::get(engine.db(), id)?;
            let chunks = documents::chunks(engine.db(), id, page)?;
            Ok(DocumentDetailDto { document: document.into(), chunks: chunks.into_iter().map(Into::into).collect() })
        })
        .await
}

#[tauri::command]
pub async fn delete_document(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let id = DocumentId::parse(&id)?;
    state.run(move |engine| engine.delete_document(id)).await
}

#[tauri::command]
pub async fn cancel_document(state: State<'_, AppState>, id: String) -> CommandResult<DocumentDto> {
    let id = DocumentId::parse(&id)?;
    state.run(move |engine| engine.cancel_document(id)).await.map(Into::into)
}

/// Retries a failed or cancelled document, or re-indexes a ready one.
#[tauri::command]
pub async fn retry_document(state: State<'_, AppState>, id: String) -> CommandResult<DocumentDto> {
    let id = DocumentId::parse(&id)?;
    state.run(move |engine| engine.retry_document(id)).await.map(Into::into)
}

/// Rebuilds the vector index from the stored vectors and the keyword index from the passages;
/// returns how many vectors the vector index holds.
#[tauri::command]
pub async fn rebuild_index(state: State<'_, AppState>) -> CommandResult<u32> {
    state.run(|engine| engine.rebuild_index()).await.map(|n| n.try_into().unwrap_or(u32::MAX))
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, request: SearchRequestDto) -> CommandResult<Vec<SearchHitDto>> {
    let request = SearchRequest::try_from(request)?;
    state
        .run(move |engine| {
            let hits = engine.search_marked(&request)?;
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
    let session = SessionId::parse(&session_id)?;
    let documents = document_ids.iter().map(|id| DocumentId::parse(id)).collect::<Result<Vec<_>, _>>()?;
    state.run(move |engine| session_documents::attach(engine.db(), session, &documents)).await.map(Into::into)
}

#[tauri::command]
pub async fn detach_document(
    state: State<'_, AppState>,
    session_id: String,
    document_id: String,
) -> CommandResult<SessionDto> {
    let session = SessionId::parse(&session_id)?;
    let document = DocumentId::parse(&document_id)?;
    state.run(move |engine| session_documents::detach(engine.db(), session, document)).await.map(Into::into)
}
