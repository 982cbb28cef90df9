//! The one error the webview sees: `{ kind, message, field, remedies }`.

use ltikeys_core::{ErrorKind, Remedy};
use serde::Serialize;
use ts_rs::TS;

/// An error as sent to the UI. The UI branches on `kind` and `field`, never on `message`,
/// which is for people: plain words with the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    /// What kind of failure it is.
    pub kind: ErrorKind,
    /// Plain words with the fix.
    pub message: String,
    /// The input field it is about, as a path (`launch_url`, `placements[1].message_type`).
    pub field: Option<String>,
    /// What the user can do next; the UI offers each it can as a button.
    pub remedies: Vec<Remedy>,
}

impl From<ltikeys_core::Error> for IpcError {
    fn from(err: ltikeys_core::Error) -> Self {
        IpcError {
            kind: err.kind(),
            message: err.to_string(),
            field: err.field().map(str::to_string),
            remedies: err.remedies(),
        }
    }
}

impl IpcError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        IpcError {
            kind: ErrorKind::Internal,
            message: message.into(),
            field: None,
            remedies: vec![],
        }
    }

    /// A mistake in the input field `field`, in the window's words.
    pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        IpcError {
            kind: ErrorKind::Invalid,
            message: message.into(),
            field: Some(field.into()),
            remedies: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_message_field_and_remedies() {
        let err = IpcError::from(ltikeys_core::Error::ToolNotFound { tool: "x".into() });
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "tool_not_found",
                "message": "no tool named or with id 'x'",
                "field": null,
                "remedies": [{"kind": "list_tools"}],
            })
        );
    }

    #[test]
    fn an_invalid_field_is_named_by_its_path() {
        let bad = ltikeys_core::ToolProfile {
            name: "Quiz".into(),
            launch_url: Some("ftp://quiz.example.edu/launch".into()),
            ..Default::default()
        };
        let err = IpcError::from(bad.validated().unwrap_err());
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert_eq!(err.field.as_deref(), Some("launch_url"));
        assert!(err.message.starts_with("launch URL: "), "{}", err.message);
    }

    #[test]
    fn the_kind_is_a_union_of_codes_in_the_bindings() {
        let decl = ErrorKind::decl(&ts_rs::Config::default());
        for code in [
            "\"invalid\"",
            "\"tool_not_found\"",
            "\"retire_too_early\"",
            "\"internal\"",
        ] {
            assert!(decl.contains(code), "{decl}");
        }
        let ipc = IpcError::decl(&ts_rs::Config::default());
        assert!(ipc.contains("kind: ErrorKind"), "{ipc}");
    }
}
