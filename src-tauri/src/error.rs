use serde::Serialize;
use ts_rs::TS;

/// The closed set of error codes the UI branches on. Messages are for people; codes are for code.
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

/// The one error type that crosses the IPC boundary: `{ code, message }`.
#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[ts(export_to = "IpcError.ts")]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError { code, message: message.into() }
    }
}

impl From<hearth_core::Error> for IpcError {
    fn from(err: hearth_core::Error) -> Self {
        use hearth_core::Error as E;
        let code = match &err {
            E::NotFound { .. } => ErrorCode::NotFound,
            E::InvalidInput(_) => ErrorCode::InvalidInput,
            E::Storage { .. } | E::Migration(_) | E::Io { .. } | E::Index(_) => ErrorCode::Storage,
            E::ModelUnavailable(_) => ErrorCode::ModelUnavailable,
            E::LlmUnavailable(_) => ErrorCode::LlmUnavailable,
        };
        if code == ErrorCode::Storage {
            tracing::error!(error = %err, "storage error");
        }
        IpcError::new(code, err.to_string())
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_map_to_codes_and_serialize_as_code_and_message() {
        let cases = [
            (hearth_core::Error::NotFound { what: "session", id: "x".into() }, "NOT_FOUND"),
            (hearth_core::Error::InvalidInput("bad".into()), "INVALID_INPUT"),
            (hearth_core::Error::Migration("edited".into()), "STORAGE"),
            (hearth_core::Error::ModelUnavailable("missing".into()), "MODEL_UNAVAILABLE"),
            (hearth_core::Error::LlmUnavailable("down".into()), "LLM_UNAVAILABLE"),
        ];
        for (err, code) in cases {
            let message = err.to_string();
            let json = serde_json::to_value(IpcError::from(err)).unwrap();
            assert_eq!(json, serde_json::json!({ "code": code, "message": message }));
        }
    }
}
