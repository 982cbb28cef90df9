//! Registering a tool on an LMS from the window: the LMS (a platform on 127.0.0.1 that answers
//! as Canvas or Moodle does) opens its page in a real browser (headless Chromium), whose iframe
//! reaches the app's one-time URL (Canvas opens it directly, Moodle through a redirect of its
//! own page); the window shows what the LMS asks, the admin confirms there, and the new platform
//! and registration appear while the LMS page hears that it is done.

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use ltikeys_core::testing::{dynreg_platform, DrLms, Server};
use ltikeys_e2e::browser::Browser;
use ltikeys_e2e::{cli, App, Launch, APP_READY, UI_STEP};
use serde_json::Value;

const TOOL: &str = "Dynreg Quiz";

/// What an LMS does with the registration, and what the window and the CLI show after it.
struct Case {
    lms: DrLms,
    /// The product the preview names beside the platform's issuer.
    product: &'static str,
    /// The page of the LMS the iframe opens first, when it is not the app's URL itself.
    start_page: Option<&'static str>,
    client_id: &'static str,
    deployment_ids: &'static [&'static str],
    /// A part of the note the window shows once the tool is registered.
    note: &'static str,
    /// The prefix of the screenshots and failure artifacts.
    artifacts: &'static str,
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver, a keychain and Chromium: run scripts/test.sh"]
async fn a_tool_is_registered_through_the_browser_and_recorded() -> Result<()> {
    register_through_the_browser(Case {
        lms: DrLms::Canvas,
        product: "canvas",
        start_page: None,
        client_id: "10000000000123",
        deployment_ids: &[],
        note: "Canvas sends no deployment id",
        artifacts: "dynreg",
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver, a keychain and Chromium: run scripts/test.sh"]
async fn moodle_redirects_to_the_tool_and_its_deployment_id_and_pending_note_are_shown(
) -> Result<()> {
    register_through_the_browser(Case {
        lms: DrLms::Moodle,
        product: "moodle",
        start_page: Some("/mod/lti/startltiadvregistration.php?url="),
        client_id: "zTn6FWnZ4W21zmS",
        deployment_ids: &["7"],
        note: "Moodle keeps the tool pending until an admin activates it",
        artifacts: "dynreg-moodle",
    })
    .await
}

async fn register_through_the_browser(case: Case) -> Result<()> {
    let (lms, registrations) = dynreg_platform(case.lms);
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
            let outcome = scenario(&app, &browser, &tool, &lms, &case).await;
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
    app.finish_after(&format!("{}-failure", case.artifacts), outcome)
        .await
}

async fn scenario(
    app: &App,
    browser: &Browser,
    tool: &str,
    lms: &Server,
    case: &Case,
) -> Result<()> {
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

    // The admin pastes the URL into the LMS, whose page opens it in an iframe.
    let page = format!("{}?dr={}", lms.url("/lms"), urlencode(&url));
    browser.goto(&page).await?;
    app.wait_visible("#dynreg-preview", UI_STEP)
        .await
        .context("the window does not show what the LMS asks to register")?;
    let issuer = app.text_of("#dynreg-issuer").await?;
    let expected = format!("{} ({})", lms.base(), case.product);
    ensure!(
        issuer == expected,
        "the preview's platform reads {issuer:?}, not {expected:?}"
    );
    if let Some(start) = case.start_page {
        let started = lms
            .requests()
            .iter()
            .any(|r| r.path.starts_with(start) && r.path.contains(&urlencode(&url)));
        ensure!(
            started,
            "the iframe did not go through {start}: the LMS saw {:?}",
            lms.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
        );
    }
    app.screenshot(&format!("{}-preview.png", case.artifacts))
        .await?;
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
    let notes = app.text_of("#dynreg-notes").await?;
    ensure!(
        notes.contains(case.note),
        "the window's notes read {notes:?}"
    );

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
        recorded["client_id"] == case.client_id,
        "the registration recorded is {recorded}"
    );
    let deployments: Vec<&str> = recorded["deployments"]
        .as_array()
        .context("the registration has no deployments list")?
        .iter()
        .filter_map(|d| d["deployment_id"].as_str())
        .collect();
    ensure!(
        deployments == case.deployment_ids,
        "the deployment ids recorded are {deployments:?}: {recorded}"
    );
    app.screenshot(&format!("{}-done.png", case.artifacts))
        .await?;
    Ok(())
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
