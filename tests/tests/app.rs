//! The real app in a real window: create a tool, generate keys, check what the webview holds.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use ltikeys_e2e::{poll_until, App};

const TOOL_NAME: &str = "Quiz Engine";
const LAUNCH_URL: &str = "https://quiz.example.edu/lti/launch";
const LOGIN_URL: &str = "https://quiz.example.edu/lti/login";
const DOMAIN: &str = "quiz.example.edu";
const CUSTOM_KID: &str = "e2e-custom-1";

/// App start-up, first paint included.
const APP_READY: Duration = Duration::from_secs(30);
/// Page changes after a click.
const UI_STEP: Duration = Duration::from_secs(15);
/// One key generation (a debug build, a busy machine).
const KEYGEN: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn create_tool_and_generate_keys() -> Result<()> {
    let app = App::start().await?;
    let outcome = tool_and_keys(&app).await;
    if outcome.is_err() {
        app.save_failure_artifacts("failure").await;
    }
    let finished = app.finish().await;
    outcome?;
    finished
}

async fn tool_and_keys(app: &App) -> Result<()> {
    app.wait_enabled("#new-tool", APP_READY)
        .await
        .context("the app window did not show its start screen")?;
    app.screenshot("start.png").await?;

    // A new tool through the form.
    app.click("#new-tool").await?;
    app.wait_visible("#tool-form", UI_STEP).await?;
    app.fill("#tool-name", TOOL_NAME).await?;
    app.fill("#tool-domain", DOMAIN).await?;
    app.fill("#tool-login-url", LOGIN_URL).await?;
    app.fill("#tool-launch-url", LAUNCH_URL).await?;
    app.fill("#tool-redirect-uris", LAUNCH_URL).await?;
    app.click("#tool-save").await?;

    app.wait_visible("#tool-page", UI_STEP)
        .await
        .context("saving the tool form did not open the tool page")?;
    let title = app.text_of("#tool-title").await?;
    ensure!(
        title == TOOL_NAME,
        "#tool-title shows {title:?}, expected {TOOL_NAME:?}"
    );
    let tool_id = app
        .attr_of("#tool-page", "data-tool-id")
        .await?
        .unwrap_or_default();
    ensure!(!tool_id.is_empty(), "#tool-page has no data-tool-id");
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
    app.click("#generate-key").await?;
    let rows = app.wait_for_key_rows(1, KEYGEN).await?;
    let kid = rows
        .first()
        .cloned()
        .context("no key row after generating")?;
    ensure!(
        is_base64url_thumbprint(&kid),
        "the first key's kid {kid:?} is not a 43-character base64url SHA-256 thumbprint"
    );
    expect_cell(app, &kid, "status", "current").await?;
    expect_cell(app, &kid, "bits", "2048").await?;
    expect_cell(app, &kid, "private", "present").await?;
    ensure_no_private_material(app).await?;
    app.screenshot("tool-page.png").await?;

    // Second key with a custom kid: published as the next key.
    app.wait_enabled("#generate-key", KEYGEN).await?;
    app.select("#key-bits", "2048").await?;
    app.select("#kid-scheme", "custom").await?;
    app.fill("#custom-kid", CUSTOM_KID).await?;
    app.click("#generate-key").await?;
    let rows = app.wait_for_key_rows(2, KEYGEN).await?;
    ensure!(
        rows.iter().any(|row| row == CUSTOM_KID),
        "no row for kid {CUSTOM_KID:?} in #keys-table; rows: {rows:?}"
    );
    expect_cell(app, CUSTOM_KID, "status", "next").await?;
    expect_cell(app, CUSTOM_KID, "private", "present").await?;
    expect_cell(app, &kid, "status", "current").await?;
    ensure_no_private_material(app).await?;
    app.screenshot("tool-page-two-keys.png").await?;
    Ok(())
}

/// Asserts the text of cell `.class` in the row of `kid`.
async fn expect_cell(app: &App, kid: &str, class: &str, expected: &str) -> Result<()> {
    let selector = format!("#keys-table tr[data-kid=\"{kid}\"] .{class}");
    let actual = app.text_of(&selector).await?;
    ensure!(
        actual == expected,
        "key {kid:?}: `.{class}` shows {actual:?}, expected {expected:?}"
    );
    Ok(())
}

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
    let app = App::start().await?;
    let outcome = orphans(&app).await;
    if outcome.is_err() {
        app.save_failure_artifacts("orphans-failure").await;
    }
    let finished = app.finish().await;
    outcome?;
    finished
}

async fn orphans(app: &App) -> Result<()> {
    app.wait_enabled("#new-tool", APP_READY).await?;
    ensure!(
        app.probe("#orphans-banner")
            .await?
            .is_some_and(|p| !p.shown),
        "no orphans, no banner"
    );
    app.click("#new-tool").await?;
    app.wait_visible("#tool-form", UI_STEP).await?;
    app.fill("#tool-name", "Orphan Tool").await?;
    app.click("#tool-save").await?;
    app.wait_visible("#tool-page", UI_STEP).await?;
    let tool_id = app
        .attr_of("#tool-page", "data-tool-id")
        .await?
        .context("#tool-page has no data-tool-id")?;

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
            .is_some_and(|p| !p.shown)
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
