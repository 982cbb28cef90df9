//! The one error the webview sees: `{ kind, message }`.

use serde::Serialize;
use ts_rs::TS;

/// An error as sent to the UI. `kind` is stable; `message` names the field and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    /// Stable code, e.g. `invalid`, `keychain_unavailable`.
    pub kind: String,
    /// Plain words with the fix.
    pub message: String,
}

impl From<ltikeys_core::Error> for IpcError {
    fn from(err: ltikeys_core::Error) -> Self {
        IpcError {
            kind: err.kind().to_string(),
            message: err.to_string(),
        }
    }
}

impl IpcError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        IpcError {
            kind: "internal".into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_and_message() {
        let err = IpcError::from(ltikeys_core::Error::ToolNotFound { tool: "x".into() });
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "tool_not_found",
                "message": "no tool named or with id 'x'. Fix: run `ltikeys tool list` to see the tools"
            })
        );
    }
}
