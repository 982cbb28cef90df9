//! The real app in a real window: a tool profile with placements, its Canvas JSON linted as it
//! is edited, a platform from a preset, and a registration with its admin hand-off.

use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use ltikeys_e2e::{poll_until, App, ToolForm, QUIZ_ENGINE, UI_STEP};
use serde_json::{json, Value};

const EULA_URL: &str = "https://quiz.example.edu/lti/eula";
const TOOL_NAME: &str = "Canvas Quiz";
/// The launch URL of [`QUIZ_ENGINE`], which this tool copies.
const LAUNCH_URL: &str = "https://quiz.example.edu/lti/launch";
const JWKS_URL: &str = "https://quiz.example.edu/.well-known/jwks.json";
const SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";

const PLATFORM_NAME: &str = "Acme Moodle";
/// A school's own Canvas token URL, which its tool must POST to (and use as `aud`).
const CANVAS_SCHOOL_TOKEN_URL: &str = "https://acme.instructure.com/login/oauth2/token";
/// A platform of no preset: `(field, input, value)`.
const CUSTOM_ENDPOINTS: [(&str, &str, &str); 4] = [
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
const MOODLE_BASE: &str = "https://moodle.acme.edu";
const CLIENT_ID: &str = "zTn6FWnZ4W21zmS";
const DEPLOYMENTS: [(&str, &str); 2] = [("43", "Biology 101"), ("44", "")];

const RL: &str = "LtiResourceLinkRequest";
const DL: &str = "LtiDeepLinkingRequest";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn profile_canvas_json_platform_and_registration() -> Result<()> {
    App::run("registration-failure", scenario).await
}

async fn scenario(app: &App) -> Result<()> {
    // Quiz Engine's URLs with a JWKS URL, through the original "New tool" form.
    let tool_id = app
        .create_tool(&ToolForm {
            name: TOOL_NAME,
            jwks_url: Some(JWKS_URL),
            ..QUIZ_ENGINE
        })
        .await?;
    edit_profile(app).await?;
    canvas_json(app).await?;
    let platform_id = add_platforms(app).await?;
    register(app, &tool_id, &platform_id).await?;
    import_json(app).await
}

/// Profile tab: privacy level, a scope, and two placements whose message type menus offer only
/// what each placement accepts.
async fn edit_profile(app: &App) -> Result<()> {
    app.reveal_click("#tab-profile").await?;
    app.reveal_click("#profile-edit").await?;
    app.wait_visible("#profile-form", UI_STEP).await?;
    app.reveal_select("#profile-privacy-level", "public")
        .await?;
    app.reveal_click(&format!(
        "#profile-scopes input[data-scope=\"{SCORE_SCOPE}\"]"
    ))
    .await?;

    let row0 = "#profile-placements .placement-row[data-index=\"0\"]";
    let row1 = "#profile-placements .placement-row[data-index=\"1\"]";
    app.reveal_click("#placement-add").await?;
    app.reveal_select(
        &format!("{row0} select[data-field=placement]"),
        "course_navigation",
    )
    .await?;
    expect_options(
        app,
        &format!("{row0} select[data-field=message_type]"),
        &[RL],
    )
    .await?;
    app.reveal_fill(&format!("{row0} input[data-field=text]"), "Quizzes")
        .await?;

    app.reveal_click("#placement-add").await?;
    app.reveal_select(
        &format!("{row1} select[data-field=placement]"),
        "link_selection",
    )
    .await?;
    expect_options(
        app,
        &format!("{row1} select[data-field=message_type]"),
        &[RL, DL],
    )
    .await?;
    app.reveal_select(
        &format!("{row1} select[data-field=placement]"),
        "editor_button",
    )
    .await?;
    expect_options(
        app,
        &format!("{row1} select[data-field=message_type]"),
        &[DL],
    )
    .await?;
    let chosen = prop(
        app,
        &format!("{row1} select[data-field=message_type]"),
        "value",
    )
    .await?;
    ensure!(
        chosen == DL,
        "after switching the placement to editor_button, its message type is {chosen:?}, expected {DL:?}"
    );
    // A EULA launch, typed: a tool without an asset processor, which the Canvas tab warns about.
    app.reveal_click("#profile-eula").await?;
    app.reveal_fill("#profile-eula-url", EULA_URL).await?;
    app.reveal_fill("#profile-eula-custom-fields", "eula_version=2")
        .await?;
    app.screenshot("profile.png").await?;

    app.reveal_click("#profile-save").await?;
    app.wait_visible("#profile-summary", UI_STEP)
        .await
        .context("saving the profile did not show the saved profile")?;
    for (placement, message_type) in [("course_navigation", RL), ("editor_button", DL)] {
        let row = app
            .text_of(&format!(
                "#profile-summary tr[data-placement=\"{placement}\"]"
            ))
            .await
            .with_context(|| format!("the saved profile does not list {placement}"))?;
        ensure!(
            row.contains(message_type),
            "the saved {placement} row reads {row:?}, expected it to name {message_type}"
        );
    }
    let eula = app.text_of("#profile-eula-summary").await?;
    ensure!(
        eula.contains(EULA_URL) && eula.contains("eula_version = 2"),
        "the saved EULA launch reads {eula:?}"
    );
    let toast = app.text_of("#toast").await?;
    ensure!(
        toast.contains("saved"),
        "the toast after saving reads {toast:?}"
    );
    Ok(())
}

/// Canvas JSON tab: the export beside its findings; a broken message type and an http URL show
/// up as findings while typing and go away when fixed.
async fn canvas_json(app: &App) -> Result<()> {
    app.reveal_click("#tab-canvas").await?;
    app.wait_visible("#canvas-json", UI_STEP)
        .await
        .context("the Canvas JSON tab did not show the exported JSON")?;
    let exported =
        wait_for_value(app, "#canvas-json", |text| text.contains("editor_button")).await?;
    let doc: Value =
        serde_json::from_str(&exported).context("the Canvas JSON box does not hold JSON")?;
    ensure!(
        doc["public_jwk_url"] == JWKS_URL,
        "public_jwk_url is {}, expected {JWKS_URL}",
        doc["public_jwk_url"]
    );
    let extension = &doc["extensions"][0];
    ensure!(
        extension["privacy_level"] == "public",
        "extensions[0].privacy_level is {}",
        extension["privacy_level"]
    );
    ensure!(
        doc["scopes"] == json!([SCORE_SCOPE]),
        "scopes are {}",
        doc["scopes"]
    );
    ensure!(
        extension["settings"]["message_settings"]
            == json!([{"type": "LtiEulaRequest", "enabled": true, "target_link_uri": EULA_URL,
                "custom_fields": {"eula_version": "2"}}]),
        "the EULA launch exported as {}",
        extension["settings"]["message_settings"]
    );
    app.wait_visible(
        "#canvas-findings [data-finding-code=\"eula-without-asset-processor\"]",
        UI_STEP,
    )
    .await
    .context("a EULA without an asset processor is not warned about")?;
    let placements = &extension["settings"]["placements"];
    ensure!(
        placements[0]["placement"] == "course_navigation"
            && placements[0]["message_type"] == RL
            && placements[1]["placement"] == "editor_button"
            && placements[1]["message_type"] == DL,
        "the exported placements are {placements}"
    );
    app.wait_visible("#canvas-status", UI_STEP).await?;
    ensure!(
        app.canvas_finding_codes()
            .await?
            .iter()
            .all(|code| code != "wrong-message-type"),
        "the fresh export already has a wrong-message-type finding"
    );

    // course_navigation with a deep-linking message: Canvas refuses it.
    let broken = exported.replacen(&format!("\"{RL}\""), &format!("\"{DL}\""), 1);
    ensure!(broken != exported, "the export has no {RL} to break");
    type_json(app, &broken).await?;
    let finding = "#canvas-findings [data-finding-code=\"wrong-message-type\"]";
    app.wait_visible(finding, UI_STEP)
        .await
        .context("breaking the message type did not show a wrong-message-type finding")?;
    let path = app
        .text_of(&format!("{finding} [data-finding-path]"))
        .await?;
    ensure!(
        path.contains("placements[0].message_type") && path.contains("course_navigation"),
        "the finding's path reads {path:?}"
    );
    let status = app.text_of("#canvas-status").await?;
    ensure!(status.contains("error"), "#canvas-status reads {status:?}");
    app.wait_visible("#canvas-edited", UI_STEP).await?;
    app.screenshot("canvas.png").await?;

    type_json(app, &exported).await?;
    app.wait_gone(finding).await?;

    // A plain-http launch URL.
    let http = exported.replacen(LAUNCH_URL, "http://quiz.example.edu/lti/launch", 1);
    type_json(app, &http).await?;
    let finding = "#canvas-findings [data-finding-code=\"http-url\"]";
    app.wait_visible(finding, UI_STEP)
        .await
        .context("an http:// target_link_uri did not show an http-url finding")?;
    app.reveal_click("#canvas-reset").await?;
    app.wait_gone(finding).await?;
    let value = prop(app, "#canvas-json", "value").await?;
    ensure!(
        value == exported,
        "Reset to export did not restore the export"
    );
    Ok(())
}

/// Platforms page: Moodle from its preset with a base URL, and Canvas cloud; returns Moodle's id.
async fn add_platforms(app: &App) -> Result<String> {
    app.reveal_click("#nav-platforms").await?;
    app.wait_visible("#platforms-page", UI_STEP).await?;
    if app
        .wait_visible("#platform-form", Duration::from_secs(2))
        .await
        .is_err()
    {
        app.reveal_click("#platform-add").await?;
    }
    app.reveal_select("#platform-preset", "moodle").await?;
    app.reveal_fill("#platform-name", PLATFORM_NAME).await?;
    app.reveal_fill("#platform-base-url", MOODLE_BASE).await?;
    let auth = app
        .text_of("#platform-preview [data-preview-field=\"auth_url\"]")
        .await?;
    ensure!(
        auth == format!("{MOODLE_BASE}/mod/lti/auth.php"),
        "the preset preview shows the auth URL {auth:?}"
    );
    app.reveal_click("#platform-save").await?;
    let card = app.wait_for_platform(PLATFORM_NAME).await?;
    let issuer = app
        .text_of(&format!(
            "[data-platform-id=\"{card}\"] [data-endpoint=\"issuer\"]"
        ))
        .await?;
    ensure!(
        issuer == MOODLE_BASE,
        "the Moodle platform's issuer is {issuer:?}"
    );

    // A preset with one value changed under "Change a value", typed key by key.
    app.reveal_click("#platform-add").await?;
    app.reveal_select("#platform-preset", "canvas-cloud")
        .await?;
    app.reveal_fill("#platform-name", "Instructure Canvas")
        .await?;
    app.reveal_click("#platform-form details.overrides summary")
        .await?;
    app.reveal_fill("#platform-token-url", CANVAS_SCHOOL_TOKEN_URL)
        .await?;
    app.reveal_click("#platform-save").await?;
    let canvas = app.wait_for_platform("Instructure Canvas").await?;
    for (field, expected) in [
        ("issuer", "https://canvas.instructure.com"),
        ("token_url", CANVAS_SCHOOL_TOKEN_URL),
    ] {
        let shown = app.endpoint(&canvas, field).await?;
        ensure!(
            shown == expected,
            "the Canvas cloud platform's {field} is {shown:?}, expected {expected:?}"
        );
    }

    // A platform of no preset: every endpoint typed key by key into its own field.
    app.reveal_click("#platform-add").await?;
    app.reveal_select("#platform-preset", "custom").await?;
    app.reveal_fill("#platform-name", "Acme LMS").await?;
    for (field, css, url) in CUSTOM_ENDPOINTS {
        app.reveal_fill(css, url)
            .await
            .with_context(|| format!("typing the custom platform's {field}"))?;
    }
    app.reveal_click("#platform-save").await?;
    let custom = app.wait_for_platform("Acme LMS").await?;
    for (field, _, url) in CUSTOM_ENDPOINTS {
        let shown = app.endpoint(&custom, field).await?;
        ensure!(
            shown == url,
            "the custom platform's {field} is {shown:?}, expected {url:?}"
        );
    }
    app.screenshot("platforms.png").await?;
    Ok(card)
}

/// Registrations tab: Moodle, a client_id and two deployment ids; then the hand-off.
async fn register(app: &App, tool_id: &str, platform_id: &str) -> Result<()> {
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
    let row = |i: usize, field: &str| {
        format!(
            "#registration-deployments .deployment-row:nth-child({i}) input[data-field={field}]"
        )
    };
    app.reveal_fill(&row(1, "deployment_id"), DEPLOYMENTS[0].0)
        .await?;
    app.reveal_fill(&row(1, "label"), DEPLOYMENTS[0].1).await?;
    app.reveal_click("#registration-deployment-add").await?;
    app.reveal_fill(&row(2, "deployment_id"), DEPLOYMENTS[1].0)
        .await?;
    app.reveal_click("#registration-save").await?;

    app.wait_visible("article[data-registration-id]", UI_STEP)
        .await
        .context("saving the registration did not list it")?;
    for (id, label) in DEPLOYMENTS {
        let text = app
            .text_of(&format!(
                "article[data-registration-id] tr[data-deployment-id=\"{id}\"]"
            ))
            .await
            .with_context(|| format!("deployment {id} is not listed"))?;
        ensure!(
            label.is_empty() || text.contains(label),
            "deployment {id} reads {text:?}, expected the label {label:?}"
        );
    }

    app.wait_visible("#handoff [data-handoff-field=\"jwks_url\"]", UI_STEP)
        .await
        .context("the hand-off values did not appear")?;
    let expected = [
        ("issuer", MOODLE_BASE.to_owned()),
        ("client_id", CLIENT_ID.to_owned()),
        ("auth_url", format!("{MOODLE_BASE}/mod/lti/auth.php")),
        ("token_url", format!("{MOODLE_BASE}/mod/lti/token.php")),
        ("jwks_url", format!("{MOODLE_BASE}/mod/lti/certs.php")),
    ];
    for (field, value) in &expected {
        let text = app
            .text_of(&format!("#handoff [data-handoff-field=\"{field}\"] dd"))
            .await?;
        ensure!(
            text.contains(value.as_str()),
            "hand-off {field} reads {text:?}, expected {value:?}"
        );
    }
    let ids = app
        .text_of("#handoff [data-handoff-field=\"deployment_ids\"] dd")
        .await?;
    ensure!(
        DEPLOYMENTS.iter().all(|(id, _)| ids.contains(id)),
        "hand-off deployment ids read {ids:?}"
    );
    app.wait_enabled("#handoff-copy-text", UI_STEP).await?;
    app.wait_enabled("#handoff-copy-json", UI_STEP).await?;
    app.screenshot("registration.png").await?;
    Ok(())
}

/// Import page: pasted JSON with a field Canvas ignores is linted, imported under a new name,
/// and the new tool opens with the import's findings.
async fn import_json(app: &App) -> Result<()> {
    app.reveal_click("#import-canvas").await?;
    app.wait_visible("#import-page", UI_STEP).await?;
    let json = json!({
        "title": "Vendor Quiz",
        "description": "From a vendor",
        "oidc_initiation_url": "https://vendor.example.com/lti/login",
        "target_link_uri": "https://vendor.example.com/lti/launch",
        "public_jwk_url": "https://vendor.example.com/jwks.json",
        "vendor_extra": {"color": "blue"},
        "extensions": [{
            "platform": "canvas.instructure.com",
            "privacy_level": "name_only",
            "settings": {"placements": [
                {"placement": "link_selection", "message_type": DL}
            ]}
        }]
    });
    paste(app, "#import-json", &serde_json::to_string_pretty(&json)?).await?;
    app.wait_visible(
        "#import-findings [data-finding-code=\"unknown-field\"]",
        UI_STEP,
    )
    .await
    .context("the lint preview did not flag vendor_extra")?;
    app.reveal_fill("#import-name", "Vendor Quiz (imported)")
        .await?;
    app.screenshot("import.png").await?;
    app.reveal_click("#import-submit").await?;
    app.wait_visible(
        "#import-report [data-finding-code=\"unknown-field\"]",
        UI_STEP,
    )
    .await
    .context("the imported tool did not open with the import's findings")?;
    let title = app.text_of("#tool-title").await?;
    ensure!(
        title == "Vendor Quiz (imported)",
        "the imported tool is called {title:?}"
    );
    let exported =
        wait_for_value(app, "#canvas-json", |text| text.contains("link_selection")).await?;
    ensure!(
        !exported.contains("vendor_extra"),
        "the re-exported JSON still holds the unknown field"
    );
    Ok(())
}

/// The values of the options of a `<select>`, which must equal `expected`.
async fn expect_options(app: &App, css: &str, expected: &[&str]) -> Result<()> {
    app.wait_for(css, UI_STEP).await?;
    let value = app
        .client()?
        .execute(
            "const s = document.querySelector(arguments[0]);\
             return s ? Array.from(s.options, o => o.value) : null;",
            vec![json!(css)],
        )
        .await
        .with_context(|| format!("reading the options of `{css}`"))?;
    let options: Vec<String> = serde_json::from_value(value).unwrap_or_default();
    ensure!(
        options == expected,
        "`{css}` offers {options:?}, expected exactly {expected:?}"
    );
    Ok(())
}

/// A property of the first element matching `css`, as text.
async fn prop(app: &App, css: &str, name: &str) -> Result<String> {
    app.prop_of(css, name).await
}

/// Waits until the `value` of `css` passes `ready`; returns it.
async fn wait_for_value(app: &App, css: &str, ready: impl Fn(&str) -> bool) -> Result<String> {
    let ready = &ready;
    let found = poll_until(UI_STEP, || async move {
        let value = prop(app, css, "value").await?;
        Ok(ready(&value).then_some(value))
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

/// Replaces the text of `#canvas-json` as a paste would.
async fn type_json(app: &App, text: &str) -> Result<()> {
    paste(app, "#canvas-json", text).await
}

/// Replaces the whole text of the text box `css` as a paste would: the text, then an input event.
async fn paste(app: &App, css: &str, text: &str) -> Result<()> {
    app.reveal_click(css).await?;
    app.client()?
        .execute(
            "const box = document.querySelector(arguments[0]);\
             box.focus(); box.select();\
             box.setRangeText(arguments[1], 0, box.value.length, 'end');\
             box.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));",
            vec![json!(css), json!(text)],
        )
        .await
        .with_context(|| format!("pasting into {css}"))?;
    Ok(())
}

// Each action below reveals its element first (see App::reveal).
