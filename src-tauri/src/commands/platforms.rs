//! Platforms, registrations, deployments, discovery and the admin hand-off.

use std::sync::Arc;

use chrono::Utc;
use ltikeys_core::discovery::{self, DiscoverOptions};
use ltikeys_core::registration::NewDeployment;
use ltikeys_core::{
    DiscoveryOutcome, Handoff, HttpClient, LibraryFormat, NewPlatform, NewRegistration, Platform,
    PlatformCheck, PlatformPage, PlatformUpdate, Preset, Registration, RegistrationUpdate,
};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{Runtime, State, Window};
use ts_rs::TS;

use super::save::{file_name, save_json, SaveOutcome};
use super::tools::pretty;
use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// A hand-off: the six values as data, and as text ready to paste into an e-mail.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HandoffView {
    /// The values.
    pub handoff: Handoff,
    /// The same as plain text.
    pub text: String,
}

/// Progress of a bulk check.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CheckProgress {
    /// URLs checked so far.
    pub done: u32,
    /// URLs to check.
    pub total: u32,
}

#[tauri::command]
pub async fn list_platforms(state: State<'_, AppState>) -> Result<Vec<Platform>, IpcError> {
    with_vault(&state, |v| v.platforms()).await
}

#[tauri::command]
pub fn platform_presets() -> Vec<Preset> {
    ltikeys_core::platform::presets()
}

#[tauri::command]
pub async fn add_platform(
    state: State<'_, AppState>,
    input: NewPlatform,
) -> Result<Platform, IpcError> {
    with_vault(&state, move |v| v.add_platform(input, Utc::now())).await
}

#[tauri::command]
pub async fn update_platform(
    state: State<'_, AppState>,
    platform: String,
    update: PlatformUpdate,
) -> Result<Platform, IpcError> {
    with_vault(&state, move |v| {
        v.update_platform(&platform, update, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn remove_platform(state: State<'_, AppState>, platform: String) -> Result<(), IpcError> {
    with_vault(&state, move |v| v.remove_platform(&platform, Utc::now())).await
}

/// Fetches an OpenID configuration (or the platform's stored URL) and fills the record from it.
#[tauri::command]
pub async fn discover_platform(
    state: State<'_, AppState>,
    platform: String,
    url: Option<String>,
    registration_token: Option<String>,
    accept_issuer: bool,
) -> Result<DiscoveryOutcome, IpcError> {
    with_vault(&state, move |v| {
        let url = v.discovery_url(&platform, url.as_deref())?;
        let token = registration_token.as_deref();
        let found = discovery::fetch_with_token(&HttpClient::default(), &url, token)?;
        let options = DiscoverOptions {
            accept_issuer,
            dry_run: false,
        };
        v.apply_discovery(&platform, &url, &found, options, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn list_registrations(
    state: State<'_, AppState>,
    tool: Option<String>,
    platform: Option<String>,
) -> Result<Vec<Registration>, IpcError> {
    with_vault(&state, move |v| {
        v.registrations(tool.as_deref(), platform.as_deref())
    })
    .await
}

/// The platforms page's cards for `filter`: the first `limit` that match, and those in `keep`
/// (a card with a panel open, a platform just added) while they match; with how many there
/// are. Every platform and registration is read once per change of the database and kept, so
/// that each key typed in the filter answers at once.
#[tauri::command]
pub async fn platform_page(
    state: State<'_, AppState>,
    filter: String,
    limit: u32,
    keep: Vec<String>,
) -> Result<PlatformPage, IpcError> {
    page_of(&state, &filter, limit, &keep).await
}

async fn page_of(
    state: &AppState,
    filter: &str,
    limit: u32,
    keep: &[String],
) -> Result<PlatformPage, IpcError> {
    // The stamp is taken before the read: a change made during the read makes it stale at once.
    let stamp = state.data_stamp()?;
    let index = index_at(state, stamp).await?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    Ok(index.page(filter, limit, keep)?)
}

/// Every platform with its registrations at data stamp `stamp`: kept from an earlier
/// command, joined while another reads it, or read now.
pub(crate) async fn index_at(
    state: &AppState,
    stamp: i64,
) -> Result<Arc<ltikeys_core::PlatformIndex>, IpcError> {
    let slot = state.platform_index_slot(stamp);
    let index = slot
        .get_or_try_init(|| async {
            with_vault(state, |v| v.platform_index())
                .await
                .map(Arc::new)
        })
        .await?;
    Ok(Arc::clone(index))
}

#[tauri::command]
pub async fn add_registration(
    state: State<'_, AppState>,
    input: NewRegistration,
) -> Result<Registration, IpcError> {
    with_vault(&state, move |v| v.add_registration(input, Utc::now())).await
}

#[tauri::command]
pub async fn update_registration(
    state: State<'_, AppState>,
    registration: String,
    update: RegistrationUpdate,
) -> Result<Registration, IpcError> {
    with_vault(&state, move |v| {
        v.update_registration(&registration, update, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn remove_registration(
    state: State<'_, AppState>,
    registration: String,
) -> Result<(), IpcError> {
    with_vault(&state, move |v| {
        v.remove_registration(&registration, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn add_deployment(
    state: State<'_, AppState>,
    registration: String,
    deployment: NewDeployment,
) -> Result<Registration, IpcError> {
    with_vault(&state, move |v| {
        v.add_deployment(&registration, deployment, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn remove_deployment(
    state: State<'_, AppState>,
    registration: String,
    deployment_id: String,
) -> Result<Registration, IpcError> {
    with_vault(&state, move |v| {
        v.remove_deployment(&registration, &deployment_id, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn registration_handoff(
    state: State<'_, AppState>,
    registration: String,
) -> Result<HandoffView, IpcError> {
    with_vault(&state, move |v| {
        let handoff = v.handoff(&registration)?;
        Ok(HandoffView {
            text: handoff.to_text(),
            handoff,
        })
    })
    .await
}

/// Checks every platform's JWKS URL, a few at a time, reporting progress.
#[tauri::command]
pub async fn check_platforms(
    state: State<'_, AppState>,
    on_progress: Channel<CheckProgress>,
) -> Result<Vec<PlatformCheck>, IpcError> {
    with_vault(&state, move |v| {
        let report = |done: usize, total: usize| {
            let progress = CheckProgress {
                done: u32::try_from(done).unwrap_or(u32::MAX),
                total: u32::try_from(total).unwrap_or(u32::MAX),
            };
            let _ = on_progress.send(progress);
        };
        v.check_platforms(&HttpClient::default(), Utc::now(), &report)
    })
    .await
}

/// The registration as a tool library reads it, as pretty JSON.
#[tauri::command]
pub async fn export_library(
    state: State<'_, AppState>,
    registration: String,
    format: LibraryFormat,
) -> Result<String, IpcError> {
    with_vault(&state, move |v| {
        Ok(pretty(&v.library_config(&registration, format, None)?))
    })
    .await
}

/// Asks in the native save dialog where to save the registration's tool-library config, then
/// writes it there. A config that cannot be made fails before the dialog opens.
#[tauri::command]
pub async fn save_library<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    registration: String,
    format: LibraryFormat,
) -> Result<SaveOutcome, IpcError> {
    let (name, json) = with_vault(&state, move |v| {
        let reg = v.registration(&registration)?;
        let json = pretty(&v.library_config(&registration, format, None)?);
        let what = match format {
            LibraryFormat::Pylti1p3 => "pylti1p3",
            LibraryFormat::Ltijs => "ltijs-platform",
            LibraryFormat::DjangoLti => "django-lti",
        };
        Ok((
            file_name(&format!("{} {}", reg.tool_name, reg.platform_name), what),
            json,
        ))
    })
    .await?;
    save_json(&window, "Save the tool-library config", name, json).await
}

#[cfg(test)]
mod tests {
    use ltikeys_core::{PlatformFamily, Vault};

    use super::*;

    fn add(dir: &std::path::Path, name: &str) -> Platform {
        let base = format!("https://{}.example.edu", name.to_lowercase());
        let mut vault = Vault::open(dir).unwrap();
        vault
            .add_platform(
                NewPlatform::from_preset(name, PlatformFamily::Moodle, Some(&base)),
                Utc::now(),
            )
            .unwrap()
    }

    fn page(state: &AppState, filter: &str) -> PlatformPage {
        tauri::async_runtime::block_on(page_of(state, filter, 20, &[])).unwrap()
    }

    #[test]
    fn the_page_is_read_once_per_change_of_the_database_whoever_made_it() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        add(dir.path(), "Moodle2");
        let first = page(&state, "");
        assert_eq!((first.total, first.matching), (1, 1));

        // Nothing changed: the next key is answered from what was read.
        let stamp = state.data_stamp().unwrap();
        let kept = state
            .platform_index(stamp)
            .expect("kept at the stamp it was read at");
        let filtered = page(&state, "moodle2");
        assert_eq!(filtered.matching, 1);
        let still = state.platform_index(stamp).expect("still kept");
        assert!(Arc::ptr_eq(&kept, &still), "not read again");

        // Another process (here another connection) adds a platform: the next page sees it.
        add(dir.path(), "Moodle10");
        let after = page(&state, "");
        assert_eq!(after.total, 2);
        let names: Vec<&str> = after
            .cards
            .iter()
            .map(|c| c.platform.spec.name.as_str())
            .collect();
        assert_eq!(names, ["Moodle2", "Moodle10"], "natural order");
        assert!(
            state.platform_index(stamp).is_none(),
            "the old read is stale"
        );
    }

    #[test]
    fn the_stamp_asked_reads_the_index_again_ahead_once_the_page_was_shown() {
        use std::time::{Duration, Instant};
        use tauri::Manager as _;

        let dir = tempfile::tempdir().unwrap();
        let app = tauri::test::mock_builder()
            .manage(AppState::new(dir.path().to_path_buf()))
            .build(tauri::test::mock_context(tauri::test::noop_assets()))
            .unwrap();
        let state = app.state::<AppState>();
        // As the window asks on regaining the focus, and after its own changes.
        let ask = || {
            let handle = app.handle().clone();
            tauri::async_runtime::block_on(async move {
                let state = handle.state::<AppState>();
                crate::commands::tools::data_stamp(handle.clone(), state).await
            })
            .unwrap()
        };
        add(dir.path(), "Moodle2");
        let before = ask();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            state.platform_index(before).is_none(),
            "never shown: nothing is read ahead"
        );

        page(&state, "");
        add(dir.path(), "Moodle3");
        let moved = ask();
        let deadline = Instant::now() + Duration::from_secs(10);
        let index = loop {
            if let Some(index) = state.platform_index(moved) {
                break index;
            }
            assert!(Instant::now() < deadline, "not read ahead within 10 s");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(
            index.page("", 20, &[]).unwrap().total,
            2,
            "read at the new stamp"
        );
    }

    #[test]
    fn commands_asking_at_one_stamp_share_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        add(dir.path(), "Moodle2");
        let stamp = state.data_stamp().unwrap();
        // The second asks while the first is reading (both are polled in turn on one task).
        let (first, second) = tauri::async_runtime::block_on(async {
            tokio::join!(index_at(&state, stamp), index_at(&state, stamp))
        });
        let (first, second) = (first.unwrap(), second.unwrap());
        assert!(Arc::ptr_eq(&first, &second), "read twice");
        assert_eq!(first.page("", 20, &[]).unwrap().total, 1);
    }

    #[test]
    fn a_filter_too_long_is_an_error_on_the_filter() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        let long = "x".repeat(ltikeys_core::platform::MAX_FILTER_CHARS + 1);
        let err = tauri::async_runtime::block_on(page_of(&state, &long, 20, &[])).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("filter"), "{err:?}");
    }
}
