use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use hearth_core::Engine;
use hearth_core::models::embedding;

use crate::error::{CommandResult, ErrorCode, IpcError};

/// What every command shares: the engine (database, models, index, ingestion worker), or why
/// the database could not be opened (the window still opens and shows that reason, and for a
/// damaged database the way out, instead of the app crashing).
pub struct AppState {
    engine: RwLock<Result<Arc<Engine>, IpcError>>,
    model_dir: PathBuf,
}

impl AppState {
    /// Opens the engine on the per-user data directory; the model is looked for in the bundle's
    /// `resource_dir` (see `embedding::locate_model_dir`).
    pub fn open(resource_dir: Option<&Path>) -> Self {
        let model_dir = embedding::locate_model_dir(resource_dir);
        let engine = open_engine(&model_dir);
        AppState { engine: RwLock::new(engine), model_dir }
    }

    /// The engine, when the database opened.
    pub fn engine(&self) -> Option<Arc<Engine>> {
        self.engine.read().unwrap_or_else(|e| e.into_inner()).as_ref().ok().cloned()
    }

    /// Why the database did not open, if it did not.
    pub fn problem(&self) -> Option<IpcError> {
        self.engine.read().unwrap_or_else(|e| e.into_inner()).as_ref().err().cloned()
    }

    /// Opens the engine again (after the damaged database was replaced or set aside); the
    /// caller starts its background work.
    pub fn reopen(&self) -> Result<Arc<Engine>, IpcError> {
        let engine = open_engine(&self.model_dir);
        *self.engine.write().unwrap_or_else(|e| e.into_inner()) = engine.clone();
        engine
    }

    /// Runs `f` with the engine on a blocking thread: SQLite and the models never run on the
    /// async runtime's workers.
    pub async fn run<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Engine) -> hearth_core::Result<T> + Send + 'static,
    {
        let engine = self.engine.read().unwrap_or_else(|e| e.into_inner()).clone()?;
        blocking(move || f(&engine)).await
    }
}

/// Runs `f` on a blocking thread, its error as the IPC error (SQLite, files and the models never
/// run on the async runtime's workers).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> hearth_core::Result<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
        .map_err(IpcError::from)
}

fn open_engine(model_dir: &Path) -> Result<Arc<Engine>, IpcError> {
    hearth_core::store::paths::data_dir().and_then(|dir| Engine::open(&dir, model_dir)).map_err(|e| {
        tracing::error!(error = %e, "cannot open the database");
        IpcError::from(e)
    })
}
