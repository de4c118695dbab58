use std::fmt;

/// Everything the engine can fail with. The variants are deliberately few: callers (the Tauri
/// shell, the CLI) map them onto a closed set of error codes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist.
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: String },
    /// The caller's input was rejected before anything changed.
    #[error("{0}")]
    InvalidInput(String),
    /// SQLite failed; `context` says what we were doing.
    #[error("{context}: {source}")]
    Storage {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    /// The schema could not be brought up to date (including an edited, already applied migration).
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The embedding model or ONNX Runtime is missing, corrupt or failed; the message says how to fix it.
    #[error("{0}")]
    ModelUnavailable(String),
    /// The language-model server is down, unreachable, too slow, or answered something that is
    /// not an answer. The question is kept; the turn can be retried.
    #[error("{0}")]
    LlmUnavailable(String),
    /// The vector index failed; it is derived state, so rebuilding it repairs it.
    #[error("vector index: {0}")]
    Index(String),
    /// A file-system operation failed; `context` says which.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(message: impl fmt::Display) -> Self {
        Error::InvalidInput(message.to_string())
    }

    pub(crate) fn not_found(what: &'static str, id: impl fmt::Display) -> Self {
        Error::NotFound { what, id: id.to_string() }
    }
}

/// Adds "what we were doing" to a rusqlite error, in the spirit of `anyhow::Context`.
pub(crate) trait StorageContext<T> {
    fn context(self, context: impl Into<String>) -> Result<T>;
}

impl<T> StorageContext<T> for std::result::Result<T, rusqlite::Error> {
    fn context(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|source| Error::Storage { context: context.into(), source })
    }
}
