//! Rotation and JWKS checks in the real app: generate a current and a next key, read what rotate
//! will do, rotate, see the timeline and the reminder change; then check a JWKS served on
//! 127.0.0.1 that lacks the tool's kids and is served with the wrong Content-Type.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use ltikeys_core::testing::{Reply, Server};
use ltikeys_e2e::{poll_until, App, ToolForm, KEYGEN, UI_STEP};
use serde_json::json;

const TOOL_NAME: &str = "Rotation Demo";
const DOMAIN: &str = "rotate.example.edu";
const LAUNCH_URL: &str = "https://rotate.example.edu/lti/launch";
const NEXT_KID: &str = "e2e-next-1";
const PUBLISHED_TOOL: &str = "Published Demo";

/// One JWKS check against the local server.
const CHECK: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn rotate_then_check_the_published_jwks() -> Result<()> {
    App::run("rotation-failure", rotate_and_check).await
}

async fn rotate_and_check(app: &App) -> Result<()> {
    // A tool without a JWKS URL: platforms hold its pasted public JWK.
    let tool_id = app
        .create_tool(&ToolForm {
            name: TOOL_NAME,
            domain: Some(DOMAIN),
            launch_url: Some(LAUNCH_URL),
            redirect_uris: Some(LAUNCH_URL),
            ..ToolForm::default()
        })
        .await?;
    app.ensure_keychain_available().await?;
    app.wait_visible("#rotation-panel", UI_STEP)
        .await
        .context("the tool page has no #rotation-panel")?;
    let empty = app.text_of("#rotate-preview").await?;
    ensure!(
        empty.contains("generate the tool's first key"),
        "#rotate-preview of a tool without keys says {empty:?}"
    );

    // The current key, then a next key with a custom kid.
    app.select("#kid-scheme", "thumbprint").await?;
    let first = app.generate_first_key().await?;
    app.wait_enabled("#generate-key", KEYGEN).await?;
    app.select("#kid-scheme", "custom").await?;
    app.fill("#custom-kid", NEXT_KID).await?;
    app.click("#generate-key").await?;
    app.wait_for_key_rows(2).await?;
    expect_timeline_status(app, &first, "current").await?;
    expect_timeline_status(app, NEXT_KID, "next").await?;

    // What rotate will do: promote the next key, demote the current one, lead time skipped.
    let promote = wait_attr(app, "#rotate-preview", "data-promote", NEXT_KID).await?;
    ensure!(promote == NEXT_KID, "#rotate-preview promotes {promote:?}");
    let demote = app.attr_of("#rotate-preview", "data-demote").await?;
    ensure!(
        demote.as_deref() == Some(first.as_str()),
        "#rotate-preview demotes {demote:?}, expected {first:?}"
    );
    let preview = app.text_of("#rotate-preview").await?;
    for expected in [
        format!("Promote {NEXT_KID} to current"),
        format!("Demote {first} to previous"),
        "Lead time skipped".to_owned(),
    ] {
        ensure!(
            preview.contains(&expected),
            "#rotate-preview does not say {expected:?}: {preview:?}"
        );
    }
    scroll_to(app, "#rotation-panel").await?;
    app.screenshot("rotation-preview.png").await?;

    // Rotate, through the confirm step.
    app.click("#rotate-keys").await?;
    app.wait_visible("#rotate-confirm", UI_STEP).await?;
    ensure!(
        app.visible_error().await.is_none(),
        "an error is shown before the rotation"
    );
    app.click("#rotate-confirm").await?;
    let reminder = app
        .wait_visible("#rotation-reminder", KEYGEN)
        .await
        .context("no reminder after the rotation")?;
    ensure!(
        reminder.text.contains(NEXT_KID) && reminder.text.contains("signs now"),
        "#rotation-reminder says {:?}",
        reminder.text
    );
    ensure!(
        reminder.text.contains("Publish the new JWKS"),
        "#rotation-reminder does not ask to publish the JWKS: {:?}",
        reminder.text
    );
    app.wait_visible("#reminder-copy-jwks", UI_STEP).await?;
    app.wait_visible("#reminder-save-jwks", UI_STEP).await?;
    let copy_jwk = app
        .attr_of("#reminder-copy-jwk", "data-reminder-copy-jwk")
        .await
        .context("no Copy JWK button for a tool without a JWKS URL")?;
    ensure!(
        copy_jwk.as_deref() == Some(NEXT_KID),
        "the reminder's Copy JWK is for {copy_jwk:?}, expected the new current key {NEXT_KID:?}"
    );

    // The timeline and the keys table follow.
    expect_timeline_status(app, &first, "previous").await?;
    expect_timeline_status(app, NEXT_KID, "current").await?;
    let old_row = app
        .text_of(&format!("[data-timeline-kid=\"{first}\"]"))
        .await?;
    ensure!(
        old_row.contains("Unpublish after") && old_row.contains("Signing to"),
        "the old key's timeline row has no unpublish-after or signing-to date: {old_row:?}"
    );
    let bars = app
        .attrs_of_all(
            &format!("[data-timeline-kid=\"{first}\"] [data-segment]"),
            "data-segment",
        )
        .await?;
    ensure!(
        bars == ["signing", "overlap"],
        "the old key's bars are {bars:?}, expected signing then overlap"
    );
    app.expect_key_cell(&first, "status", "previous", UI_STEP)
        .await?;
    app.expect_key_cell(NEXT_KID, "status", "current", UI_STEP)
        .await?;

    // Retiring inside the overlap window is refused, with the way to force it.
    app.click(&format!("button[data-retire-key=\"{first}\"]"))
        .await?;
    let refused = app
        .wait_visible(&format!("[data-retire-refused=\"{first}\"]"), UI_STEP)
        .await
        .context("retiring inside the overlap window showed no refusal")?;
    ensure!(
        refused.text.contains("overlap window"),
        "the refusal says {:?}",
        refused.text
    );
    app.wait_visible(&format!("button[data-retire-force=\"{first}\"]"), UI_STEP)
        .await?;
    scroll_to(app, "#rotation-panel").await?;
    app.screenshot("rotation.png").await?;
    app.click(&format!("button[data-action-cancel=\"{first}\"]"))
        .await?;
    expect_timeline_status(app, &first, "previous").await?;

    // Retired anyway, the key leaves the JWKS: its row offers no revoke, and the focus moves on
    // to a control (the next key's action) instead of falling back to the page.
    app.click(&format!("button[data-retire-key=\"{first}\"]"))
        .await?;
    app.click(&format!("button[data-retire-force=\"{first}\"]"))
        .await?;
    app.click(&format!("button[data-retire-force-confirm=\"{first}\"]"))
        .await?;
    expect_timeline_status(app, &first, "retired").await?;
    let revoke = app
        .probe(&format!(
            "[data-timeline-kid=\"{first}\"] [data-revoke-key]"
        ))
        .await?;
    ensure!(
        revoke.is_none(),
        "the retired key {first} still offers Revoke"
    );
    let focused = focused_element(app).await?;
    ensure!(
        focused != "body",
        "after retiring {first} the focus fell to <body>"
    );
    ensure!(
        focused.contains(&format!("[data-revoke-key=\"{NEXT_KID}\"]")),
        "after retiring {first} the focus is on {focused}, expected the next key's Revoke"
    );

    // A JWKS that lacks the tool's kids, served as application/jwk-set+json.
    let server = jwks_server(
        json!({
            "keys": [{
                "kty": "RSA",
                "kid": "someone-else",
                "use": "sig",
                "alg": "RS256",
                "n": format!("{}wA", "wMDA".repeat(85)),
                "e": "AQAB",
            }]
        })
        .to_string(),
        "application/jwk-set+json",
    );
    let url = server.url("/.well-known/jwks.json");

    app.click("#nav-checks").await?;
    app.wait_visible("#checks-page", UI_STEP).await?;
    app.fill("#check-url", &url).await?;
    app.select("#check-role", "tool").await?;
    app.select("#check-tool", &tool_id).await?;
    app.click("#check-run").await?;
    for code in ["kid-not-published", "content-type"] {
        app.wait_visible(
            &format!("#check-result [data-finding-code=\"{code}\"]"),
            CHECK,
        )
        .await
        .with_context(|| format!("the check did not list the finding {code}"))?;
    }
    ensure!(
        server.hits() >= 1,
        "the check never reached the JWKS server"
    );
    let missing = app
        .text_of("#check-result [data-finding-code=\"kid-not-published\"]")
        .await?;
    ensure!(
        missing.contains(NEXT_KID) || missing.contains(&first),
        "kid-not-published does not name the tool's kids: {missing:?}"
    );
    let content_type = app
        .text_of("#check-result [data-fact=\"content-type\"]")
        .await?;
    ensure!(
        content_type.contains("application/jwk-set+json"),
        "the result shows the Content-Type as {content_type:?}"
    );
    let severities = app
        .attrs_of_all("#check-result [data-finding-code]", "data-severity")
        .await?;
    let first_non_error = severities.iter().position(|s| s != "error");
    ensure!(
        first_non_error.is_none_or(|at| severities[at..].iter().all(|s| s != "error")),
        "findings are not listed errors first: {severities:?}"
    );
    let recent = app
        .wait_visible(
            &format!("#recent-checks [data-check-url=\"{url}\"]"),
            UI_STEP,
        )
        .await
        .context("the check is not in the last results")?;
    ensure!(
        recent.text.contains("just now") || recent.text.contains("s ago"),
        "the last result's age reads {:?}",
        recent.text
    );
    app.screenshot("check.png").await?;

    // No platform yet: the bulk check says so in its table.
    app.click("#check-platforms").await?;
    let table = app
        .wait_visible("#platform-check-table", CHECK)
        .await
        .context("checking all platforms showed no summary table")?;
    ensure!(
        table.text.contains("No platforms yet"),
        "#platform-check-table of an empty store reads {:?}",
        table.text
    );
    scroll_to(app, "#recent-checks").await?;
    app.screenshot("check-recent.png").await?;

    // The same URL as a tool's JWKS URL: the tool page checks it against that tool's keys.
    let hits = server.hits();
    app.create_tool(&ToolForm {
        name: PUBLISHED_TOOL,
        launch_url: Some(LAUNCH_URL),
        redirect_uris: Some(LAUNCH_URL),
        jwks_url: Some(&url),
        ..ToolForm::default()
    })
    .await?;
    wait_text(app, "#tool-title", PUBLISHED_TOOL).await?;
    app.wait_enabled("#generate-key", KEYGEN).await?;
    app.select("#kid-scheme", "thumbprint").await?;
    let current = app.generate_first_key().await?;
    app.click("#check-jwks").await?;
    for code in ["kid-not-published", "content-type"] {
        app.wait_visible(
            &format!("#tool-check-result [data-finding-code=\"{code}\"]"),
            CHECK,
        )
        .await
        .with_context(|| format!("the tool page's check did not list the finding {code}"))?;
    }
    ensure!(
        server.hits() > hits,
        "the tool page's check never reached the server"
    );
    let missing = app
        .text_of("#tool-check-result [data-finding-code=\"kid-not-published\"]")
        .await?;
    ensure!(
        missing.contains(&current),
        "kid-not-published does not name the tool's current kid {current:?}: {missing:?}"
    );
    scroll_to(app, "#jwks-check-panel").await?;
    app.screenshot("tool-check.png").await?;
    Ok(())
}

/// Waits until the text of `css` is `expected`.
async fn wait_text(app: &App, css: &str, expected: &str) -> Result<()> {
    let found = poll_until(UI_STEP, || async move {
        let probe = app.probe(css).await?;
        Ok(probe.filter(|p| p.shown && p.text == expected))
    })
    .await?;
    ensure!(
        found.is_some(),
        "`{css}` did not read {expected:?} within {} s",
        UI_STEP.as_secs()
    );
    Ok(())
}

/// Waits until the attribute `name` of `css` equals `expected`; returns the last value seen.
async fn wait_attr(app: &App, css: &str, name: &str, expected: &str) -> Result<String> {
    let found = poll_until(UI_STEP, || async move {
        let value = app.attr_of(css, name).await?.unwrap_or_default();
        Ok((value == expected).then_some(value))
    })
    .await?;
    match found {
        Some(value) => Ok(value),
        None => bail!(
            "`{css}` [{name}] is {:?}, expected {expected:?}",
            app.attr_of(css, name).await?
        ),
    }
}

/// Waits until the timeline row of `kid` shows `status`.
async fn expect_timeline_status(app: &App, kid: &str, status: &str) -> Result<()> {
    let css = format!("#timeline [data-timeline-kid=\"{kid}\"]");
    wait_attr(app, &css, "data-status", status)
        .await
        .with_context(|| format!("the timeline row of {kid}"))?;
    let badge = app
        .text_of(&format!("{css} .timeline-label .badge"))
        .await?;
    ensure!(
        badge == status,
        "the timeline badge of {kid} reads {badge:?}, expected {status:?}"
    );
    Ok(())
}

/// What has the focus, as `tag#id[data-…]`; `body` when nothing does.
async fn focused_element(app: &App) -> Result<String> {
    let value = app
        .client()?
        .execute(
            "const e = document.activeElement;\
             if (!e || e === document.body) return 'body';\
             const data = Array.from(e.attributes).filter(a => a.name.startsWith('data-'))\
               .map(a => `[${a.name}=\"${a.value}\"]`).join('');\
             return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + data;",
            vec![],
        )
        .await
        .context("reading the focused element")?;
    Ok(value.as_str().unwrap_or("body").to_owned())
}

/// Scrolls the main pane so `css` is at its top (for a screenshot of that part); the window
/// itself does not scroll.
async fn scroll_to(app: &App, css: &str) -> Result<()> {
    app.client()?
        .execute(
            "const e = document.querySelector(arguments[0]);\
             const main = e && e.closest('#view, .main');\
             if (!main) return false;\
             main.scrollTop += e.getBoundingClientRect().top - main.getBoundingClientRect().top - 16;\
             return true;",
            vec![json!(css)],
        )
        .await
        .with_context(|| format!("scrolling to `{css}`"))?;
    Ok(())
}

/// A one-document HTTP server on 127.0.0.1 that answers every request with the same body;
/// it serves until dropped.
fn jwks_server(body: String, content_type: &str) -> Server {
    Server::always(
        Reply::new(200, body)
            .header("Content-Type", content_type)
            .header("Cache-Control", "public, max-age=300"),
    )
}

#[test]
fn the_server_answers_with_its_content_type() -> Result<()> {
    let server = jwks_server("{\"keys\":[]}".to_owned(), "application/jwk-set+json");
    let mut stream = TcpStream::connect(server.addr())?;
    stream.write_all(b"GET /jwks.json HTTP/1.1\r\nHost: x\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    ensure!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response:?}");
    ensure!(
        response.contains("Content-Type: application/jwk-set+json\r\n"),
        "{response:?}"
    );
    ensure!(response.ends_with("\r\n\r\n{\"keys\":[]}"), "{response:?}");
    ensure!(server.hits() == 1 || wait_hits(&server), "no hit counted");
    Ok(())
}

/// The hit is counted by the server's own thread: give it a moment.
fn wait_hits(server: &Server) -> bool {
    for _ in 0..50 {
        if server.hits() >= 1 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}
