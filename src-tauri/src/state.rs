use std::path::Path;
use std::sync::Arc;

use hearth_core::library::Library;
use hearth_core::{Database, embedding};

use crate::error::{CommandResult, ErrorCode, IpcError};

/// What every command shares: the library (database, model, index, ingestion worker), or why
/// the database could not be opened (the window still opens and shows that reason instead of
/// the app crashing).
pub struct AppState {
    library: Result<Arc<Library>, String>,
}

impl AppState {
    /// Opens the database in the per-user data directory; the model is looked for in the
    /// bundle's `resource_dir` (see `embedding::locate_model_dir`).
    pub fn open(resource_dir: Option<&Path>) -> Self {
        let library = hearth_core::paths::data_dir()
            .and_then(|dir| {
                let db = Arc::new(hearth_core::open(&dir)?);
                Ok(Library::new(db, &dir, &embedding::locate_model_dir(resource_dir)))
            })
            .map_err(|e| {
                tracing::error!(error = %e, "cannot open the database");
                e.to_string()
            });
        AppState { library }
    }

    /// The library, when the database opened.
    pub fn library(&self) -> Option<&Arc<Library>> {
        self.library.as_ref().ok()
    }

    /// Runs `f` on a blocking thread: SQLite never runs on the async runtime's workers.
    pub async fn run<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> hearth_core::Result<T> + Send + 'static,
    {
        self.with_library(move |library| f(library.db())).await
    }

    /// Like [`AppState::run`], with the whole library (model, index, worker).
    pub async fn with_library<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Library) -> hearth_core::Result<T> + Send + 'static,
    {
        let library = self.library.clone().map_err(|reason| IpcError::new(ErrorCode::Storage, reason))?;
        tauri::async_runtime::spawn_blocking(move || f(&library))
            .await
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
            .map_err(IpcError::from)
    }
}
