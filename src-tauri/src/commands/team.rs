//! The team: connect this data directory to an OpenBao (or Vault) server, see where it stands,
//! sync, push a tool into the team, and the policy of a tool's server.

use chrono::Utc;
use ltikeys_core::team::Credential;
use ltikeys_core::{TeamPushed, TeamStatus, TeamSynced};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// What the window asks to connect with. The token goes to the OS keychain and never back.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct TeamConnect {
    /// The server's address.
    pub address: String,
    /// The KV v2 mount.
    pub mount: String,
    /// The name this admin's writes carry; the OS user when empty.
    pub actor: Option<String>,
    /// The OpenBao token.
    pub token: String,
}

/// The policy of a tool's server, as written to the server.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ServerPolicy {
    /// The policy's name on the server.
    pub name: String,
    /// Its HCL.
    pub policy: String,
}

/// Where this data directory stands with its team; `null` when it is not connected to one.
#[tauri::command]
pub async fn team_status(state: State<'_, AppState>) -> Result<Option<TeamStatus>, IpcError> {
    with_vault(&state, |v| match v.team()? {
        None => Ok(None),
        Some(_) => v.team_status().map(Some),
    })
    .await
}

/// Connects this data directory to a team.
#[tauri::command]
pub async fn team_connect(
    state: State<'_, AppState>,
    connect: TeamConnect,
) -> Result<TeamStatus, IpcError> {
    let credential = Credential::Token(connect.token);
    with_vault(&state, move |v| {
        v.team_connect(
            &connect.address,
            &connect.mount,
            connect.actor.as_deref(),
            credential,
            Utc::now(),
        )
    })
    .await
}

/// Brings the team's changes here and sends this data directory's.
#[tauri::command]
pub async fn team_sync(state: State<'_, AppState>) -> Result<TeamSynced, IpcError> {
    with_vault(&state, |v| v.team_sync(Utc::now())).await
}

/// Moves a tool into the team (the window has asked the user first).
#[tauri::command]
pub async fn team_push(
    state: State<'_, AppState>,
    tool: String,
    exportable: bool,
) -> Result<TeamPushed, IpcError> {
    with_vault(&state, move |v| v.team_push(&tool, exportable, Utc::now())).await
}

/// Writes the policy of a tool's server to the team's server and shows it.
#[tauri::command]
pub async fn team_policy(
    state: State<'_, AppState>,
    tool: String,
) -> Result<ServerPolicy, IpcError> {
    with_vault(&state, move |v| {
        let (name, policy) = v.team_policy(&tool, true)?;
        Ok(ServerPolicy { name, policy })
    })
    .await
}
