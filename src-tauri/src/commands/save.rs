//! Exports saved where the user picks in the native save dialog. The dialog is opened here, by
//! Rust, so the webview never names a file to write.

use std::path::{Path, PathBuf};

use ltikeys_core::Vault;
use serde::Serialize;
use tauri::{Runtime, Window};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder};
use ts_rs::TS;

use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// What a save came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveOutcome {
    /// The file was written; `path` is for display.
    Saved { path: String },
    /// The user closed the dialog: nothing was written.
    Cancelled,
}

/// A JSON export of a tool to offer in the save dialog.
#[derive(Clone, Copy)]
pub(crate) struct ToolExport {
    /// The dialog's title, e.g. "Save JWKS".
    pub title: &'static str,
    /// What the suggested file name ends with before `.json`, e.g. `jwks`.
    pub suffix: &'static str,
    /// Makes the document (without a final newline) of the tool named or with the given id.
    pub json: fn(&Vault, &str) -> ltikeys_core::Result<String>,
}

/// Makes `export` of `tool`, opens the native save dialog over `window` and writes the export
/// where the user chose. An unknown tool fails before the dialog opens.
pub(crate) async fn save_tool_json<R: Runtime>(
    window: &Window<R>,
    state: &AppState,
    tool: String,
    export: ToolExport,
) -> Result<SaveOutcome, IpcError> {
    let (name, json) = with_vault(state, move |v| {
        let name = file_name(&v.tool(&tool)?.profile.name, export.suffix);
        Ok((name, (export.json)(v, &tool)?))
    })
    .await?;
    save_json(window, export.title, name, json).await
}

/// Opens the native save dialog over `window`, titled `title` and suggesting `name`, and writes
/// `json` (with a final newline) where the user chose.
pub(crate) async fn save_json<R: Runtime>(
    window: &Window<R>,
    title: &str,
    name: String,
    json: String,
) -> Result<SaveOutcome, IpcError> {
    let dialog = window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(title)
        .add_filter("JSON", &["json"])
        .set_file_name(name);
    let Some(path) = chosen_path(dialog, Ask::Save).await? else {
        return Ok(SaveOutcome::Cancelled);
    };
    tauri::async_runtime::spawn_blocking(move || write_json(&path, &json))
        .await
        .map_err(|e| IpcError::internal(format!("the background task failed: {e}")))?
        .map_err(IpcError::from)
}

/// Which native file dialog to open.
pub(crate) enum Ask {
    /// Choose an existing file to read.
    Open,
    /// Choose where to write.
    Save,
    /// Choose an existing folder to read.
    Folder,
}

/// Opens `dialog` and waits for the file chosen; `None` when the user closed the dialog. The
/// dialog runs on the main thread without blocking it; this only awaits its answer.
pub(crate) async fn chosen_path<R: Runtime>(
    dialog: FileDialogBuilder<R>,
    ask: Ask,
) -> Result<Option<PathBuf>, IpcError> {
    let (answer, chosen) = tokio::sync::oneshot::channel();
    let send = move |path| {
        // Only a dropped receiver refuses this, and then nobody waits for the answer.
        let _ = answer.send(path);
    };
    match ask {
        Ask::Open => dialog.pick_file(send),
        Ask::Save => dialog.save_file(send),
        Ask::Folder => dialog.pick_folder(send),
    }
    let chosen = chosen
        .await
        .map_err(|_| IpcError::internal("the file dialog closed without an answer"))?;
    chosen
        .map(|chosen| {
            chosen
                .into_path()
                .map_err(|e| IpcError::internal(format!("the file dialog gave no file path: {e}")))
        })
        .transpose()
}

/// Writes `json` and a final newline to `path`, the file the user chose, atomically. An existing
/// regular file is replaced: the native dialog asked before choosing it.
fn write_json(path: &Path, json: &str) -> ltikeys_core::Result<SaveOutcome> {
    ltikeys_core::file::write_atomic(path, format!("{json}\n").as_bytes(), false, true)?;
    Ok(SaveOutcome::Saved {
        path: path.display().to_string(),
    })
}

/// The file name the dialog suggests for a tool's export: the tool's name in lower case with
/// each run of other characters than letters and digits as one `-`, then `-{what}.json`
/// (`Quiz Builder (Prod)`, `jwks`: `quiz-builder-prod-jwks.json`).
pub(crate) fn file_name(tool_name: &str, what: &str) -> String {
    format!("{}-{what}.json", slug(&tool_name.to_lowercase(), "tool"))
}

/// The file name the dialog suggests for a private key's export: the tool's name as in
/// [`file_name`], then the kid the same way but in its own case, then `.pem`.
pub(crate) fn pem_file_name(tool_name: &str, kid: &str) -> String {
    format!(
        "{}-{}.pem",
        slug(&tool_name.to_lowercase(), "tool"),
        slug(kid, "key")
    )
}

/// `text` with each run of other characters than letters and digits as one `-`, none at
/// either end; `empty` when nothing is left.
pub(crate) fn slug(text: &str, empty: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    if words.is_empty() {
        empty.to_owned()
    } else {
        words.join("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_json_with_a_final_newline_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("quiz-jwks.json");
        let outcome = write_json(&path, "{\"keys\": []}").unwrap();
        assert_eq!(
            outcome,
            SaveOutcome::Saved {
                path: path.display().to_string()
            }
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"keys\": []}\n");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left beside it"
        );
    }

    #[test]
    fn replaces_a_regular_file_the_dialog_confirmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwks.json");
        std::fs::write(&path, "old").unwrap();
        write_json(&path, "{}").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_symlink_or_into_a_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = write_json(&link, "{}").unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "keep",
            "the link's target is untouched"
        );
        let missing = dir.path().join("gone").join("jwks.json");
        let err = IpcError::from(write_json(&missing, "{}").unwrap_err());
        assert!(
            err.message.contains(&missing.display().to_string()),
            "the error names the path: {err:?}"
        );
    }

    #[test]
    fn serializes_the_outcome_for_the_ui() {
        let saved = SaveOutcome::Saved {
            path: "/home/me/quiz-jwks.json".into(),
        };
        assert_eq!(
            serde_json::to_value(saved).unwrap(),
            serde_json::json!({"outcome": "saved", "path": "/home/me/quiz-jwks.json"})
        );
        assert_eq!(
            serde_json::to_value(SaveOutcome::Cancelled).unwrap(),
            serde_json::json!({"outcome": "cancelled"})
        );
    }

    #[test]
    fn suggests_a_file_name_from_the_tool_name() {
        for (name, expected) in [
            ("Quiz Builder (Prod)", "quiz-builder-prod-jwks.json"),
            ("Évaluation", "évaluation-jwks.json"),
            ("  --a__b--  ", "a-b-jwks.json"),
            ("***", "tool-jwks.json"),
            ("", "tool-jwks.json"),
            ("../../etc/passwd", "etc-passwd-jwks.json"),
        ] {
            assert_eq!(file_name(name, "jwks"), expected, "for {name:?}");
        }
        assert_eq!(file_name("Quiz", "canvas"), "quiz-canvas.json");
    }

    #[test]
    fn suggests_a_pem_file_name_from_the_tool_name_and_the_kid() {
        for (name, kid, expected) in [
            (
                "Quiz Builder",
                "2025-03-01T12:00:00Z",
                "quiz-builder-2025-03-01T12-00-00Z.pem",
            ),
            ("Quiz", "Ab_c-D9", "quiz-Ab-c-D9.pem"),
            ("", "../../x", "tool-x.pem"),
            ("Quiz", "///", "quiz-key.pem"),
        ] {
            assert_eq!(
                pem_file_name(name, kid),
                expected,
                "for {name:?} and {kid:?}"
            );
        }
    }
}
