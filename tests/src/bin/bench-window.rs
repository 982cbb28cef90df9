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
//! event) to the last change it made to the page ("changes done": the app's work, its IPC calls
//! and the DOM's update), and to the first animation frame after that change ("next frame": when
//! the change is about to be drawn; it waits for the frames before it, which composited without
//! a GPU can take a few hundred ms): a `MutationObserver` notes each change and asks for a frame,
//! and both times are kept. So
//! the time holds the app's work (its IPC calls and the rendering) and the layout before the
//! frame, and not the WebDriver round trips: the benchmark waits for the moment's end inside the
//! page, so that no WebDriver call runs on the page's thread while the moment lasts. Run it through `scripts/bench-window.sh`, which
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
     const t = { start: null, changed: null, painted: null, changes: 0 };\
     window.__benchTiming = t;\
     target.addEventListener(arguments[1], () => {\
       t.start = performance.now();\
       const observer = new MutationObserver(() => {\
         t.changes += 1;\
         t.changed = performance.now();\
         requestAnimationFrame(() => { t.painted = performance.now(); });\
       });\
       observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });\
       window.__benchObserver = observer;\
     }, { capture: true, once: true });\
     return true;";

/// Waits in the page until `done()` holds and no change has been painted for `arguments[0]` ms,
/// then answers the timing; gives up after `arguments[1]` ms. The script is put after the
/// definition of `done` (see [`timed`]): the page's CSP allows no `eval`. The wait makes no
/// WebDriver round trip: each one is work on the page's thread, which would hold up the very
/// answer being timed when it comes back from the backend.
const WAIT_JS: &str = "const [quiet, limit, finish] = arguments;\
     const began = performance.now();\
     const check = () => {\
       const t = window.__benchTiming;\
       const now = performance.now();\
       if (t && t.start !== null && t.painted !== null && now - t.painted >= quiet && done()) {\
         finish({ ms: t.painted - t.start, changed: t.changed - t.start, changes: t.changes });\
       } else if (now - began > limit) {\
         finish({ timeout: true, reached: done() });\
       } else {\
         setTimeout(check, 25);\
       }\
     };\
     check();";

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
        "{:<48} {:>20} {:>20} {:>5}",
        "moment", "changes done", "next frame", "runs"
    );
    println!("{:<48} {:>20} {:>20}", "", "median / max", "median / max");
    for (name, samples) in &rows {
        let (done_median, done_max) = median_max(samples.iter().map(|m| m.changed));
        let (frame_median, frame_max) = median_max(samples.iter().map(|m| m.painted));
        println!(
            "{name:<48} {done_median:>8.0} / {done_max:>5.0} ms {frame_median:>8.0} / {frame_max:>5.0} ms {:>5}",
            samples.len()
        );
    }
    Ok(())
}

/// One moment's timing, from the user's event: until the page's last change was made, and
/// until the first animation frame after it (when the change is about to be drawn).
#[derive(Debug, Clone, Copy)]
struct Moment {
    changed: f64,
    painted: f64,
}

fn median_max(samples: impl Iterator<Item = f64>) -> (f64, f64) {
    let mut sorted: Vec<f64> = samples.collect();
    sorted.sort_by(f64::total_cmp);
    (sorted[sorted.len() / 2], sorted[sorted.len() - 1])
}

async fn measure(app: &App, options: &Options) -> Result<Vec<(String, Vec<Moment>)>> {
    app.wait_enabled("#new-tool", APP_READY).await?;
    app.wait_for("#tool-list [data-tool-id]", APP_READY).await?;
    let tools = count(app, "#tool-list [data-tool-id]").await?;
    ensure!(
        tools >= 100,
        "the data directory holds {tools} tools; fill it at scale first"
    );
    let mut rows: Vec<(String, Vec<Moment>)> = Vec::new();
    let mut add = |name: String, ms: Moment| match rows.iter_mut().find(|(n, _)| *n == name) {
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
        // Time for the window to settle: the focus read the platforms again in the background.
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

        // What the platforms page reads for its first cards, against every registration in
        // full, over IPC alone (the call and the parse of its answer; nothing drawn).
        add(
            "IPC platform_page (20 cards)".into(),
            ipc_ms(
                app,
                "platform_page",
                json!({ "filter": "", "limit": 20, "keep": [] }),
                20,
            )
            .await?,
        );
        add(
            "IPC list_registrations (10000)".into(),
            ipc_ms(
                app,
                "list_registrations",
                json!({ "tool": null, "platform": null }),
                10_000,
            )
            .await?,
        );

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
async fn open_page(app: &App, nav: &str, shown: &str) -> Result<Moment> {
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
async fn timed(app: &App, css: &str, event: &str, key: Key, done: &str) -> Result<Moment> {
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
    let limit = UI_STEP.as_millis() as f64;
    let wait = format!("const done = () => {{ {done} }};\n{WAIT_JS}");
    let answer = client
        .execute_async(&wait, vec![json!(QUIET_MS), json!(limit)])
        .await?;
    if answer.get("timeout").is_some() {
        bail!(
            "{css}: `{done}` {} within {} s",
            if answer["reached"] == Value::Bool(true) {
                "reached but never quiet"
            } else {
                "not reached and painted"
            },
            UI_STEP.as_secs()
        );
    }
    Ok(Moment {
        changed: answer["changed"]
            .as_f64()
            .context("the timing is not a number")?,
        painted: answer["ms"]
            .as_f64()
            .context("the timing is not a number")?,
    })
}

/// The milliseconds the page waits for `command`'s answer, parsed, through Tauri's invoke.
async fn ipc_ms(app: &App, command: &str, args: Value, rows: u64) -> Result<Moment> {
    let answer = app
        .client()?
        .execute_async(
            "const [command, args, done] = arguments;\
             const start = performance.now();\
             window.__TAURI_INTERNALS__.invoke(command, args)\
               .then((answer) => done({ ms: performance.now() - start,\
                                        rows: Array.isArray(answer) ? answer.length : answer.cards.length }),\
                     (error) => done({ error: String(error?.message ?? error) }));",
            vec![json!(command), args],
        )
        .await?;
    if let Some(error) = answer.get("error") {
        bail!("{command} failed in the page: {error}");
    }
    ensure!(
        answer["rows"].as_u64() == Some(rows),
        "{command} answered {} rows, not {rows}",
        answer["rows"]
    );
    let ms = answer["ms"]
        .as_f64()
        .context("the timing is not a number")?;
    Ok(Moment {
        changed: ms,
        painted: ms,
    })
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
