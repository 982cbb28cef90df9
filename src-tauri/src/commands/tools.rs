//! Tool commands and the app's status.

use chrono::Utc;
use ltikeys_core::{AppStatus, Tool, ToolProfile, ToolRemoval, ToolSummary};
use tauri::{AppHandle, Manager, Runtime, State, Window};

use super::save::{save_tool_json, SaveOutcome, ToolExport};
use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, IpcError> {
    with_vault(&state, |v| v.status(env!("CARGO_PKG_VERSION"), Utc::now())).await
}

/// A number that changes whenever the database does, whoever wrote (this window, the command
/// line, another window): the window asks it when it regains the focus, and reloads its
/// screens only when it moved; it also asks after each of its own changes. When the platforms
/// page was shown before and is out of date, its index is read again now, in the background, so
/// that the next visit finds it read (a read that fails is made again, and its error shown, by
/// the page).
#[tauri::command]
pub async fn data_stamp<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<i64, IpcError> {
    let stamp = state.data_stamp()?;
    if state.platform_index_stale(stamp) {
        tauri::async_runtime::spawn(async move {
            let state = app.state::<AppState>();
            let _ = super::platforms::index_at(&state, stamp).await;
        });
    }
    Ok(stamp)
}

/// Removes the orphan private keys the status listed (the UI confirms first); answers the
/// status after.
#[tauri::command]
pub async fn remove_orphans(state: State<'_, AppState>) -> Result<AppStatus, IpcError> {
    with_vault(&state, |v| {
        let now = Utc::now();
        for orphan in v.orphans()?.unwrap_or_default() {
            if let Some(reason) = v.remove_orphan(&orphan, now)?.reason {
                return Err(ltikeys_core::Error::Keychain { reason });
            }
        }
        v.status(env!("CARGO_PKG_VERSION"), now)
    })
    .await
}

#[tauri::command]
pub async fn list_tools(state: State<'_, AppState>) -> Result<Vec<ToolSummary>, IpcError> {
    with_vault(&state, |v| v.tools()).await
}

#[tauri::command]
pub async fn add_tool(state: State<'_, AppState>, input: ToolProfile) -> Result<Tool, IpcError> {
    with_vault(&state, move |v| v.add_tool(input, Utc::now())).await
}

#[tauri::command]
pub async fn get_tool(state: State<'_, AppState>, tool: String) -> Result<Tool, IpcError> {
    with_vault(&state, move |v| v.tool(&tool)).await
}

/// Removes a tool with its keys and their private keys (the UI confirms first); with
/// `remove_registrations`, its registrations too, else a tool that has any is refused.
#[tauri::command]
pub async fn remove_tool(
    state: State<'_, AppState>,
    tool: String,
    remove_registrations: bool,
) -> Result<ToolRemoval, IpcError> {
    with_vault(&state, move |v| {
        v.remove_tool(&tool, remove_registrations, Utc::now())
    })
    .await
}

/// The tool's Dynamic Registration tool configuration, as pretty JSON.
#[tauri::command]
pub async fn export_dynreg(state: State<'_, AppState>, tool: String) -> Result<String, IpcError> {
    with_vault(&state, move |v| Ok(pretty(&v.dynreg_export(&tool)?))).await
}

/// Asks in the native save dialog where to save the Dynamic Registration tool configuration,
/// then writes it there.
#[tauri::command]
pub async fn save_dynreg<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    tool: String,
) -> Result<SaveOutcome, IpcError> {
    let export = ToolExport {
        title: "Save the Dynamic Registration configuration",
        suffix: "lti-tool-configuration",
        json: |v, tool| Ok(pretty(&v.dynreg_export(tool)?)),
    };
    save_tool_json(&window, &state, tool, export).await
}

/// Pretty JSON of a value that holds only JSON.
pub(crate) fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
