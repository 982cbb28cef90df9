//! RSA key generation and RS256 signing speed: the `rsa` crate, `aws-lc-rs` with one prime
//! search and the app's raced generation (one search per core, the first key kept), against
//! `openssl genpkey` (a whole process, the reference). Medians, in milliseconds.
//!
//! With `LTIKEYS_BIN` set to an `ltikeys` binary (`scripts/bench.sh` builds one in release and
//! runs this inside a private keychain), also whole processes side by side, interleaved:
//! `ltikeys key new` (the key stored in the keychain) against `openssl genpkey` (the key
//! written to a file), with the median, the 90th percentile and the slowest run of each.
//!
//! `cargo bench -p ltikeys-core --bench keygen` (or `scripts/bench.sh`).
//! `LTIKEYS_BENCH_RUNS=N` sets the runs per key size (default 9 / 5 / 3 for 2048 / 3072 / 4096
//! in process, 31 / 21 / 15 for whole processes).

use std::error::Error;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use rsa::pkcs1v15::SigningKey;
use rsa::sha2::Sha256;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use rsa::RsaPrivateKey;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const SIZES: [(usize, KeySize, usize); 3] = [
    (2048, KeySize::Rsa2048, 9),
    (3072, KeySize::Rsa3072, 5),
    (4096, KeySize::Rsa4096, 3),
];
/// Whole-process runs per size: (bits, runs).
const PROCESS_RUNS: [(u32, usize); 3] = [(2048, 31), (3072, 21), (4096, 15)];
const SIGN_RUNS: usize = 200;
const MESSAGE_LEN: usize = 1024;

fn main() -> Result<()> {
    let runs_override = ltikeys_core::testing::env_count("LTIKEYS_BENCH_RUNS")?;
    let openssl = openssl_version();
    println!(
        "RSA key generation, median ms (runs interleaved; prime search makes single runs vary)"
    );
    match &openssl {
        Some(version) => println!("reference: `openssl genpkey` as a whole process, {version}"),
        None => println!("reference: openssl not found, its column is empty"),
    }
    println!();
    println!(
        "{:>5} {:>5} {:>10} {:>10} {:>10} {:>10} {:>13} {:>15} {:>14}",
        "bits",
        "runs",
        "rsa",
        "aws-lc-rs",
        "raced",
        "openssl",
        "rsa/openssl",
        "aws-lc/openssl",
        "raced/openssl"
    );
    let racers = ltikeys_core::key::default_racers();

    for (bits, size, default_runs) in SIZES {
        let runs = runs_override.unwrap_or(default_runs);
        let mut rsa_times = Vec::with_capacity(runs);
        let mut aws_times = Vec::with_capacity(runs);
        let mut raced_times = Vec::with_capacity(runs);
        let mut openssl_times = Vec::with_capacity(runs);
        for _ in 0..runs {
            rsa_times.push(time(|| {
                let key = RsaPrivateKey::new(&mut rand::thread_rng(), bits)?;
                black_box(key);
                Ok(())
            })?);
            aws_times.push(time(|| {
                let key = KeyPair::generate(size).map_err(|_| "aws-lc-rs key generation failed")?;
                black_box(key);
                Ok(())
            })?);
            raced_times.push(time(|| {
                let key = ltikeys_core::KeyPair::generate_raced(
                    raced_size(bits),
                    racers,
                    &AtomicBool::new(false),
                )?;
                black_box(key);
                Ok(())
            })?);
            if openssl.is_some() {
                openssl_times.push(time(|| openssl_genpkey(bits, Path::new("/dev/null")))?);
            }
        }
        let rsa_ms = median_ms(&mut rsa_times);
        let aws_ms = median_ms(&mut aws_times);
        let raced_ms = median_ms(&mut raced_times);
        let openssl_ms = (!openssl_times.is_empty()).then(|| median_ms(&mut openssl_times));
        println!(
            "{bits:>5} {runs:>5} {rsa_ms:>10.1} {aws_ms:>10.1} {raced_ms:>10.1} {:>10} {:>13} {:>15} {:>14}",
            cell(openssl_ms, |ms| format!("{ms:.1}")),
            cell(openssl_ms, |ms| format!("{:.2}x", rsa_ms / ms)),
            cell(openssl_ms, |ms| format!("{:.2}x", aws_ms / ms)),
            cell(openssl_ms, |ms| format!("{:.2}x", raced_ms / ms)),
        );
    }
    println!("(raced: {racers} searches at once, one per core)");

    sign_bench()?;
    match std::env::var_os("LTIKEYS_BIN") {
        Some(bin) if openssl.is_some() => process_bench(Path::new(&bin), runs_override),
        Some(_) => Err("whole-process runs need openssl as the reference".into()),
        None => {
            println!();
            println!(
                "whole processes: set LTIKEYS_BIN to an ltikeys binary (scripts/bench.sh does)"
            );
            Ok(())
        }
    }
}

fn raced_size(bits: usize) -> ltikeys_core::key::KeySize {
    match bits {
        2048 => ltikeys_core::key::KeySize::Bits2048,
        3072 => ltikeys_core::key::KeySize::Bits3072,
        _ => ltikeys_core::key::KeySize::Bits4096,
    }
}

/// `ltikeys key new` (into the keychain of this session) against `openssl genpkey` (into a file),
/// each a whole process, interleaved, over one fresh data directory.
fn process_bench(ltikeys: &Path, runs_override: Option<usize>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let pem = dir.path().join("openssl.pem");
    let ltikeys_cmd = |args: &[&str]| -> Result<()> {
        let output = Command::new(ltikeys)
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "ltikeys {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )
            .into())
        }
    };
    println!();
    println!("Whole processes, interleaved: `ltikeys key new` (stored in the keychain) against");
    println!("`openssl genpkey` (written to a file); ms");
    println!();
    println!(
        "{:>5} {:>5} | {:>8} {:>8} {:>8} | {:>8} {:>8} {:>8} | {:>8} {:>8}",
        "bits", "runs", "median", "p90", "max", "median", "p90", "max", "median", "max"
    );
    println!(
        "{:>11} | {:^26} | {:^26} | {:^17}",
        "", "ltikeys key new", "openssl genpkey", "ltikeys/openssl"
    );
    for (bits, default_runs) in PROCESS_RUNS {
        let runs = runs_override.unwrap_or(default_runs);
        let mut ours = Vec::with_capacity(runs);
        let mut theirs = Vec::with_capacity(runs);
        for run in 0..runs {
            // A tool per run: every key is a first, current key, the same work each time.
            let tool = format!("bench-{bits}-{run}");
            ltikeys_cmd(&["tool", "add", &tool])?;
            let bits_arg = bits.to_string();
            ours.push(time(|| {
                ltikeys_cmd(&["key", "new", "--tool", &tool, "--bits", &bits_arg])
            })?);
            theirs.push(time(|| openssl_genpkey(bits as usize, &pem))?);
            ltikeys_cmd(&["tool", "remove", &tool, "--yes"])?;
        }
        let (ours_median, ours_p90, ours_max) = spread_ms(&mut ours);
        let (theirs_median, theirs_p90, theirs_max) = spread_ms(&mut theirs);
        println!(
            "{bits:>5} {runs:>5} | {ours_median:>8.0} {ours_p90:>8.0} {ours_max:>8.0} | \
             {theirs_median:>8.0} {theirs_p90:>8.0} {theirs_max:>8.0} | {:>7.2}x {:>7.2}x",
            ours_median / theirs_median,
            ours_max / theirs_max,
        );
    }
    Ok(())
}

/// The median, 90th percentile and maximum, in ms.
fn spread_ms(times: &mut [Duration]) -> (f64, f64, f64) {
    let median = median_ms(times);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p90 = times
        .get((times.len() * 9).div_ceil(10).saturating_sub(1))
        .map_or(0.0, |d| ms(*d));
    let max = times.last().map_or(0.0, |d| ms(*d));
    (median, p90, max)
}

/// RS256 over a 1 KB message with 2048-bit keys: median of [`SIGN_RUNS`] signatures.
fn sign_bench() -> Result<()> {
    let message: Vec<u8> = (0..MESSAGE_LEN).map(|i| (i % 251) as u8).collect();

    let rsa_key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
    let signing_key = SigningKey::<Sha256>::new(rsa_key);
    let mut rng = rand::thread_rng();
    let mut rsa_times = Vec::with_capacity(SIGN_RUNS);
    for _ in 0..SIGN_RUNS {
        rsa_times.push(time(|| {
            let signature = signing_key.sign_with_rng(&mut rng, &message);
            black_box(signature.to_bytes());
            Ok(())
        })?);
    }

    let aws_key =
        KeyPair::generate(KeySize::Rsa2048).map_err(|_| "aws-lc-rs key generation failed")?;
    let system_rng = SystemRandom::new();
    let mut signature = vec![0_u8; aws_key.public_modulus_len()];
    let mut aws_times = Vec::with_capacity(SIGN_RUNS);
    for _ in 0..SIGN_RUNS {
        aws_times.push(time(|| {
            aws_key
                .sign(&RSA_PKCS1_SHA256, &system_rng, &message, &mut signature)
                .map_err(|_| "aws-lc-rs signing failed")?;
            black_box(&signature);
            Ok(())
        })?);
    }

    let rsa_ms = median_ms(&mut rsa_times);
    let aws_ms = median_ms(&mut aws_times);
    println!();
    println!(
        "RS256 signature of a {MESSAGE_LEN}-byte message, 2048-bit key, median of {SIGN_RUNS}"
    );
    println!("{:>12} {:>10}", "", "ms");
    println!("{:>12} {rsa_ms:>10.3}", "rsa");
    println!("{:>12} {aws_ms:>10.3}", "aws-lc-rs");
    println!("{:>12} {:>9.2}x", "rsa/aws-lc", rsa_ms / aws_ms);
    Ok(())
}

fn time(mut work: impl FnMut() -> Result<()>) -> Result<Duration> {
    let start = Instant::now();
    work()?;
    Ok(start.elapsed())
}

fn median_ms(times: &mut [Duration]) -> f64 {
    times.sort_unstable();
    let mid = times.len() / 2;
    let median = if times.is_empty() {
        Duration::ZERO
    } else if times.len() % 2 == 1 {
        times[mid]
    } else {
        (times[mid - 1] + times[mid]) / 2
    };
    median.as_secs_f64() * 1000.0
}

fn cell(value: Option<f64>, show: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "-".to_owned(), show)
}

fn openssl_version() -> Option<String> {
    let output = Command::new("openssl").arg("version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn openssl_genpkey(bits: usize, out: &Path) -> Result<()> {
    let status = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt"])
        .arg(format!("rsa_keygen_bits:{bits}"))
        .arg("-out")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("openssl genpkey ({bits} bits) failed: {status}").into())
    }
}
