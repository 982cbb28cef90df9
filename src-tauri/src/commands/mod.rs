//! The commands the webview may call, one file per area.

pub mod bundles;
pub mod canvas;
pub mod checks;
pub mod dynreg;
pub mod keys;
pub mod platforms;
pub mod private;
pub mod rotation;
pub mod save;
pub mod team;
pub mod tokens;
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

#[cfg(test)]
mod tests {
    // The app's command list stands in three places: `build.rs` declares each command (denied
    // until granted), `lib.rs` hands it to `generate_handler!`, and `capabilities/main.json`
    // grants it. A command missing from one is denied, or unknown, at run time; these tests
    // say so before.

    use std::collections::BTreeSet;
    use std::path::Path;

    fn read(path: &str) -> String {
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
    }

    /// The lines between `open` and the next line that closes it with `]`, comments left out.
    fn list_lines<'a>(text: &'a str, open: &str) -> impl Iterator<Item = &'a str> {
        let start = text
            .find(open)
            .unwrap_or_else(|| panic!("`{open}` is not in the file"));
        text[start + open.len()..]
            .lines()
            .map(str::trim)
            .take_while(|line| !line.starts_with(']'))
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
    }

    /// The string literals of build.rs's `.commands(&[...])`.
    fn declared(build_rs: &str) -> BTreeSet<String> {
        list_lines(build_rs, ".commands(&[")
            .flat_map(|line| line.split('"').skip(1).step_by(2))
            .map(String::from)
            .collect()
    }

    /// The `commands::area::name,` lines of lib.rs's `generate_handler![...]`.
    fn handled(lib_rs: &str) -> BTreeSet<String> {
        list_lines(lib_rs, "generate_handler![")
            .filter_map(|line| line.trim_end_matches(',').rsplit("::").next())
            .map(String::from)
            .collect()
    }

    /// Every permission the capability names, plain or as `{"identifier": ...}`.
    fn permissions(capability: &str) -> Vec<String> {
        let json: serde_json::Value =
            serde_json::from_str(capability).expect("the capability is JSON");
        json["permissions"]
            .as_array()
            .expect("the capability has a permissions array")
            .iter()
            .filter_map(|p| p.as_str().or_else(|| p["identifier"].as_str()))
            .map(String::from)
            .collect()
    }

    /// The commands the capability grants: `allow-save-jwks` is `save_jwks`. Plugin
    /// permissions (`clipboard-manager:allow-write-text`) are not the app's commands.
    fn granted(capability: &str) -> BTreeSet<String> {
        permissions(capability)
            .iter()
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect()
    }

    /// The plugin permissions the capability grants: those named `plugin:permission`.
    fn plugin_permissions(capability: &str) -> BTreeSet<String> {
        permissions(capability)
            .into_iter()
            .filter(|p| p.contains(':'))
            .collect()
    }

    /// One line per command that some list lacks, naming the lists it is missing from.
    fn mismatches(lists: &[(&str, &BTreeSet<String>)]) -> Vec<String> {
        let all: BTreeSet<&String> = lists.iter().flat_map(|(_, list)| list.iter()).collect();
        all.into_iter()
            .filter_map(|name| {
                let missing: Vec<&str> = lists
                    .iter()
                    .filter(|(_, list)| !list.contains(name))
                    .map(|(place, _)| *place)
                    .collect();
                (!missing.is_empty())
                    .then(|| format!("{name}: missing from {}", missing.join(", ")))
            })
            .collect()
    }

    #[test]
    fn build_rs_the_handler_list_and_the_capability_name_the_same_commands() {
        let declared = declared(&read("build.rs"));
        let handled = handled(&read("src/lib.rs"));
        let granted = granted(&read("capabilities/main.json"));
        for (place, list) in [
            ("build.rs", &declared),
            ("src/lib.rs", &handled),
            ("capabilities/main.json", &granted),
        ] {
            assert!(
                list.contains("generate_key") && list.contains("app_status"),
                "the command list of {place} was found and read: {list:?}"
            );
        }
        let wrong = mismatches(&[
            ("build.rs AppManifest::commands", &declared),
            ("src/lib.rs generate_handler!", &handled),
            ("capabilities/main.json", &granted),
        ]);
        assert!(
            wrong.is_empty(),
            "every command is declared, handled and granted:\n{}",
            wrong.join("\n")
        );
    }

    /// The commands the UI calls: the `name` of each `call("name"` or `call<T>("name"` in its
    /// one IPC module.
    fn called(ipc_ts: &str) -> BTreeSet<String> {
        ipc_ts
            .match_indices("call")
            .filter_map(|(at, _)| {
                let mut rest = &ipc_ts[at + "call".len()..];
                if rest.starts_with('<') {
                    let mut depth = 0;
                    let end = rest.char_indices().find_map(|(i, c)| {
                        match c {
                            '<' => depth += 1,
                            '>' => depth -= 1,
                            _ => {}
                        }
                        (depth == 0).then_some(i + 1)
                    })?;
                    rest = &rest[end..];
                }
                let name = rest.strip_prefix("(\"")?;
                Some(name[..name.find('"')?].to_string())
            })
            .collect()
    }

    #[test]
    fn the_capability_grants_exactly_the_commands_the_ui_calls() {
        let called = called(&read("../ui/src/lib/ipc/index.ts"));
        let granted = granted(&read("capabilities/main.json"));
        assert!(
            called.contains("generate_key") && called.len() > 20,
            "the UI's calls were found and read: {called:?}"
        );
        let wrong = mismatches(&[
            ("ui/src/lib/ipc/index.ts (called)", &called),
            ("capabilities/main.json (granted)", &granted),
        ]);
        assert!(
            wrong.is_empty(),
            "a command the UI never calls is not granted, and every call is:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn the_calls_of_the_ui_are_read_with_and_without_a_type() {
        let ts = "call<AppStatus>(\"app_status\"); call(\"remove_tool\", { tool });\n\
                  call<Array<Map<string, number>>>(\"list_keys\"); recall(x); call<T>(command, args)";
        assert_eq!(
            called(ts),
            BTreeSet::from([
                "app_status".into(),
                "remove_tool".into(),
                "list_keys".into()
            ])
        );
    }

    #[test]
    fn the_webview_may_write_to_the_clipboard_and_open_no_dialog() {
        let plugins = plugin_permissions(&read("capabilities/main.json"));
        assert_eq!(
            plugins,
            BTreeSet::from(["clipboard-manager:allow-write-text".to_owned()]),
            "the save dialog is opened by the Rust side (commands/save.rs): no dialog permission, \
             so no path chosen in the webview reaches a write"
        );
    }

    #[test]
    fn a_command_missing_from_a_list_is_named_with_where_it_is_missing() {
        let build_rs = "AppManifest::new().commands(&[\n    \"list_tools\",\n    \"add_tool\",\n])";
        let lib_rs = "generate_handler![\n    commands::tools::list_tools,\n    \
                      // a comment\n    commands::tools::add_tool,\n    \
                      commands::keys::delete_key,\n])";
        let capability =
            r#"{"permissions": ["allow-list-tools", "allow-add-tool", "dialog:allow-save"]}"#;
        let (declared, handled, granted) =
            (declared(build_rs), handled(lib_rs), granted(capability));
        assert_eq!(
            declared,
            BTreeSet::from(["list_tools".into(), "add_tool".into()])
        );
        assert_eq!(
            granted, declared,
            "allow-add-tool is add_tool; a plugin's permission is no command"
        );
        assert_eq!(
            plugin_permissions(capability),
            BTreeSet::from(["dialog:allow-save".to_owned()])
        );
        assert_eq!(
            mismatches(&[
                ("build.rs", &declared),
                ("lib.rs", &handled),
                ("main.json", &granted)
            ]),
            ["delete_key: missing from build.rs, main.json"]
        );
    }
}
