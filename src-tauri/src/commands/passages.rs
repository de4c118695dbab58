use hearth_core::retrieval::passages;
use hearth_core::{ChunkId, DocumentId};
use tauri::State;

use crate::dto::{PageImageDto, PassageDto};
use crate::error::CommandResult;
use crate::state::AppState;

/// A chunk opened from a citation or a search result, with the words of `query` (the question
/// or the search) marked as keyword search matched them.
#[tauri::command]
pub async fn get_passage(state: State<'_, AppState>, chunk_id: i64, query: String) -> CommandResult<PassageDto> {
    state.run(move |engine| passages::passage(engine.db(), ChunkId(chunk_id), &query)).await.map(Into::into)
}

/// The passage an answer cites: by its chunk id, or, after the document was re-indexed, found
/// again in the same document by the words the citation quoted.
#[tauri::command]
pub async fn get_cited_passage(
    state: State<'_, AppState>,
    chunk_id: i64,
    document_id: String,
    snippet: String,
    query: String,
) -> CommandResult<PassageDto> {
    let document = DocumentId::parse(&document_id)?;
    state
        .run(move |engine| passages::cited(engine.db(), ChunkId(chunk_id), document, &snippet, &query))
        .await
        .map(Into::into)
}

/// The ordinal of the first chunk on `page` of a document (or the next page with text), for
/// jumping to it; `null` past the last page or for a document without pages.
#[tauri::command]
pub async fn first_chunk_on_page(
    state: State<'_, AppState>,
    document_id: String,
    page: i64,
) -> CommandResult<Option<i64>> {
    let document = DocumentId::parse(&document_id)?;
    state.run(move |engine| passages::first_on_page(engine.db(), document, page)).await
}

/// Page `page` (1-based) of a PDF document drawn `width` pixels wide (the view's width times the
/// screen's pixel ratio), for showing a cited passage on the real page.
#[tauri::command]
pub async fn render_page(
    state: State<'_, AppState>,
    document_id: String,
    page: u32,
    width: u32,
) -> CommandResult<PageImageDto> {
    let document = DocumentId::parse(&document_id)?;
    state.run(move |engine| engine.render_page(document, page, width).map(|p| PageImageDto::from(&*p))).await
}
