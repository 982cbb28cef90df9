//! A registration's bundle exported from one window through the native save dialog, with its
//! private key, and imported into another window on an empty data directory through the open
//! dialog: the plan shown first, the passphrase asked, the registration and keys arriving.

use std::cell::RefCell;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use ltikeys_e2e::{cli, path_text, App, Launch, NativeDialog, APP_READY, UI_STEP};
use serde_json::Value;

const TOOL: &str = "Bundle Quiz";
const KID: &str = "e2e-bundle-key";
const CLIENT_ID: &str = "10000000000077";
const DEPLOYMENT: &str = "1:e2e-bundle-deployment";
const PASSPHRASE: &str = "Tr0ub4dor-e2e-bundle";
const EXPORT_TITLE: &str = "Export bundle (zip)";
const IMPORT_TITLE: &str = "Import a bundle (zip)";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver, xdotool and a keychain: run scripts/test.sh"]
async fn a_bundle_goes_out_of_one_window_and_into_another() -> Result<()> {
    let ids = RefCell::new((String::new(), String::new()));
    let seed = |data: &Path| -> Result<()> {
        let tool = cli(
            data,
            &[
                "tool",
                "add",
                TOOL,
                "--launch-url",
                "https://quiz.example.edu/lti/launch",
                "--login-url",
                "https://quiz.example.edu/lti/login",
                "--redirect-uri",
                "https://quiz.example.edu/lti/launch",
                "--jwks-url",
                "https://quiz.example.edu/.well-known/jwks.json",
            ],
        )?;
        cli(data, &["key", "new", "--tool", TOOL, "--kid", KID])?;
        cli(
            data,
            &["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"],
        )?;
        let reg = cli(
            data,
            &[
                "registration",
                "add",
                "--tool",
                TOOL,
                "--platform",
                "Acme Canvas",
                "--client-id",
                CLIENT_ID,
                "--deployment-id",
                DEPLOYMENT,
            ],
        )?;
        *ids.borrow_mut() = (tool.trim().to_owned(), reg.trim().to_owned());
        Ok(())
    };
    let out = tempfile::Builder::new()
        .prefix("ltikeys-e2e-bundle.")
        .tempdir()
        .context("creating the folder to export into")?;
    let zip = out.path().join("quiz-bundle.zip");

    let source = App::start_with(Launch {
        seed: Some(Box::new(seed)),
        ..Launch::default()
    })
    .await?;
    let (tool, reg) = ids.into_inner();
    let outcome = export(&source, &tool, &reg, &zip).await;
    source
        .finish_after("bundle-export-failure", outcome)
        .await?;

    let target = App::start().await?;
    let outcome = import(&target, &zip).await;
    target.finish_after("bundle-import-failure", outcome).await
}

async fn export(app: &App, tool: &str, reg: &str, zip: &Path) -> Result<()> {
    let item = format!("#tool-list [data-tool-id=\"{tool}\"]");
    app.wait_enabled(&item, APP_READY).await?;
    app.click(&item).await?;
    app.reveal_click("#tab-registrations").await?;
    app.reveal_click(&format!("[data-export-bundle=\"{reg}\"]"))
        .await?;
    app.wait_visible(
        "#bundle-preview [data-bundle-file=\"platform.json\"]",
        UI_STEP,
    )
    .await
    .context("the export form lists no platform.json")?;
    for file in ["README.md", "jwks.json", "canvas-developer-key.json"] {
        ensure!(
            app.probe(&format!("[data-bundle-file=\"{file}\"]"))
                .await?
                .is_some(),
            "the preview does not list {file}"
        );
    }
    app.wait_enabled("#bundle-include-private", UI_STEP)
        .await
        .context("the current key's private key cannot be included")?;
    app.click("#bundle-include-private").await?;
    app.reveal_fill("#bundle-passphrase", PASSPHRASE).await?;
    app.reveal_fill("#bundle-confirm", PASSPHRASE).await?;
    app.reveal_click("#bundle-export-save").await?;
    let dialog = NativeDialog::wait(EXPORT_TITLE, UI_STEP)
        .await
        .context("Export… opened no native save dialog")?;
    dialog.replace_text(&path_text(zip)?)?;
    dialog.press("Return")?;
    dialog.wait_closed(UI_STEP).await?;
    let toast = app
        .wait_toast_that("that the bundle was saved", |t| {
            t.starts_with(&format!("Bundle saved to {}", zip.display()))
        })
        .await?;
    ensure!(
        toast.contains(KID),
        "the toast names no private key: {toast:?}"
    );
    ensure!(zip.is_file(), "{} was not written", zip.display());
    let html = app.page_html().await?;
    ensure!(
        !html.contains(PASSPHRASE),
        "the passphrase is in the page HTML"
    );
    Ok(())
}

async fn import(app: &App, zip: &Path) -> Result<()> {
    app.wait_enabled("#import-bundle", APP_READY).await?;
    app.click("#import-bundle").await?;
    app.reveal_click("#bundle-pick-zip").await?;
    let dialog = NativeDialog::wait(IMPORT_TITLE, UI_STEP)
        .await
        .context("Choose a .zip… opened no native open dialog")?;
    dialog.type_location(&path_text(zip)?).await?;
    dialog.accept(UI_STEP).await?;
    app.wait_visible("#bundle-plan", UI_STEP)
        .await
        .context("the chosen bundle showed no plan")?;
    let tool_line = app.text_of("[data-plan-record=\"tool\"]").await?;
    ensure!(
        tool_line.contains(TOOL) && tool_line.contains("created"),
        "the plan says of the tool: {tool_line:?}"
    );
    let key_line = app.text_of(&format!("[data-plan-key=\"{KID}\"]")).await?;
    ensure!(
        key_line.contains("with its private key"),
        "the plan says of the key: {key_line:?}"
    );
    ensure!(
        app.probe(&format!("[data-plan-deployment=\"{DEPLOYMENT}\"]"))
            .await?
            .is_some(),
        "the plan lists no deployment {DEPLOYMENT}"
    );
    // Nothing is written before Import.
    let tools: Value = serde_json::from_str(&app.cli(&["tool", "list", "--json"])?)?;
    ensure!(
        tools.as_array().is_some_and(Vec::is_empty),
        "the plan wrote: {tools}"
    );

    app.reveal_fill("#bundle-import-passphrase", PASSPHRASE)
        .await?;
    app.reveal_click("#bundle-import-confirm").await?;
    app.wait_toast_that("that the bundle was imported", |t| {
        t.starts_with("Bundle imported:")
    })
    .await?;
    app.wait_for("[data-registration-id]", UI_STEP)
        .await
        .context("the imported tool's registrations did not open")?;

    let regs: Value = serde_json::from_str(&app.cli(&["registration", "list", "--json"])?)?;
    let reg = &regs[0];
    ensure!(
        reg["client_id"] == CLIENT_ID && reg["deployments"][0]["deployment_id"] == DEPLOYMENT,
        "registration list: {regs}"
    );
    let keys: Value = serde_json::from_str(&app.cli(&["key", "list", "--tool", TOOL, "--json"])?)?;
    ensure!(
        keys[0]["kid"] == KID && keys[0]["private_key"] == "present",
        "key list: {keys}"
    );
    Ok(())
}
