pub use hearth_core::ErrorCode;
use serde::Serialize;
use ts_rs::TS;

/// The one error type that crosses the IPC boundary: `{ code, message }`. The code is the
/// engine's own ([`hearth_core::Error::code`]), so the window and the CLI classify alike.
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
        let code = err.code();
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
