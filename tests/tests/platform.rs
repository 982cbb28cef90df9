//! The real app in a real window: a platform of no preset typed key by key, edited, a tool
//! registered on it (client_id edited, a deployment removed, the registration removed), and the
//! platform removed; the CLI then confirms both are gone from the store.

use anyhow::{bail, ensure, Context, Result};
use ltikeys_e2e::{poll_until, App, ToolForm, QUIZ_ENGINE, UI_STEP};
use serde_json::{json, Value};

const PLATFORM_NAME: &str = "Acme LMS";
const RENAMED: &str = "Acme LMS Cloud";
/// Every endpoint of a platform of no preset: `(field, input, value)`.
const ENDPOINTS: [(&str, &str, &str); 4] = [
    ("issuer", "#platform-issuer", "https://lms.acme.example"),
    (
        "auth_url",
        "#platform-auth-url",
        "https://lms.acme.example/lti/authorize",
    ),
    (
        "token_url",
        "#platform-token-url",
        "https://lms.acme.example/lti/token",
    ),
    (
        "jwks_url",
        "#platform-jwks-url",
        "https://lms.acme.example/lti/jwks",
    ),
];
const NEW_TOKEN_URL: &str = "https://auth.acme.example/oauth2/token";
const CLIENT_ID: &str = "10000000000042";
const NEW_CLIENT_ID: &str = "10000000000043";
const DEPLOYMENT_ID: &str = "7:acme-course-101";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn platform_and_registration_edited_and_removed() -> Result<()> {
    App::run("platform-failure", scenario).await
}

async fn scenario(app: &App) -> Result<()> {
    let platform_id = add_custom_platform(app).await?;
    edit_platform(app, &platform_id).await?;
    let tool_id = app
        .create_tool(&ToolForm {
            name: "Acme Grader",
            ..QUIZ_ENGINE
        })
        .await?;
    registration_lifecycle(app, &tool_id, &platform_id).await?;
    remove_platform(app, &platform_id).await?;
    gone_from_store(app, &platform_id).await
}

/// "Other platform": every value typed key by key into its own field, which keeps the focus.
async fn add_custom_platform(app: &App) -> Result<String> {
    app.reveal_click("#nav-platforms").await?;
    app.wait_visible("#platforms-page", UI_STEP).await?;
    if app.probe("#platform-form").await?.is_none() {
        app.reveal_click("#platform-add").await?;
    }
    app.wait_visible("#platform-form", UI_STEP).await?;
    app.reveal_select("#platform-preset", "custom").await?;
    app.reveal_fill("#platform-name", PLATFORM_NAME).await?;
    for (field, css, url) in ENDPOINTS {
        app.reveal_fill(css, url)
            .await
            .with_context(|| format!("typing the platform's {field} key by key"))?;
        let focused = active_id(app).await?;
        ensure!(
            format!("#{focused}") == css,
            "after typing the {field}, the focus is on {focused:?}, not {css}"
        );
    }
    app.reveal_click("#platform-save").await?;
    let id = app.wait_for_platform(PLATFORM_NAME).await?;
    for (field, _, url) in ENDPOINTS {
        let shown = app.endpoint(&id, field).await?;
        ensure!(
            shown == url,
            "the new platform's {field} reads {shown:?}, expected {url:?}"
        );
    }
    app.screenshot("platform-added.png").await?;
    Ok(id)
}

/// Edit in place: a new name and token URL, typed.
async fn edit_platform(app: &App, id: &str) -> Result<()> {
    app.reveal_click(&format!("[data-edit-platform=\"{id}\"]"))
        .await?;
    app.wait_visible("#platform-edit-name", UI_STEP).await?;
    app.reveal_fill("#platform-edit-name", RENAMED).await?;
    app.reveal_fill("#platform-edit-token-url", NEW_TOKEN_URL)
        .await?;
    app.reveal_click("#platform-edit-save").await?;
    let renamed = app.wait_for_platform(RENAMED).await?;
    ensure!(
        renamed == id,
        "renaming the platform changed its id from {id} to {renamed}"
    );
    let token = wait_for_text(
        app,
        &format!("[data-platform-id=\"{id}\"] [data-endpoint=\"token_url\"]"),
        NEW_TOKEN_URL,
    )
    .await;
    token.context("the edited token URL is not shown")?;
    let issuer = app.endpoint(id, "issuer").await?;
    ensure!(
        issuer == ENDPOINTS[0].2,
        "editing the name and token URL changed the issuer to {issuer:?}"
    );
    Ok(())
}

/// Registrations tab: add with a client_id and a deployment, edit the client_id, remove the
/// deployment, remove the registration.
async fn registration_lifecycle(app: &App, tool_id: &str, platform_id: &str) -> Result<()> {
    app.reveal_click(&format!("#tool-list [data-tool-id=\"{tool_id}\"]"))
        .await?;
    app.wait_visible("#tool-page", UI_STEP).await?;
    app.reveal_click("#tab-registrations").await?;
    app.reveal_click("#registration-add").await?;
    app.wait_visible("#registration-form", UI_STEP).await?;
    app.reveal_select("#registration-platform", platform_id)
        .await?;
    app.reveal_fill("#registration-client-id", CLIENT_ID)
        .await?;
    app.reveal_fill(
        "#registration-deployments .deployment-row:nth-child(1) input[data-field=deployment_id]",
        DEPLOYMENT_ID,
    )
    .await?;
    app.reveal_click("#registration-save").await?;
    app.wait_visible("article[data-registration-id]", UI_STEP)
        .await
        .context("saving the registration did not list it")?;
    let registration = app
        .attr_of("article[data-registration-id]", "data-registration-id")
        .await?
        .unwrap_or_default();
    ensure!(
        !registration.is_empty(),
        "the registration has no data-registration-id"
    );
    let card = format!("article[data-registration-id=\"{registration}\"]");
    app.wait_visible(
        &format!("{card} tr[data-deployment-id=\"{DEPLOYMENT_ID}\"]"),
        UI_STEP,
    )
    .await
    .context("the deployment id is not listed")?;

    app.reveal_click(&format!("[data-edit-registration=\"{registration}\"]"))
        .await?;
    app.reveal_fill("#registration-edit-client-id", NEW_CLIENT_ID)
        .await?;
    app.reveal_click("#registration-edit-save").await?;
    wait_for_text(
        app,
        &format!("{card} .registration-client-id"),
        NEW_CLIENT_ID,
    )
    .await
    .context("the edited client_id is not shown")?;

    app.reveal_click(&format!(
        "{card} [data-remove-deployment=\"{DEPLOYMENT_ID}\"]"
    ))
    .await?;
    app.reveal_click(&format!(
        "{card} [data-confirm-remove-deployment=\"{DEPLOYMENT_ID}\"]"
    ))
    .await?;
    app.wait_gone(&format!(
        "{card} tr[data-deployment-id=\"{DEPLOYMENT_ID}\"]"
    ))
    .await?;
    let focused = active_id(app).await?;
    ensure!(
        focused == format!("deployment-new-id-{registration}"),
        "after removing the only deployment the focus is on {focused:?}, not the new deployment id field"
    );

    app.reveal_click(&format!("[data-remove-registration=\"{registration}\"]"))
        .await?;
    app.reveal_click(&format!(
        "[data-confirm-remove-registration=\"{registration}\"]"
    ))
    .await?;
    app.wait_gone(&card).await?;
    app.screenshot("registration-removed.png").await?;
    Ok(())
}

async fn remove_platform(app: &App, id: &str) -> Result<()> {
    app.reveal_click("#nav-platforms").await?;
    app.wait_visible(&format!("[data-platform-id=\"{id}\"]"), UI_STEP)
        .await?;
    app.reveal_click(&format!("[data-remove-platform=\"{id}\"]"))
        .await?;
    app.reveal_click(&format!("[data-confirm-remove-platform=\"{id}\"]"))
        .await?;
    app.wait_gone(&format!("article[data-platform-id=\"{id}\"]"))
        .await
}

/// The CLI, on the app's data directory, lists neither the platform nor a registration.
async fn gone_from_store(app: &App, platform_id: &str) -> Result<()> {
    let platforms = cli(app, &["platform", "list"])?;
    let platforms = platforms
        .as_array()
        .context("`ltikeys platform list --json` did not print an array")?;
    ensure!(
        platforms.iter().all(|p| p["id"] != json!(platform_id)),
        "the CLI still lists the removed platform: {platforms:?}"
    );
    let registrations = cli(app, &["registration", "list"])?;
    ensure!(
        registrations.as_array().is_some_and(Vec::is_empty),
        "the CLI still lists registrations: {registrations}"
    );
    Ok(())
}

/// Runs `ltikeys --json ARGS` on the app's data directory and parses what it prints.
fn cli(app: &App, args: &[&str]) -> Result<Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let printed = app.cli(&all)?;
    serde_json::from_str(&printed)
        .with_context(|| format!("`ltikeys {} --json` printed no JSON", args.join(" ")))
}

/// The id of the focused element ("" when it has none, "BODY" when nothing is focused).
async fn active_id(app: &App) -> Result<String> {
    let value = app
        .client()?
        .execute(
            "const e = document.activeElement;\
             return !e || e === document.body ? 'BODY' : e.id;",
            vec![],
        )
        .await
        .context("reading the focused element")?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// Waits until the text of `css` is `expected`.
async fn wait_for_text(app: &App, css: &str, expected: &str) -> Result<()> {
    let found = poll_until(UI_STEP, || async move {
        let probe = app.probe(css).await?;
        Ok(probe.filter(|p| p.text == expected).map(|_| ()))
    })
    .await?;
    if found.is_none() {
        let shown = app.probe(css).await?.map(|p| p.text);
        bail!("`{css}` reads {shown:?}, expected {expected:?}");
    }
    Ok(())
}

// Each action below reveals its element first (see App::reveal).
