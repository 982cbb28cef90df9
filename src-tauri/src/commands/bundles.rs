//! Registration bundles through native dialogs: a preview of what goes in, the export written
//! where the user picks, and an import in two steps (pick and plan, then import) so the webview
//! never names a path.

use std::path::PathBuf;

use chrono::Utc;
use ltikeys_core::bundle::{BundleFile, BundlePlan, Omitted};
use ltikeys_core::{BundleImported, KeyStatus, PrivateKeyState};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, Window};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use super::private::{check_passphrases, Passphrase};
use super::save::{chosen_path, slug, Ask};
use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// What an export of a registration's bundle holds, before it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BundlePreview {
    /// The files, `bundle.json` aside.
    pub files: Vec<BundleFile>,
    /// What is left out, and why.
    pub omitted: Vec<Omitted>,
    /// The current key's kid, whose private key may go in.
    pub current_kid: Option<String>,
    /// Whether the keychain holds the current key's private key.
    pub private_available: bool,
    /// The name the save dialog suggests, without `.zip`.
    pub suggested_name: String,
}

/// A request to export a registration's bundle.
#[derive(Deserialize, TS)]
pub struct ExportBundle {
    /// The registration's id.
    pub registration: String,
    /// A zip (else a folder).
    pub zip: bool,
    /// Put the current private key in, encrypted with `passphrase`.
    pub include_private: bool,
    /// The passphrase (when `include_private`).
    #[ts(as = "Option<String>")]
    pub passphrase: Option<Passphrase>,
    /// The same passphrase typed again.
    #[ts(as = "Option<String>")]
    pub confirm: Option<Passphrase>,
}

/// What an export came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BundleSaved {
    /// Written; `path` is for display.
    Saved {
        /// Where.
        path: String,
        /// How many files, `bundle.json` included.
        files: u32,
        /// The kid whose private key is inside.
        private_key: Option<String>,
    },
    /// The user closed the dialog: nothing was written.
    Cancelled,
}

/// What choosing a bundle came to. The path stays on the Rust side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PickedBundle {
    /// Read and verified; import it with `import_bundle`.
    Picked {
        /// The file or folder's name, for display.
        name: String,
        /// What an import would write.
        plan: Box<BundlePlan>,
    },
    /// The user closed the dialog.
    Cancelled,
}

/// A request to import the bundle picked last.
#[derive(Deserialize, TS)]
pub struct ImportBundle {
    /// The passphrase of the private key in it, when it holds one.
    #[ts(as = "Option<String>")]
    pub passphrase: Option<Passphrase>,
}

fn suggested(tool: &str, platform: &str) -> String {
    format!(
        "{}-{}-bundle",
        slug(&tool.to_lowercase(), "tool"),
        slug(&platform.to_lowercase(), "platform")
    )
}

fn created_by() -> String {
    format!("LTI Key Manager {}", env!("CARGO_PKG_VERSION"))
}

/// The files a registration's bundle would hold (without a private key).
#[tauri::command]
pub async fn preview_bundle(
    state: State<'_, AppState>,
    registration: String,
) -> Result<BundlePreview, IpcError> {
    with_vault(&state, move |v| {
        let reg = v.registration(&registration)?;
        let bundle = v.bundle(&registration, None, &created_by(), Utc::now())?;
        let current = v
            .keys(&reg.tool_id)?
            .into_iter()
            .find(|k| k.key.status == KeyStatus::Current);
        Ok(BundlePreview {
            files: bundle.manifest.files.clone(),
            omitted: bundle.manifest.omitted.clone(),
            private_available: current
                .as_ref()
                .is_some_and(|k| k.private_key == PrivateKeyState::Present),
            current_kid: current.map(|k| k.key.kid),
            suggested_name: suggested(&reg.tool_name, &reg.platform_name),
        })
    })
    .await
}

/// Exports a registration's bundle: checks the passphrases (when the private key goes in),
/// asks in the native save dialog where, then writes the zip or the new folder there.
#[tauri::command]
pub async fn export_bundle<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    request: ExportBundle,
) -> Result<BundleSaved, IpcError> {
    let ExportBundle {
        registration,
        zip,
        include_private,
        passphrase,
        confirm,
    } = request;
    let passphrase = if include_private {
        let missing = || {
            IpcError::invalid_field(
                "passphrase",
                "Type a passphrase for the private key, twice.",
            )
        };
        let (passphrase, confirm) = (
            passphrase.ok_or_else(missing)?,
            confirm.ok_or_else(missing)?,
        );
        check_passphrases(&passphrase, &confirm)?;
        Some(passphrase)
    } else {
        None
    };
    let reg = registration.clone();
    let name = with_vault(&state, move |v| {
        let reg = v.registration(&reg)?;
        Ok(suggested(&reg.tool_name, &reg.platform_name))
    })
    .await?;
    let mut dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(if zip {
            "Export bundle (zip)"
        } else {
            "Export bundle (a new folder)"
        });
    dialog = if zip {
        dialog
            .add_filter("Zip", &["zip"])
            .set_file_name(format!("{name}.zip"))
    } else {
        dialog.set_file_name(name)
    };
    let Some(mut path) = chosen_path(dialog, Ask::Save).await? else {
        return Ok(BundleSaved::Cancelled);
    };
    if zip && !ltikeys_core::bundle::is_zip_path(&path) {
        path.as_mut_os_string().push(".zip");
    }
    with_vault(&state, move |v| {
        let exported = v.export_bundle(
            &registration,
            &path,
            passphrase.as_ref().map(Passphrase::as_bytes),
            true,
            &created_by(),
            Utc::now(),
        )?;
        Ok(BundleSaved::Saved {
            path: exported.path,
            files: u32::try_from(exported.files.len() + 1).unwrap_or(u32::MAX),
            private_key: exported.private_key,
        })
    })
    .await
}

/// Opens the native dialog for a bundle (a zip, or with `folder` a folder), verifies it and
/// answers what importing it would write. The path is kept for [`import_bundle`].
#[tauri::command]
pub async fn pick_bundle<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    folder: bool,
) -> Result<PickedBundle, IpcError> {
    let dialog = window.dialog().file().set_parent(&window);
    let (dialog, ask) = if folder {
        (dialog.set_title("Import a bundle folder"), Ask::Folder)
    } else {
        (
            dialog
                .set_title("Import a bundle (zip)")
                .add_filter("Zip", &["zip"])
                .add_filter("All files", &["*"]),
            Ask::Open,
        )
    };
    let Some(path) = chosen_path(dialog, ask).await? else {
        return Ok(PickedBundle::Cancelled);
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let at = path.clone();
    let plan = with_vault(&state, move |v| v.plan_bundle_import(&at)).await?;
    *state.picked_bundle() = Some(path);
    Ok(PickedBundle::Picked {
        name,
        plan: Box::new(plan),
    })
}

/// Imports the bundle picked last (verified again, then all of it in one transaction).
#[tauri::command]
pub async fn import_bundle(
    state: State<'_, AppState>,
    request: ImportBundle,
) -> Result<BundleImported, IpcError> {
    let path: PathBuf = state.picked_bundle().clone().ok_or_else(|| {
        IpcError::invalid_field("bundle", "No bundle is chosen: choose it again.")
    })?;
    let passphrase = request.passphrase.filter(|p| !p.as_bytes().is_empty());
    let typed = passphrase.is_some();
    let imported = with_vault(&state, move |v| {
        v.import_bundle(
            &path,
            passphrase.as_ref().map(Passphrase::as_bytes),
            false,
            Utc::now(),
        )
    })
    .await;
    match imported {
        Ok(done) => {
            *state.picked_bundle() = None;
            Ok(done)
        }
        Err(mut err) if err.field.as_deref() == Some("passphrase") => {
            err.message = if typed {
                "The bundle's private key could not be decrypted with this passphrase: check \
                 what you typed in the Passphrase field."
            } else {
                "The bundle holds an encrypted private key: type its passphrase in the \
                 Passphrase field."
            }
            .into();
            Err(err)
        }
        Err(err) => Err(err),
    }
}
