//! The engine's one error type and the closed set of codes it maps onto: the shell sends the
//! code across IPC (the UI branches on it), the CLI turns it into its exit status.

use std::fmt;

use serde::Serialize;
use ts_rs::TS;

/// Everything the engine can fail with. The variants are deliberately few: [`Error::code`] maps
/// them onto a closed set of codes, the same for the window and the command line.
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

/// The closed set of error codes the UI branches on and the CLI's exit statuses follow.
/// Messages are for people; codes are for code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[ts(export_to = "ErrorCode.ts")]
pub enum ErrorCode {
    /// The session (or other thing) asked for does not exist.
    NotFound,
    /// The request was rejected before anything changed.
    InvalidInput,
    /// The database failed or could not be opened.
    Storage,
    /// The embedding model is missing or broken (chat without documents still works).
    ModelUnavailable,
    /// The language-model server is down, too slow or answered garbage; the question is kept.
    LlmUnavailable,
    /// A bug: a background task panicked or was cancelled.
    Internal,
}

impl ErrorCode {
    /// The CLI's exit status for this code: scripts can tell "you asked wrong" (2) from "it is
    /// not there" (3) from "the model is missing" (4) from "the language model is down" (5) from
    /// "broken" (1).
    pub fn exit_status(self) -> u8 {
        match self {
            ErrorCode::InvalidInput => 2,
            ErrorCode::NotFound => 3,
            ErrorCode::ModelUnavailable => 4,
            ErrorCode::LlmUnavailable => 5,
            ErrorCode::Storage | ErrorCode::Internal => 1,
        }
    }
}

impl Error {
    /// The code this error is reported under.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::Storage { .. } | Error::Migration(_) | Error::Io { .. } | Error::Index(_) => ErrorCode::Storage,
            Error::ModelUnavailable(_) => ErrorCode::ModelUnavailable,
            Error::LlmUnavailable(_) => ErrorCode::LlmUnavailable,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_and_every_code_an_exit_status() {
        let cases = [
            (Error::not_found("session", "x"), ErrorCode::NotFound, 3),
            (Error::invalid("bad"), ErrorCode::InvalidInput, 2),
            (Error::Migration("edited".into()), ErrorCode::Storage, 1),
            (Error::Index("corrupt".into()), ErrorCode::Storage, 1),
            (Error::ModelUnavailable("missing".into()), ErrorCode::ModelUnavailable, 4),
            (Error::LlmUnavailable("down".into()), ErrorCode::LlmUnavailable, 5),
        ];
        for (error, code, status) in cases {
            assert_eq!((error.code(), error.code().exit_status()), (code, status), "{error}");
        }
    }
}
