//! The window's lists at scale: how long each list screen takes to show, and each filter to
//! answer a key, in the real app under Xvfb, on a data directory filled at the scale of
//! `cargo bench -p ltikeys --bench lists` (500 tools with 3 keys each, 1,000 platforms, 10,000
//! registrations).
//!
//! ```text
//! bench-window --data DIR [--runs N]
//! ```
//!
//! Each moment is timed inside the page, from the user's event (the click, or the key's `input`
//! event) to the first animation frame after the last change it made to the page: a
//! `MutationObserver` notes each change and asks for a frame, and the frame's time is kept. So
//! the time holds the app's work (its IPC calls and the rendering) and the layout before the
//! frame, and not the WebDriver round trips. Run it through `scripts/bench-window.sh`, which
//! fills the data directory and starts Xvfb and a private keychain.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use fantoccini::Locator;
use ltikeys_e2e::{App, Launch, APP_READY, UI_STEP};
use serde_json::{json, Value};

/// Arms the measurement: on the next `arguments[1]` event at `arguments[0]` (capture phase),
/// start the clock and watch the page.
const ARM_JS: &str = "const target = document.querySelector(arguments[0]);\
     if (target === null) return false;\
     const t = { start: null, painted: null, changes: 0 };\
     window.__benchTiming = t;\
     target.addEventListener(arguments[1], () => {\
       t.start = performance.now();\
       const observer = new MutationObserver(() => {\
         t.changes += 1;\
         requestAnimationFrame(() => { t.painted = performance.now(); });\
       });\
       observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });\
       window.__benchObserver = observer;\
     }, { capture: true, once: true });\
     return true;";

/// The timing once the page is quiet: `null` until a change was painted.
const READ_JS: &str = "const t = window.__benchTiming;\
     if (!t || t.start === null || t.painted === null) return null;\
     return { ms: t.painted - t.start, changes: t.changes, since: performance.now() - t.painted };";

/// How long the page must have been quiet (no frame asked for by a change) to call it done.
const QUIET_MS: f64 = 300.0;

struct Options {
    data: PathBuf,
    runs: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let options = parse_args()?;
    let app = App::start_with(Launch {
        data_dir: Some(&options.data),
        ..Launch::default()
    })
    .await?;
    let outcome = measure(&app, &options).await;
    if outcome.is_err() {
        app.save_failure_artifacts("bench-window").await;
    }
    let finished = app.finish().await;
    let rows = outcome?;
    finished?;
    println!();
    println!(
        "{:<44} {:>9} {:>9} {:>9}",
        "moment", "median", "max", "runs"
    );
    for (name, samples) in &rows {
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let max = sorted[sorted.len() - 1];
        println!(
            "{name:<44} {median:>6.1} ms {max:>6.1} ms {:>9}",
            sorted.len()
        );
    }
    Ok(())
}

async fn measure(app: &App, options: &Options) -> Result<Vec<(String, Vec<f64>)>> {
    app.wait_enabled("#new-tool", APP_READY).await?;
    app.wait_for("#tool-list [data-tool-id]", APP_READY).await?;
    let tools = count(app, "#tool-list [data-tool-id]").await?;
    ensure!(
        tools >= 100,
        "the data directory holds {tools} tools; fill it at scale first"
    );
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    let mut add = |name: String, ms: f64| match rows.iter_mut().find(|(n, _)| *n == name) {
        Some((_, samples)) => samples.push(ms),
        None => rows.push((name, vec![ms])),
    };
    for run in 0..options.runs {
        // The tool list: a key in the filter, then the key taken back.
        let ms = timed(
            app,
            "#tool-filter",
            "input",
            Key::Type("9"),
            &tools_below(tools),
        )
        .await?;
        add(format!("tool filter, a key ({tools} tools)"), ms);
        let ms = timed(
            app,
            "#tool-filter",
            "input",
            Key::Backspace,
            &tools_listed(tools),
        )
        .await?;
        add(
            format!("tool filter, the key taken back ({tools} tools)"),
            ms,
        );

        // Another tool's page (the first tool's is open): its keys and registrations.
        let ms = timed(
            app,
            "#tool-list li:nth-child(2) [data-tool-id]",
            "click",
            Key::Click,
            SECOND_TOOL_SHOWN,
        )
        .await?;
        add("a tool's page (3 keys)".into(), ms);

        // The platforms page right after the data changed elsewhere: the command line edits a
        // tool, and the window regains the focus and sees the database changed.
        let tool = app
            .attr_of("#tool-list li:nth-child(1) [data-tool-id]", "data-tool-id")
            .await?
            .context("the first tool in the sidebar has no id")?;
        let description = format!("changed at run {run}");
        app.cli(&["tool", "edit", &tool, "--description", &description])?;
        app.window_focused().await?;
        let ms = open_page(app, "#nav-platforms", PLATFORM_CARD_SHOWN).await?;
        add("platforms page, right after a change".into(), ms);
        back_to_first_tool(app).await?;
        // Time for the background read, which starts once the data has not changed for 0.5 s.
        tokio::time::sleep(Duration::from_millis(2000)).await;

        // The platforms page, from the click to every shown card.
        let ms = open_page(app, "#nav-platforms", PLATFORM_CARD_SHOWN).await?;
        app.wait_for("#platform-filter", UI_STEP).await?;
        let cards = count(app, "article[data-platform-id]").await?;
        let total = app.text_of("#platform-count").await?;
        add(format!("platforms page ({total}, {cards} cards shown)"), ms);
        // Every name holds "platform ": the keys after it narrow the list.
        let filter = app.client()?.find(Locator::Css("#platform-filter")).await?;
        filter.send_keys("platform ").await?;
        let ms = timed(
            app,
            "#platform-filter",
            "input",
            Key::Type("9"),
            &count_says("111 of 1000 platforms"),
        )
        .await?;
        add("platform filter, a key (111 match)".into(), ms);
        let ms = timed(
            app,
            "#platform-filter",
            "input",
            Key::Type("9"),
            &count_says("11 of 1000 platforms"),
        )
        .await?;
        add("platform filter, a second key (11 match)".into(), ms);
        let ms = timed(
            app,
            "#platform-filter",
            "input",
            Key::Clear,
            &count_says("1000 platforms"),
        )
        .await?;
        add("platform filter, cleared".into(), ms);
        if app.probe("#platform-show-more").await?.is_some() {
            app.reveal("#platform-show-more").await?;
            // The scroll is the user's own step before the click: let it be painted first.
            settle(app).await?;
            let ms = timed(
                app,
                "#platform-show-more",
                "click",
                Key::Click,
                "return document.querySelectorAll('article[data-platform-id]').length === 40;",
            )
            .await?;
            add("platform list, show 20 more".into(), ms);
        }

        // What the platforms page reads, against the whole registrations, over IPC alone
        // (the call and the parse of its answer; nothing drawn).
        for command in ["list_registration_briefs", "list_registrations"] {
            add(
                format!("IPC {command} (10000)"),
                ipc_ms(app, command).await?,
            );
        }

        // The checks page, and back to the first tool.
        let ms = open_page(
            app,
            "#nav-checks",
            "return document.getElementById('check-platforms') !== null;",
        )
        .await?;
        add("checks page".into(), ms);
        back_to_first_tool(app).await?;
    }
    Ok(rows)
}

/// When the platforms page shows a card.
const PLATFORM_CARD_SHOWN: &str =
    "return document.querySelector('article[data-platform-id]') !== null;";

/// The time from a click on the sidebar's `nav` button until `shown` holds.
async fn open_page(app: &App, nav: &str, shown: &str) -> Result<f64> {
    timed(app, nav, "click", Key::Click, shown).await
}

async fn back_to_first_tool(app: &App) -> Result<()> {
    app.click("#tool-list [data-tool-id]").await?;
    app.wait_for("#tool-page", UI_STEP).await?;
    Ok(())
}

/// When the second tool's page (the first one's is open at start) shows its keys.
const SECOND_TOOL_SHOWN: &str =
    "const second = document.querySelector('#tool-list li:nth-child(2) [data-tool-id]');\
     return second !== null && second.getAttribute('aria-current') === 'page'\
       && document.querySelectorAll('#keys-table tbody tr').length > 0;";

fn tools_below(total: usize) -> String {
    format!("return document.querySelectorAll('#tool-list [data-tool-id]').length < {total};")
}

fn tools_listed(total: usize) -> String {
    format!("return document.querySelectorAll('#tool-list [data-tool-id]').length === {total};")
}

fn count_says(text: &str) -> String {
    format!(
        "const c = document.getElementById('platform-count'); \
         return c !== null && c.textContent === '{text}';"
    )
}

enum Key {
    Type(&'static str),
    Backspace,
    Clear,
    Click,
}

/// Arms the clock on `css`'s `event`, does `key` as a user would (WebDriver's keys and
/// clicks), waits until the script `done` holds and the page has been quiet for [`QUIET_MS`],
/// and answers the milliseconds to the frame after the last change.
async fn timed(app: &App, css: &str, event: &str, key: Key, done: &str) -> Result<f64> {
    let client = app.client()?;
    let armed = client
        .execute(ARM_JS, vec![json!(css), json!(event)])
        .await?;
    ensure!(armed == Value::Bool(true), "no {css} to time");
    let element = client.find(Locator::Css(css)).await?;
    match key {
        Key::Type(text) => element.send_keys(text).await?,
        Key::Backspace => element.send_keys("\u{E003}").await?,
        Key::Clear => {
            // Select all, then delete: one input event, as a user clearing the box makes.
            element.send_keys("\u{E009}a").await?;
            element.send_keys("\u{E003}").await?;
        }
        Key::Click => element.click().await?,
    }
    let deadline = tokio::time::Instant::now() + UI_STEP;
    loop {
        let read = client.execute(READ_JS, vec![]).await?;
        let finished = client.execute(done, vec![]).await? == Value::Bool(true);
        if let Some(since) = read.get("since").and_then(Value::as_f64) {
            if finished && since >= QUIET_MS {
                return read["ms"].as_f64().context("the timing is not a number");
            }
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "{css}: `{done}` not reached and painted within {} s",
                UI_STEP.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The milliseconds the page waits for `command`'s answer, parsed, through Tauri's invoke.
async fn ipc_ms(app: &App, command: &str) -> Result<f64> {
    let answer = app
        .client()?
        .execute_async(
            "const [command, done] = arguments;\
             const start = performance.now();\
             window.__TAURI_INTERNALS__.invoke(command, { tool: null, platform: null })\
               .then((rows) => done({ ms: performance.now() - start, rows: rows.length }),\
                     (error) => done({ error: String(error?.message ?? error) }));",
            vec![json!(command)],
        )
        .await?;
    if let Some(error) = answer.get("error") {
        bail!("{command} failed in the page: {error}");
    }
    ensure!(
        answer["rows"].as_u64() == Some(10_000),
        "{command} answered {} rows",
        answer["rows"]
    );
    answer["ms"].as_f64().context("the timing is not a number")
}

/// Waits for two animation frames: the frame that paints what came before, and one after it.
async fn settle(app: &App) -> Result<()> {
    app.client()?
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await?;
    Ok(())
}

async fn count(app: &App, css: &str) -> Result<usize> {
    let n = app
        .client()?
        .execute(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![json!(css)],
        )
        .await?;
    n.as_u64()
        .map(|n| n as usize)
        .context("the count is not a number")
}

fn parse_args() -> Result<Options> {
    let mut data = None;
    let mut runs = 5;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => data = args.next().map(PathBuf::from),
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .context("--runs takes a whole number above 0")?
            }
            other => bail!("unknown argument {other:?}; usage: bench-window --data DIR [--runs N]"),
        }
    }
    let data = data.context("--data DIR is needed: a data directory filled at scale")?;
    ensure!(data.is_dir(), "{} is not a directory", data.display());
    Ok(Options { data, runs })
}
