//! JWKS checks: fetch a URL and explain every problem; the kept results.

use chrono::Utc;
use ltikeys_core::{HttpClient, JwksCheck, JwksRole};
use tauri::State;

use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// Fetches and checks a JWKS URL; with `expect_tool`, also against that tool's published keys.
#[tauri::command]
pub async fn check_jwks(
    state: State<'_, AppState>,
    url: String,
    role: Option<JwksRole>,
    expect_tool: Option<String>,
) -> Result<JwksCheck, IpcError> {
    with_vault(&state, move |v| {
        v.check_jwks(
            &HttpClient::default(),
            &url,
            role,
            expect_tool.as_deref(),
            Utc::now(),
        )
    })
    .await
}

/// The last check of each URL, newest first.
#[tauri::command]
pub async fn last_checks(state: State<'_, AppState>) -> Result<Vec<JwksCheck>, IpcError> {
    with_vault(&state, |v| v.last_checks()).await
}
