//! Key commands: generate with progress, list, export public parts, delete.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use ltikeys_core::{ErrorKind, GenerateKey, KeyInfo, Removal};
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

/// Generates a key for `request.tool`, reporting each stage to `on_progress`; `cancel_keygen`
/// with the same tool stops it while the primes are searched (it then fails with kind
/// `cancelled` and nothing is stored). One generation per tool at a time.
#[tauri::command]
pub async fn generate_key(
    state: State<'_, AppState>,
    request: GenerateKey,
    on_progress: Channel<KeygenProgress>,
) -> Result<KeyInfo, IpcError> {
    let started = Instant::now();
    let running = RunningKeygen::start(&state, &request.tool)?;
    let cancelled = running.cancelled.clone();
    with_vault(&state, move |v| {
        v.generate_key_unless_cancelled(&request, Utc::now(), &cancelled, &mut |stage| {
            let elapsed_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
            // A closed window stops listening; generation goes on regardless.
            let _ = on_progress.send(KeygenProgress { stage, elapsed_ms });
        })
    })
    .await
}

/// Stops the generation running for `tool` (as `generate_key` was given it); answers whether
/// one was running.
#[tauri::command]
pub fn cancel_keygen(state: State<'_, AppState>, tool: String) -> bool {
    match state.keygens().get(&tool) {
        Some(cancelled) => {
            cancelled.store(true, Ordering::SeqCst);
            true
        }
        None => false,
    }
}

/// The generations running, by the tool they were asked for.
pub type RunningKeygens = HashMap<String, Arc<AtomicBool>>;

/// A generation entered in [`RunningKeygens`]; leaves it when the command ends, however it ends.
struct RunningKeygen<'a> {
    state: &'a AppState,
    tool: String,
    cancelled: Arc<AtomicBool>,
}

impl<'a> RunningKeygen<'a> {
    fn start(state: &'a AppState, tool: &str) -> Result<Self, IpcError> {
        let mut running = state.keygens();
        if running.contains_key(tool) {
            return Err(IpcError {
                kind: ErrorKind::Invalid,
                message: "A key is being generated for this tool already: wait for it, or \
                          cancel it."
                    .into(),
                field: Some("tool".into()),
                remedies: vec![],
            });
        }
        let cancelled = Arc::new(AtomicBool::new(false));
        running.insert(tool.to_string(), cancelled.clone());
        Ok(RunningKeygen {
            state,
            tool: tool.to_string(),
            cancelled,
        })
    }
}

impl Drop for RunningKeygen<'_> {
    fn drop(&mut self) {
        self.state.keygens().remove(&self.tool);
    }
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
