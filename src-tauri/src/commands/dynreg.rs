//! Dynamic Registration from the window: a one-time loopback page for the LMS, its progress
//! sent over a channel, Confirm and Cancel from the window.

use std::sync::Arc;

use ltikeys_core::dynreg::serve::{Control, Listener, Progress, DEFAULT_TTL};
use ltikeys_core::{DynregRegistered, ErrorKind, HttpClient};
use tauri::ipc::Channel;
use tauri::State;

use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// Runs a registration of `tool` until the LMS has registered it, or it is cancelled or
/// expires; each step goes to `on_progress` (first the URL to give the LMS). One at a time.
#[tauri::command]
pub async fn start_dynreg(
    state: State<'_, AppState>,
    tool: String,
    on_progress: Channel<Progress>,
) -> Result<DynregRegistered, IpcError> {
    let control = Arc::new(Control::default());
    {
        let mut running = state.dynreg();
        if running.is_some() {
            return Err(IpcError {
                kind: ErrorKind::Invalid,
                message: "A registration is running already: finish or cancel it first.".into(),
                field: None,
                remedies: vec![],
            });
        }
        *running = Some(control.clone());
    }
    let session = control.clone();
    let result = with_vault(&state, move |v| {
        // Refused before listening when the tool cannot be registered this way.
        v.dynreg_export(&tool)?;
        let listener = Listener::bind(DEFAULT_TTL, chrono::Utc::now())?;
        v.dynamic_registration(
            &tool,
            listener,
            &HttpClient::default(),
            &session,
            &mut |p| {
                let _ = on_progress.send(p.clone());
            },
        )
    })
    .await;
    *state.dynreg() = None;
    result
}

/// Confirms the registration the LMS opened (as the page's Confirm does).
#[tauri::command]
pub fn confirm_dynreg(state: State<'_, AppState>) -> bool {
    state.dynreg().as_ref().map(|c| c.confirm()).is_some()
}

/// Cancels the running registration; its page answers 404 from then on.
#[tauri::command]
pub fn cancel_dynreg(state: State<'_, AppState>) -> bool {
    state.dynreg().as_ref().map(|c| c.cancel()).is_some()
}
