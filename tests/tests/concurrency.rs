//! The window and the command line writing to one data directory at once: while three
//! `ltikeys` processes generate and rotate the keys of one tool and add its registrations and
//! deployment ids, the user creates tools in the window and generates a key for each. No write
//! may be lost or refused, the window never shows "database is locked", and the shared tool
//! keeps exactly one current key.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use ltikeys_core::testing::{register_shared, shared_write, shared_write_outcome};
use ltikeys_e2e::{cli, App, Launch, ToolForm, APP_READY};
use serde_json::Value;

/// Writes per command-line writer at least: each goes on until the window's work is done too,
/// so the two always overlap.
const STEPS: usize = 16;
/// Tools the user creates in the window meanwhile, each with a key.
const WINDOW_TOOLS: usize = 3;

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn the_window_and_three_command_lines_write_at_once_and_lose_nothing() -> Result<()> {
    let app = App::start_with(Launch {
        seed: Some(Box::new(|dir| {
            cli(dir, &["tool", "add", "Shared"])?;
            cli(dir, &["key", "new", "--tool", "Shared"])?;
            cli(
                dir,
                &["platform", "add", "Shared LMS", "--preset", "canvas-cloud"],
            )?;
            let register = register_shared("shared-1");
            cli(
                dir,
                &register.iter().map(String::as_str).collect::<Vec<_>>(),
            )?;
            Ok(())
        })),
        ..Launch::default()
    })
    .await?;
    let outcome = scenario(&app).await;
    if outcome.is_err() {
        app.save_failure_artifacts("concurrency").await;
    }
    let finished = app.finish().await;
    outcome?;
    finished
}

async fn scenario(app: &App) -> Result<()> {
    app.wait_enabled("#new-tool", APP_READY).await?;
    app.ensure_keychain_available().await?;
    let dir = app.data_dir().to_path_buf();
    let registration = registration_id(&dir)?;
    let cli_bin = ltikeys_e2e::cli_binary()?;

    let window_done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|n| {
            let (dir, registration, bin) = (dir.clone(), registration.clone(), cli_bin.clone());
            let window_done = Arc::clone(&window_done);
            std::thread::spawn(move || writer(&bin, &dir, n, &registration, &window_done))
        })
        .collect();

    let mut window_kids = Vec::new();
    for i in 0..WINDOW_TOOLS {
        let name = format!("Window Tool {i}");
        let launch = format!("https://window{i}.example.edu/lti/launch");
        app.create_tool(&ToolForm {
            name: &name,
            login_url: Some(&format!("https://window{i}.example.edu/lti/login")),
            launch_url: Some(&launch),
            redirect_uris: Some(&launch),
            ..ToolForm::default()
        })
        .await
        .with_context(|| format!("creating {name} while the command lines write"))?;
        window_kids.push((name, app.generate_first_key().await?));
        if let Some(error) = app.visible_error().await {
            anyhow::bail!("the window shows an error while the command lines write: {error}");
        }
    }

    window_done.store(true, Ordering::SeqCst);

    let mut kids = Vec::new();
    let mut failures = Vec::new();
    let mut steps = Vec::new();
    for writer in writers {
        let (k, f, s) = writer
            .join()
            .map_err(|_| anyhow::anyhow!("a writer panicked"))?;
        kids.extend(k);
        failures.extend(f);
        steps.push(s);
    }
    println!("the command lines made {steps:?} writes while the window made {WINDOW_TOOLS} tools and keys");
    ensure!(
        failures.is_empty(),
        "command-line writes refused: {failures:#?}"
    );

    // What the window did is all there.
    for (name, kid) in &window_kids {
        let keys: Value =
            serde_json::from_str(&cli(&dir, &["key", "list", "--tool", name, "--json"])?)?;
        let keys = keys.as_array().context("key list is not a list")?;
        ensure!(
            keys.iter().any(|k| k["kid"] == kid.as_str()
                && k["status"] == "current"
                && k["private_key"] == "present"),
            "{name}'s key {kid} from the window is lost or not current: {keys:#?}"
        );
    }
    // What the command lines did is all there, with one current key.
    let keys: Value =
        serde_json::from_str(&cli(&dir, &["key", "list", "--tool", "Shared", "--json"])?)?;
    let keys = keys.as_array().context("key list is not a list")?;
    for kid in &kids {
        ensure!(
            keys.iter().any(|k| k["kid"] == kid.as_str()),
            "key {kid} is lost"
        );
    }
    let current = keys.iter().filter(|k| k["status"] == "current").count();
    ensure!(current == 1, "{current} current keys: {keys:#?}");
    let shown: Value = serde_json::from_str(&cli(
        &dir,
        &["registration", "show", &registration, "--json"],
    )?)?;
    for (n, done) in steps.iter().enumerate() {
        for step in (0..*done).filter(|s| s % 4 == 2) {
            let id = format!("w{n}-d{step}");
            ensure!(
                shown["deployments"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|d| d["deployment_id"] == id.as_str()),
                "deployment {id} is lost"
            );
        }
    }
    let log = std::fs::read_to_string(app.log()).unwrap_or_default();
    ensure!(
        !log.contains("database is locked"),
        "the app logged \"database is locked\""
    );

    // The window shows what the command lines wrote, once it looks again.
    app.click("#nav-platforms").await?;
    app.wait_for("#platform-filter", ltikeys_e2e::UI_STEP)
        .await?;
    let count = app.text_of("#platform-count").await?;
    ensure!(count == "1 platform", "the platforms page says {count:?}");
    Ok(())
}

fn registration_id(dir: &Path) -> Result<String> {
    let list: Value = serde_json::from_str(&cli(dir, &["registration", "list", "--json"])?)?;
    list[0]["id"]
        .as_str()
        .map(str::to_owned)
        .context("no registration made by the seed")
}

/// One command-line writer: key generations and rotations of the shared tool, deployment ids
/// and registrations of its own, [`STEPS`] of them and then on until `window_done`. Answers the
/// kids it made, the writes refused and how many writes it made.
fn writer(
    bin: &Path,
    dir: &Path,
    n: usize,
    registration: &str,
    window_done: &AtomicBool,
) -> (Vec<String>, Vec<String>, usize) {
    let mut kids = vec![];
    let mut failures = vec![];
    let mut step = 0;
    while step < STEPS || !window_done.load(Ordering::SeqCst) {
        step += 1;
        let step = step - 1;
        let args = shared_write(n, step, registration);
        let out = Command::new(bin)
            .args(&args)
            .env("LTIKEYS_DATA_DIR", dir)
            .stdin(Stdio::null())
            .output();
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                failures.push(format!("{args:?}: {e}"));
                continue;
            }
        };
        match shared_write_outcome(step, &args, &out) {
            Ok(kid) => kids.extend(kid),
            Err(refused) => failures.push(refused),
        }
    }
    (kids, failures, step)
}
