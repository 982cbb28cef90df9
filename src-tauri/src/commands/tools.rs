//! Tool commands and the app's status.

use chrono::Utc;
use ltikeys_core::{AppStatus, NewTool, Tool, ToolSummary};
use tauri::State;

use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, IpcError> {
    let data_dir = state.data_dir().display().to_string();
    let keychain = with_vault(&state, |v| Ok(v.check_keychain())).await?;
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir,
        keychain_available: keychain.is_ok(),
        keychain_message: keychain.err().map(|e| e.to_string()),
    })
}

#[tauri::command]
pub async fn list_tools(state: State<'_, AppState>) -> Result<Vec<ToolSummary>, IpcError> {
    with_vault(&state, |v| v.tools()).await
}

#[tauri::command]
pub async fn add_tool(state: State<'_, AppState>, input: NewTool) -> Result<Tool, IpcError> {
    with_vault(&state, move |v| v.add_tool(input, Utc::now())).await
}

#[tauri::command]
pub async fn get_tool(state: State<'_, AppState>, tool: String) -> Result<Tool, IpcError> {
    with_vault(&state, move |v| v.tool(&tool)).await
}
