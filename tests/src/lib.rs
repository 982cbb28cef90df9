//! End-to-end harness: starts the built desktop app under `tauri-driver` (in front of
//! `WebKitWebDriver`) with an empty data directory and drives it over WebDriver.
//!
//! Environment:
//! - `LTIKEYS_APP_BIN` (required): path to the built `ltikeys-app` binary.
//! - `LTIKEYS_E2E_ARTIFACTS`: where screenshots and logs go (default `e2e-artifacts` in the
//!   target directory).
//! - `LTIKEYS_TAURI_DRIVER`: the `tauri-driver` binary (default: from `PATH`, then `~/.cargo/bin`).
//! - `LTIKEYS_NATIVE_DRIVER`: the native driver (default `/usr/bin/WebKitWebDriver`).
//! - `LTIKEYS_CLI_BIN`: the `ltikeys` command line (default: next to `LTIKEYS_APP_BIN`).
//!
//! A display is needed: `scripts/test.sh` runs the tests under `xvfb-run`. The native file
//! dialogs are GTK windows outside the webview, beyond WebDriver's reach: [`NativeDialog`]
//! answers them over X11 with `xdotool`.

pub mod browser;

use std::fs::{self, File};
use std::future::Future;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tempfile::TempDir;

/// How long the drivers get to open their ports.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `tauri-driver` gets to exit after SIGTERM.
const DRIVER_STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How long opening the WebDriver session (launching the app) may take.
const SESSION_OPEN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long closing the WebDriver session may take.
const SESSION_CLOSE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one UI action (click, typing, choosing) may keep retrying.
const ACTION_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a whole scenario of [`App::run`] may take: a WebDriver call that never answers
/// fails the test instead of holding the run (the longest scenario takes about two minutes).
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);
/// How long saving the failure artifacts may take, the page perhaps no longer answering.
const ARTIFACTS_TIMEOUT: Duration = Duration::from_secs(30);
/// Polling interval of every wait.
const POLL: Duration = Duration::from_millis(100);

/// App start-up, first paint included.
pub const APP_READY: Duration = Duration::from_secs(30);
/// Page changes after a click, lint after typing.
pub const UI_STEP: Duration = Duration::from_secs(15);
/// One key generation (a debug build, a busy machine).
pub const KEYGEN: Duration = Duration::from_secs(60);

/// The tests' "Quiz Engine": a domain, a login, a launch and a redirect URL; no JWKS URL.
pub const QUIZ_ENGINE: ToolForm<'static> = ToolForm {
    name: "Quiz Engine",
    domain: Some("quiz.example.edu"),
    login_url: Some("https://quiz.example.edu/lti/login"),
    launch_url: Some("https://quiz.example.edu/lti/launch"),
    redirect_uris: Some("https://quiz.example.edu/lti/launch"),
    jwks_url: None,
};

/// The fields of the "New tool" form; `None` leaves a field empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct ToolForm<'a> {
    /// `#tool-name`.
    pub name: &'a str,
    /// `#tool-domain`.
    pub domain: Option<&'a str>,
    /// `#tool-login-url`.
    pub login_url: Option<&'a str>,
    /// `#tool-launch-url`.
    pub launch_url: Option<&'a str>,
    /// `#tool-redirect-uris`.
    pub redirect_uris: Option<&'a str>,
    /// `#tool-jwks-url`.
    pub jwks_url: Option<&'a str>,
}

/// How [`App::start_with`] opens the window.
#[derive(Default)]
pub struct Launch<'a> {
    /// The app binary (default: `LTIKEYS_APP_BIN`).
    pub app: Option<&'a Path>,
    /// The OS asks for a dark theme.
    pub dark: bool,
    /// No keychain can be reached: the app's D-Bus session address leads nowhere.
    pub no_keychain: bool,
    /// Makes data in the (empty) data directory before the window opens, e.g. with [`cli`].
    pub seed: Option<Seed<'a>>,
    /// Opens the app on this data directory, kept at the end, instead of a fresh temporary
    /// one: a second start on it sees what the first left (the database, the window state).
    pub data_dir: Option<&'a Path>,
}

/// What makes a window's data before it opens, given the data directory.
pub type Seed<'a> = Box<dyn FnOnce(&Path) -> Result<()> + 'a>;

/// `path` as text, for typing it into a native dialog.
pub fn path_text(path: &Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

/// Runs the `ltikeys` command line on `data_dir` and answers what it printed; fails when it
/// exits non-zero. The binary is `LTIKEYS_CLI_BIN`, else the `ltikeys` next to
/// `LTIKEYS_APP_BIN` (cargo builds both into the same directory).
pub fn cli(data_dir: &Path, args: &[&str]) -> Result<String> {
    let bin = cli_binary()?;
    let out = Command::new(&bin)
        .args(args)
        .env("LTIKEYS_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    ensure!(
        out.status.success(),
        "ltikeys {} failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8(out.stdout).context("the output of ltikeys is not UTF-8")
}

/// A running app in a WebDriver session. Call [`App::finish`] at the end; dropping it
/// without that still stops `tauri-driver` (and with it the native driver).
pub struct App {
    client: Option<Client>,
    driver: DriverProcess,
    artifacts: PathBuf,
    data_dir: DataDir,
    app_bin: PathBuf,
    launched_at: Instant,
}

/// The data directory of an [`App`]: its own temporary one, or one given by the test.
enum DataDir {
    Temporary(TempDir),
    Given(PathBuf),
}

impl DataDir {
    fn path(&self) -> &Path {
        match self {
            Self::Temporary(dir) => dir.path(),
            Self::Given(path) => path,
        }
    }
}

impl App {
    /// Starts `tauri-driver` on two free ports and opens a session on the app named by
    /// `LTIKEYS_APP_BIN`, with `LTIKEYS_DATA_DIR` pointing at a fresh, empty directory.
    pub async fn start() -> Result<Self> {
        Self::start_with(Launch::default()).await
    }

    /// As [`App::start`], with the app binary and OS theme of `launch` and its data made before
    /// the window opens.
    pub async fn start_with(mut launch: Launch<'_>) -> Result<Self> {
        let app_bin = match launch.app {
            Some(app) => fs::canonicalize(app)
                .with_context(|| format!("the app binary {} does not exist", app.display()))?,
            None => app_binary()?,
        };
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            bail!("no DISPLAY: run under xvfb-run (scripts/test.sh does this)");
        }
        let artifacts = artifacts_dir()?;
        let data_dir = match launch.data_dir {
            Some(path) => DataDir::Given(path.to_path_buf()),
            None => DataDir::Temporary(
                tempfile::Builder::new()
                    .prefix("ltikeys-e2e-data.")
                    .tempdir()
                    .context("creating a temporary data directory")?,
            ),
        };

        if let Some(seed) = launch.seed.take() {
            seed(data_dir.path()).context("making the data the window opens on")?;
        }
        let (port, native_port) = two_free_ports()?;
        let mut driver =
            DriverProcess::spawn(port, native_port, data_dir.path(), &artifacts, &launch)?;
        driver.wait_for_ports(&[port, native_port]).await?;

        let mut caps = Capabilities::new();
        caps.insert(
            "tauri:options".to_owned(),
            json!({ "application": app_bin.to_string_lossy() }),
        );
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{port}");
        let context = || {
            format!(
                "opening a WebDriver session for {} (driver log: {})",
                app_bin.display(),
                driver.log.display()
            )
        };
        // Opening the session is what launches the app.
        let launched_at = Instant::now();
        let client = tokio::time::timeout(SESSION_OPEN_TIMEOUT, builder.connect(&url))
            .await
            .map_err(|_| anyhow!("no session after {} s", SESSION_OPEN_TIMEOUT.as_secs()))
            .with_context(context)?
            .with_context(context)?;

        Ok(Self {
            client: Some(client),
            driver,
            artifacts,
            data_dir,
            app_bin,
            launched_at,
        })
    }

    /// Starts the app, waits for its start screen, runs `scenario` on it and finishes the
    /// session; when the scenario fails, saves a screenshot and the page HTML as
    /// `<artifacts>/<failure_prefix>.*` first.
    pub async fn run(
        failure_prefix: &str,
        scenario: impl AsyncFnOnce(&App) -> Result<()>,
    ) -> Result<()> {
        let app = App::start().await?;
        let outcome = match app.wait_enabled("#new-tool", APP_READY).await {
            Ok(_) => match tokio::time::timeout(SCENARIO_TIMEOUT, scenario(&app)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(anyhow!(
                    "the scenario took over {} s: a step waited on a window that no longer \
                     answered",
                    SCENARIO_TIMEOUT.as_secs()
                )),
            },
            Err(err) => Err(err.context("the app window did not show its start screen")),
        };
        if outcome.is_err() {
            app.save_failure_artifacts(failure_prefix).await;
        }
        let finished = app.finish().await;
        outcome?;
        finished
    }

    /// The WebDriver client.
    pub fn client(&self) -> Result<&Client> {
        self.client
            .as_ref()
            .ok_or_else(|| anyhow!("the WebDriver session is already closed"))
    }

    /// The app's data directory (`LTIKEYS_DATA_DIR`), empty at start unless given in
    /// [`Launch::data_dir`].
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The log of `tauri-driver`, which also holds what the app printed to stderr.
    pub fn log(&self) -> &Path {
        &self.driver.log
    }

    /// The process id of the app (the child of the native driver that runs the launched binary).
    pub fn app_pid(&self) -> Result<u32> {
        let app = &self.app_bin;
        let driver = self
            .driver
            .child
            .as_ref()
            .map(Child::id)
            .context("tauri-driver is not running")?;
        let mut pending = vec![driver];
        while let Some(pid) = pending.pop() {
            for child in child_pids(pid)? {
                let exe = fs::read_link(format!("/proc/{child}/exe")).ok();
                if exe.is_some_and(|exe| &exe == app) {
                    return Ok(child);
                }
                pending.push(child);
            }
        }
        bail!(
            "no process of {} under tauri-driver (pid {driver})",
            app.display()
        )
    }

    /// When the WebDriver session, and with it the app, was requested.
    pub fn launched_at(&self) -> Instant {
        self.launched_at
    }

    /// Where screenshots and logs are written.
    pub fn artifacts(&self) -> &Path {
        &self.artifacts
    }

    /// The state of the first element matching `css`, read in one script call (so a
    /// re-render between two WebDriver calls cannot leave a stale element behind).
    pub async fn probe(&self, css: &str) -> Result<Option<Probe>> {
        let value = self
            .client()?
            .execute(
                "const e = document.querySelector(arguments[0]);\
                 if (!e) return null;\
                 const s = getComputedStyle(e);\
                 return {\
                   shown: !e.hidden && s.display !== 'none' && s.visibility !== 'hidden'\
                     && e.getClientRects().length > 0,\
                   disabled: !!e.disabled,\
                   text: (e.textContent || '').trim(),\
                 };",
                vec![json!(css)],
            )
            .await
            .with_context(|| format!("inspecting `{css}`"))?;
        if value.is_null() {
            return Ok(None);
        }
        Ok(Some(Probe {
            shown: value["shown"].as_bool().unwrap_or(false),
            disabled: value["disabled"].as_bool().unwrap_or(false),
            text: value["text"].as_str().unwrap_or_default().to_owned(),
        }))
    }

    /// Waits until `css` matches an element, for at most `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Probe> {
        self.wait_until(css, timeout, "appear", |_| true).await
    }

    /// Waits until `css` matches a displayed element, for at most `timeout`.
    pub async fn wait_visible(&self, css: &str, timeout: Duration) -> Result<Probe> {
        self.wait_until(css, timeout, "become visible", |p| p.shown)
            .await
    }

    /// Waits until `css` matches a displayed, enabled element, for at most `timeout`.
    pub async fn wait_enabled(&self, css: &str, timeout: Duration) -> Result<Probe> {
        self.wait_until(css, timeout, "become visible and enabled", |p| {
            p.shown && !p.disabled
        })
        .await
    }

    async fn wait_until(
        &self,
        css: &str,
        timeout: Duration,
        what: &str,
        ready: impl Fn(&Probe) -> bool,
    ) -> Result<Probe> {
        let ready = &ready;
        let found = poll_until(timeout, || async move {
            Ok(self.probe(css).await?.filter(|p| ready(p)))
        })
        .await?;
        match found {
            Some(probe) => Ok(probe),
            None => bail!(
                "`{css}` did not {what} within {} s{}",
                timeout.as_secs(),
                self.error_banner_note().await
            ),
        }
    }

    /// The trimmed `textContent` of the first element matching `css` (the DOM contract is
    /// about content; rendered text can be changed by CSS).
    pub async fn text_of(&self, css: &str) -> Result<String> {
        Ok(self.wait_for(css, ACTION_TIMEOUT).await?.text)
    }

    /// The attribute `name` of the first element matching `css`.
    pub async fn attr_of(&self, css: &str, name: &str) -> Result<Option<String>> {
        self.wait_for(css, ACTION_TIMEOUT).await?;
        let value = self
            .client()?
            .execute(
                "const e = document.querySelector(arguments[0]);\
                 return e ? e.getAttribute(arguments[1]) : null;",
                vec![json!(css), json!(name)],
            )
            .await
            .with_context(|| format!("reading {name} of `{css}`"))?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// The property `name` of the element matched by `css` (a control's `value`, say), as text.
    pub async fn prop_of(&self, css: &str, name: &str) -> Result<String> {
        self.wait_for(css, ACTION_TIMEOUT).await?;
        let value = self
            .client()?
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? String(e[arguments[1]]) : '';",
                vec![json!(css), json!(name)],
            )
            .await
            .with_context(|| format!("reading {name} of `{css}`"))?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The attribute `name` of every element matching `css`, in document order.
    pub async fn attrs_of_all(&self, css: &str, name: &str) -> Result<Vec<String>> {
        let value = self
            .client()?
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]),\
                   e => e.getAttribute(arguments[1]) || '');",
                vec![json!(css), json!(name)],
            )
            .await
            .with_context(|| format!("reading {name} of every `{css}`"))?;
        Ok(value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Dismisses every toast shown (each goes when clicked), so that a later
    /// [`App::wait_toast_that`] reads only what comes after. A toast that goes by itself
    /// meanwhile is passed over.
    pub async fn dismiss_toasts(&self) -> Result<()> {
        for _ in 0..20 {
            match self.probe("#toast").await? {
                Some(toast) if toast.shown => {
                    // Fails only when the toast went by itself between the probe and the click.
                    let _ = self.click("#toast .toast").await;
                }
                _ => return Ok(()),
            }
        }
        bail!(
            "#toast still shows {:?} after 20 clicks",
            self.probe("#toast").await?.map(|t| t.text)
        )
    }

    /// Waits for `#toast` to show a message that `expected` accepts; fails naming `what` (and
    /// any error the app shows) when none does within [`UI_STEP`].
    pub async fn wait_toast_that(
        &self,
        what: &str,
        expected: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let expected = &expected;
        let shown = poll_until(UI_STEP, || async move {
            Ok(self
                .probe("#toast")
                .await?
                .filter(|t| t.shown && expected(&t.text)))
        })
        .await?;
        match shown {
            Some(toast) => Ok(toast.text),
            None => bail!(
                "#toast did not show {what} within {} s (it reads {:?}){}",
                UI_STEP.as_secs(),
                self.probe("#toast").await?.map(|t| t.text),
                self.visible_error()
                    .await
                    .map(|e| format!("; the app shows the error {e:?}"))
                    .unwrap_or_default()
            ),
        }
    }

    /// Text of `#error-banner` if it is shown, for failure messages.
    pub async fn visible_error(&self) -> Option<String> {
        let probe = self.probe("#error-banner").await.ok()??;
        (probe.shown && !probe.text.is_empty()).then_some(probe.text)
    }

    async fn error_banner_note(&self) -> String {
        match self.visible_error().await {
            Some(text) => format!("; the app shows the error: {text:?}"),
            None => String::new(),
        }
    }

    /// Runs `act` on the first displayed element matching `css`. `act` answers whether it
    /// is done; it runs again on a fresh element when the UI re-rendered the old one, or
    /// when it was not done, for at most [`ACTION_TIMEOUT`].
    async fn act<F, Fut>(&self, css: &str, what: &str, act: F) -> Result<()>
    where
        F: Fn(Element) -> Fut,
        Fut: Future<Output = Result<bool, CmdError>>,
    {
        let client = self.client()?;
        let deadline = Instant::now() + ACTION_TIMEOUT;
        let mut last = String::from("no displayed element matched");
        loop {
            let attempt = async {
                for element in client.find_all(Locator::Css(css)).await? {
                    if element.is_displayed().await? {
                        return act(element).await;
                    }
                }
                Ok(false)
            };
            match attempt.await {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(err) if is_transient(&err) => last = err.to_string(),
                Err(err) => return Err(err).with_context(|| format!("{what} `{css}`")),
            }
            if Instant::now() >= deadline {
                bail!(
                    "{what} `{css}` did not succeed within {} s (last: {last}){}",
                    ACTION_TIMEOUT.as_secs(),
                    self.error_banner_note().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Clears the input matched by `css` and types `text` into it.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        self.act(css, "typing into", move |input| async move {
            input.clear().await?;
            input.send_keys(text).await?;
            Ok(input.prop("value").await?.as_deref() == Some(text))
        })
        .await
    }

    /// Picks the option with `value` in the `<select>` matched by `css`.
    pub async fn select(&self, css: &str, value: &str) -> Result<()> {
        self.act(
            css,
            &format!("choosing {value:?} in"),
            move |select| async move {
                select.select_by_value(value).await?;
                Ok(select.prop("value").await?.as_deref() == Some(value))
            },
        )
        .await
    }

    /// Clicks the element matched by `css` once it is visible and enabled.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.act(css, "clicking", |element| async move {
            if !element.is_enabled().await? {
                return Ok(false);
            }
            element.click().await?;
            Ok(true)
        })
        .await
    }

    /// Scrolls `css` to the middle of the window: WebKitWebDriver does not scroll the app's
    /// inner scroller (`.main`) by itself, so an element below the fold is "not interactable".
    pub async fn reveal(&self, css: &str) -> Result<()> {
        self.wait_for(css, UI_STEP).await?;
        self.client()?
            .execute(
                "const e = document.querySelector(arguments[0]);\
                 if (e) e.scrollIntoView({ block: 'center', inline: 'nearest' });",
                vec![json!(css)],
            )
            .await
            .with_context(|| format!("scrolling `{css}` into view"))?;
        Ok(())
    }

    /// Creates a tool through the "New tool" form (each field revealed before it is typed
    /// into); waits for its tool page and returns its `data-tool-id`.
    pub async fn create_tool(&self, tool: &ToolForm<'_>) -> Result<String> {
        self.reveal("#new-tool").await?;
        self.click("#new-tool").await?;
        self.wait_visible("#tool-form", UI_STEP).await?;
        let fields = [
            ("#tool-name", Some(tool.name)),
            ("#tool-domain", tool.domain),
            ("#tool-login-url", tool.login_url),
            ("#tool-launch-url", tool.launch_url),
            ("#tool-redirect-uris", tool.redirect_uris),
            ("#tool-jwks-url", tool.jwks_url),
        ];
        for (css, value) in fields {
            if let Some(value) = value {
                self.reveal(css).await?;
                self.fill(css, value).await?;
            }
        }
        self.reveal("#tool-save").await?;
        self.click("#tool-save").await?;
        self.wait_visible("#tool-page", UI_STEP)
            .await
            .context("saving the tool form did not open the tool page")?;
        let tool_id = self
            .attr_of("#tool-page", "data-tool-id")
            .await?
            .unwrap_or_default();
        ensure!(!tool_id.is_empty(), "#tool-page has no data-tool-id");
        Ok(tool_id)
    }

    /// The id of the element that has the keyboard focus (`document.activeElement`), empty
    /// when it has none (or the focus is on `<body>`). Only reads.
    pub async fn focused_id(&self) -> Result<String> {
        let value = self
            .client()?
            .execute(
                "const e = document.activeElement;\
                 return e && e !== document.body ? (e.id || '') : '';",
                vec![],
            )
            .await
            .context("reading document.activeElement")?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Tells the window it regained the focus (as when the user comes back from a terminal):
    /// the screens reload what they show.
    pub async fn window_focused(&self) -> Result<()> {
        self.client()?
            .execute("window.dispatchEvent(new FocusEvent('focus'));", vec![])
            .await
            .context("dispatching a focus event to the window")?;
        Ok(())
    }

    /// Reveals `css` (see [`App::reveal`]), then clicks it.
    pub async fn reveal_click(&self, css: &str) -> Result<()> {
        self.reveal(css).await?;
        self.click(css).await
    }

    /// Reveals `css`, then picks `value` in it.
    pub async fn reveal_select(&self, css: &str, value: &str) -> Result<()> {
        self.reveal(css).await?;
        self.select(css, value).await
    }

    /// Reveals `css`, then types `text` into it.
    pub async fn reveal_fill(&self, css: &str, text: &str) -> Result<()> {
        self.reveal(css).await?;
        self.fill(css, text).await
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) -> Result<()> {
        let gone = poll_until(UI_STEP, || async move {
            Ok(self.probe(css).await?.is_none().then_some(()))
        })
        .await?;
        ensure!(
            gone.is_some(),
            "`{css}` was still shown {} s later",
            UI_STEP.as_secs()
        );
        Ok(())
    }

    /// Waits for the platform card named `name` on the Platforms page; returns its
    /// `data-platform-id`. Fails at once when the platform form shows an error.
    pub async fn wait_for_platform(&self, name: &str) -> Result<String> {
        let found = poll_until(UI_STEP, || async move {
            if let Some(error) = self.probe("#platform-error").await? {
                if error.shown && !error.text.is_empty() {
                    bail!("saving the platform failed: {:?}", error.text);
                }
            }
            let value = self
                .client()?
                .execute(
                    "const card = Array.from(document.querySelectorAll('article[data-platform-id]'))\
                       .find(c => c.querySelector('.platform-name')?.textContent === arguments[0]);\
                     return card ? card.getAttribute('data-platform-id') : null;",
                    vec![json!(name)],
                )
                .await?;
            Ok(value.as_str().map(str::to_owned))
        })
        .await?;
        found.with_context(|| format!("no platform card named {name:?} appeared"))
    }

    /// The `field` endpoint (`issuer`, `auth_url`…) the card of platform `id` shows.
    pub async fn endpoint(&self, id: &str, field: &str) -> Result<String> {
        self.text_of(&format!(
            "[data-platform-id=\"{id}\"] [data-endpoint=\"{field}\"]"
        ))
        .await
    }

    /// The codes of the findings the Canvas JSON tab lists, in order.
    pub async fn canvas_finding_codes(&self) -> Result<Vec<String>> {
        self.attrs_of_all("#canvas-findings [data-finding-code]", "data-finding-code")
            .await
    }

    /// Runs the `ltikeys` command line on the app's data directory (see [`cli`]).
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        cli(self.data_dir(), args)
    }

    /// Fails when the app says the keychain is unavailable (scripts/with-keychain.sh
    /// provides one; the app must see it).
    pub async fn ensure_keychain_available(&self) -> Result<()> {
        if let Some(warning) = self.probe("#keychain-warning").await? {
            if warning.shown {
                bail!(
                    "the app says the keychain is unavailable: {:?} (run under scripts/with-keychain.sh)",
                    warning.text
                );
            }
        }
        Ok(())
    }

    /// Generates the first key of the open tool page (with the options chosen on it); returns
    /// its kid.
    pub async fn generate_first_key(&self) -> Result<String> {
        self.click("#generate-key").await?;
        let kids = self.wait_for_key_rows(1).await?;
        kids.first().cloned().context("no key row after generating")
    }

    /// Waits until `#keys-table` lists at least `count` keys; returns their kids in table
    /// order. Fails at once when the app shows an error.
    pub async fn wait_for_key_rows(&self, count: usize) -> Result<Vec<String>> {
        let rows = poll_until(KEYGEN, || async move {
            if let Some(error) = self.visible_error().await {
                bail!("key generation failed, the app shows: {error:?}");
            }
            let kids = self
                .attrs_of_all("#keys-table tr[data-kid]", "data-kid")
                .await?;
            Ok((kids.len() >= count).then_some(kids))
        })
        .await?;
        match rows {
            Some(rows) => Ok(rows),
            None => bail!(
                "#keys-table did not list {count} key(s) within {} s after #generate-key",
                KEYGEN.as_secs()
            ),
        }
    }

    /// Asserts the text of cell `.class` in the `#keys-table` row of `kid`, waiting for it for
    /// at most `within` (zero: read once).
    pub async fn expect_key_cell(
        &self,
        kid: &str,
        class: &str,
        expected: &str,
        within: Duration,
    ) -> Result<()> {
        let selector = format!("#keys-table tr[data-kid=\"{kid}\"] .{class}");
        let selector = selector.as_str();
        let found = poll_until(within, || async move {
            let text = self.text_of(selector).await?;
            Ok((text == expected).then_some(text))
        })
        .await?;
        ensure!(
            found.is_some(),
            "key {kid:?}: `.{class}` shows {:?}, expected {expected:?}",
            self.text_of(selector).await?
        );
        Ok(())
    }

    /// The whole document as HTML, as the webview holds it now.
    pub async fn page_html(&self) -> Result<String> {
        let html = self
            .client()?
            .execute("return document.documentElement.outerHTML;", vec![])
            .await
            .context("reading document.documentElement.outerHTML")?;
        match html {
            Value::String(html) => Ok(html),
            other => bail!("outerHTML came back as {other}"),
        }
    }

    /// Resizes the window to `width` x `height` (CSS pixels) and waits until the page sees it.
    pub async fn resize(&self, width: u32, height: u32) -> Result<()> {
        let client = self.client()?;
        client
            .set_window_size(width, height)
            .await
            .with_context(|| format!("resizing the window to {width}x{height}"))?;
        let seen = poll_until(UI_STEP, || async move {
            let size = client
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await?;
            let fits = size
                .as_array()
                .map(|v| v.iter().filter_map(Value::as_u64).collect::<Vec<_>>())
                .is_some_and(|v| {
                    v.len() == 2
                        && v[0] <= u64::from(width)
                        && v[1] <= u64::from(height)
                        && v[0] + 40 >= u64::from(width)
                });
            Ok(fits.then_some(()))
        })
        .await?;
        ensure!(
            seen.is_some(),
            "the window did not take the size {width}x{height}"
        );
        Ok(())
    }

    /// Saves a PNG screenshot as `<artifacts>/<name>`, after two animation frames so the
    /// picture matches the DOM.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let client = self.client()?;
        client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .context("waiting for two animation frames before a screenshot")?;
        if self.drawn_directly().unwrap_or(false) {
            // WebKitGTK's snapshot, which WebDriver's screenshot takes, never returns when the
            // page is drawn without compositing under Xvfb, and every WebDriver call after it
            // waits behind it: the display is captured instead.
            return self.screenshot_display(name);
        }
        let png = client.screenshot().await.context("taking a screenshot")?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            bail!("the screenshot is not a PNG ({} bytes)", png.len());
        }
        let path = self.artifacts.join(name);
        fs::write(&path, &png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// Whether the app's renderer draws without compositing (as `LTIKEYS_COMPOSITING=off` asks,
    /// see src-tauri/src/window.rs): read from the renderer's environment, `WEBKIT_DISABLE_COMPOSITING_MODE=1`, which the app sets before
    /// WebKit starts it.
    pub fn drawn_directly(&self) -> Result<bool> {
        let pid = self.app_pid()?;
        let renderers = web_processes(pid)?;
        let renderer = *renderers
            .first()
            .with_context(|| format!("the app (pid {pid}) has no renderer"))?;
        let environ = fs::read(format!("/proc/{renderer}/environ"))
            .with_context(|| format!("reading the environment of renderer {renderer}"))?;
        Ok(environ
            .split(|b| *b == 0)
            .any(|var| var == b"WEBKIT_DISABLE_COMPOSITING_MODE=1"))
    }

    /// Saves a PNG of the whole X display as `<artifacts>/<name>` (ImageMagick's `import`): it
    /// shows native windows, such as a file dialog, that a WebDriver screenshot leaves out.
    pub fn screenshot_display(&self, name: &str) -> Result<PathBuf> {
        let path = self.artifacts.join(name);
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .stdin(Stdio::null())
            .status()
            .context("running ImageMagick's import (scripts/install-deps.sh --test)")?;
        if !status.success() {
            bail!("import -window root {} failed ({status})", path.display());
        }
        Ok(path)
    }

    /// Best effort after a failure: a screenshot and the page HTML, for the report.
    pub async fn save_failure_artifacts(&self, prefix: &str) {
        let save = async {
            match self.screenshot(&format!("{prefix}.png")).await {
                Ok(path) => eprintln!("failure screenshot: {}", path.display()),
                Err(err) => eprintln!("no failure screenshot: {err:#}"),
            }
            if let Ok(html) = self.page_html().await {
                let path = self.artifacts.join(format!("{prefix}.html"));
                if fs::write(&path, html).is_ok() {
                    eprintln!("page HTML at failure: {}", path.display());
                }
            }
        };
        if tokio::time::timeout(ARTIFACTS_TIMEOUT, save).await.is_err() {
            eprintln!(
                "the page gave no screenshot or HTML within {} s",
                ARTIFACTS_TIMEOUT.as_secs()
            );
        }
        eprintln!("tauri-driver and app log: {}", self.driver.log.display());
    }

    /// Finishes the session after a scenario's `outcome`; when it failed, saves the failure
    /// artifacts as `<prefix>.*` first, the whole display too (native dialogs are not in the
    /// page).
    pub async fn finish_after(self, prefix: &str, outcome: Result<()>) -> Result<()> {
        if outcome.is_err() {
            self.save_failure_artifacts(prefix).await;
            if let Err(err) = self.screenshot_display(&format!("{prefix}-display.png")) {
                eprintln!("no display screenshot: {err:#}");
            }
        }
        let finished = self.finish().await;
        outcome?;
        finished
    }

    /// Closes the session (the app exits), then stops `tauri-driver` with SIGTERM.
    pub async fn finish(mut self) -> Result<()> {
        let closed = match self.client.take() {
            Some(client) => match tokio::time::timeout(SESSION_CLOSE_TIMEOUT, client.close()).await
            {
                Ok(result) => result.context("closing the WebDriver session"),
                Err(_) => Err(anyhow!(
                    "closing the WebDriver session took over {} s",
                    SESSION_CLOSE_TIMEOUT.as_secs()
                )),
            },
            None => Ok(()),
        };
        let stopped = self.driver.stop();
        closed.and(stopped)
    }
}

/// `tauri-driver` as a child process, stopped with SIGTERM on drop.
struct DriverProcess {
    child: Option<Child>,
    log: PathBuf,
}

impl DriverProcess {
    fn spawn(
        port: u16,
        native_port: u16,
        data_dir: &Path,
        artifacts: &Path,
        launch: &Launch<'_>,
    ) -> Result<Self> {
        let driver = tauri_driver()?;
        let native = std::env::var_os("LTIKEYS_NATIVE_DRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/bin/WebKitWebDriver"));
        if !native.is_file() {
            bail!(
                "native WebDriver {} not found: install webkit2gtk-driver \
                 (scripts/install-deps.sh --test)",
                native.display()
            );
        }
        // One log per driver: a second start (or another run) never writes over the first's.
        let log = artifacts.join(format!("tauri-driver-{port}.log"));
        let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let mut command = Command::new(&driver);
        if launch.dark {
            // The OS asks for a dark theme: GTK, and with it WebKit's prefers-color-scheme.
            command.env("GTK_THEME", "Adwaita:dark");
        }
        if launch.no_keychain {
            command.env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/ltikeys-e2e-no-bus",
            );
        }
        let child = command
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .arg("--native-driver")
            .arg(&native)
            .env("LTIKEYS_DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {}", driver.display()))?;
        Ok(Self {
            child: Some(child),
            log,
        })
    }

    async fn wait_for_ports(&mut self, ports: &[u16]) -> Result<()> {
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        for &port in ports {
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
                if let Some(status) = self.exited()? {
                    bail!(
                        "tauri-driver exited ({status}) before port {port} opened; log: {}",
                        self.log.display()
                    );
                }
                if Instant::now() > deadline {
                    bail!(
                        "port {port} did not accept connections within {} s; log: {}",
                        DRIVER_START_TIMEOUT.as_secs(),
                        self.log.display()
                    );
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(())
    }

    fn exited(&mut self) -> Result<Option<std::process::ExitStatus>> {
        match &mut self.child {
            Some(child) => Ok(child.try_wait()?),
            None => Ok(None),
        }
    }

    /// SIGTERM, so that tauri-driver also stops the native driver; then wait for it.
    fn stop(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if child.try_wait()?.is_some() {
            return Ok(());
        }
        let pid = child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .context("running kill -TERM")?;
        if !sent.success() && child.try_wait()?.is_none() {
            bail!("kill -TERM {pid} failed for tauri-driver");
        }
        let deadline = Instant::now() + DRIVER_STOP_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(POLL);
        }
        // Last resort, so a stuck driver cannot hang the test run.
        child.kill()?;
        child.wait()?;
        bail!(
            "tauri-driver ignored SIGTERM for {} s and was killed; WebKitWebDriver may be left over",
            DRIVER_STOP_TIMEOUT.as_secs()
        )
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        if let Err(err) = self.stop() {
            eprintln!("stopping tauri-driver: {err:#}");
        }
    }
}

/// The WebKit renderers (`WebKitWebProcess`) among the processes under `pid`.
pub fn web_processes(pid: u32) -> Result<Vec<u32>> {
    Ok(child_pids(pid)?
        .into_iter()
        .filter(|child| {
            fs::read_link(format!("/proc/{child}/exe"))
                .ok()
                .and_then(|exe| exe.file_name().map(|n| n == "WebKitWebProcess"))
                .unwrap_or(false)
        })
        .collect())
}

/// The ids of the live child processes of `pid` (read from `/proc`, Linux).
pub fn child_pids(pid: u32) -> Result<Vec<u32>> {
    let mut children = Vec::new();
    for entry in fs::read_dir("/proc").context("reading /proc")? {
        let entry = entry?;
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, the last `)` ends it.
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue; // gone meanwhile
        };
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace())
            .into_iter()
            .flatten();
        let state = fields.next();
        let parent = fields.next().and_then(|ppid| ppid.parse::<u32>().ok());
        if parent == Some(pid) && state != Some("Z") {
            children.push(child);
        }
    }
    Ok(children)
}

/// Polls `check` every [`POLL`] until it yields `Some`, or `timeout` passes (then `None`).
pub async fn poll_until<T, F, Fut>(timeout: Duration, mut check: F) -> Result<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await? {
            return Ok(Some(value));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A native dialog window of the app (the GTK save dialog), answered with `xdotool` as a
/// person would: focus it, type, press keys.
pub struct NativeDialog {
    window: String,
    title: String,
}

impl NativeDialog {
    /// Waits until a window titled exactly `title` (plain text) is shown, for at most
    /// `timeout`.
    pub async fn wait(title: &str, timeout: Duration) -> Result<Self> {
        let found = poll_until(timeout, || async { Ok(shown_windows(title)?.pop()) }).await?;
        match found {
            Some(window) => Ok(Self {
                window,
                title: title.to_owned(),
            }),
            None => bail!(
                "no window titled {title:?} was shown within {} s",
                timeout.as_secs()
            ),
        }
    }

    /// Replaces the text of the focused field (the save dialog's file name) with `text`. The
    /// GTK file chooser takes an absolute path there as the folder and the name at once.
    pub fn replace_text(&self, text: &str) -> Result<()> {
        self.focus()?;
        xdotool(&["key", "--clearmodifiers", "ctrl+a"])?;
        xdotool(&["type", "--clearmodifiers", "--delay", "15", text])
    }

    /// Types `path` into the location field of an open dialog. There the focus is on the file
    /// list, where typing `/` opens the location field and the keys typed while it opens are
    /// lost (`/tmp/x` arrives as `/mp/x`): Ctrl+L opens it first, then the path replaces its
    /// text.
    pub async fn type_location(&self, path: &str) -> Result<()> {
        self.focus()?;
        xdotool(&["key", "--clearmodifiers", "ctrl+l"])?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.replace_text(path)
    }

    /// Presses `key` (an X keysym name such as `Escape`) in the dialog.
    pub fn press(&self, key: &str) -> Result<()> {
        self.focus()?;
        xdotool(&["key", "--clearmodifiers", key])
    }

    /// Closes the dialog with Escape, for at most `timeout`; answers how many presses it took.
    /// As for a person, one press may only close the completion popup that typing a path into
    /// the name field opened: Escape is pressed again while the dialog stays open.
    pub async fn dismiss(&self, timeout: Duration) -> Result<u32> {
        let deadline = Instant::now() + timeout;
        let mut presses = 0;
        while Instant::now() < deadline {
            presses += 1;
            let pressed = self.press("Escape");
            let closed = poll_until(Duration::from_secs(1), || async {
                Ok(self.closed()?.then_some(()))
            })
            .await?;
            match (closed, pressed) {
                (Some(()), _) => return Ok(presses),
                (None, Err(err)) => return Err(err),
                (None, Ok(())) => {}
            }
        }
        bail!(
            "the window {:?} was still shown after {presses} presses of Escape in {} s",
            self.title,
            timeout.as_secs()
        )
    }

    /// Accepts the dialog with Return, for at most `timeout`; answers how many presses it took.
    /// As with [`NativeDialog::dismiss`], a press may only be taken by the completion of the
    /// path typed (the open dialog's location field): Return is pressed again while the dialog
    /// stays open.
    pub async fn accept(&self, timeout: Duration) -> Result<u32> {
        let deadline = Instant::now() + timeout;
        let mut presses = 0;
        while Instant::now() < deadline {
            presses += 1;
            self.press("Return")?;
            let closed = poll_until(Duration::from_secs(2), || async {
                Ok(self.closed()?.then_some(()))
            })
            .await?;
            if closed.is_some() {
                return Ok(presses);
            }
        }
        bail!(
            "the window {:?} was still shown after {presses} presses of Return in {} s",
            self.title,
            timeout.as_secs()
        )
    }

    /// Waits until the dialog's window is gone, for at most `timeout`.
    pub async fn wait_closed(&self, timeout: Duration) -> Result<()> {
        let closed = poll_until(timeout, || async { Ok(self.closed()?.then_some(())) }).await?;
        match closed {
            Some(()) => Ok(()),
            None => bail!(
                "the window {:?} was still shown after {} s",
                self.title,
                timeout.as_secs()
            ),
        }
    }

    fn closed(&self) -> Result<bool> {
        Ok(!shown_windows(&self.title)?.contains(&self.window))
    }

    /// There is no window manager under Xvfb: give the dialog the keyboard focus directly.
    fn focus(&self) -> Result<()> {
        xdotool(&["windowfocus", "--sync", &self.window])
    }
}

/// The ids of the shown windows titled exactly `title`, oldest first.
fn shown_windows(title: &str) -> Result<Vec<String>> {
    // xdotool matches a POSIX extended regular expression: a title such as
    // "Export private key (encrypted)" is matched as plain text.
    let escaped: String = title
        .chars()
        .flat_map(|c| {
            let special = "\\.^$|?*+()[]{}".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect();
    let pattern = format!("^{escaped}$");
    // `search` exits 1 when nothing matches: only its output tells.
    let out = run_xdotool(&["search", "--onlyvisible", "--name", &pattern])?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect())
}

/// Runs `xdotool` with `args`; fails when it fails.
fn xdotool(args: &[&str]) -> Result<()> {
    let out = run_xdotool(args)?;
    if !out.status.success() {
        bail!(
            "xdotool {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Runs `xdotool` with `args`, killed if it takes longer than [`ACTION_TIMEOUT`].
fn run_xdotool(args: &[&str]) -> Result<std::process::Output> {
    let mut child = Command::new("xdotool")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting xdotool (scripts/install-deps.sh --test installs it)")?;
    let deadline = Instant::now() + ACTION_TIMEOUT;
    while child.try_wait()?.is_none() {
        if Instant::now() >= deadline {
            child.kill()?;
            child.wait()?;
            bail!(
                "xdotool {} took over {} s",
                args.join(" "),
                ACTION_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
        .wait_with_output()
        .with_context(|| format!("reading the output of xdotool {}", args.join(" ")))
}

/// What [`App::probe`] sees of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Rendered: not hidden, not `display: none`, has a layout box.
    pub shown: bool,
    /// The `disabled` property is set.
    pub disabled: bool,
    /// The trimmed `textContent`.
    pub text: String,
}

/// Errors that mean "the UI changed under us, look again".
fn is_transient(err: &CmdError) -> bool {
    err.is_stale_element_reference()
        || err.is_no_such_element()
        || err.is_element_not_interactable()
        || matches!(err, CmdError::Standard(wd) if wd.error == ErrorStatus::ElementClickIntercepted)
        || err.to_string().contains("was not found")
}

/// The app binary the tests run: `LTIKEYS_APP_BIN`, made absolute; fails when it is not set
/// or not a file.
pub fn app_binary() -> Result<PathBuf> {
    let Some(raw) = std::env::var_os("LTIKEYS_APP_BIN") else {
        bail!(
            "LTIKEYS_APP_BIN is not set: build the app (cargo build -p ltikeys-app) and point \
             LTIKEYS_APP_BIN at the binary, or run scripts/test.sh"
        );
    };
    let path = PathBuf::from(raw);
    let path = fs::canonicalize(&path)
        .with_context(|| format!("LTIKEYS_APP_BIN={} does not exist", path.display()))?;
    if !path.is_file() {
        bail!("LTIKEYS_APP_BIN={} is not a file", path.display());
    }
    Ok(path)
}

/// The `ltikeys` that [`cli`] runs: `LTIKEYS_CLI_BIN`, else the one next to `LTIKEYS_APP_BIN`.
pub fn cli_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("LTIKEYS_CLI_BIN") {
        return Ok(PathBuf::from(path));
    }
    let app = app_binary()?;
    let cli = app.with_file_name(format!("ltikeys{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        cli.is_file(),
        "no ltikeys next to the app at {}: build it (cargo build -p ltikeys) or set LTIKEYS_CLI_BIN",
        cli.display()
    );
    Ok(cli)
}

fn artifacts_dir() -> Result<PathBuf> {
    let dir = std::env::var_os("LTIKEYS_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
                    manifest_dir.parent().unwrap_or(manifest_dir).join("target")
                })
                .join("e2e-artifacts")
        });
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn tauri_driver() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("LTIKEYS_TAURI_DRIVER") {
        return Ok(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("tauri-driver"));
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    on_path
        .chain(cargo_bin)
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            anyhow!(
                "tauri-driver not found on PATH or in ~/.cargo/bin: \
                 cargo install tauri-driver --version ^2 --locked"
            )
        })
}

/// Two distinct free ports on 127.0.0.1 (both listeners are held until both are known).
fn two_free_ports() -> Result<(u16, u16)> {
    let first = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    let second = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok((first.local_addr()?.port(), second.local_addr()?.port()))
}
