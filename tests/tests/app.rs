//! The real app in a real window: create a tool, generate keys, check what the webview holds.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use ltikeys_e2e::{poll_until, App, ToolForm, APP_READY, KEYGEN, QUIZ_ENGINE, UI_STEP};

const TOOL_NAME: &str = QUIZ_ENGINE.name;
const CUSTOM_KID: &str = "e2e-custom-1";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn create_tool_and_generate_keys() -> Result<()> {
    App::run("failure", tool_and_keys).await
}

async fn tool_and_keys(app: &App) -> Result<()> {
    app.screenshot("start.png").await?;

    // A new tool through the form.
    let tool_id = app.create_tool(&QUIZ_ENGINE).await?;
    let title = app.text_of("#tool-title").await?;
    ensure!(
        title == TOOL_NAME,
        "#tool-title shows {title:?}, expected {TOOL_NAME:?}"
    );
    let sidebar_text = app
        .text_of(&format!("#tool-list [data-tool-id=\"{tool_id}\"]"))
        .await
        .context("the new tool is not in the sidebar #tool-list")?;
    ensure!(
        sidebar_text.contains(TOOL_NAME),
        "the sidebar item for the new tool shows {sidebar_text:?}, expected it to contain {TOOL_NAME:?}"
    );
    app.ensure_keychain_available().await?;

    // First key: 2048 bits, RFC 7638 thumbprint kid.
    app.select("#key-bits", "2048").await?;
    app.select("#kid-scheme", "thumbprint").await?;
    let kid = app.generate_first_key().await?;
    ensure!(
        is_base64url_thumbprint(&kid),
        "the first key's kid {kid:?} is not a 43-character base64url SHA-256 thumbprint"
    );
    app.expect_key_cell(&kid, "status", "current", NOW).await?;
    app.expect_key_cell(&kid, "bits", "2048", NOW).await?;
    app.expect_key_cell(&kid, "private", "present", NOW).await?;
    ensure_no_private_material(app).await?;
    app.screenshot("tool-page.png").await?;

    // Second key with a custom kid: published as the next key.
    app.wait_enabled("#generate-key", KEYGEN).await?;
    app.select("#key-bits", "2048").await?;
    app.select("#kid-scheme", "custom").await?;
    app.fill("#custom-kid", CUSTOM_KID).await?;
    app.click("#generate-key").await?;
    let rows = app.wait_for_key_rows(2).await?;
    ensure!(
        rows.iter().any(|row| row == CUSTOM_KID),
        "no row for kid {CUSTOM_KID:?} in #keys-table; rows: {rows:?}"
    );
    app.expect_key_cell(CUSTOM_KID, "status", "next", NOW)
        .await?;
    app.expect_key_cell(CUSTOM_KID, "private", "present", NOW)
        .await?;
    app.expect_key_cell(&kid, "status", "current", NOW).await?;
    ensure_no_private_material(app).await?;
    app.screenshot("tool-page-two-keys.png").await?;
    Ok(())
}

/// For [`App::expect_key_cell`]: the cell must read so as soon as its row is listed.
const NOW: Duration = Duration::ZERO;

/// Private key material must never reach the webview.
async fn ensure_no_private_material(app: &App) -> Result<()> {
    let html = app.page_html().await?;
    ensure!(
        !html.contains("PRIVATE KEY"),
        "the page HTML contains \"PRIVATE KEY\": private key material reached the webview"
    );
    ensure!(
        !html.contains("\"d\""),
        "the page HTML contains a JSON \"d\" field: a private JWK reached the webview"
    );
    Ok(())
}

/// A base64url (no padding) SHA-256 digest: 43 characters of `[A-Za-z0-9_-]`.
fn is_base64url_thumbprint(kid: &str) -> bool {
    kid.len() == 43
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[test]
fn thumbprint_shape() {
    assert!(is_base64url_thumbprint(
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    ));
    assert!(!is_base64url_thumbprint(CUSTOM_KID));
    assert!(!is_base64url_thumbprint(
        "NzbLsXh8uDCcd+6MNwXF4W/7noWXFZAfHkxZsRGC9Xs"
    ));
}

/// Whether the Secret Service holds an entry for `account` under the app's service.
fn in_keychain(account: &str) -> Result<bool> {
    Ok(std::process::Command::new("secret-tool")
        .args(["lookup", "service", "ltikeys", "username", account])
        .stdout(std::process::Stdio::null())
        .status()
        .context("secret-tool (package libsecret-tools)")?
        .success())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn orphan_private_keys_are_shown_and_removed_after_a_confirm() -> Result<()> {
    App::run("orphans-failure", orphans).await
}

async fn orphans(app: &App) -> Result<()> {
    ensure!(
        app.probe("#orphans-banner").await?.is_none_or(|p| !p.shown),
        "no orphans, no banner"
    );
    let tool_id = app
        .create_tool(&ToolForm {
            name: "Orphan Tool",
            ..ToolForm::default()
        })
        .await?;

    // A private key left in the keychain with no key record (a generation killed half-way
    // by an older version, say).
    let account = format!("{tool_id}/lost-kid");
    let mut store = std::process::Command::new("secret-tool")
        .args([
            "store", "--label", "orphan", "service", "ltikeys", "username", &account,
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .context("secret-tool (package libsecret-tools)")?;
    if let Some(mut stdin) = store.stdin.take() {
        use std::io::Write as _;
        stdin.write_all(b"0\x00")?;
    }
    ensure!(store.wait()?.success(), "secret-tool store failed");

    // The window sees it when it (re)starts.
    app.client()?.refresh().await?;
    app.wait_visible("#orphans-banner", APP_READY)
        .await
        .context("the start did not report the orphan")?;
    let text = app.text_of("#orphans-message").await?;
    ensure!(
        text.contains("Orphan Tool lost-kid"),
        "the banner names the tool and kid: {text:?}"
    );
    app.screenshot("orphans.png").await?;

    app.click("#orphans-remove").await?;
    app.wait_visible("#orphans-confirm", UI_STEP).await?;
    ensure!(
        in_keychain(&account)?,
        "nothing is removed before the confirm"
    );
    app.click("#orphans-confirm").await?;
    let gone = poll_until(UI_STEP, || async {
        Ok(app
            .probe("#orphans-banner")
            .await?
            .is_none_or(|p| !p.shown)
            .then_some(()))
    })
    .await?;
    ensure!(gone.is_some(), "the banner stays after the removal");
    ensure!(
        !in_keychain(&account)?,
        "the orphan is gone from the keychain"
    );
    ensure!(
        app.visible_error().await.is_none(),
        "no error: {:?}",
        app.visible_error().await
    );
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn the_webview_is_refused_what_it_was_not_granted_and_runs_no_inline_or_remote_script(
) -> Result<()> {
    App::run("webview-refusals", webview_refusals).await
}

/// What a script that found its way into the page could try, each against the real window:
/// a command of the app (granted, the control), commands of Tauri and of a loaded plugin that
/// the capability does not grant, an inline script, eval, and requests to another origin.
async fn webview_refusals(app: &App) -> Result<()> {
    let server = ltikeys_core::testing::Server::always(ltikeys_core::testing::Reply::new(
        200,
        "window.__remoteScriptRan = true;",
    ));
    let remote = server.url("/probe");
    let outcome = app
        .client()?
        .execute_async(
            r#"
            const [remote, done] = arguments;
            const invoke = window.__TAURI_INTERNALS__.invoke;
            const attempt = (promise) => promise.then(
              (value) => ({ ok: true, value: JSON.stringify(value) }),
              (error) => ({ ok: false, error: String(error?.message ?? error) }));
            const settled = (element) => new Promise((resolve) => {
              element.addEventListener("load", () => resolve("loaded"));
              element.addEventListener("error", () => resolve("refused"));
              setTimeout(() => resolve("no answer"), 3000);
              document.head.append(element);
            });
            (async () => {
              const out = {};
              out.granted = await attempt(invoke("app_status"));
              out.clipboardRead = await attempt(invoke("plugin:clipboard-manager|read_text"));
              out.windowClose = await attempt(invoke("plugin:window|close", { label: "main" }));
              out.unknown = await attempt(invoke("read_private_key", { tool: "x", kid: "y" }));
              const inline = document.createElement("script");
              inline.textContent = "window.__inlineRan = true;";
              document.head.append(inline);
              out.inlineRan = window.__inlineRan === true;
              try { out.evalRan = eval("1 + 1") === 2; } catch (e) { out.evalRan = false; }
              try { out.functionRan = new Function("return 2")() === 2; } catch (e) { out.functionRan = false; }
              out.fetch = await attempt(fetch(remote).then((r) => r.status));
              const script = document.createElement("script");
              script.src = remote;
              out.remoteScript = await settled(script);
              out.remoteScriptRan = window.__remoteScriptRan === true;
              const image = document.createElement("img");
              image.src = remote + ".png";
              out.remoteImage = await settled(image);
              done(out);
            })();
            "#,
            vec![serde_json::Value::String(remote.clone())],
        )
        .await
        .context("running the probes in the webview")?;
    let field = |name: &str| outcome[name].clone();
    ensure!(
        field("granted")["ok"] == true,
        "a granted command (app_status) is answered: {outcome}"
    );
    for refused in ["clipboardRead", "windowClose", "unknown"] {
        let answer = field(refused);
        ensure!(
            answer["ok"] == false,
            "{refused} is refused, as the capability does not grant it: {answer}"
        );
    }
    let clipboard_error = field("clipboardRead")["error"].to_string();
    ensure!(
        clipboard_error.contains("not allowed"),
        "reading the clipboard is refused by the capability, not for another reason: {clipboard_error}"
    );
    for ran in ["inlineRan", "evalRan", "functionRan", "remoteScriptRan"] {
        ensure!(
            field(ran) == false,
            "{ran}: the CSP forbids it, yet it ran: {outcome}"
        );
    }
    ensure!(
        field("fetch")["ok"] == false,
        "a fetch to another origin is refused: {outcome}"
    );
    for element in ["remoteScript", "remoteImage"] {
        ensure!(
            field(element) == "refused",
            "{element} from another origin is refused: {outcome}"
        );
    }
    ensure!(
        server.hits() == 0,
        "the CSP stops requests before they leave the webview, yet {} reached the server: {:?}",
        server.hits(),
        server
            .requests()
            .iter()
            .map(|r| r.path.clone())
            .collect::<Vec<_>>()
    );
    Ok(())
}
