//! Rotation commands: what rotate would do, rotate, retire, revoke, and the policy.

use chrono::Utc;
use ltikeys_core::{KeyInfo, Policy, Revocation, RotationOutcome, RotationState};
use tauri::State;

use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn rotation_state(
    state: State<'_, AppState>,
    tool: String,
) -> Result<RotationState, IpcError> {
    with_vault(&state, move |v| v.rotation_state(&tool, Utc::now())).await
}

#[tauri::command]
pub async fn rotate_keys(
    state: State<'_, AppState>,
    tool: String,
) -> Result<RotationOutcome, IpcError> {
    with_vault(&state, move |v| v.rotate(&tool, Utc::now())).await
}

#[tauri::command]
pub async fn retire_key(
    state: State<'_, AppState>,
    tool: String,
    kid: String,
    force: bool,
) -> Result<KeyInfo, IpcError> {
    with_vault(&state, move |v| v.retire(&tool, &kid, Utc::now(), force)).await
}

/// The UI asks for confirmation before it calls this.
#[tauri::command]
pub async fn revoke_key(
    state: State<'_, AppState>,
    tool: String,
    kid: String,
) -> Result<Revocation, IpcError> {
    with_vault(&state, move |v| v.revoke(&tool, &kid, Utc::now())).await
}

#[tauri::command]
pub async fn set_policy(
    state: State<'_, AppState>,
    tool: String,
    policy: Policy,
) -> Result<Policy, IpcError> {
    with_vault(&state, move |v| v.set_policy(&tool, policy, Utc::now())).await
}
