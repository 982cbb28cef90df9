//! The tool's full profile and its Canvas developer-key JSON: edit, export, lint, import.

use chrono::Utc;
use ltikeys_core::lti::Choices;
use ltikeys_core::{CanvasImported, Finding, Tool, ToolProfile};
use tauri::{Runtime, State, Window};

use super::save::{save_tool_json, SaveOutcome, ToolExport};
use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn update_tool(
    state: State<'_, AppState>,
    tool: String,
    edit: ToolProfile,
) -> Result<Tool, IpcError> {
    with_vault(&state, move |v| v.update_tool(&tool, edit, Utc::now())).await
}

/// The valid choices for a tool's profile: placements with their message types, scopes,
/// privacy levels, display types and window targets.
#[tauri::command]
pub fn lti_choices() -> Choices {
    ltikeys_core::lti::choices()
}

#[tauri::command]
pub async fn export_canvas(state: State<'_, AppState>, tool: String) -> Result<String, IpcError> {
    with_vault(&state, move |v| {
        Ok(v.canvas_export(&tool)?.to_pretty_json())
    })
    .await
}

/// Asks in the native save dialog where to save the tool's Canvas JSON, then writes it there.
#[tauri::command]
pub async fn save_canvas<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    tool: String,
) -> Result<SaveOutcome, IpcError> {
    let export = ToolExport {
        title: "Save Canvas JSON",
        suffix: "canvas",
        json: |v, tool| Ok(v.canvas_export(tool)?.to_pretty_json()),
    };
    save_tool_json(&window, &state, tool, export).await
}

/// Lints any Canvas JSON text; runs as the user types, so it is cheap and never fails.
#[tauri::command]
pub fn lint_canvas(json: String) -> Vec<Finding> {
    ltikeys_core::canvas::lint_str(&json)
}

/// Creates a tool from a Canvas JSON text, reporting what it did not understand.
#[tauri::command]
pub async fn import_canvas(
    state: State<'_, AppState>,
    json: String,
    name: Option<String>,
) -> Result<CanvasImported, IpcError> {
    with_vault(&state, move |v| {
        let doc = ltikeys_core::canvas::parse(&json)?;
        v.import_canvas(&doc, name.as_deref(), Utc::now())
    })
    .await
}
