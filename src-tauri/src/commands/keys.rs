//! Key commands: generate with progress, list, export public parts, delete.

use std::time::Instant;

use chrono::Utc;
use ltikeys_core::{GenerateKey, KeyInfo, Removal};
use tauri::ipc::Channel;
use tauri::{Runtime, State, Window};

use super::save::{save_tool_json, SaveOutcome, ToolExport};
use super::with_vault;
use crate::bindings::KeygenProgress;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_keys(state: State<'_, AppState>, tool: String) -> Result<Vec<KeyInfo>, IpcError> {
    with_vault(&state, move |v| v.keys(&tool)).await
}

#[tauri::command]
pub async fn generate_key(
    state: State<'_, AppState>,
    request: GenerateKey,
    on_progress: Channel<KeygenProgress>,
) -> Result<KeyInfo, IpcError> {
    let started = Instant::now();
    with_vault(&state, move |v| {
        v.generate_key(&request, Utc::now(), &mut |stage| {
            let elapsed_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
            // A closed window stops listening; generation goes on regardless.
            let _ = on_progress.send(KeygenProgress { stage, elapsed_ms });
        })
    })
    .await
}

#[tauri::command]
pub async fn export_jwk(
    state: State<'_, AppState>,
    tool: String,
    kid: String,
) -> Result<String, IpcError> {
    with_vault(&state, move |v| Ok(v.jwk(&tool, &kid)?.to_pretty_json())).await
}

#[tauri::command]
pub async fn export_jwks(state: State<'_, AppState>, tool: String) -> Result<String, IpcError> {
    with_vault(&state, move |v| Ok(v.jwks(&tool)?.to_pretty_json())).await
}

/// Asks in the native save dialog where to save the published JWKS, then writes it there.
#[tauri::command]
pub async fn save_jwks<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    tool: String,
) -> Result<SaveOutcome, IpcError> {
    let export = ToolExport {
        title: "Save JWKS",
        suffix: "jwks",
        json: |v, tool| Ok(v.jwks(tool)?.to_pretty_json()),
    };
    save_tool_json(&window, &state, tool, export).await
}

#[tauri::command]
pub async fn delete_key(
    state: State<'_, AppState>,
    tool: String,
    kid: String,
) -> Result<Removal, IpcError> {
    with_vault(&state, move |v| v.delete_key(&tool, &kid, Utc::now())).await
}
