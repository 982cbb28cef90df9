//! Registering a tool through Canvas's registrations API from the window: the admin types the
//! Canvas address and an access token (kept in the keychain), Canvas (a fake of its API on
//! 127.0.0.1) makes the registration, and the window shows the client_id and the deployment;
//! a course install is then synced with its name, and the configuration checked.

use std::cell::RefCell;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use ltikeys_core::testing::{canvas_api, CANVAS_ADMIN_TOKEN};
use ltikeys_e2e::{cli, App, Launch, APP_READY, UI_STEP};
use serde_json::Value;

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver and a keychain: run scripts/test.sh"]
async fn a_tool_is_registered_through_canvas_api_and_its_deployments_synced() -> Result<()> {
    let (canvas, state) = canvas_api();
    let tool_id = RefCell::new(String::new());
    let seed = |data: &Path| -> Result<()> {
        let id = cli(
            data,
            &[
                "tool",
                "add",
                "API Quiz",
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
        *tool_id.borrow_mut() = id.trim().to_owned();
        cli(
            data,
            &["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"],
        )?;
        Ok(())
    };
    let app = App::start_with(Launch {
        seed: Some(Box::new(seed)),
        ..Launch::default()
    })
    .await?;
    let tool = tool_id.into_inner();
    let outcome = scenario(&app, &tool, canvas.base(), &state).await;
    app.finish_after("canvas-api-failure", outcome).await
}

async fn scenario(
    app: &App,
    tool: &str,
    base: &str,
    state: &std::sync::Arc<std::sync::Mutex<ltikeys_core::testing::FakeCanvas>>,
) -> Result<()> {
    let item = format!("#tool-list [data-tool-id=\"{tool}\"]");
    app.wait_enabled(&item, APP_READY).await?;
    app.click(&item).await?;
    app.reveal_click("#tab-registrations").await?;
    app.wait_enabled("#canvas-api-open", UI_STEP).await?;
    app.reveal_click("#canvas-api-open").await?;
    app.wait_visible("#canvas-api-url", UI_STEP).await?;
    app.reveal_fill("#canvas-api-url", base).await?;
    app.reveal_fill("#canvas-api-token", CANVAS_ADMIN_TOKEN)
        .await?;
    app.reveal_click("#canvas-api-register").await?;
    app.wait_visible("#canvas-api-done", UI_STEP)
        .await
        .context("the window does not say the tool was registered")?;
    let client_id = app.text_of("#canvas-api-client-id").await?;
    ensure!(
        client_id == "10000000000040",
        "the window shows client_id {client_id:?}"
    );
    let deployments = app.text_of("#canvas-api-deployments").await?;
    ensure!(
        deployments.contains("Acme University"),
        "deployments: {deployments:?}"
    );
    app.screenshot("canvas-api-done.png").await?;

    let regs: Value = serde_json::from_str(&app.cli(&["registration", "list", "--json"])?)?;
    let reg = regs[0]["id"]
        .as_str()
        .context("no registration recorded")?
        .to_string();
    app.wait_visible(&format!("[data-canvas-sync=\"{reg}\"]"), UI_STEP)
        .await
        .context("the registration card offers no sync with Canvas")?;

    // A teacher installs the app in a course; the admin syncs, and the course's name shows.
    let biology = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .install_in_course(40, 101, "Biology 101");
    app.reveal_click(&format!("[data-canvas-sync=\"{reg}\"]"))
        .await?;
    app.wait_visible(&format!("[data-deployment-id=\"{biology}\"]"), UI_STEP)
        .await
        .context("the synced course deployment is not listed")?;
    let row = app
        .text_of(&format!("[data-deployment-id=\"{biology}\"]"))
        .await?;
    ensure!(
        row.contains("Biology 101 (course)"),
        "the deployment row reads {row:?}"
    );

    // Up to date in Canvas; then off.
    app.reveal_click(&format!("[data-canvas-status=\"{reg}\"]"))
        .await?;
    app.wait_visible(&format!("[data-canvas-current=\"{reg}\"]"), UI_STEP)
        .await
        .context("the window does not say Canvas holds the tool's configuration")?;
    app.reveal_click(&format!("[data-canvas-switch=\"{reg}\"]"))
        .await?;
    let mut off = false;
    for _ in 0..50 {
        if state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .registrations[0]
            .binding
            == "off"
        {
            off = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    ensure!(off, "Canvas was not told to turn the registration off");

    // The token never reached the page or the data directory.
    let html = app.page_html().await?;
    ensure!(
        !html.contains(CANVAS_ADMIN_TOKEN),
        "the page holds the token"
    );
    for entry in std::fs::read_dir(app.data_dir())? {
        let path = entry?.path();
        if path.is_file() {
            let bytes = std::fs::read(&path)?;
            ensure!(
                !bytes
                    .windows(CANVAS_ADMIN_TOKEN.len())
                    .any(|w| w == CANVAS_ADMIN_TOKEN.as_bytes()),
                "{} holds the token",
                path.display()
            );
        }
    }
    Ok(())
}
