//! The tool's full profile and its Canvas developer-key JSON: edit, export, lint, import.

use chrono::Utc;
use ltikeys_core::lti::Choices;
use ltikeys_core::{CanvasImported, Error, Finding, Tool, ToolProfile};
use tauri::{Runtime, State, Window};

use super::save::{file_name, save_json, save_tool_json, SaveOutcome, ToolExport};
use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn update_tool(
    state: State<'_, AppState>,
    tool: String,
    edit: ToolProfile,
) -> Result<Tool, IpcError> {
    with_vault(&state, move |v| v.update_tool(&tool, edit, Utc::now())).await
}

/// The valid choices for a tool's profile: placements with their message types, scopes,
/// privacy levels, display types and window targets.
#[tauri::command]
pub fn lti_choices() -> Choices {
    ltikeys_core::lti::choices()
}

#[tauri::command]
pub async fn export_canvas_api(
    state: State<'_, AppState>,
    tool: String,
) -> Result<String, IpcError> {
    with_vault(&state, move |v| {
        Ok(super::tools::pretty(&v.canvas_export_api(&tool)?))
    })
    .await
}

/// Asks in the native save dialog where to save the registration API's form, then writes it.
#[tauri::command]
pub async fn save_canvas_api<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    tool: String,
) -> Result<SaveOutcome, IpcError> {
    let export = ToolExport {
        title: "Save the Canvas registration (API form)",
        suffix: "canvas-registration",
        json: |v, tool| Ok(super::tools::pretty(&v.canvas_export_api(tool)?)),
    };
    save_tool_json(&window, &state, tool, export).await
}

#[tauri::command]
pub async fn export_canvas(state: State<'_, AppState>, tool: String) -> Result<String, IpcError> {
    with_vault(&state, move |v| {
        Ok(v.canvas_export(&tool)?.to_pretty_json())
    })
    .await
}

/// The tool's own Canvas JSON, as the save dialog offers it.
const CANVAS_EXPORT: ToolExport = ToolExport {
    title: "Save Canvas JSON",
    suffix: "canvas",
    json: |v, tool| Ok(v.canvas_export(tool)?.to_pretty_json()),
};

/// Asks in the native save dialog where to save Canvas JSON, then writes it there: `json`, the
/// text as the window shows it after an edit (refused unless it is JSON), or, when `None`, the
/// tool's own export. An unknown tool or text that is not JSON fails before the dialog opens.
#[tauri::command]
pub async fn save_canvas<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    tool: String,
    json: Option<String>,
) -> Result<SaveOutcome, IpcError> {
    let Some(text) = json else {
        return save_tool_json(&window, &state, tool, CANVAS_EXPORT).await;
    };
    let text = edited_json(&text)?;
    let name = with_vault(&state, move |v| {
        Ok(file_name(
            &v.tool(&tool)?.profile.name,
            CANVAS_EXPORT.suffix,
        ))
    })
    .await?;
    save_json(&window, CANVAS_EXPORT.title, name, text).await
}

/// The edited text to write, once it is known to be JSON: as typed, without a byte-order mark
/// or trailing blank lines (the file ends in one newline). Text that is not JSON is refused,
/// about the field `json`.
fn edited_json(text: &str) -> Result<String, IpcError> {
    if text.len() as u64 > ltikeys_core::canvas::MAX_JSON_BYTES {
        return Err(Error::invalid(
            "Canvas JSON",
            format!(
                "the edited text is {} bytes, more than the 1 MiB a configuration can be",
                text.len()
            ),
            "press Reset to export, then edit the tool's own export",
        )
        .at("json")
        .into());
    }
    let text = text.trim_start_matches('\u{feff}').trim_end();
    match ltikeys_core::input::json(text.as_bytes()) {
        Ok(_) => Ok(text.to_owned()),
        Err(e) => Err(Error::invalid(
            "Canvas JSON",
            format!("the edited text cannot be saved: {e}"),
            "correct it where the findings point, or press Reset to export to save the tool's \
             own export",
        )
        .at("json")
        .into()),
    }
}

/// Lints any Canvas JSON text; runs as the user types, so it is cheap and never fails.
#[tauri::command]
pub fn lint_canvas(json: String) -> Vec<Finding> {
    ltikeys_core::canvas::lint_str(&json)
}

/// Creates a tool from a Canvas JSON text, reporting what it did not understand.
#[tauri::command]
pub async fn import_canvas(
    state: State<'_, AppState>,
    json: String,
    name: Option<String>,
) -> Result<CanvasImported, IpcError> {
    with_vault(&state, move |v| {
        let doc = ltikeys_core::canvas::parse(&json)?;
        v.import_canvas(&doc, name.as_deref(), Utc::now())
    })
    .await
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::WebviewWindowBuilder;

    use super::*;

    /// Calls `command` with `args` as the window would, in an app on Tauri's mock runtime over
    /// a fresh data directory.
    fn call(command: &str, args: Value) -> Result<Value, Value> {
        // The tests here take turns: each points the variable at its own data directory.
        static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("LTIKEYS_DATA_DIR", dir.path());
        let app = mock_builder()
            .manage(AppState::from_env().unwrap())
            .invoke_handler(tauri::generate_handler![
                save_canvas,
                lint_canvas,
                import_canvas
            ])
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: command.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    #[test]
    fn save_canvas_refuses_edited_text_that_is_not_json_before_any_dialog() {
        let refused = call(
            "save_canvas",
            json!({"tool": "quiz", "json": "{\"title\": "}),
        )
        .expect_err("text that is not JSON is never written");
        assert_eq!(refused["kind"], "invalid", "{refused}");
        assert_eq!(
            refused["field"], "json",
            "the window shows the error under the JSON box: {refused}"
        );
        let message = refused["message"].as_str().unwrap();
        assert!(
            message.starts_with("Canvas JSON: the edited text cannot be saved: it is not JSON (")
                && message.contains("Reset to export"),
            "the message says what is wrong and the way out: {message}"
        );

        // Valid text passes the check and reaches the tool, which must exist.
        let unknown = call("save_canvas", json!({"tool": "quiz", "json": "{}"}))
            .expect_err("no tool is named quiz");
        assert_eq!(unknown["kind"], "tool_not_found", "{unknown}");
    }

    #[test]
    fn a_paste_over_its_cap_is_refused_before_it_is_parsed() {
        let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
        let findings = call("lint_canvas", json!({ "json": huge })).unwrap();
        assert_eq!(findings[0]["code"], "too-large", "{findings}");
        assert_eq!(
            findings.as_array().unwrap().len(),
            1,
            "one finding, not a lint of it"
        );
        let refused = call("import_canvas", json!({ "json": huge, "name": null })).unwrap_err();
        assert_eq!(refused["kind"], "invalid", "{refused}");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("larger than the 1 MiB"),
            "{refused}"
        );
        let refused = call("save_canvas", json!({ "tool": "quiz", "json": huge })).unwrap_err();
        assert_eq!(refused["field"], "json", "{refused}");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("more than the 1 MiB"),
            "{refused}"
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let findings = call("lint_canvas", json!({ "json": deep })).unwrap();
        assert!(
            findings[0]["message"]
                .as_str()
                .unwrap()
                .contains("deeper than 64 levels"),
            "{findings}"
        );
    }

    #[test]
    fn the_edited_text_is_written_as_typed() {
        let typed = "\u{feff}{\n  \"title\": \"Quiz (edited)\",\n  \"scopes\": []\n}\n\n";
        assert_eq!(
            edited_json(typed).unwrap(),
            "{\n  \"title\": \"Quiz (edited)\",\n  \"scopes\": []\n}",
            "the text itself, not a re-serialization of it; the file adds one final newline"
        );
        let err = edited_json("").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("json"));
    }
}

// ---------------------------------------------------------------------------------------------
// Canvas's LTI registrations API, with an admin's token kept in the OS keychain.

/// How a Canvas platform's API is reached: its address, and whether a token is stored (the
/// token itself never comes back to the window).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct CanvasApiSettings {
    /// The Canvas address admins sign in at, when the platform holds one.
    pub canvas_url: Option<String>,
    /// Whether the OS keychain holds an API token for the platform.
    pub has_token: bool,
}

fn settings(v: &ltikeys_core::Vault, platform: &str) -> Result<CanvasApiSettings, Error> {
    Ok(CanvasApiSettings {
        canvas_url: v.platform(platform)?.spec.base_url,
        has_token: v.has_api_token(platform)?,
    })
}

/// The platform's Canvas address and whether a token is stored.
#[tauri::command]
pub async fn canvas_api_settings(
    state: State<'_, AppState>,
    platform: String,
) -> Result<CanvasApiSettings, IpcError> {
    with_vault(&state, move |v| settings(v, &platform)).await
}

/// Keeps the platform's Canvas address and, when given, its API token (in the OS keychain).
#[tauri::command]
pub async fn set_canvas_api(
    state: State<'_, AppState>,
    platform: String,
    canvas_url: Option<String>,
    token: Option<String>,
) -> Result<CanvasApiSettings, IpcError> {
    let token = token.map(zeroize::Zeroizing::new);
    with_vault(&state, move |v| {
        if let Some(url) = canvas_url.as_deref().filter(|u| !u.trim().is_empty()) {
            v.set_canvas_url(&platform, url, Utc::now())?;
        }
        if let Some(token) = token.as_deref() {
            v.set_api_token(&platform, token, Utc::now())?;
        }
        settings(v, &platform)
    })
    .await
}

/// Removes the platform's API token from the OS keychain.
#[tauri::command]
pub async fn forget_canvas_token(
    state: State<'_, AppState>,
    platform: String,
) -> Result<CanvasApiSettings, IpcError> {
    with_vault(&state, move |v| {
        v.forget_api_token(&platform, Utc::now())?;
        settings(v, &platform)
    })
    .await
}

/// Creates the tool's registration on a Canvas account and records it with its deployments.
#[tauri::command]
pub async fn canvas_register(
    state: State<'_, AppState>,
    tool: String,
    platform: String,
    account: String,
    on: bool,
) -> Result<ltikeys_core::CanvasRegistered, IpcError> {
    with_vault(&state, move |v| {
        v.canvas_register(
            &tool,
            &platform,
            &account,
            on,
            &ltikeys_core::HttpClient::default(),
            Utc::now(),
        )
    })
    .await
}

/// Links a registration made by hand to Canvas's by its client_id on `account`.
#[tauri::command]
pub async fn canvas_link(
    state: State<'_, AppState>,
    registration: String,
    account: String,
) -> Result<ltikeys_core::Registration, IpcError> {
    with_vault(&state, move |v| {
        v.canvas_link(
            &registration,
            &account,
            &ltikeys_core::HttpClient::default(),
            Utc::now(),
        )
    })
    .await
}

/// Lists the registration's deployments in Canvas and records the new ones.
#[tauri::command]
pub async fn canvas_deployments(
    state: State<'_, AppState>,
    registration: String,
) -> Result<ltikeys_core::CanvasDeploymentsSynced, IpcError> {
    with_vault(&state, move |v| {
        v.canvas_deployments(
            &registration,
            &ltikeys_core::HttpClient::default(),
            Utc::now(),
        )
    })
    .await
}

/// Turns the registration on or off for its Canvas account.
#[tauri::command]
pub async fn canvas_switch(
    state: State<'_, AppState>,
    registration: String,
    on: bool,
) -> Result<ltikeys_core::canvas::registrations::BindingState, IpcError> {
    with_vault(&state, move |v| {
        v.canvas_switch(
            &registration,
            on,
            &ltikeys_core::HttpClient::default(),
            Utc::now(),
        )
    })
    .await
}

/// The registration as Canvas holds it, and where it differs from the tool here.
#[tauri::command]
pub async fn canvas_status(
    state: State<'_, AppState>,
    registration: String,
) -> Result<ltikeys_core::CanvasRegistrationStatus, IpcError> {
    with_vault(&state, move |v| {
        v.canvas_status(&registration, &ltikeys_core::HttpClient::default())
    })
    .await
}

/// Sends the tool's configuration to Canvas in place of the one it holds.
#[tauri::command]
pub async fn canvas_update(
    state: State<'_, AppState>,
    registration: String,
) -> Result<ltikeys_core::CanvasRegistrationStatus, IpcError> {
    with_vault(&state, move |v| {
        v.canvas_update(
            &registration,
            &ltikeys_core::HttpClient::default(),
            Utc::now(),
        )
    })
    .await
}
