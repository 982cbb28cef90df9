//! The tool's tokens: the client assertion, the token-endpoint test, the JWT inspector (a paste
//! or a file picked in the native dialog), and a kid looked up in a key set.

use chrono::Utc;
use ltikeys_core::token::{ClientAssertion, Inspection, KidSearch, TokenTest, MAX_JWT_BYTES};
use ltikeys_core::vault::KeySetSource;
use ltikeys_core::HttpClient;
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, Window};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use super::save::{chosen_path, Ask};
use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// Signs the client assertion of a registration with its tool's current key.
#[tauri::command]
pub async fn client_assertion(
    state: State<'_, AppState>,
    registration: String,
    deployment_id: Option<String>,
) -> Result<ClientAssertion, IpcError> {
    with_vault(&state, move |v| {
        v.client_assertion(&registration, deployment_id.as_deref(), Utc::now())
    })
    .await
}

/// Posts a fresh client assertion to the registration's token endpoint and explains the answer.
#[tauri::command]
pub async fn token_test(
    state: State<'_, AppState>,
    registration: String,
) -> Result<TokenTest, IpcError> {
    with_vault(&state, move |v| {
        v.token_test(&HttpClient::default(), &registration, Utc::now())
    })
    .await
}

/// Inspects a JWT; with `fetch`, the key sets are fetched to verify it.
#[tauri::command]
pub async fn inspect_jwt(
    state: State<'_, AppState>,
    jwt: String,
    fetch: bool,
) -> Result<Inspection, IpcError> {
    with_vault(&state, move |v| {
        let client = HttpClient::default();
        v.inspect_jwt(&jwt, fetch.then_some(&client), Utc::now())
    })
    .await
}

/// A JWT read from a file the user picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PickedJwt {
    /// The dialog was closed without a file.
    Cancelled,
    /// The file's name and text.
    Picked {
        /// The file's name.
        name: String,
        /// Its text.
        text: String,
    },
}

/// Opens the native dialog for a file holding a JWT and reads it (capped at 64 KiB).
#[tauri::command]
pub async fn pick_jwt<R: Runtime>(window: Window<R>) -> Result<PickedJwt, IpcError> {
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Inspect a JWT from a file")
        .add_filter("JWT or text", &["jwt", "txt", "json"])
        .add_filter("All files", &["*"]);
    let Some(path) = chosen_path(dialog, Ask::Open).await? else {
        return Ok(PickedJwt::Cancelled);
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let bytes = ltikeys_core::file::read_capped(
        &path,
        MAX_JWT_BYTES as u64,
        "inspect",
        "a JWT is a few KB: choose the file that holds only the token",
    )
    .map_err(IpcError::from)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        IpcError::invalid_field(
            "jwt",
            "The file is not UTF-8 text: choose the file that holds the token.",
        )
    })?;
    Ok(PickedJwt::Picked { name, text })
}

/// Looks for a kid in the key set at `url`, or in `jwks` as pasted.
#[tauri::command]
pub async fn find_kid(
    state: State<'_, AppState>,
    kid: String,
    url: Option<String>,
    jwks: Option<String>,
) -> Result<KidSearch, IpcError> {
    let source = match (url.filter(|u| !u.trim().is_empty()), jwks) {
        (Some(url), _) => KeySetSource::Url(url.trim().to_string()),
        (None, Some(text)) if !text.trim().is_empty() => KeySetSource::Text(text),
        _ => {
            return Err(IpcError::invalid_field(
                "url",
                "Give the key set's URL or paste the JWKS.",
            ))
        }
    };
    with_vault(&state, move |v| {
        v.find_kid(&HttpClient::default(), &source, &kid)
    })
    .await
}
