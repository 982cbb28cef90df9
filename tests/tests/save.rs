//! Saving exports in the real app: the Rust side opens the native GTK save dialog, which this
//! test answers over X11 as a person would (type a path, press Return; or press Escape), then
//! reads what landed on disk.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use ltikeys_e2e::{path_text, poll_until, App, NativeDialog, ToolForm, APP_READY, KEYGEN, UI_STEP};
use serde_json::Value;

const TOOL_NAME: &str = "Save Demo";
const LOGIN_URL: &str = "https://save.example.edu/lti/login";
const LAUNCH_URL: &str = "https://save.example.edu/lti/launch";
const NEXT_KID: &str = "e2e-save-next";
/// Members of an RSA private JWK (RFC 7518 section 6.3.2): none may be in a public export.
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver and xdotool: run scripts/test.sh"]
async fn save_the_jwks_and_the_canvas_json_through_the_native_dialog() -> Result<()> {
    let app = App::start().await?;
    let outcome = save_exports(&app).await;
    if outcome.is_err() {
        app.save_failure_artifacts("save-failure").await;
        if let Err(err) = app.screenshot_display("save-failure-display.png") {
            eprintln!("no display screenshot: {err:#}");
        }
    }
    let finished = app.finish().await;
    outcome?;
    finished
}

async fn save_exports(app: &App) -> Result<()> {
    app.wait_enabled("#new-tool", APP_READY)
        .await
        .context("the app window did not show its start screen")?;
    app.create_tool(&ToolForm {
        name: TOOL_NAME,
        login_url: Some(LOGIN_URL),
        launch_url: Some(LAUNCH_URL),
        redirect_uris: Some(LAUNCH_URL),
        ..ToolForm::default()
    })
    .await?;
    app.ensure_keychain_available().await?;

    // A current key and a next one: the published JWKS holds both.
    app.select("#kid-scheme", "thumbprint").await?;
    let current = app.generate_first_key().await?;
    app.wait_enabled("#generate-key", KEYGEN).await?;
    app.select("#kid-scheme", "custom").await?;
    app.fill("#custom-kid", NEXT_KID).await?;
    app.click("#generate-key").await?;
    let kids: BTreeSet<String> = app.wait_for_key_rows(2).await?.into_iter().collect();
    ensure!(
        kids == BTreeSet::from([current.clone(), NEXT_KID.to_owned()]),
        "the keys table lists {kids:?}"
    );

    let out = tempfile::Builder::new()
        .prefix("ltikeys-e2e-save.")
        .tempdir()
        .context("creating the folder to save into")?;

    // Save: the dialog opens over the window, the button waits for it.
    let jwks_path = out.path().join("published-jwks.json");
    let clicked = Instant::now();
    app.click("#save-jwks").await?;
    let dialog = NativeDialog::wait("Save JWKS", UI_STEP)
        .await
        .context("clicking #save-jwks opened no native save dialog")?;
    eprintln!(
        "save dialog shown {} ms after the click",
        clicked.elapsed().as_millis()
    );
    let busy = app.wait_for("#save-jwks", UI_STEP).await?;
    ensure!(
        busy.disabled,
        "#save-jwks is enabled while its dialog is open"
    );
    app.screenshot_display("save-dialog.png")?;
    dialog.replace_text(&path_text(&jwks_path)?)?;
    let answered = Instant::now();
    dialog.press("Return")?;
    dialog.wait_closed(UI_STEP).await?;
    let toast = format!("JWKS saved to {}", jwks_path.display());
    wait_toast(app, &toast).await?;
    eprintln!(
        "saved and toasted {} ms after Return",
        answered.elapsed().as_millis()
    );
    expect_jwks_file(&jwks_path, &kids)?;
    app.wait_enabled("#save-jwks", UI_STEP).await?;

    // Cancel: a path typed, then Escape; nothing is written and nothing is said.
    app.click("#toast").await?;
    let cancelled_path = out.path().join("cancelled-jwks.json");
    app.click("#save-jwks").await?;
    let dialog = NativeDialog::wait("Save JWKS", UI_STEP).await?;
    dialog.replace_text(&path_text(&cancelled_path)?)?;
    let presses = dialog.dismiss(UI_STEP).await?;
    eprintln!("the dialog closed after {presses} press(es) of Escape");
    app.wait_enabled("#save-jwks", UI_STEP)
        .await
        .context("#save-jwks stayed busy after the dialog was cancelled")?;
    ensure!(
        !cancelled_path.exists(),
        "cancelling the dialog wrote {}",
        cancelled_path.display()
    );
    ensure!(
        app.visible_error().await.is_none(),
        "cancelling shows an error"
    );
    let toast = app.probe("#toast").await?;
    ensure!(
        toast.as_ref().is_none_or(|t| !t.shown),
        "cancelling shows a toast: {toast:?}"
    );

    // The Canvas JSON through its own dialog: the current key is its public_jwk.
    let canvas_path = out.path().join("developer-key.json");
    app.click("#tab-canvas").await?;
    app.wait_visible("#canvas-json", UI_STEP).await?;
    app.click("#canvas-save").await?;
    let dialog = NativeDialog::wait("Save Canvas JSON", UI_STEP)
        .await
        .context("clicking #canvas-save opened no native save dialog")?;
    dialog.replace_text(&path_text(&canvas_path)?)?;
    dialog.press("Return")?;
    dialog.wait_closed(UI_STEP).await?;
    wait_toast(
        app,
        &format!("Canvas JSON saved to {}", canvas_path.display()),
    )
    .await?;
    let canvas = read_json(&canvas_path)?;
    ensure!(
        canvas["public_jwk"]["kid"] == current.as_str(),
        "the saved Canvas JSON's public_jwk is {}, expected the current key {current}",
        canvas["public_jwk"]
    );
    ensure!(
        canvas["target_link_uri"] == LAUNCH_URL,
        "the saved Canvas JSON's target_link_uri is {}",
        canvas["target_link_uri"]
    );

    let mut files: Vec<String> = std::fs::read_dir(out.path())?
        .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_>>()?;
    files.sort();
    ensure!(
        files == ["developer-key.json", "published-jwks.json"],
        "the folder holds {files:?}: only the two saved files, no temporary file"
    );
    Ok(())
}

/// The saved JWKS: JSON ending in a newline, exactly the tool's kids, public RSA members only.
fn expect_jwks_file(path: &Path, kids: &BTreeSet<String>) -> Result<()> {
    let doc = read_json(path)?;
    let keys = doc["keys"]
        .as_array()
        .with_context(|| format!("{} has no keys array: {doc}", path.display()))?;
    let saved: BTreeSet<String> = keys
        .iter()
        .filter_map(|key| key["kid"].as_str().map(str::to_owned))
        .collect();
    ensure!(
        saved == *kids && keys.len() == kids.len(),
        "the saved JWKS has the kids {saved:?}, the tool {kids:?}"
    );
    for key in keys {
        ensure!(
            key["kty"] == "RSA" && key["alg"] == "RS256" && key["use"] == "sig",
            "a saved key is not an RS256 signing key: {key}"
        );
        ensure!(
            key["n"].as_str().is_some_and(|n| n.len() > 300) && key["e"] == "AQAB",
            "a saved key lacks its public modulus or exponent: {key}"
        );
        let private: Vec<&str> = PRIVATE_MEMBERS
            .into_iter()
            .filter(|member| key.get(member).is_some())
            .collect();
        ensure!(
            private.is_empty(),
            "the saved key {} has private members {private:?}",
            key["kid"]
        );
    }
    Ok(())
}

/// The file at `path`, which must be JSON and end in a newline.
fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("the dialog's choice {} was not written", path.display()))?;
    ensure!(
        text.ends_with('\n'),
        "{} does not end in a newline",
        path.display()
    );
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// Waits until `#toast` is shown and reads `expected`.
async fn wait_toast(app: &App, expected: &str) -> Result<()> {
    let shown = poll_until(UI_STEP, || async move {
        Ok(app
            .probe("#toast")
            .await?
            .filter(|t| t.shown && t.text == expected))
    })
    .await?;
    ensure!(
        shown.is_some(),
        "#toast did not read {expected:?} within {} s (it reads {:?}){}",
        UI_STEP.as_secs(),
        app.probe("#toast").await?.map(|t| t.text),
        app.visible_error()
            .await
            .map(|e| format!("; the app shows the error {e:?}"))
            .unwrap_or_default()
    );
    Ok(())
}
