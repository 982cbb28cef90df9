//! The commands the webview may call, one file per area.

pub mod canvas;
pub mod checks;
pub mod keys;
pub mod platforms;
pub mod rotation;
pub mod tools;

use ltikeys_core::Vault;

use crate::error::IpcError;
use crate::state::AppState;

/// Runs `f` on a blocking thread with a fresh vault, so the window never waits on the
/// database, the keychain or key generation.
pub(crate) async fn with_vault<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Vault) -> ltikeys_core::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    let dir = state.data_dir().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut vault = Vault::open(&dir)?;
        f(&mut vault)
    })
    .await
    .map_err(|e| IpcError::internal(format!("the background task failed: {e}")))?
    .map_err(IpcError::from)
}
