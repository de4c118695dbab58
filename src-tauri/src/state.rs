use std::sync::Arc;

use hearth_core::Database;

use crate::error::{CommandResult, ErrorCode, IpcError};

/// What every command shares: the database, or why it could not be opened (the window still
/// opens and shows that reason instead of the app crashing).
pub struct AppState {
    db: Result<Arc<Database>, String>,
}

impl AppState {
    pub fn open() -> Self {
        let db = hearth_core::paths::data_dir().and_then(|dir| hearth_core::open(&dir)).map(Arc::new).map_err(|e| {
            tracing::error!(error = %e, "cannot open the database");
            e.to_string()
        });
        AppState { db }
    }

    /// Runs `f` on a blocking thread: SQLite never runs on the async runtime's workers.
    pub async fn run<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> hearth_core::Result<T> + Send + 'static,
    {
        let db = self.db.clone().map_err(|reason| IpcError::new(ErrorCode::Storage, reason))?;
        tauri::async_runtime::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
            .map_err(IpcError::from)
    }
}
