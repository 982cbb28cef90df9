//! The keys tab at the window's sizes: long kids are shown whole and no action button is cut
//! off, at the default 1180x760, at 960x640 and at the minimum 820x540. A generation
//! cancelled in the window stores nothing, and a window with no keychain says so and keeps
//! working for all that needs no private key.

use anyhow::{ensure, Context, Result};
use std::time::Duration;

use ltikeys_e2e::{App, Launch, ToolForm, KEYGEN, UI_STEP};
use serde_json::{json, Value};

const TOOL_NAME: &str = "Kid Layout";
const LAUNCH_URL: &str = "https://layout.example.edu/lti/launch";
/// The sizes to check: the window's default, a small window, and the minimum the app allows.
const SIZES: [(u32, u32); 3] = [(1180, 760), (960, 640), (820, 540)];

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn long_kids_stay_whole_in_small_windows() -> Result<()> {
    App::run("key-failure", long_kids).await
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn a_cancelled_generation_stores_nothing() -> Result<()> {
    App::run("keygen-cancel", cancel_generation).await
}

/// The nice values of the app's key-search threads (named `keygen`) running now, from /proc;
/// a thread that ends while it is read is passed over.
fn search_thread_nice_values(pid: u32) -> Result<Vec<i64>> {
    let mut values = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let task = task?.path();
        let (Ok(name), Ok(stat)) = (
            std::fs::read_to_string(task.join("comm")),
            std::fs::read_to_string(task.join("stat")),
        ) else {
            continue;
        };
        if name.trim_end() != "keygen" {
            continue;
        }
        // The 19th field, counted after the thread's name in parentheses.
        let after_name = stat
            .rfind(')')
            .map(|end| &stat[end + 2..])
            .with_context(|| format!("{}: no name in {stat:?}", task.display()))?;
        let nice = after_name
            .split(' ')
            .nth(16)
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("{}: no nice value in {stat:?}", task.display()))?;
        values.push(nice);
    }
    Ok(values)
}

/// Starts 4096-bit generations and cancels each while its primes are searched. A search may
/// win before the click lands (the Cancel button is then gone, and the key is kept): such a
/// run is counted and another started, up to five.
async fn cancel_generation(app: &App) -> Result<()> {
    const TOOL: &str = "Cancel Keygen";
    app.create_tool(&ToolForm {
        name: TOOL,
        login_url: Some("https://cancel.example.edu/lti/login"),
        launch_url: Some("https://cancel.example.edu/lti/launch"),
        redirect_uris: Some("https://cancel.example.edu/lti/launch"),
        ..ToolForm::default()
    })
    .await?;
    app.ensure_keychain_available().await?;
    app.select("#key-bits", "4096").await?;

    let pid = app.app_pid()?;
    let mut searches_seen = Vec::new();
    let mut kept = 0;
    let mut cancelled = false;
    for _ in 0..5 {
        // A kept run's "generated" toast must not be read as this run's answer.
        app.dismiss_toasts().await?;
        app.wait_enabled("#generate-key", KEYGEN).await?;
        app.click("#generate-key").await?;
        app.wait_for("#keygen-progress", UI_STEP).await?;
        searches_seen.extend(search_thread_nice_values(pid)?);
        if app.click("#cancel-keygen").await.is_err() {
            // Already stored: the search won the race against the click.
            kept += 1;
            app.wait_for_key_rows(kept).await?;
            continue;
        }
        let toast = app
            .wait_toast_that("the cancellation", |t| {
                t.contains("cancelled") || t.contains("generated")
            })
            .await?;
        app.wait_gone("#keygen-progress").await?;
        if toast.contains("generated") {
            kept += 1;
            continue;
        }
        ensure!(
            toast == "Key generation cancelled: nothing was stored",
            "the toast reads {toast:?}"
        );
        cancelled = true;
        break;
    }
    ensure!(
        cancelled,
        "five 4096-bit generations all finished before Cancel was clicked"
    );
    // The searches yield to the window: each runs at the lowest priority.
    ensure!(
        !searches_seen.is_empty() && searches_seen.iter().all(|nice| *nice == 19),
        "the key searches ran at nice values {searches_seen:?}, not all 19"
    );
    ensure!(
        app.visible_error().await.is_none(),
        "a cancel shows an error: {:?}",
        app.visible_error().await
    );

    // Nothing of the cancelled key anywhere: not listed, not in the database, not in the keychain.
    let rows = app
        .attrs_of_all("#keys-table tr[data-kid]", "data-kid")
        .await?;
    ensure!(
        rows.len() == kept,
        "the table lists {rows:?} after {kept} kept key(s)"
    );
    let listed: Value =
        serde_json::from_str(&app.cli(&["key", "list", "--tool", TOOL, "--json"])?)?;
    let listed = listed.as_array().map(Vec::len).unwrap_or_default();
    ensure!(
        listed == kept,
        "the database holds {listed} key(s), {kept} kept"
    );
    let status: Value = serde_json::from_str(&app.cli(&["status", "--json"])?)?;
    ensure!(
        status["orphans"] == json!([]) && status["repairs"] == json!([]),
        "a cancelled generation left something in the keychain: {status}"
    );

    // The form is free again, and the next generation is kept.
    app.select("#key-bits", "2048").await?;
    app.wait_enabled("#generate-key", KEYGEN).await?;
    app.click("#generate-key").await?;
    app.wait_for_key_rows(kept + 1).await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn without_a_keychain_the_window_says_so_and_the_rest_works() -> Result<()> {
    let app = App::start_with(Launch {
        no_keychain: true,
        ..Launch::default()
    })
    .await?;
    let outcome = no_keychain(&app).await;
    app.finish_after("no-keychain", outcome).await
}

async fn no_keychain(app: &App) -> Result<()> {
    // Said within ten seconds of the launch.
    let warning = app
        .wait_visible("#keychain-warning", Duration::from_secs(10))
        .await?;
    ensure!(
        app.launched_at().elapsed() < Duration::from_secs(10),
        "the keychain warning came after {:?}",
        app.launched_at().elapsed()
    );
    ensure!(
        warning.text.contains("Keychain unavailable"),
        "the warning reads {:?}",
        warning.text
    );
    app.create_tool(&ToolForm {
        name: "No Keychain Tool",
        launch_url: Some("https://nokeychain.example.edu/lti/launch"),
        ..ToolForm::default()
    })
    .await?;
    let generate = app.wait_for("#generate-key", UI_STEP).await?;
    ensure!(
        generate.disabled,
        "#generate-key is enabled without a keychain"
    );
    let reason = app.text_of("#generate-unavailable").await?;
    ensure!(reason.contains("keychain"), "the reason reads {reason:?}");
    ensure!(
        app.visible_error().await.is_none(),
        "the app shows an error: {:?}",
        app.visible_error().await
    );
    let tools = app.cli(&["tool", "list", "--json"])?;
    ensure!(
        tools.contains("No Keychain Tool"),
        "the tool was not saved: {tools}"
    );
    app.screenshot("no-keychain.png").await?;
    Ok(())
}

/// A kid of exactly 60 characters, without a space to break at.
fn long_kid(n: usize) -> String {
    format!("e2e-layout-key-{n}-")
        .chars()
        .chain("abcdefghijklmnopqrstuvwxyz0123456789".chars().cycle())
        .take(60)
        .collect()
}

async fn long_kids(app: &App) -> Result<()> {
    app.create_tool(&ToolForm {
        name: TOOL_NAME,
        login_url: Some("https://layout.example.edu/lti/login"),
        launch_url: Some(LAUNCH_URL),
        redirect_uris: Some(LAUNCH_URL),
        ..ToolForm::default()
    })
    .await?;
    app.ensure_keychain_available().await?;

    let kids: Vec<String> = (1..=3).map(long_kid).collect();
    for (done, kid) in kids.iter().enumerate() {
        app.wait_enabled("#generate-key", KEYGEN).await?;
        app.select("#kid-scheme", "custom").await?;
        app.fill("#custom-kid", kid).await?;
        app.click("#generate-key").await?;
        app.wait_for_key_rows(done + 1).await?;
    }
    let mut listed = app.wait_for_key_rows(3).await?;
    listed.sort();
    ensure!(
        listed == kids,
        "#keys-table lists {listed:?}, expected {kids:?}"
    );

    // The published JWKS in the viewer: public members only, the three kids.
    app.reveal("#view-jwks").await?;
    app.click("#view-jwks").await?;
    app.wait_visible("#jwk-viewer pre", UI_STEP).await?;
    let jwks = app.text_of("#jwk-viewer pre").await?;
    let doc: Value =
        serde_json::from_str(&jwks).with_context(|| format!("the viewer shows {jwks:?}"))?;
    let shown = doc["keys"].as_array().map(Vec::len).unwrap_or_default();
    ensure!(shown == 3, "the viewer's JWKS holds {shown} keys: {doc}");
    ensure!(
        !jwks.contains("\"d\""),
        "the viewer shows a private member: {jwks}"
    );
    app.click("#jwk-viewer-close").await?;

    for (width, height) in SIZES {
        app.resize(width, height).await?;
        app.reveal("#keys-table").await?;
        let problems = layout_problems(app).await?;
        let name = format!("keys-{width}x{height}.png");
        app.screenshot(&name).await?;
        ensure!(
            problems.is_empty(),
            "at {width}x{height} the keys table cuts things off:\n{}",
            problems.join("\n")
        );
    }
    Ok(())
}

/// What the keys table hides at the window's current size: a kid not shown whole (its cell
/// collapsed, its text outside the table's scroll box or the page), an action button cut off.
async fn layout_problems(app: &App) -> Result<Vec<String>> {
    let found = app
        .client()?
        .execute(
            r#"
            const problems = [];
            const table = document.querySelector('#keys-table');
            if (!table) return ['no #keys-table'];
            // The box that clips the table: its nearest scrolling ancestor.
            let box = table.parentElement;
            while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
            const clip = (box || document.documentElement).getBoundingClientRect();
            const view = document.querySelector('#view').getBoundingClientRect();
            const left = Math.max(clip.left, view.left, 0) - 1;
            const right = Math.min(clip.right, view.right, document.documentElement.clientWidth) + 1;
            for (const row of table.querySelectorAll('tr[data-kid]')) {
              const kid = row.getAttribute('data-kid');
              const cell = row.querySelector('td.kid');
              if (!cell) { problems.push(`${kid}: no kid cell`); continue; }
              const rect = cell.getBoundingClientRect();
              if (rect.width <= 0 || rect.height <= 0) problems.push(`${kid}: the kid cell is ${rect.width}x${rect.height}`);
              if (cell.textContent.trim() !== kid) problems.push(`${kid}: the kid cell reads ${cell.textContent}`);
              if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`${kid}: the kid overflows its cell (${cell.scrollWidth} > ${cell.clientWidth})`);
              const range = document.createRange();
              range.selectNodeContents(cell);
              for (const line of range.getClientRects()) {
                if (line.width > 0 && (line.left < left || line.right > right)) {
                  problems.push(`${kid}: kid text spans ${line.left}..${line.right}, the table shows ${left}..${right}`);
                }
              }
              for (const button of row.querySelectorAll('td.actions button')) {
                const b = button.getBoundingClientRect();
                const label = button.textContent.trim();
                if (b.width <= 0 || b.height <= 0) problems.push(`${kid}: button ${label} is ${b.width}x${b.height}`);
                else if (b.left < left || b.right > right) problems.push(`${kid}: button ${label} spans ${b.left}..${b.right}, the table shows ${left}..${right}`);
                if (button.scrollWidth > button.clientWidth + 1) problems.push(`${kid}: the label of ${label} overflows its button`);
              }
            }
            return problems;
            "#,
            vec![json!(null)],
        )
        .await
        .context("measuring the keys table")?;
    Ok(found
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|p| p.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default())
}
