//! Every `ltikeys … list` on a large store, as whole processes: 500 tools with 3 keys each,
//! 1,000 platforms and 10,000 registrations (one deployment each), then the same tenfold.
//! Reports the median and slowest wall time of each list, the largest resident memory of its
//! process, and the cost of the tenfold store against the first.
//!
//! `cargo bench -p ltikeys --bench lists` (or `scripts/bench.sh`, which runs it in a private
//! keychain: `key list` asks the keychain about each key's private half).
//! `LTIKEYS_BENCH_RUNS=N` sets the runs per list (default 9); `LTIKEYS_BENCH_TENFOLD=0` skips
//! the tenfold store; `LTIKEYS_BENCH_FILL=DIR` only fills DIR at the first scale and stops.

use std::error::Error;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::Utc;
use ltikeys_core::kid::KidScheme;
use ltikeys_core::platform::{NewPlatform, PlatformFamily};
use ltikeys_core::registration::{NewDeployment, NewRegistration};
use ltikeys_core::secret::MemoryStore;
use ltikeys_core::testing::env_count;
use ltikeys_core::tool::ToolProfile;
use ltikeys_core::{KeyPair, KeySize, Vault};
use nix::sys::resource::{getrusage, UsageWho};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

struct Scale {
    tools: usize,
    keys_per_tool: usize,
    platforms: usize,
    registrations: usize,
}

fn main() -> Result<()> {
    let argv: Vec<String> = std::env::args().collect();
    if let Some(at) = argv.iter().position(|a| a == MEASURE_ONE) {
        return measure_one(&argv[at + 1..]);
    }
    let runs = env_count("LTIKEYS_BENCH_RUNS")?.unwrap_or(9);
    let tenfold = std::env::var("LTIKEYS_BENCH_TENFOLD").map_or(true, |v| v != "0");
    let base = Scale {
        tools: 500,
        keys_per_tool: 3,
        platforms: 1_000,
        registrations: 10_000,
    };
    let mut scales = vec![base];
    if tenfold {
        scales.push(Scale {
            tools: 5_000,
            keys_per_tool: 3,
            platforms: 10_000,
            registrations: 100_000,
        });
    }
    if let Some(dir) = std::env::var_os("LTIKEYS_BENCH_FILL") {
        // Only fill a data directory at the first scale, to look at it by hand.
        seed(Path::new(&dir), &scales[0])?;
        println!("filled {}", Path::new(&dir).display());
        return Ok(());
    }
    let mut first: Vec<f64> = vec![];
    for (n, scale) in scales.iter().enumerate() {
        let dir = tempfile::tempdir()?;
        let started = Instant::now();
        seed(dir.path(), scale)?;
        println!(
            "\n{} tools x {} keys, {} platforms, {} registrations (seeded in {:.1} s, database {:.1} MB)",
            scale.tools,
            scale.keys_per_tool,
            scale.platforms,
            scale.registrations,
            started.elapsed().as_secs_f64(),
            database_mb(dir.path())
        );
        println!(
            "{:<34} {:>10} {:>10} {:>12} {:>10}",
            "command (whole process)", "median ms", "max ms", "max RSS MB", "vs 1x"
        );
        let lists: [&[&str]; 5] = [
            &["tool", "list"],
            &["key", "list", "--tool", "tool 250"],
            &["platform", "list"],
            &["registration", "list"],
            &["registration", "list", "--json"],
        ];
        for (i, args) in lists.iter().enumerate() {
            let (median, max, rss) = time(dir.path(), args, runs)?;
            let ratio = if n == 0 {
                first.push(median);
                "1.00x".to_string()
            } else {
                format!("{:.2}x", median / first[i])
            };
            println!(
                "{:<34} {median:>10.1} {max:>10.1} {:>12.1} {ratio:>10}",
                args.join(" "),
                rss as f64 / 1024.0
            );
        }
    }
    Ok(())
}

/// Fills a data directory through the core, as the app would have written it. The private keys
/// go to a secret store in memory, gone when the bench ends: the lists then show them missing,
/// after asking the keychain, as they would for keys whose entries are gone.
fn seed(dir: &Path, scale: &Scale) -> Result<()> {
    let mut vault = Vault::open_with(dir, Box::new(MemoryStore::default()))?;
    let now = Utc::now();
    let pem = KeyPair::generate(KeySize::Bits2048)?.to_pkcs8_pem(None)?;
    let mut tools = Vec::with_capacity(scale.tools);
    for t in 0..scale.tools {
        let profile = ToolProfile {
            name: format!("tool {t}"),
            domain: Some(format!("tool{t}.example.com")),
            ..ToolProfile::default()
        };
        let tool = vault.add_tool(profile, now)?;
        for k in 0..scale.keys_per_tool {
            let kid = format!("t{t}-k{k}");
            vault.import_key(&tool.id, &pem, None, Some(&kid), KidScheme::default(), now)?;
        }
        tools.push(tool.id);
    }
    let mut platforms = Vec::with_capacity(scale.platforms);
    for p in 0..scale.platforms {
        let platform = NewPlatform::from_preset(
            &format!("platform {p}"),
            PlatformFamily::CanvasSelfHosted,
            Some(&format!("https://lms{p}.example.edu")),
        );
        platforms.push(vault.add_platform(platform, now)?.id);
    }
    for r in 0..scale.registrations {
        let registration = NewRegistration {
            tool: tools[r % tools.len()].clone(),
            platform: platforms[r % platforms.len()].clone(),
            client_id: format!("1000000000{r}"),
            deployments: vec![NewDeployment {
                deployment_id: format!("{r}:deployment"),
                label: None,
            }],
        };
        vault.add_registration(registration, now)?;
    }
    Ok(())
}

fn database_mb(dir: &Path) -> f64 {
    ["ltikeys.sqlite3", "ltikeys.sqlite3-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len() as f64)
        .sum::<f64>()
        / 1e6
}

/// Runs `ltikeys args` `runs` times: (median ms, slowest ms, largest resident set in KiB).
/// Each run goes through a copy of this bench (`--measure-one`), whose only child it is, so
/// that the copy's `RUSAGE_CHILDREN` is that one run's memory.
fn time(dir: &Path, args: &[&str], runs: usize) -> Result<(f64, f64, i64)> {
    let mut times = Vec::with_capacity(runs);
    let mut rss = 0;
    for run in 0..=runs {
        let out = Command::new(std::env::current_exe()?)
            .arg(MEASURE_ONE)
            .args(args)
            .env("LTIKEYS_DATA_DIR", dir)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let (elapsed, max_rss) = text
            .trim()
            .split_once(' ')
            .and_then(|(t, m)| Some((t.parse::<f64>().ok()?, m.parse::<i64>().ok()?)))
            .filter(|_| out.status.success())
            .ok_or_else(|| format!("ltikeys {} failed: {text}", args.join(" ")))?;
        // The first run warms the page cache; it is not counted.
        if run > 0 {
            times.push(elapsed);
        }
        rss = rss.max(max_rss);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[times.len() - 1], rss))
}

const MEASURE_ONE: &str = "--measure-one";

/// In the copy: runs `ltikeys` once with the arguments after [`MEASURE_ONE`] and prints its
/// wall time in ms and its largest resident set in KiB.
fn measure_one(args: &[String]) -> Result<()> {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_ltikeys"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    if !status.success() {
        return Err(format!("ltikeys {} exited with {status}", args.join(" ")).into());
    }
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    println!("{elapsed} {}", usage.max_rss());
    Ok(())
}
