//! What the desktop shell adds around the page, tried in the real window: a private key out
//! through the native save dialog and back in through the open dialog, one window per data
//! directory, the window's size kept across starts, and a reload when the renderer dies.

use std::cell::RefCell;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use ltikeys_e2e::{
    app_binary, cli, poll_until, web_processes, App, Launch, NativeDialog, APP_READY, KEYGEN,
    UI_STEP,
};
use serde_json::Value;

const SOURCE: &str = "Export Source";
const TARGET: &str = "Import Target";
const KID: &str = "e2e-native-export";
/// The export's passphrase, and two that are not it (typed by mistake).
const PASSPHRASE: &str = "Tr0ub4dor-e2e-native";
const MISTYPED: &str = "Tr0ub4dor-e2e-nativf";
const WRONG: &str = "not-the-passphrase-e2e";
const EXPORT_TITLE: &str = "Export private key (encrypted)";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver, xdotool and a keychain: run scripts/test.sh"]
async fn a_private_key_goes_out_and_back_in_through_the_native_dialogs() -> Result<()> {
    let ids = RefCell::new(Vec::new());
    let seed = |data: &Path| -> Result<()> {
        for name in [SOURCE, TARGET] {
            let id = cli(data, &["tool", "add", name])?;
            ids.borrow_mut().push(id.trim().to_owned());
        }
        cli(data, &["key", "new", "--tool", SOURCE, "--kid", KID])?;
        Ok(())
    };
    let app = App::start_with(Launch {
        seed: Some(Box::new(seed)),
        ..Launch::default()
    })
    .await?;
    let ids = ids.into_inner();
    let outcome = key_round_trip(&app, &ids[0], &ids[1]).await;
    app.finish_after("native-key-failure", outcome).await
}

/// Opens the tool `id` from the sidebar and waits for its keys table.
async fn open_tool(app: &App, id: &str) -> Result<()> {
    let item = format!("#tool-list [data-tool-id=\"{id}\"]");
    app.wait_enabled(&item, APP_READY).await?;
    app.click(&item).await?;
    app.wait_visible(&format!("#tool-page[data-tool-id=\"{id}\"]"), UI_STEP)
        .await?;
    app.wait_for("#keys-table", UI_STEP).await?;
    Ok(())
}

/// Fails when `secret` is in the page's HTML or in the app's log.
async fn expect_secret_unseen(app: &App, secret: &str, when: &str) -> Result<()> {
    let html = app.page_html().await?;
    ensure!(
        !html.contains(secret),
        "{when}: a passphrase is in the page HTML"
    );
    let log = std::fs::read_to_string(app.log())
        .with_context(|| format!("reading {}", app.log().display()))?;
    ensure!(
        !log.contains(secret),
        "{when}: a passphrase is in the app log {}",
        app.log().display()
    );
    Ok(())
}

async fn key_round_trip(app: &App, source: &str, target: &str) -> Result<()> {
    open_tool(app, source).await?;
    app.ensure_keychain_available().await?;
    let export = format!("[data-export-key=\"{KID}\"]");
    app.wait_enabled(&export, KEYGEN)
        .await
        .context("the seeded key has no export button (is its private key in the keychain?)")?;
    app.click(&export).await?;
    app.wait_visible("#export-passphrase", UI_STEP).await?;

    // Two different passphrases: said under the second field, and no dialog opens.
    app.fill("#export-passphrase", PASSPHRASE).await?;
    app.fill("#export-confirm", MISTYPED).await?;
    app.click("#export-save").await?;
    let error = app
        .wait_visible("[data-field-error=\"export-confirm\"]", UI_STEP)
        .await
        .context("two different passphrases said nothing under #export-confirm")?;
    ensure!(
        error.text.contains("differ"),
        "#export-confirm says {:?}",
        error.text
    );
    ensure!(
        NativeDialog::wait(EXPORT_TITLE, Duration::from_secs(2))
            .await
            .is_err(),
        "two different passphrases opened the save dialog"
    );
    expect_secret_unseen(app, PASSPHRASE, "with the export form filled in").await?;
    expect_secret_unseen(app, MISTYPED, "with the export form filled in").await?;

    // The same passphrase twice: the save dialog, answered with a path in a fresh folder.
    let out = tempfile::Builder::new()
        .prefix("ltikeys-e2e-native.")
        .tempdir()
        .context("creating the folder to export into")?;
    let pem_path = out.path().join("exported-key.pem");
    app.fill("#export-confirm", PASSPHRASE).await?;
    app.click("#export-save").await?;
    let dialog = NativeDialog::wait(EXPORT_TITLE, UI_STEP)
        .await
        .context("#export-save opened no native save dialog")?;
    dialog.replace_text(&path_text(&pem_path))?;
    dialog.press("Return")?;
    dialog.wait_closed(UI_STEP).await?;
    wait_toast(
        app,
        &format!("Private key of {KID} saved to {}", pem_path.display()),
    )
    .await?;
    let pem = std::fs::read_to_string(&pem_path)
        .with_context(|| format!("the export {} was not written", pem_path.display()))?;
    ensure!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
            && pem
                .trim_end()
                .ends_with("-----END ENCRYPTED PRIVATE KEY-----"),
        "the export is not an encrypted PKCS#8 PEM: {:?}",
        pem.lines().next()
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pem_path)?.permissions().mode() & 0o777;
        ensure!(mode == 0o600, "the export has mode {mode:o}, not 600");
    }
    ensure!(!pem.contains(PASSPHRASE), "the passphrase is in the PEM");
    expect_secret_unseen(app, PASSPHRASE, "after the export").await?;

    // Into the other tool through the open dialog.
    open_tool(app, target).await?;
    app.click("#import-pem").await?;
    let title = format!("Import a private key for {TARGET}");
    let dialog = NativeDialog::wait(&title, UI_STEP)
        .await
        .context("#import-pem opened no native open dialog")?;
    dialog.type_location(&path_text(&pem_path)).await?;
    let presses = dialog.accept(UI_STEP).await?;
    eprintln!("the open dialog took {presses} press(es) of Return");
    app.wait_visible("#import-passphrase", UI_STEP)
        .await
        .context("the encrypted file asked for no passphrase")?;
    let file = app.text_of("[data-import-file]").await?;
    ensure!(
        file == "exported-key.pem",
        "the form names the file {file:?}"
    );

    // A wrong passphrase: said under the field, and the file is kept for another try.
    app.fill("#import-passphrase", WRONG).await?;
    app.click("#import-submit-pem").await?;
    let error = app
        .wait_visible("[data-field-error=\"import-passphrase\"]", UI_STEP)
        .await
        .context("a wrong passphrase said nothing under #import-passphrase")?;
    ensure!(
        error.text.contains("passphrase"),
        "#import-passphrase says {:?}",
        error.text
    );
    app.wait_visible("#import-pem-form", UI_STEP)
        .await
        .context("a wrong passphrase closed the import form")?;
    ensure!(
        app.attrs_of_all("#keys-table tr[data-kid]", "data-kid")
            .await?
            .is_empty(),
        "a wrong passphrase imported a key"
    );
    expect_secret_unseen(app, WRONG, "after a wrong passphrase").await?;

    // The right one: the key row appears, the form closes.
    app.fill("#import-passphrase", PASSPHRASE).await?;
    app.click("#import-submit-pem").await?;
    let kids = app.wait_for_key_rows(1).await?;
    ensure!(kids.len() == 1, "the target tool lists {kids:?}");
    let imported = kids[0].clone();
    wait_toast(app, &format!("Key {imported} imported")).await?;
    ensure!(
        app.probe("#import-pem-form").await?.is_none(),
        "the import form stays open after the import"
    );
    expect_secret_unseen(app, PASSPHRASE, "after the import").await?;
    expect_secret_unseen(app, WRONG, "after the import").await?;

    // The command line sees the same key under the target tool.
    let listed: Value =
        serde_json::from_str(&app.cli(&["key", "list", "--tool", TARGET, "--json"])?)?;
    let listed = listed.as_array().context("key list --json is no array")?;
    ensure!(
        listed.len() == 1
            && listed[0]["kid"] == imported.as_str()
            && listed[0]["private_key"] == "present",
        "key list of {TARGET}: {listed:?}"
    );
    let modulus = |tool: &str, kid: &str| -> Result<String> {
        let jwk: Value = serde_json::from_str(&app.cli(&["jwk", "--tool", tool, "--kid", kid])?)?;
        jwk["n"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the JWK of {kid} has no n: {jwk}"))
    };
    ensure!(
        modulus(TARGET, &imported)? == modulus(SOURCE, KID)?,
        "the imported key is not the exported one"
    );
    Ok(())
}

/// `path` as the text to type into a dialog.
fn path_text(path: &Path) -> String {
    path.to_str().expect("temporary paths are UTF-8").to_owned()
}

/// Waits until `#toast` is shown and reads `expected`.
async fn wait_toast(app: &App, expected: &str) -> Result<()> {
    app.wait_toast_that(&format!("{expected:?}"), |t| t == expected)
        .await
        .map(drop)
}

/// The app binary started by hand on `data_dir`, on the tests' display and D-Bus session.
fn spawn_app(data_dir: &Path) -> Result<Child> {
    Command::new(app_binary()?)
        .env("LTIKEYS_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting a second app")
}

/// Waits for `child` to exit, for at most `timeout`.
async fn exit_within(
    child: &mut Child,
    timeout: Duration,
) -> Result<Option<std::process::ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a started app printed.
fn output_of(child: Child) -> String {
    match child.wait_with_output() {
        Ok(out) => format!(
            "stdout: {:?}, stderr: {:?}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(err) => format!("no output: {err}"),
    }
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver and a D-Bus session: run scripts/test.sh"]
async fn a_second_start_on_the_same_data_directory_hands_over_and_exits() -> Result<()> {
    let app = App::start().await?;
    let outcome = single_instance(&app).await;
    app.finish_after("native-single-failure", outcome).await
}

async fn single_instance(app: &App) -> Result<()> {
    app.wait_enabled("#new-tool", APP_READY).await?;

    let started = Instant::now();
    let mut second = spawn_app(app.data_dir())?;
    let status = exit_within(&mut second, Duration::from_secs(10)).await?;
    let Some(status) = status else {
        let _ = second.kill();
        bail!(
            "a second start on the same data directory still runs after 10 s; {}",
            output_of(second)
        );
    };
    let printed = output_of(second);
    eprintln!(
        "the second start exited ({status}) after {} ms; {printed}",
        started.elapsed().as_millis()
    );
    ensure!(
        status.success(),
        "the second start failed: {status}; {printed}"
    );
    app.wait_for("#tool-list", UI_STEP)
        .await
        .context("the first window stopped answering after the second start")?;
    app.wait_enabled("#new-tool", UI_STEP).await?;

    // Another data directory is another instance: it keeps running.
    let other = tempfile::Builder::new()
        .prefix("ltikeys-e2e-data.other.")
        .tempdir()?;
    let mut third = spawn_app(other.path())?;
    let exited = exit_within(&mut third, Duration::from_secs(3)).await?;
    if exited.is_none() {
        third
            .kill()
            .context("stopping the app on the other data directory")?;
    }
    let printed = output_of(third);
    ensure!(
        exited.is_none(),
        "a start on another data directory exited by itself ({exited:?}); {printed}"
    );
    app.wait_for("#tool-list", UI_STEP).await?;
    Ok(())
}

/// `[window.innerWidth, window.innerHeight]`.
async fn inner_size(app: &App) -> Result<(u64, u64)> {
    let size = app
        .client()?
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await?;
    let pair = size
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_u64).collect::<Vec<_>>())
        .unwrap_or_default();
    ensure!(pair.len() == 2, "the window's size reads {size}");
    Ok((pair[0], pair[1]))
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn the_window_opens_at_the_size_it_was_left() -> Result<()> {
    const SIZE: (u64, u64) = (900, 600);
    let data = tempfile::Builder::new()
        .prefix("ltikeys-e2e-data.size.")
        .tempdir()?;
    let state_file = data.path().join("window-state.json");

    let app = App::start_with(Launch {
        data_dir: Some(data.path()),
        ..Launch::default()
    })
    .await?;
    let outcome = async {
        app.wait_enabled("#new-tool", APP_READY).await?;
        let first = inner_size(&app).await?;
        eprintln!("the first window opens at {first:?}");
        ensure!(
            first.0.abs_diff(SIZE.0) > 40,
            "the window already opens at about {SIZE:?}: the test would prove nothing"
        );
        app.resize(900, 600).await?;
        // Saved once the window has stayed still a moment, before any close.
        let saved = poll_until(Duration::from_secs(5), || async {
            let text = std::fs::read_to_string(&state_file).unwrap_or_default();
            let state: Value = serde_json::from_str(&text).unwrap_or_default();
            let width = state["main"]["width"].as_u64().unwrap_or_default();
            Ok((width.abs_diff(SIZE.0) <= 40).then_some(text))
        })
        .await?
        .with_context(|| {
            format!(
                "{} did not get the new width within 5 s of the resize",
                state_file.display()
            )
        })?;
        eprintln!("window-state.json after the resize: {saved}");
        Ok(())
    }
    .await;
    app.finish_after("native-size-failure", outcome).await?;
    let kept = std::fs::read_to_string(&state_file)
        .with_context(|| format!("{} is gone after the close", state_file.display()))?;
    eprintln!("window-state.json after the first window closed: {kept}");

    let app = App::start_with(Launch {
        data_dir: Some(data.path()),
        ..Launch::default()
    })
    .await?;
    let outcome = async {
        app.wait_enabled("#new-tool", APP_READY).await?;
        let (width, height) = inner_size(&app).await?;
        eprintln!("the second window opens at {width}x{height}");
        ensure!(
            width.abs_diff(SIZE.0) <= 40 && height.abs_diff(SIZE.1) <= 40,
            "the second window opens at {width}x{height}, not about {}x{}",
            SIZE.0,
            SIZE.1
        );
        Ok(())
    }
    .await;
    app.finish_after("native-size-again-failure", outcome).await
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn the_window_reloads_when_its_renderer_dies() -> Result<()> {
    let app = App::start().await?;
    let outcome = renderer_crash(&app).await;
    app.finish_after("native-crash-failure", outcome).await
}

async fn renderer_crash(app: &App) -> Result<()> {
    app.wait_enabled("#new-tool", APP_READY).await?;
    let pid = app.app_pid()?;
    let renderers = web_processes(pid)?;
    ensure!(
        renderers.len() == 1,
        "the app (pid {pid}) has the renderers {renderers:?}, expected one"
    );
    let renderer = renderers[0];
    let killed = Command::new("kill")
        .args(["-KILL", &renderer.to_string()])
        .status()
        .context("running kill -KILL")?;
    ensure!(killed.success(), "kill -KILL {renderer} failed");
    let killed_at = Instant::now();

    // The page is gone until the reload: an error of the session means "not yet".
    let last_error = RefCell::new(String::new());
    let back = poll_until(Duration::from_secs(15), || async {
        Ok(match app.probe("#tool-list").await {
            Ok(Some(_)) => Some(()),
            Ok(None) => None,
            Err(err) => {
                *last_error.borrow_mut() = format!("{err:#}");
                None
            }
        })
    })
    .await?;
    let log = std::fs::read_to_string(app.log()).unwrap_or_default();
    let said = log
        .lines()
        .find(|line| line.contains("the window's renderer stopped"))
        .map(str::to_owned);
    eprintln!("after the kill the app said: {said:?}");
    ensure!(
        said.as_deref() == Some("the window's renderer stopped (Crashed); reloading the page"),
        "the app did not say it reloads the page after its renderer was killed (log {})",
        app.log().display()
    );
    // The reload started a new renderer for the same window, in the same app.
    let renewed = poll_until(Duration::from_secs(15), || async {
        let now = web_processes(pid)?;
        Ok((!now.is_empty() && !now.contains(&renderer)).then_some(now))
    })
    .await?;
    ensure!(
        renewed.is_some(),
        "no new renderer under the app (pid {pid}) within 15 s of killing {renderer}"
    );
    match back {
        Some(()) => {
            eprintln!(
                "#tool-list back {} ms after the kill, in the same WebDriver session",
                killed_at.elapsed().as_millis()
            );
            app.wait_enabled("#new-tool", UI_STEP).await?;
        }
        None => {
            // WebKit's automation session stays bound to the killed renderer: the reloaded
            // page is shown (see the display screenshot) but WebDriver no longer reaches it.
            let shot = app.screenshot_display("native-crash-reloaded-display.png")?;
            eprintln!(
                "WebDriver did not reach the reloaded page within 15 s (last error: {}); \
                 the window as shown: {}",
                last_error.borrow(),
                shot.display()
            );
        }
    }
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn the_window_is_composited_unless_the_user_turns_it_off() -> Result<()> {
    ensure!(
        std::env::var_os("LTIKEYS_COMPOSITING").is_none()
            && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none(),
        "run this test without LTIKEYS_COMPOSITING and WEBKIT_DISABLE_COMPOSITING_MODE set"
    );
    let app = App::start().await?;
    let outcome = drawn_directly(&app).await.and_then(|directly| {
        ensure!(
            !directly,
            "by default the renderer draws without compositing"
        );
        Ok(())
    });
    app.finish_after("native-compositing-failure", outcome)
        .await?;
    // The app is started by tauri-driver, which passes this process's environment on.
    std::env::set_var("LTIKEYS_COMPOSITING", "off");
    let app = App::start().await;
    std::env::remove_var("LTIKEYS_COMPOSITING");
    let app = app?;
    let outcome = drawn_directly(&app).await.and_then(|directly| {
        ensure!(
            directly,
            "with LTIKEYS_COMPOSITING=off the renderer still composites"
        );
        Ok(())
    });
    app.finish_after("native-compositing-off-failure", outcome)
        .await
}

/// Whether the renderer draws without compositing, once the window is up (see
/// [`App::drawn_directly`]).
async fn drawn_directly(app: &App) -> Result<bool> {
    app.wait_enabled("#new-tool", APP_READY).await?;
    app.drawn_directly()
}
