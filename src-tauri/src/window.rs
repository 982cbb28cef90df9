//! The main window's habits: one window per data directory, its size and place remembered in
//! that directory, and a reload when its renderer dies.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_window_state::StateFlags;

/// The window's label in `tauri.conf.json`.
const MAIN: &str = "main";
/// The app identifier of `tauri.conf.json` (the single-instance name starts with it).
const IDENTIFIER: &str = "org.ltikeys.manager";
/// The file in the data directory that holds the window's size and place.
const GEOMETRY_FILE: &str = "window-state.json";
/// What is remembered of the window.
const GEOMETRY_FLAGS: StateFlags = StateFlags::SIZE.union(StateFlags::POSITION);
/// How long the window must stay still after a resize or a move before its geometry is saved.
const GEOMETRY_SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

/// The D-Bus name (Linux) the first start of the app holds for `data_dir`: the app identifier
/// and a digest of the directory, so starts over other data directories (the end-to-end
/// tests, `LTIKEYS_DATA_DIR`) each get their own window.
fn instance_id(identifier: &str, data_dir: &Path) -> String {
    // SipHash with fixed keys: the same directory gives the same digest in every process of
    // this build, which is all a second start needs.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut hasher);
    format!("{identifier}.d{:016x}", hasher.finish())
}

/// A second start over the same data directory brings the first one's window forward and
/// exits.
pub(crate) fn single_instance<R: Runtime>(data_dir: &Path) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(IDENTIFIER, data_dir))
        .callback(|app, _args, _cwd| bring_forward(app))
        .build()
}

fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    // Each may fail on a platform or window manager that does not allow it; the rest still help.
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

/// Where the window's size and place are kept: in the data directory, beside the database.
fn geometry_path(data_dir: &Path) -> PathBuf {
    data_dir.join(GEOMETRY_FILE)
}

/// Remembers the window's size and position (nothing else: not whether it was visible or
/// decorated, which could hide it at the next start) in the data directory.
pub(crate) fn remembered_geometry<R: Runtime>(data_dir: &Path) -> TauriPlugin<R> {
    // The plugin joins its file name to the app's config directory; an absolute path replaces
    // that directory, so each data directory keeps its own window.
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(GEOMETRY_FLAGS)
        .with_filename(geometry_path(data_dir).to_string_lossy())
        .build()
}

/// Saves the window's geometry once it has settled after a resize or a move. The plugin saves
/// only when the app exits normally; a session that ends with the process killed (a logout
/// that does not wait, a crash, WebKitWebDriver closing its browser) would lose the size.
pub(crate) fn save_geometry_when_settled<R: Runtime>(app: &tauri::App<R>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use tauri_plugin_window_state::AppHandleExt;

    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    let handle = app.handle().clone();
    // Each resize or move bumps the generation; a save happens only if none came after it.
    let generation = Arc::new(AtomicU64::new(0));
    window.on_window_event(move |event| {
        if !matches!(
            event,
            tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_)
        ) {
            return;
        }
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let generation = Arc::clone(&generation);
        let handle = handle.clone();
        std::thread::spawn(move || {
            std::thread::sleep(GEOMETRY_SETTLE);
            if generation.load(Ordering::SeqCst) != mine {
                return;
            }
            // On the main thread: there the plugin's own event handler cannot wait on the lock
            // the save holds while it reads the window.
            let save = handle.clone();
            let queued = handle.run_on_main_thread(move || {
                if let Err(err) = save.save_window_state(GEOMETRY_FLAGS) {
                    eprintln!("warning: the window's size and place were not saved: {err}");
                }
            });
            if let Err(err) = queued {
                eprintln!("warning: the window's size and place were not saved: {err}");
            }
        });
    });
}

/// Reloads the page when the renderer process dies (a crash, memory exhausted), instead of
/// leaving a blank window; on Linux only, where WebKitGTK says when it happens.
pub(crate) fn reload_after_renderer_crash<R: Runtime>(app: &tauri::App<R>) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window(MAIN) {
        let hooked = window.with_webview(|webview| {
            use webkit2gtk::WebViewExt;
            let reloads = std::cell::RefCell::new(crash::Reloads::default());
            webview
                .inner()
                .connect_web_process_terminated(move |view, reason| {
                    if reloads.borrow_mut().allow(std::time::Instant::now()) {
                        eprintln!("the window's renderer stopped ({reason:?}); reloading the page");
                        view.reload();
                    } else {
                        eprintln!(
                            "the window's renderer stopped ({reason:?}) again; not reloading: \
                             restart the app"
                        );
                    }
                });
        });
        if let Err(err) = hooked {
            eprintln!("warning: a renderer crash will leave the window blank: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// With `LTIKEYS_COMPOSITING=off`, asks WebKitGTK to draw the page without its accelerated
/// compositing. On a machine without a GPU (a virtual machine, a remote desktop, Xvfb)
/// compositing runs OpenGL on the CPU, and a repaint of a long list took 100 to 600 ms there,
/// drawn directly 13 to 50 ms (`scripts/bench-window.sh`). It is not the default even there:
/// drawn directly, under Xvfb, a WebDriver screenshot taken as the window opens never returns
/// (the end-to-end tests hang on it), which composited it does. Any other value warns
/// and changes nothing; a `WEBKIT_DISABLE_COMPOSITING_MODE` already set is WebKit's own. Runs
/// first in [`crate::run`], before any thread reads the environment.
pub(crate) fn choose_compositing() {
    #[cfg(target_os = "linux")]
    {
        let choice = std::env::var("LTIKEYS_COMPOSITING").ok();
        let (directly, warning) = compositing::draw_directly(choice.as_deref());
        if let Some(warning) = warning {
            eprintln!("warning: {warning}");
        }
        if directly {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
    }
}

#[cfg(any(target_os = "linux", test))]
mod compositing {
    /// Whether `LTIKEYS_COMPOSITING` asks to draw without compositing; an unknown value comes
    /// back as the warning to print.
    pub(super) fn draw_directly(choice: Option<&str>) -> (bool, Option<String>) {
        match choice.map(str::trim) {
            None | Some("on") => (false, None),
            Some("off") => (true, None),
            Some(other) => (
                false,
                Some(format!(
                    "LTIKEYS_COMPOSITING is {other:?}: set it to \"off\" to draw the window \
                     without compositing, or \"on\" (the default); the window is composited"
                )),
            ),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_page_is_composited_unless_the_user_turns_it_off() {
            assert_eq!(draw_directly(None), (false, None));
            assert_eq!(draw_directly(Some("on")), (false, None));
            assert_eq!(draw_directly(Some("off")), (true, None));
            assert_eq!(draw_directly(Some(" off\n")), (true, None));
            let (directly, warning) = draw_directly(Some("yes"));
            assert!(!directly, "an unknown value changes nothing");
            assert!(
                warning.is_some_and(|w| w.contains("LTIKEYS_COMPOSITING") && w.contains("\"off\"")),
                "and says which variable and what it takes"
            );
        }
    }
}

#[cfg(any(target_os = "linux", test))]
mod crash {
    use std::time::{Duration, Instant};

    /// Reloads allowed within [`WINDOW`]: a page that crashes its renderer each time it loads
    /// is not reloaded for ever.
    const MAX: usize = 3;
    const WINDOW: Duration = Duration::from_secs(60);

    /// The recent reloads.
    #[derive(Default)]
    pub(super) struct Reloads(Vec<Instant>);

    impl Reloads {
        /// Whether to reload now; counts the reload when so.
        pub(super) fn allow(&mut self, now: Instant) -> bool {
            self.0
                .retain(|at| now.saturating_duration_since(*at) < WINDOW);
            let allowed = self.0.len() < MAX;
            if allowed {
                self.0.push(now);
            }
            allowed
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn reloads_three_times_a_minute_at_most() {
            let mut reloads = Reloads::default();
            let start = Instant::now();
            let seconds = |s| start + Duration::from_secs(s);
            assert!(reloads.allow(seconds(0)));
            assert!(reloads.allow(seconds(1)));
            assert!(reloads.allow(seconds(2)));
            assert!(
                !reloads.allow(seconds(3)),
                "a fourth crash in a minute is left"
            );
            assert!(
                reloads.allow(seconds(60)),
                "a minute after the first, one more"
            );
            assert!(
                !reloads.allow(seconds(60)),
                "the second and third are still recent"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_directory_has_its_own_instance_name() {
        let a = instance_id(IDENTIFIER, Path::new("/tmp/ltikeys-e2e-data.a"));
        let b = instance_id(IDENTIFIER, Path::new("/tmp/ltikeys-e2e-data.b"));
        assert_ne!(a, b, "two test apps over two directories are two instances");
        assert_eq!(
            a,
            instance_id(IDENTIFIER, Path::new("/tmp/ltikeys-e2e-data.a")),
            "a second start over the same directory finds the first"
        );
        // A D-Bus well-known name: dot-separated elements of [A-Za-z0-9_-], none starting with
        // a digit, at most 255 bytes (the plugin appends `.SingleInstance`).
        assert!(a.len() + ".SingleInstance".len() <= 255, "{a}");
        for element in a.split('.') {
            assert!(
                !element.is_empty()
                    && !element.starts_with(|c: char| c.is_ascii_digit())
                    && element
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{element:?} of {a} is a valid D-Bus name element"
            );
        }
    }

    #[test]
    fn the_identifier_is_the_apps() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json"))
            .expect("tauri.conf.json is JSON");
        assert_eq!(conf["identifier"], IDENTIFIER);
        assert_eq!(conf["app"]["windows"][0]["label"], MAIN);
    }

    #[test]
    fn the_window_geometry_lives_in_the_data_directory() {
        let data_dir = Path::new("/tmp/ltikeys-e2e-data.a");
        let path = geometry_path(data_dir);
        assert_eq!(path, Path::new("/tmp/ltikeys-e2e-data.a/window-state.json"));
        assert_eq!(
            Path::new("/home/me/.config/org.ltikeys.manager").join(path.to_string_lossy().as_ref()),
            path,
            "joined to the config directory, as the plugin does, the absolute path wins"
        );
    }
}
