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
    /// SQLite failed; `context` says what we were doing. A full disk says so first.
    #[error("{}{context}: {source}", full_disk_prefix(.source))]
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
    /// A file-system operation failed; `context` says which. A full disk says so first.
    #[error("{}{context}: {source}", full_disk_prefix_io(.source))]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The library's database file is damaged (a failed integrity check, or not a database): it
    /// was not used. See `store::integrity` for the way out.
    #[error(
        "the library's database {} is damaged ({detail}), so Hearth did not use it; restore a backup or start an empty library with the damaged file kept aside (`hearth recover`)",
        .path.display()
    )]
    Damaged { path: std::path::PathBuf, detail: String },
}

const DISK_FULL: &str = "The disk is full: free some space, then try again (nothing saved before was lost). ";

fn full_disk_prefix(e: &rusqlite::Error) -> &'static str {
    if sqlite_full(e) { DISK_FULL } else { "" }
}

fn full_disk_prefix_io(e: &std::io::Error) -> &'static str {
    if io_full(e) { DISK_FULL } else { "" }
}

fn sqlite_full(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

fn io_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) // ENOSPC
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
    /// The disk (or the data directory's file system) is full; nothing saved was lost.
    DiskFull,
    /// The library's database file is damaged and was not used (restore a backup or start fresh).
    Damaged,
}

impl ErrorCode {
    /// The CLI's exit status for this code: scripts can tell "you asked wrong" (2) from "it is
    /// not there" (3) from "the model is missing" (4) from "the language model is down" (5) from
    /// "the disk is full" (6) from "the database file is damaged" (7) from "broken" (1).
    pub fn exit_status(self) -> u8 {
        match self {
            ErrorCode::InvalidInput => 2,
            ErrorCode::NotFound => 3,
            ErrorCode::ModelUnavailable => 4,
            ErrorCode::LlmUnavailable => 5,
            ErrorCode::DiskFull => 6,
            ErrorCode::Damaged => 7,
            ErrorCode::Storage | ErrorCode::Internal => 1,
        }
    }
}

impl Error {
    /// The code this error is reported under.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Storage { source, .. } if sqlite_full(source) => ErrorCode::DiskFull,
            Error::Io { source, .. } if io_full(source) => ErrorCode::DiskFull,
            Error::Damaged { .. } => ErrorCode::Damaged,
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
            (
                Error::Io { context: "writing".into(), source: std::io::Error::from_raw_os_error(28) },
                ErrorCode::DiskFull,
                6,
            ),
            (
                Error::Storage {
                    context: "saving".into(),
                    source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None),
                },
                ErrorCode::DiskFull,
                6,
            ),
            (Error::Damaged { path: "hearth.db".into(), detail: "not a database".into() }, ErrorCode::Damaged, 7),
        ];
        for (error, code, status) in cases {
            assert_eq!((error.code(), error.code().exit_status()), (code, status), "{error}");
        }
    }
}
