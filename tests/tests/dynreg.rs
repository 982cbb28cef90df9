//! Registering a tool on an LMS from the window: the LMS (a platform on 127.0.0.1 that answers
//! as Canvas does) opens its page in a real browser (headless Chromium), which iframes the
//! app's one-time URL; the window shows what the LMS asks, the admin confirms there, and the
//! new platform and registration appear while the LMS page hears that it is done.

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use ltikeys_core::testing::{dynreg_platform, DrLms};
use ltikeys_e2e::browser::Browser;
use ltikeys_e2e::{cli, App, Launch, APP_READY, UI_STEP};
use serde_json::Value;

const TOOL: &str = "Dynreg Quiz";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver, a keychain and Chromium: run scripts/test.sh"]
async fn a_tool_is_registered_through_the_browser_and_recorded() -> Result<()> {
    let (lms, registrations) = dynreg_platform(DrLms::Canvas);
    let tool_id = RefCell::new(String::new());
    let seed = |data: &Path| -> Result<()> {
        let id = cli(
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
                "--domain",
                "quiz.example.edu",
            ],
        )?;
        *tool_id.borrow_mut() = id.trim().to_owned();
        Ok(())
    };
    let app = App::start_with(Launch {
        seed: Some(Box::new(seed)),
        ..Launch::default()
    })
    .await?;
    let tool = tool_id.into_inner();
    let browser = Browser::start().await;
    let outcome = match browser {
        Ok(browser) => {
            let outcome = scenario(&app, &browser, &tool, &lms.url("/lms")).await;
            let _ = browser.close().await;
            outcome
        }
        Err(e) => Err(e),
    };
    let outcome = outcome.and_then(|()| {
        ensure!(
            registrations.load(Ordering::SeqCst) == 1,
            "the LMS saw {} registrations",
            registrations.load(Ordering::SeqCst)
        );
        Ok(())
    });
    app.finish_after("dynreg-failure", outcome).await
}

async fn scenario(app: &App, browser: &Browser, tool: &str, lms_page: &str) -> Result<()> {
    let item = format!("#tool-list [data-tool-id=\"{tool}\"]");
    app.wait_enabled(&item, APP_READY).await?;
    app.click(&item).await?;
    app.reveal_click("#tab-registrations").await?;
    app.reveal_click("#dynreg-open").await?;
    app.reveal_click("#dynreg-start").await?;
    app.wait_visible("#dynreg-url", UI_STEP)
        .await
        .context("the window shows no registration URL")?;
    let url = app.text_of("#dynreg-url").await?;
    ensure!(url.starts_with("http://127.0.0.1:"), "the URL is {url:?}");

    // The admin pastes the URL into the LMS, which opens it in an iframe.
    let page = format!("{lms_page}?dr={}", urlencode(&url));
    browser.goto(&page).await?;
    app.wait_visible("#dynreg-preview", UI_STEP)
        .await
        .context("the window does not show what the LMS asks to register")?;
    let issuer = app.text_of("#dynreg-issuer").await?;
    ensure!(
        issuer.contains("canvas"),
        "the preview's platform reads {issuer:?}"
    );
    app.screenshot("dynreg-preview.png").await?;
    app.reveal_click("#dynreg-confirm").await?;
    app.wait_visible("#dynreg-done", UI_STEP)
        .await
        .context("the window does not say the tool was registered")?;
    let reg = app
        .attr_of("#dynreg-done", "data-registration")
        .await?
        .context("the result names no registration")?;
    app.wait_visible(&format!("[data-registration-id=\"{reg}\"]"), UI_STEP)
        .await
        .context("the new registration is not listed")?;

    // The LMS page heard the close message from the iframe.
    let closed = browser
        .wait_text("body[data-closed=\"yes\"] #status", Duration::from_secs(10))
        .await
        .context("the LMS page was never told the registration is done")?;
    ensure!(closed == "closed", "the LMS page reads {closed:?}");

    let platforms: Value = serde_json::from_str(&app.cli(&["platform", "list", "--json"])?)?;
    ensure!(
        platforms.as_array().is_some_and(|p| p.len() == 1),
        "platforms after the registration: {platforms}"
    );
    let recorded: Value =
        serde_json::from_str(&app.cli(&["registration", "show", &reg, "--json"])?)?;
    ensure!(
        recorded["client_id"] == "10000000000123",
        "the registration recorded is {recorded}"
    );
    app.screenshot("dynreg-done.png").await?;
    Ok(())
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
