//! The Canvas JSON tab in the real app: Copy and Save act on the text the box shows. An edit
//! typed into the box is what the native save dialog writes, not the tool's export; text that
//! is not JSON is refused under the box before any dialog opens.

use anyhow::{bail, ensure, Context, Result};
use ltikeys_e2e::{path_text, poll_until, App, NativeDialog, ToolForm, QUIZ_ENGINE, UI_STEP};
use serde_json::{json, Value};

const TOOL_NAME: &str = "Edited Export";
const JWKS_URL: &str = "https://quiz.example.edu/.well-known/jwks.json";
const EDITED_TITLE: &str = "Edited Export (staging)";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver and xdotool: run scripts/test.sh"]
async fn the_canvas_json_saved_is_the_text_as_edited() -> Result<()> {
    App::run("profile-failure", scenario).await
}

async fn scenario(app: &App) -> Result<()> {
    // A JWKS URL makes the export need no key (and so no keychain).
    app.create_tool(&ToolForm {
        name: TOOL_NAME,
        jwks_url: Some(JWKS_URL),
        ..QUIZ_ENGINE
    })
    .await?;
    app.reveal_click("#tab-canvas").await?;
    let exported = wait_for_value(app, "#canvas-json", |text| text.contains(TOOL_NAME)).await?;
    let mut doc: Value =
        serde_json::from_str(&exported).context("the Canvas JSON box does not hold JSON")?;
    ensure!(
        doc["public_jwk_url"] == JWKS_URL,
        "public_jwk_url is {}",
        doc["public_jwk_url"]
    );
    app.wait_visible("#canvas-status", UI_STEP).await?;
    let status = app.text_of("#canvas-status").await?;
    ensure!(
        status.contains("the tool's export"),
        "before any edit #canvas-status reads {status:?}"
    );

    // The edit, typed key by key: a new title and a custom field.
    doc["title"] = json!(EDITED_TITLE);
    doc["custom_fields"] = json!({"course": "$Canvas.course.id"});
    let edited = serde_json::to_string(&doc)?;
    ensure!(edited != exported, "the edit changes nothing");
    app.reveal("#canvas-json").await?;
    app.fill("#canvas-json", &edited).await?;
    app.wait_visible("#canvas-edited", UI_STEP)
        .await
        .context("typing into the box did not mark it as edited")?;
    let status = wait_for_text(app, "#canvas-status", |text| {
        text.contains("your edits") && !text.contains("checking")
    })
    .await?;
    ensure!(
        !status.contains("error"),
        "the edited JSON has errors: {status:?} (findings {:?})",
        app.canvas_finding_codes().await?
    );

    let out = tempfile::Builder::new()
        .prefix("ltikeys-e2e-profile.")
        .tempdir()
        .context("creating the folder to save into")?;
    let path = out.path().join("edited-developer-key.json");
    app.reveal_click("#canvas-save").await?;
    let dialog = NativeDialog::wait("Save Canvas JSON", UI_STEP)
        .await
        .context("clicking #canvas-save opened no native save dialog")?;
    dialog.replace_text(&path_text(&path)?)?;
    dialog.press("Return")?;
    dialog.wait_closed(UI_STEP).await?;
    wait_toast(
        app,
        &format!("Edited Canvas JSON saved to {}", path.display()),
    )
    .await?;
    let saved = std::fs::read_to_string(&path)
        .with_context(|| format!("the dialog's choice {} was not written", path.display()))?;
    ensure!(
        saved == format!("{edited}\n"),
        "the saved file holds {saved:?}, not the edited text {edited:?}"
    );
    ensure!(
        !saved.contains(&format!("\"{TOOL_NAME}\"")),
        "the saved file still holds the export's title"
    );

    // Text that is not JSON: refused under the box, and no dialog opens.
    let broken = format!("{}, ", &edited[..edited.len() - 1]);
    app.fill("#canvas-json", &broken).await?;
    app.wait_visible(
        "#canvas-findings [data-finding-code=\"invalid-json\"]",
        UI_STEP,
    )
    .await
    .context("text that is not JSON got no invalid-json finding")?;
    app.reveal_click("#canvas-save").await?;
    let refusal = app
        .wait_visible("#canvas-json-error", UI_STEP)
        .await
        .context("saving text that is not JSON showed no error under the box")?;
    ensure!(
        refusal.text.contains("cannot be saved: it is not JSON"),
        "the error under the box reads {:?}",
        refusal.text
    );
    ensure!(
        NativeDialog::wait("Save Canvas JSON", std::time::Duration::from_secs(1))
            .await
            .is_err(),
        "a save dialog opened for text that is not JSON"
    );
    let files = std::fs::read_dir(out.path())?.count();
    ensure!(
        files == 1,
        "the folder holds {files} files, expected only the one saved"
    );
    Ok(())
}

/// Waits until the `value` of `css` passes `ready`; returns it.
async fn wait_for_value(app: &App, css: &str, ready: impl Fn(&str) -> bool) -> Result<String> {
    let ready = &ready;
    let found = poll_until(UI_STEP, || async move {
        let value = app
            .client()?
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
                vec![json!(css)],
            )
            .await?;
        Ok(value.as_str().filter(|v| ready(v)).map(str::to_owned))
    })
    .await?;
    match found {
        Some(value) => Ok(value),
        None => bail!(
            "`{css}` did not get the expected value within {} s",
            UI_STEP.as_secs()
        ),
    }
}

/// Waits until the text of `css` passes `ready`; returns it.
async fn wait_for_text(app: &App, css: &str, ready: impl Fn(&str) -> bool) -> Result<String> {
    let ready = &ready;
    let found = poll_until(UI_STEP, || async move {
        Ok(app
            .probe(css)
            .await?
            .map(|probe| probe.text)
            .filter(|text| ready(text)))
    })
    .await?;
    match found {
        Some(text) => Ok(text),
        None => bail!(
            "`{css}` did not read as expected within {} s (it reads {:?})",
            UI_STEP.as_secs(),
            app.probe(css).await?.map(|p| p.text)
        ),
    }
}

/// Waits until `#toast` is shown and reads `expected`.
async fn wait_toast(app: &App, expected: &str) -> Result<()> {
    let text = wait_for_text(app, "#toast", |text| text == expected).await;
    if let Some(error) = app.visible_error().await {
        bail!("the app shows the error {error:?}");
    }
    text.map(|_| ())
}
