//! Watched folders: folders kept in sync with the library.

use std::path::PathBuf;

use tauri::State;

use crate::dto::{FolderScanDto, WatchedFolderDto};
use crate::error::CommandResult;
use crate::state::AppState;

/// Watches a folder: its documents are queued now, and kept in sync from then on.
#[tauri::command]
pub async fn watch_folder(state: State<'_, AppState>, path: String) -> CommandResult<FolderScanDto> {
    let path = PathBuf::from(path);
    state.run(move |engine| engine.watch_folder(&path)).await.map(|(_, scan)| FolderScanDto::from(&scan))
}

/// The watched folders, by path.
#[tauri::command]
pub async fn list_watched_folders(state: State<'_, AppState>) -> CommandResult<Vec<WatchedFolderDto>> {
    state.run(|engine| engine.watched_folders()).await.map(|list| list.into_iter().map(Into::into).collect())
}

/// Stops watching a folder; its documents stay in the library.
#[tauri::command]
pub async fn unwatch_folder(state: State<'_, AppState>, path: String) -> CommandResult<()> {
    let path = PathBuf::from(path);
    state.run(move |engine| engine.unwatch_folder(&path)).await
}
