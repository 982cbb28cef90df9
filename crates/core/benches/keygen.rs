//! RSA key generation and RS256 signing speed: the `rsa` crate and `aws-lc-rs` against
//! `openssl genpkey` (a whole process, the reference). Medians, in milliseconds.
//!
//! `cargo bench -p ltikeys-core --bench keygen` (or `scripts/bench.sh`).
//! `LTIKEYS_BENCH_RUNS=N` sets the runs per key size (default 9 / 5 / 3 for 2048 / 3072 / 4096).

use std::error::Error;
use std::hint::black_box;
use std::process::{Command, Stdio};
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
const SIGN_RUNS: usize = 200;
const MESSAGE_LEN: usize = 1024;

fn main() -> Result<()> {
    let runs_override = match std::env::var("LTIKEYS_BENCH_RUNS") {
        Ok(raw) => Some(
            raw.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    format!("LTIKEYS_BENCH_RUNS must be a positive number, got {raw:?}")
                })?,
        ),
        Err(_) => None,
    };
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
        "{:>5} {:>5} {:>10} {:>10} {:>10} {:>13} {:>15}",
        "bits", "runs", "rsa", "aws-lc-rs", "openssl", "rsa/openssl", "aws-lc/openssl"
    );

    for (bits, size, default_runs) in SIZES {
        let runs = runs_override.unwrap_or(default_runs);
        let mut rsa_times = Vec::with_capacity(runs);
        let mut aws_times = Vec::with_capacity(runs);
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
            if openssl.is_some() {
                openssl_times.push(time(|| openssl_genpkey(bits))?);
            }
        }
        let rsa_ms = median_ms(&mut rsa_times);
        let aws_ms = median_ms(&mut aws_times);
        let openssl_ms = (!openssl_times.is_empty()).then(|| median_ms(&mut openssl_times));
        println!(
            "{bits:>5} {runs:>5} {rsa_ms:>10.1} {aws_ms:>10.1} {:>10} {:>13} {:>15}",
            cell(openssl_ms, |ms| format!("{ms:.1}")),
            cell(openssl_ms, |ms| format!("{:.2}x", rsa_ms / ms)),
            cell(openssl_ms, |ms| format!("{:.2}x", aws_ms / ms)),
        );
    }

    sign_bench()
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

fn openssl_genpkey(bits: usize) -> Result<()> {
    let status = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt"])
        .arg(format!("rsa_keygen_bits:{bits}"))
        .args(["-out", "/dev/null"])
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
