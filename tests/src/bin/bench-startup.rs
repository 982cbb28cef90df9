//! Start-up benchmark of the built app: the time from opening the WebDriver session (which
//! launches the app) to its first screen, on a fresh data directory holding a few tools.
//!
//! ```text
//! bench-startup [--runs N] [--warmup N] [--tools N] [--json PATH]
//!               [--screenshots] LABEL=APP[,ui=DIR][,cli=LTIKEYS][,ready=CSS] ...
//! ```
//!
//! Each `LABEL=APP` names one app binary; `ui=DIR` is the `ui/dist` it embeds (its size is
//! reported), `cli=` the `ltikeys` that fills its data directory (default `LTIKEYS_CLI_BIN`, else
//! the file next to APP named like it with `ltikeys-app` replaced by `ltikeys`). The binaries
//! run interleaved, A B A B ..., so that the machine's noise falls on all of them; with two,
//! the ratios of the second's medians to the first's are printed. `ready=CSS` makes a target a
//! reference app, not LTI Key Manager (the minimal Tauri app, `tests/minimal-app`): no tools are
//! made for it, and both its moments are the first poll that finds `CSS`. Run it under
//! `scripts/with-keychain.sh` and `xvfb-run`: `scripts/bench-startup.sh` does both.
//!
//! Two moments are timed, each polled every 10 ms with the tool list complete
//! (`#tool-list [data-tool-id]` lists every tool): `first screen`, `#view` has a child element;
//! `tool page`, `#view` holds `#tool-page` (the first tool's page, loaded). A UI that shows a
//! loading state first reaches the first before the second. Each on two clocks: `wall`, this
//! process's, from just before the session request to the poll that saw it; `app`, the page's
//! `performance.now()` in that poll (time since the page's navigation started).
//! Once both are seen and a second has passed, the memory of the app and every process under it
//! (WebKit's web and network processes) is read from `/proc/PID/smaps_rollup`: the sum of their
//! resident sets (`rss`, pages shared between them counted in each) and of their proportional
//! sets (`pss`, each shared page split between its users; the fairer total).
//! `--screenshots` saves what each binary shows at the end of its last run as
//! `<artifacts>/bench-startup-LABEL.png`, after the measurement.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use ltikeys_e2e::{App, Launch, APP_READY};
use serde_json::{json, Value};

/// Polling interval while waiting for the first screen.
const POLL: Duration = Duration::from_millis(10);

/// Reads, in one script call, which moments are reached, and the page's clock.
const STATE_JS: &str = "const view = document.getElementById('view');\
     const tools = document.querySelectorAll('#tool-list [data-tool-id]').length;\
     const listed = tools === arguments[0];\
     return {\
       tools: tools,\
       first: listed && view !== null && view.firstElementChild !== null,\
       page: listed && view !== null && view.querySelector('#tool-page') !== null,\
       now: performance.now(),\
     };";

/// The same state for a reference app: both moments are the first element matching the CSS.
const READY_JS: &str = "const ready = document.querySelector(arguments[0]) !== null;\
     return { tools: 0, first: ready, page: ready, now: performance.now() };";

/// How long after its first screen an app's memory is read: long enough for start-up work
/// still under way (the first tool page's loads) to have settled.
const SETTLE: Duration = Duration::from_secs(1);

/// The moments timed: their key in the JSON summary, their name in the table.
const MOMENTS: [(&str, &str); 2] = [("first_screen", "first screen"), ("tool_page", "tool page")];

struct Options {
    runs: usize,
    warmup: usize,
    tools: usize,
    json: Option<PathBuf>,
    screenshots: bool,
    targets: Vec<Target>,
}

/// One app binary under test.
struct Target {
    label: String,
    app: PathBuf,
    cli: PathBuf,
    ui_dist: Option<PathBuf>,
    /// For a reference app: the CSS of its first screen.
    ready: Option<String>,
}

/// When a moment was seen, in milliseconds.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Since just before the session request, on this process's clock.
    wall: f64,
    /// The page's `performance.now()`.
    app: f64,
}

/// One start-up.
#[derive(Debug, Clone, Copy)]
struct Sample {
    /// In the order of [`MOMENTS`].
    moments: [Seen; 2],
    /// How long opening the WebDriver session took, in milliseconds.
    session: f64,
    /// How many polls it took.
    polls: u32,
    /// The memory of the app and its processes, [`SETTLE`] after the moments.
    memory: Memory,
}

/// The memory of a process tree, in MiB.
#[derive(Debug, Clone, Copy)]
struct Memory {
    rss: f64,
    pss: f64,
    processes: u32,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let options = parse_args(std::env::args().skip(1))?;
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); options.targets.len()];

    println!(
        "start-up to first screen: {} run(s) per binary after {} warm-up, {} tools, interleaved",
        options.runs, options.warmup, options.tools
    );
    let rounds = options.warmup + options.runs;
    for round in 0..rounds {
        let warmup = round < options.warmup;
        let screenshot = options.screenshots && round + 1 == rounds;
        for (target, kept) in options.targets.iter().zip(samples.iter_mut()) {
            let sample = run_once(target, options.tools, screenshot)
                .await
                .with_context(|| format!("{} (round {})", target.label, round + 1))?;
            let [first, page] = sample.moments;
            println!(
                "{:>6} {:<8} first screen {:>7.1} ms (app {:>6.1})  tool page {:>7.1} ms \
                 (app {:>6.1})  session {:>6.1} ms  polls {:>3}  pss {:>6.1} MiB \
                 (rss {:>6.1}, {} processes)",
                if warmup {
                    "warmup".to_owned()
                } else {
                    format!("#{}", round - options.warmup + 1)
                },
                target.label,
                first.wall,
                first.app,
                page.wall,
                page.app,
                sample.session,
                sample.polls,
                sample.memory.pss,
                sample.memory.rss,
                sample.memory.processes
            );
            if !warmup {
                kept.push(sample);
            }
        }
    }

    let summary = summarise(&options, &samples)?;
    print_summary(&summary);
    if let Some(path) = &options.json {
        let text = serde_json::to_string_pretty(&summary)?;
        fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        println!("summary: {}", path.display());
    }
    Ok(())
}

/// Starts `target` on a fresh data directory with `tools` tools and waits for its first screen
/// and tool page; then saves a screenshot if `screenshot`.
async fn run_once(target: &Target, tools: usize, screenshot: bool) -> Result<Sample> {
    let seed: ltikeys_e2e::Seed<'_> = match target.ready {
        Some(_) => Box::new(|_| Ok(())),
        None => Box::new(|data_dir| add_tools(&target.cli, data_dir, tools)),
    };
    let app = App::start_with(Launch {
        app: Some(&target.app),
        seed: Some(seed),
        ..Launch::default()
    })
    .await?;
    let session = ms(app.launched_at().elapsed());
    let waited = match wait_for_moments(&app, tools, target.ready.as_deref()).await {
        Ok(seen) => {
            tokio::time::sleep(SETTLE).await;
            app.app_pid().and_then(memory).map(|memory| (seen, memory))
        }
        Err(err) => Err(err),
    };
    let outcome = match waited {
        Ok(((moments, polls), memory)) => Ok(Sample {
            moments,
            session,
            polls,
            memory,
        }),
        Err(err) => {
            app.save_failure_artifacts("bench-startup").await;
            Err(err)
        }
    };
    if outcome.is_ok() && screenshot {
        let name = format!("bench-startup-{}.png", target.label);
        match app.screenshot(&name).await {
            Ok(path) => println!("first screen of {}: {}", target.label, path.display()),
            Err(err) => eprintln!("no screenshot of {}: {err:#}", target.label),
        }
    }
    let finished = app.finish().await;
    let sample = outcome?;
    finished?;
    Ok(sample)
}

/// Polls every [`POLL`] until both moments are seen; answers when each was (the return of the
/// poll that first saw it, and the page's clock in it) and the number of polls.
async fn wait_for_moments(
    app: &App,
    tools: usize,
    ready: Option<&str>,
) -> Result<([Seen; 2], u32)> {
    let client = app.client()?;
    let launched = app.launched_at();
    let deadline = launched + APP_READY;
    let mut first: Option<Seen> = None;
    let mut page: Option<Seen> = None;
    let mut polls = 0;
    loop {
        polls += 1;
        let asked = Instant::now();
        let (script, arg) = match ready {
            Some(css) => (READY_JS, json!(css)),
            None => (STATE_JS, json!(tools)),
        };
        let state = client
            .execute(script, vec![arg])
            .await
            .context("reading the first screen's state")?;
        let returned = Instant::now();
        let seen = || -> Result<Seen> {
            Ok(Seen {
                wall: ms(returned.duration_since(launched)),
                app: state["now"]
                    .as_f64()
                    .context("performance.now() did not come back as a number")?,
            })
        };
        if first.is_none() && state["first"].as_bool() == Some(true) {
            first = Some(seen()?);
        }
        if page.is_none() && state["page"].as_bool() == Some(true) {
            page = Some(seen()?);
        }
        if let (Some(first), Some(page)) = (first, page) {
            return Ok(([first, page], polls));
        }
        if returned >= deadline {
            let seen_tools = state["tools"].as_u64().unwrap_or(0);
            let banner = app
                .visible_error()
                .await
                .map(|text| format!("; the app shows the error: {text:?}"))
                .unwrap_or_default();
            bail!(
                "no {} within {} s (#tool-list listed {seen_tools} of {tools} tools){banner}",
                if first.is_none() {
                    "first screen"
                } else {
                    "#tool-page in #view"
                },
                APP_READY.as_secs()
            );
        }
        tokio::time::sleep_until((asked + POLL).into()).await;
    }
}

/// The memory of `pid` and every process under it.
fn memory(pid: u32) -> Result<Memory> {
    let mut total = Memory {
        rss: 0.0,
        pss: 0.0,
        processes: 0,
    };
    let mut pending = vec![pid];
    while let Some(pid) = pending.pop() {
        pending.extend(ltikeys_e2e::child_pids(pid)?);
        let Ok(rollup) = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue; // gone meanwhile
        };
        let kib = |field: &str| -> f64 {
            rollup
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        total.rss += kib("Rss:") / 1024.0;
        total.pss += kib("Pss:") / 1024.0;
        total.processes += 1;
    }
    ensure!(total.processes > 0, "no process to measure under pid {pid}");
    Ok(total)
}

/// Makes `count` tools in `data_dir` with `cli`.
fn add_tools(cli: &Path, data_dir: &Path, count: usize) -> Result<()> {
    for i in 1..=count {
        let name = format!("Bench Tool {i:02}");
        let domain = format!("tool{i:02}.bench.example.edu");
        let launch = format!("https://{domain}/lti/launch");
        let login = format!("https://{domain}/lti/login");
        let out = Command::new(cli)
            .args(["tool", "add", &name, "--domain", &domain])
            .args(["--launch-url", &launch, "--login-url", &login])
            .args(["--redirect-uri", &launch])
            .env("LTIKEYS_DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", cli.display()))?;
        ensure!(
            out.status.success(),
            "{} tool add {name:?} failed ({}): {}",
            cli.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn summarise(options: &Options, samples: &[Vec<Sample>]) -> Result<Value> {
    let mut binaries = Vec::new();
    for (target, samples) in options.targets.iter().zip(samples) {
        let app_bytes = fs::metadata(&target.app)
            .with_context(|| format!("reading {}", target.app.display()))?
            .len();
        let ui_dist_bytes = match &target.ui_dist {
            Some(dir) => Some(dir_size(dir)?),
            None => None,
        };
        let mut binary = json!({
            "label": target.label,
            "app": target.app,
            "app_bytes": app_bytes,
            "cli": target.cli,
            "ui_dist": target.ui_dist,
            "ui_dist_bytes": ui_dist_bytes,
            "session_ms": stats(samples.iter().map(|s| s.session)),
            "polls": stats(samples.iter().map(|s| f64::from(s.polls))),
            "reference_ready": target.ready,
            "pss_mib": stats(samples.iter().map(|s| s.memory.pss)),
            "rss_mib": stats(samples.iter().map(|s| s.memory.rss)),
            "processes": stats(samples.iter().map(|s| f64::from(s.memory.processes))),
        });
        for (i, (key, _)) in MOMENTS.iter().enumerate() {
            binary[*key] = json!({
                "wall_ms": stats(samples.iter().map(|s| s.moments[i].wall)),
                "app_ms": stats(samples.iter().map(|s| s.moments[i].app)),
            });
        }
        binaries.push(binary);
    }
    let mut summary = json!({
        "benchmark": "start-up of the app, from the session request (which launches it)",
        "first_screen": "#view has a child element; #tool-list [data-tool-id] lists every tool",
        "tool_page": "#view holds #tool-page; #tool-list [data-tool-id] lists every tool",
        "poll_ms": ms(POLL),
        "runs": options.runs,
        "warmup": options.warmup,
        "tools": options.tools,
        "order": "interleaved",
    });
    if let [before, after] = &binaries[..] {
        let mut ratio = json!({
            "of": format!("{} / {} (medians)", after["label"].as_str().unwrap_or("?"),
                before["label"].as_str().unwrap_or("?")),
        });
        for (key, _) in MOMENTS {
            let of = |clock: &str, stat: &str| {
                let b = before[key][clock][stat].as_f64().unwrap_or(f64::NAN);
                let a = after[key][clock][stat].as_f64().unwrap_or(f64::NAN);
                round2(a / b)
            };
            ratio[key] = json!({
                "wall": of("wall_ms", "median"),
                "app": of("app_ms", "median"),
                // Load on the machine only ever adds time: the fastest runs are a check.
                "wall_min": of("wall_ms", "min"),
                "app_min": of("app_ms", "min"),
            });
        }
        for key in ["pss_mib", "rss_mib"] {
            let b = before[key]["median"].as_f64().unwrap_or(f64::NAN);
            let a = after[key]["median"].as_f64().unwrap_or(f64::NAN);
            ratio[key] = json!(round2(a / b));
        }
        summary["ratio"] = ratio;
    }
    summary["binaries"] = Value::Array(binaries);
    Ok(summary)
}

fn print_summary(summary: &Value) {
    println!();
    println!(
        "{:<8} {:<13} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "binary", "moment", "wall med", "wall p90", "wall min", "app med", "app p90", "app min"
    );
    let binaries = summary["binaries"].as_array().cloned().unwrap_or_default();
    for b in &binaries {
        for (key, name) in MOMENTS {
            let num = |clock: &str, stat: &str| b[key][clock][stat].as_f64().unwrap_or(f64::NAN);
            println!(
                "{:<8} {:<13} {:>7.1} ms {:>7.1} ms {:>7.1} ms {:>7.1} ms {:>7.1} ms {:>7.1} ms",
                b["label"].as_str().unwrap_or("?"),
                name,
                num("wall_ms", "median"),
                num("wall_ms", "p90"),
                num("wall_ms", "min"),
                num("app_ms", "median"),
                num("app_ms", "p90"),
                num("app_ms", "min"),
            );
        }
    }
    for b in &binaries {
        let kib = |key: &str| {
            b[key]
                .as_u64()
                .map(|bytes| format!("{:.0} KiB", bytes as f64 / 1024.0))
                .unwrap_or_else(|| "-".to_owned())
        };
        println!(
            "{:<8} binary {}, ui/dist {}, session median {:.1} ms, memory median pss {:.1} MiB \
             (rss {:.1} MiB, {} processes)",
            b["label"].as_str().unwrap_or("?"),
            kib("app_bytes"),
            kib("ui_dist_bytes"),
            b["session_ms"]["median"].as_f64().unwrap_or(f64::NAN),
            b["pss_mib"]["median"].as_f64().unwrap_or(f64::NAN),
            b["rss_mib"]["median"].as_f64().unwrap_or(f64::NAN),
            b["processes"]["median"].as_f64().unwrap_or(f64::NAN)
        );
    }
    if let Some(ratio) = summary.get("ratio") {
        for (key, name) in MOMENTS {
            let r = |stat: &str| ratio[key][stat].as_f64().unwrap_or(f64::NAN);
            println!(
                "ratio {} {name}: wall {:.2}x, app {:.2}x (of the minimums: wall {:.2}x, app {:.2}x)",
                ratio["of"].as_str().unwrap_or("?"),
                r("wall"),
                r("app"),
                r("wall_min"),
                r("app_min")
            );
        }
        let m = |key: &str| ratio[key].as_f64().unwrap_or(f64::NAN);
        println!(
            "ratio {} memory: pss {:.2}x, rss {:.2}x",
            ratio["of"].as_str().unwrap_or("?"),
            m("pss_mib"),
            m("rss_mib")
        );
    }
}

/// Median, 90th percentile (nearest rank), minimum and the samples, in ms.
fn stats(values: impl Iterator<Item = f64>) -> Value {
    let samples: Vec<f64> = values.map(round1).collect();
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return json!({ "samples": samples });
    }
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let p90 = sorted[(n * 9).div_ceil(10).saturating_sub(1)];
    json!({
        "median": round1(median),
        "p90": p90,
        "min": sorted[0],
        "samples": samples,
    })
}

/// The total size of the files under `dir`.
fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

const USAGE: &str = "usage: bench-startup [--runs N] [--warmup N] [--tools N] [--json PATH] \
                     [--screenshots] LABEL=APP[,ui=DIR][,cli=LTIKEYS][,ready=CSS] ...";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options> {
    let mut options = Options {
        runs: 15,
        warmup: 1,
        tools: 5,
        json: None,
        screenshots: false,
        targets: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--runs" => options.runs = count(&value("--runs")?, "--runs")?,
            "--warmup" => options.warmup = count(&value("--warmup")?, "--warmup")?,
            "--tools" => options.tools = count(&value("--tools")?, "--tools")?,
            "--json" => options.json = Some(PathBuf::from(value("--json")?)),
            "--screenshots" => options.screenshots = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            spec if spec.starts_with('-') => bail!("unknown option {spec}\n{USAGE}"),
            spec => options.targets.push(parse_target(spec)?),
        }
    }
    ensure!(!options.targets.is_empty(), "no app binary given\n{USAGE}");
    ensure!(options.runs > 0, "--runs must be at least 1");
    ensure!(options.tools > 0, "--tools must be at least 1");
    Ok(options)
}

fn count(text: &str, flag: &str) -> Result<usize> {
    text.parse()
        .with_context(|| format!("{flag} takes a whole number, got {text:?}"))
}

/// `LABEL=APP[,ui=DIR][,cli=LTIKEYS][,ready=CSS]`.
fn parse_target(spec: &str) -> Result<Target> {
    let (label, rest) = spec
        .split_once('=')
        .with_context(|| format!("expected LABEL=APP, got {spec:?}\n{USAGE}"))?;
    ensure!(!label.is_empty(), "empty label in {spec:?}");
    let mut parts = rest.split(',');
    let app = existing_file(parts.next().unwrap_or_default())?;
    let mut ui_dist = None;
    let mut cli = None;
    let mut ready = None;
    for part in parts {
        match part.split_once('=') {
            Some(("ui", dir)) => {
                let dir = PathBuf::from(dir);
                ensure!(dir.is_dir(), "ui={} is not a directory", dir.display());
                ui_dist = Some(dir);
            }
            Some(("cli", path)) => cli = Some(existing_file(path)?),
            Some(("ready", css)) if !css.is_empty() => ready = Some(css.to_owned()),
            _ => bail!("unknown {part:?} in {spec:?}\n{USAGE}"),
        }
    }
    let cli = match cli {
        Some(cli) => cli,
        // A reference app gets no data: no CLI is needed.
        None if ready.is_some() => PathBuf::new(),
        None => match std::env::var_os("LTIKEYS_CLI_BIN").filter(|v| !v.is_empty()) {
            Some(path) => existing_file(&path.to_string_lossy())?,
            None => cli_next_to(&app)?,
        },
    };
    Ok(Target {
        label: label.to_owned(),
        app,
        cli,
        ui_dist,
        ready,
    })
}

/// The `ltikeys` beside `app`: its file name with `ltikeys-app` replaced by `ltikeys`.
fn cli_next_to(app: &Path) -> Result<PathBuf> {
    let name = app
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(stem) = name.strip_suffix("ltikeys-app") else {
        bail!(
            "cannot tell the CLI of {}: set LTIKEYS_CLI_BIN or add ,cli=PATH",
            app.display()
        );
    };
    let cli = app.with_file_name(format!("{stem}ltikeys"));
    existing_file(&cli.to_string_lossy()).with_context(|| {
        format!(
            "the CLI next to {}: set LTIKEYS_CLI_BIN or add ,cli=PATH",
            app.display()
        )
    })
}

fn existing_file(path: &str) -> Result<PathBuf> {
    let canonical = fs::canonicalize(path).with_context(|| format!("{path} does not exist"))?;
    ensure!(canonical.is_file(), "{path} is not a file");
    Ok(canonical)
}
