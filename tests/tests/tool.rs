//! A tool's life in the window: edit it by typing, be refused a duplicate name under the field,
//! delete it (a registered one only with its registrations); and a tool the command line adds
//! meanwhile shows up in the sidebar.

use anyhow::{bail, ensure, Context, Result};
use ltikeys_e2e::{poll_until, App, ToolForm, QUIZ_ENGINE, UI_STEP};
use serde_json::Value;

const RENAMED: &str = "Quiz Engine Pro";
const NEW_LAUNCH_URL: &str = "https://quiz.example.edu/lti/v2/launch";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn edit_refuse_a_duplicate_name_and_delete() -> Result<()> {
    App::run("tool-failure", edit_and_delete).await
}

async fn edit_and_delete(app: &App) -> Result<()> {
    let first = app.create_tool(&QUIZ_ENGINE).await?;

    // Edit the name and the launch URL by typing into the form.
    app.click("#tool-edit").await?;
    app.wait_visible("#tool-form", UI_STEP).await?;
    wait_value(app, "#tool-name", QUIZ_ENGINE.name).await?;
    app.fill("#tool-name", RENAMED).await?;
    app.reveal("#tool-launch-url").await?;
    app.fill("#tool-launch-url", NEW_LAUNCH_URL).await?;
    app.reveal("#tool-save").await?;
    app.click("#tool-save").await?;
    wait_text(app, "#tool-title", RENAMED).await?;
    let page = app.text_of("#tool-page").await?;
    ensure!(
        page.contains(NEW_LAUNCH_URL),
        "the tool page does not show the new launch URL: {page:?}"
    );
    let entry = sidebar_entry(&first);
    poll_until(UI_STEP, || async {
        Ok(app
            .probe(&entry)
            .await?
            .filter(|p| p.text.contains(RENAMED)))
    })
    .await?
    .with_context(|| format!("the sidebar entry `{entry}` does not show {RENAMED:?}"))?;
    let shown: Value = serde_json::from_str(&app.cli(&["tool", "show", &first, "--json"])?)?;
    ensure!(
        shown["launch_url"] == NEW_LAUNCH_URL
            && shown["domain"] == QUIZ_ENGINE.domain.unwrap_or(""),
        "the CLI shows the edited tool as {shown}"
    );
    app.screenshot("tool-edited.png").await?;

    // A second tool with the same name: the error is under the name field, which has the focus.
    app.click("#new-tool").await?;
    app.wait_visible("#tool-form", UI_STEP).await?;
    app.fill("#tool-name", RENAMED).await?;
    app.click("#tool-save").await?;
    let error = app
        .wait_visible("#tool-name-error", UI_STEP)
        .await
        .context("a duplicate name shows no error under #tool-name")?;
    ensure!(
        error.text.contains("already exists"),
        "#tool-name-error reads {:?}",
        error.text
    );
    ensure!(
        app.attr_of("#tool-name", "aria-invalid").await?.as_deref() == Some("true"),
        "#tool-name is not marked aria-invalid"
    );
    let focused = poll_until(UI_STEP, || async {
        let id = app.focused_id().await?;
        Ok((id == "tool-name").then_some(id))
    })
    .await?;
    ensure!(
        focused.is_some(),
        "the focus is on {:?}, not on #tool-name",
        app.focused_id().await?
    );
    ensure!(
        app.visible_error().await.is_none(),
        "the duplicate name also went to the banner: {:?}",
        app.visible_error().await
    );
    app.screenshot("tool-duplicate-name.png").await?;

    // The draft is kept: another name saves it.
    app.fill("#tool-name", "Survey Kit").await?;
    app.click("#tool-save").await?;
    wait_text(app, "#tool-title", "Survey Kit").await?;
    let second = app
        .attr_of("#tool-page", "data-tool-id")
        .await?
        .unwrap_or_default();
    ensure!(
        !second.is_empty() && second != first,
        "the second tool's page has the id {second:?}"
    );

    // Delete it, asked twice in place.
    app.click("#tool-delete").await?;
    app.click("#tool-delete-confirm").await?;
    let gone = poll_until(UI_STEP, || async {
        Ok(app
            .probe(&sidebar_entry(&second))
            .await?
            .is_none()
            .then_some(()))
    })
    .await?;
    ensure!(gone.is_some(), "the deleted tool stays in the sidebar");
    wait_text(app, "#tool-title", RENAMED).await?;
    let listed = cli_tool_ids(app)?;
    ensure!(
        !listed.contains(&second) && listed.contains(&first),
        "`ltikeys tool list` lists {listed:?} after the delete of {second}"
    );
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn a_tool_added_by_the_cli_shows_up_when_the_window_regains_focus() -> Result<()> {
    App::run("tool-cli-failure", added_by_the_cli).await
}

async fn added_by_the_cli(app: &App) -> Result<()> {
    let first = app
        .create_tool(&ToolForm {
            name: "Window Tool",
            ..ToolForm::default()
        })
        .await?;
    let added = app
        .cli(&[
            "tool",
            "add",
            "Terminal Tool",
            "--domain",
            "terminal.example.edu",
        ])?
        .trim()
        .to_owned();
    ensure!(!added.is_empty(), "`ltikeys tool add` printed no id");
    ensure!(
        app.probe(&sidebar_entry(&first)).await?.is_some(),
        "the window's own tool is in the sidebar"
    );

    app.window_focused().await?;
    let entry = sidebar_entry(&added);
    let shown = poll_until(UI_STEP, || async {
        Ok(app
            .probe(&entry)
            .await?
            .filter(|p| p.text.contains("Terminal Tool")))
    })
    .await?;
    ensure!(
        shown.is_some(),
        "the tool added by the CLI is not in the sidebar after the window regained focus"
    );
    app.click(&entry).await?;
    wait_text(app, "#tool-title", "Terminal Tool").await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn a_registered_tool_is_deleted_only_with_its_registrations() -> Result<()> {
    App::run("tool-registered-failure", delete_with_registrations).await
}

async fn delete_with_registrations(app: &App) -> Result<()> {
    let tool = app.create_tool(&QUIZ_ENGINE).await?;
    app.cli(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"])?;
    app.cli(&[
        "registration",
        "add",
        "--tool",
        &tool,
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000042",
        "--deployment-id",
        "7:abc",
    ])?;

    app.click("#tool-delete").await?;
    app.click("#tool-delete-confirm").await?;
    let refused = app
        .wait_visible("#tool-delete-refused", UI_STEP)
        .await
        .context("deleting a registered tool did not say what would go with it")?;
    ensure!(
        refused.text.contains("Acme Canvas") && refused.text.contains("10000000000042"),
        "#tool-delete-refused does not name the registration: {:?}",
        refused.text
    );
    ensure!(
        app.visible_error().await.is_none(),
        "the refusal also went to the banner: {:?}",
        app.visible_error().await
    );
    ensure!(
        cli_tool_ids(app)?.contains(&tool),
        "the tool is gone before deleting its registrations was confirmed"
    );
    app.screenshot("tool-delete-refused.png").await?;

    app.click("#tool-delete-with-registrations").await?;
    app.wait_visible("[data-screen=\"empty\"]", UI_STEP)
        .await
        .context("deleting the only tool did not lead to the empty start screen")?;
    ensure!(
        app.probe(&sidebar_entry(&tool)).await?.is_none(),
        "the deleted tool stays in the sidebar"
    );
    ensure!(
        app.focused_id().await? == "new-tool",
        "the focus is on {:?} after the last tool went, not on #new-tool",
        app.focused_id().await?
    );
    ensure!(
        !cli_tool_ids(app)?.contains(&tool),
        "`ltikeys tool list` still lists the deleted tool"
    );
    let registrations: Value =
        serde_json::from_str(&app.cli(&["registration", "list", "--json"])?)?;
    ensure!(
        registrations.as_array().is_some_and(Vec::is_empty),
        "the registrations stay after their tool: {registrations}"
    );
    Ok(())
}

fn sidebar_entry(tool_id: &str) -> String {
    format!("#tool-list [data-tool-id=\"{tool_id}\"]")
}

/// The ids `ltikeys tool list --json` lists.
fn cli_tool_ids(app: &App) -> Result<Vec<String>> {
    let list: Value = serde_json::from_str(&app.cli(&["tool", "list", "--json"])?)
        .context("`ltikeys tool list --json` printed no JSON")?;
    let Some(items) = list.as_array() else {
        bail!("`ltikeys tool list --json` printed {list}, not a list");
    };
    Ok(items
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect())
}

/// Waits until `css` is shown and reads `expected`.
async fn wait_text(app: &App, css: &str, expected: &str) -> Result<()> {
    let found = poll_until(UI_STEP, || async move {
        Ok(app
            .probe(css)
            .await?
            .filter(|p| p.shown && p.text == expected))
    })
    .await?;
    ensure!(
        found.is_some(),
        "`{css}` did not read {expected:?} within {} s{}",
        UI_STEP.as_secs(),
        match app.probe(css).await? {
            Some(p) => format!(" (it reads {:?})", p.text),
            None => String::new(),
        }
    );
    Ok(())
}

/// Waits until the input `css` holds `expected` (the edit form fills in once the tool loads).
async fn wait_value(app: &App, css: &str, expected: &str) -> Result<()> {
    let found = poll_until(UI_STEP, || async move {
        let value = app
            .client()?
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok((value.as_str() == Some(expected)).then_some(()))
    })
    .await?;
    ensure!(
        found.is_some(),
        "`{css}` did not hold {expected:?} within {} s",
        UI_STEP.as_secs()
    );
    Ok(())
}
