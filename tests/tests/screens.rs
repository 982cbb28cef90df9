//! Every screen of the window in the light and the dark theme, at the default and at the
//! minimum window size: each is shown, follows the OS theme, fits without a clipped control,
//! and is saved as a screenshot (`screen-<name>-<theme>-<width>x<height>.png`).

use std::path::Path;

use anyhow::{ensure, Context, Result};
use ltikeys_e2e::{cli, App, Launch, UI_STEP};
use serde_json::json;

/// The window's default and minimum sizes (src-tauri/tauri.conf.json).
const SIZES: [(u32, u32); 2] = [(1180, 760), (820, 540)];

/// Each screen: its name, what opens it, and what shows it is there.
const SCREENS: [(&str, &str, &str); 9] = [
    ("keys", "#tab-keys", "#keys-table"),
    ("profile", "#tab-profile", "#profile-summary"),
    ("canvas", "#tab-canvas", "#canvas-json"),
    ("registrations", "#tab-registrations", "#registration-add"),
    ("new-tool", "#new-tool", "#tool-form"),
    ("platforms", "#nav-platforms", "#platforms-page"),
    ("import", "#import-canvas", "#import-page"),
    ("checks", "#nav-checks", "#checks-page"),
    ("tool", "#tool-list [data-tool-id]", "#tool-page"),
];

#[tokio::test]
#[ignore = "needs the built app, a display and a keychain (scripts/test.sh)"]
async fn every_screen_in_the_light_theme() -> Result<()> {
    every_screen(false).await
}

#[tokio::test]
#[ignore = "needs the built app, a display and a keychain (scripts/test.sh)"]
async fn every_screen_in_the_dark_theme() -> Result<()> {
    every_screen(true).await
}

/// A tool with two keys, a platform and a registration, made with the command line.
fn seed(data: &Path) -> Result<()> {
    let tool = "Quiz Engine";
    cli(
        data,
        &[
            "tool",
            "add",
            tool,
            "--launch-url",
            "https://quiz.example.edu/lti/launch",
            "--login-url",
            "https://quiz.example.edu/lti/login",
            "--redirect-uri",
            "https://quiz.example.edu/lti/launch",
            "--domain",
            "quiz.example.edu",
        ],
    )?;
    cli(data, &["key", "new", "--tool", tool])?;
    cli(data, &["key", "new", "--tool", tool, "--next"])?;
    cli(
        data,
        &["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"],
    )?;
    cli(
        data,
        &[
            "registration",
            "add",
            "--tool",
            tool,
            "--platform",
            "Acme Canvas",
            "--client-id",
            "10000000000042",
            "--deployment-id",
            "1:abc",
        ],
    )?;
    Ok(())
}

async fn every_screen(dark: bool) -> Result<()> {
    let theme = if dark { "dark" } else { "light" };
    let app = App::start_with(Launch {
        dark,
        seed: Some(Box::new(seed)),
        ..Launch::default()
    })
    .await?;
    let result = screens(&app, dark, theme).await;
    if result.is_err() {
        app.save_failure_artifacts(&format!("screens-{theme}"))
            .await;
    }
    app.finish().await?;
    result
}

async fn screens(app: &App, dark: bool, theme: &str) -> Result<()> {
    app.wait_visible("#tool-page", UI_STEP)
        .await
        .context("the seeded tool's page did not open first")?;
    let client = app.client()?;
    let follows = client
        .execute(
            "return window.matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await?;
    ensure!(
        follows == json!(dark),
        "the window's prefers-color-scheme is dark={follows}, but the OS theme is {theme}"
    );
    for (width, height) in SIZES {
        app.resize(width, height).await?;
        for (name, open, shown) in SCREENS {
            if name == "tool" || open.starts_with("#tab-") {
                // The tool page first, then its tab.
                app.click("#tool-list [data-tool-id]").await?;
                app.wait_visible("#tool-page", UI_STEP).await?;
            }
            app.reveal(open).await?;
            app.click(open).await?;
            app.wait_visible(shown, UI_STEP)
                .await
                .with_context(|| format!("{open} did not show {shown}"))?;
            expect_nothing_clipped(app, name, width).await?;
            app.screenshot(&format!("screen-{name}-{theme}-{width}x{height}.png"))
                .await?;
        }
    }
    Ok(())
}

/// Fails when a button or a table cell of the page sticks out past the window's right edge
/// with no scroll box of its own to reach it.
async fn expect_nothing_clipped(app: &App, screen: &str, width: u32) -> Result<()> {
    let clipped = app
        .client()?
        .execute(
            "const w = document.documentElement.clientWidth; const out = [];\
             for (const e of document.querySelectorAll('#view button, #view td, #view th, #view input')) {\
               const r = e.getBoundingClientRect();\
               if (r.width === 0 && r.height === 0) continue;\
               let s = e.parentElement, scrolls = false;\
               while (s && s !== document.body) {\
                 const o = getComputedStyle(s).overflowX;\
                 if ((o === 'auto' || o === 'scroll') && s.id !== 'view') { scrolls = true; break; }\
                 s = s.parentElement;\
               }\
               if (!scrolls && r.right > w + 1) out.push((e.id || e.tagName) + ' ' + (e.textContent || '').trim().slice(0, 30));\
             }\
             return out;",
            vec![],
        )
        .await?;
    let clipped: Vec<String> = serde_json::from_value(clipped).unwrap_or_default();
    ensure!(
        clipped.is_empty(),
        "on the {screen} screen at width {width}, these stick out of the window: {clipped:?}"
    );
    Ok(())
}
