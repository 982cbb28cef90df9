//! Fuzzing on the stable toolchain: a bounded mutation run over the committed seed corpus
//! (`tests/corpus`), and property tests (proptest, in `properties.rs`), over every parser that
//! reads what a user, a file or a server gives: the JWKS rules, the Canvas lint and import, the
//! JWT decoder and inspector, PEM import and bundle import.
//!
//! Each mutated input must be accepted or refused with an error that says what and why, in
//! bounded time; a panic fails the run, and the input is written under the test's target
//! directory with the seed that reproduces it. The test command runs a short, fixed run;
//! a longer one (see README, "Fuzzing"):
//!
//! ```text
//! LTIKEYS_FUZZ_CASES=100000 LTIKEYS_FUZZ_SEED=$RANDOM \
//!   cargo test --release -p ltikeys-core --test fuzz -- --nocapture
//! ```
#![allow(clippy::unwrap_used)] // A broken corpus or harness should stop the run loudly.

mod mutate;
mod properties;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use ltikeys_core::bundle::{self, BundleContents};
use ltikeys_core::check::{self, JwksRole};
use ltikeys_core::finding::Finding;
use ltikeys_core::http::Fetched;
use ltikeys_core::key::KeyPair;
use ltikeys_core::{canvas, token};
use rand::rngs::StdRng;
use rand::SeedableRng;
use zeroize::Zeroizing;

/// The longest one input may take: well over any parser's worst case here, far under a hang.
const CASE_LIMIT: Duration = Duration::from_secs(10);

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(target);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

fn cases() -> usize {
    ltikeys_core::testing::env_count("LTIKEYS_FUZZ_CASES")
        .unwrap()
        .unwrap_or(400)
}

fn seed() -> u64 {
    std::env::var("LTIKEYS_FUZZ_SEED")
        .ok()
        .map(|s| s.parse().expect("LTIKEYS_FUZZ_SEED is a whole number"))
        .unwrap_or(20_261_207)
}

/// What one input came to: accepted, or refused with this message.
type Outcome = Result<(), String>;

/// Runs `target` over `cases()` mutations of its seeds (and the seeds themselves), and fails on
/// a panic, a case over [`CASE_LIMIT`], or a refusal that does not say what is wrong. Prints
/// how many inputs were accepted and in how many distinct ways the others were refused.
fn run(name: &str, seeds: &[(String, Vec<u8>)], target: impl Fn(&[u8]) -> Outcome) {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed ^ name.bytes().map(u64::from).sum::<u64>());
    let bodies: Vec<&[u8]> = seeds.iter().map(|(_, b)| b.as_slice()).collect();
    let (mut accepted, mut refusals, mut slowest) = (0usize, BTreeSet::new(), Duration::ZERO);
    let total = cases();
    for case in 0..seeds.len() + total {
        let input = match seeds.get(case) {
            Some((_, body)) => body.clone(),
            None => mutate::mutate(&mut rng, &bodies),
        };
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
        let took = started.elapsed();
        slowest = slowest.max(took);
        let failure = match &outcome {
            Err(panic) => Some(format!("panicked: {}", panic_text(panic.as_ref()))),
            Ok(_) if took > CASE_LIMIT => Some(format!("took {took:?}")),
            Ok(Err(message)) if message.trim().len() < 10 => {
                Some(format!("refused without saying why: {message:?}"))
            }
            _ => None,
        };
        if let Some(failure) = failure {
            let kept = keep(name, case, &input);
            panic!(
                "{name}: case {case} (LTIKEYS_FUZZ_SEED={seed}) {failure}; input kept at {}",
                kept.display()
            );
        }
        match outcome {
            Ok(Ok(())) => accepted += 1,
            Ok(Err(message)) => {
                refusals.insert(shape(&message));
            }
            Err(_) => unreachable!("a panic fails above"),
        }
    }
    println!(
        "{name}: {} inputs ({} seeds, seed {seed}): {accepted} accepted, the rest refused in {} \
         distinct ways; slowest {slowest:?}",
        seeds.len() + total,
        seeds.len(),
        refusals.len()
    );
    assert!(
        accepted > 0 && !refusals.is_empty(),
        "{name}: a run that only accepts or only refuses exercises nothing"
    );
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// A refusal's wording without its numbers and quoted parts, to count distinct refusals.
fn shape(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars().take(90) {
        match c {
            '\'' | '"' | '`' => quoted = !quoted,
            _ if quoted || c.is_ascii_digit() => {}
            _ => out.push(c),
        }
    }
    out
}

fn keep(name: &str, case: usize, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{case}.bin"));
    std::fs::write(&path, input).unwrap();
    path
}

/// A finding must say what is wrong and how to fix it.
fn explained(findings: &[Finding]) -> Outcome {
    for f in findings {
        if f.code.is_empty() || f.message.trim().is_empty() || f.fix.trim().is_empty() {
            return Err(format!("a finding without its words: {f:?}"));
        }
    }
    Ok(())
}

fn fetched(body: &[u8]) -> Fetched {
    Fetched {
        final_url: "https://lms.example.edu/jwks".into(),
        status: 200,
        content_type: Some("application/json".into()),
        cache_control: Some("max-age=300".into()),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_vec(),
        latency_ms: 3,
        redirects: vec![],
    }
}

#[test]
fn jwks_rules_explain_every_body() {
    run("jwks", &corpus("jwks"), |body| {
        for role in [JwksRole::Tool, JwksRole::Platform] {
            let (keys, findings) = check::analyse(&fetched(body), role, None);
            explained(&findings).map_err(|e| format!("{e} (for the check)"))?;
            if findings.len() > check::MAX_FINDINGS + 1 || keys.len() > check::MAX_LISTED_KEYS {
                return Err(format!(
                    "unbounded result: {} findings, {} keys",
                    findings.len(),
                    keys.len()
                ));
            }
            let search = token::inspect::find_kid(body, "2026-12-01", "the fuzzed key set");
            explained(&search.findings)?;
            if let Some(error) = findings
                .iter()
                .find(|f| f.severity == ltikeys_core::finding::Severity::Error)
            {
                return Err(error.message.clone());
            }
        }
        Ok(())
    });
}

#[test]
fn canvas_lint_and_import_explain_every_document() {
    run("canvas", &corpus("canvas"), |bytes| {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Err("not UTF-8, which the CLI and the window refuse before this".into());
        };
        let findings = canvas::lint_str(text);
        explained(&findings)?;
        let doc = canvas::parse(text).map_err(|e| e.to_string())?;
        let imported = canvas::import(&doc, None).map_err(|e| e.to_string())?;
        explained(&imported.findings)
    });
}

#[test]
fn jwt_decoder_and_inspector_explain_every_token() {
    let jwks = corpus("jwks");
    run("jwt", &corpus("jwt"), |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let jwt = token::decode(&text).map_err(|e| e.to_string())?;
        let fetch = |_: &str| Ok(jwks[bytes.len() % jwks.len()].1.clone());
        let inspection = token::inspect::inspect(&jwt, &[], Some(&fetch), Utc::now());
        explained(&inspection.findings)
    });
}

#[test]
fn pem_import_explains_every_file() {
    run("pem", &corpus("pem"), |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let passphrase = text.contains("ENCRYPTED").then_some(&b"pass"[..]);
        KeyPair::read_pem(&text, passphrase)
            .map(drop)
            .map_err(|e| e.to_string())
    });
}

#[test]
fn bundle_import_explains_every_folder_and_zip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/bundle");
    let folder: BTreeMap<String, Zeroizing<Vec<u8>>> = corpus("bundle/acme-canvas")
        .into_iter()
        .map(|(name, body)| (name, Zeroizing::new(body)))
        .collect();
    BundleContents::parse(&folder).unwrap();
    // One file of the folder mutated at a time, the file chosen by the input's first byte.
    let names: Vec<String> = folder.keys().cloned().collect();
    let seeds: Vec<(String, Vec<u8>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), [&[i as u8][..], &folder[n]].concat()))
        .collect();
    run("bundle-files", &seeds, |input| {
        let (which, body) = input.split_first().unwrap_or((&0, &[]));
        let mut files = folder.clone();
        files.insert(
            names[usize::from(*which) % names.len()].clone(),
            Zeroizing::new(body.to_vec()),
        );
        BundleContents::parse(&files)
            .map(drop)
            .map_err(|e| e.to_string())
    });
    let work = tempfile::tempdir().unwrap();
    let zip = vec![(
        "acme-canvas.zip".to_string(),
        std::fs::read(dir.join("acme-canvas.zip")).unwrap(),
    )];
    run("bundle-zip", &zip, |bytes| {
        let path = work.path().join("bundle.zip");
        std::fs::write(&path, bytes).unwrap();
        let files = bundle::read(&path).map_err(|e| e.to_string())?;
        BundleContents::parse(&files)
            .map(drop)
            .map_err(|e| e.to_string())
    });
}
