use std::path::Path;
use std::sync::Arc;

use hearth_core::Engine;
use hearth_core::models::embedding;

use crate::error::{CommandResult, ErrorCode, IpcError};

/// What every command shares: the engine (database, models, index, ingestion worker), or why
/// the database could not be opened (the window still opens and shows that reason instead of
/// the app crashing).
pub struct AppState {
    engine: Result<Arc<Engine>, String>,
}

impl AppState {
    /// Opens the engine on the per-user data directory; the model is looked for in the bundle's
    /// `resource_dir` (see `embedding::locate_model_dir`).
    pub fn open(resource_dir: Option<&Path>) -> Self {
        let engine = hearth_core::store::paths::data_dir()
            .and_then(|dir| Engine::open(&dir, &embedding::locate_model_dir(resource_dir)))
            .map_err(|e| {
                tracing::error!(error = %e, "cannot open the database");
                e.to_string()
            });
        AppState { engine }
    }

    /// The engine, when the database opened.
    pub fn engine(&self) -> Option<&Arc<Engine>> {
        self.engine.as_ref().ok()
    }

    /// Runs `f` with the engine on a blocking thread: SQLite and the models never run on the
    /// async runtime's workers.
    pub async fn run<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Engine) -> hearth_core::Result<T> + Send + 'static,
    {
        let engine = self.engine.clone().map_err(|reason| IpcError::new(ErrorCode::Storage, reason))?;
        tauri::async_runtime::spawn_blocking(move || f(&engine))
            .await
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
            .map_err(IpcError::from)
    }
}
