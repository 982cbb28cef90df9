//! `ltikeys check …` against HTTP servers on 127.0.0.1: exit codes 0/1/2, the JSON, the report.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ltikeys_core::testing::{refused_url, Reply, Request, Server};
use ltikeys_core::{Jwk, KeyPair, KeySize, CHECK_CONCURRENCY};
use serde_json::{json, Value};

use crate::support::{Env, KEYCHAIN};

/// Runs `args --json`, expects exit status `code`; returns the report.
fn json_report(env: &Env, args: &[&str], code: i32) -> Value {
    serde_json::from_str(&env.code(&[args, &["--json"]].concat(), code)).unwrap()
}

fn jwk(kid: &str) -> Value {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    let key = KEY.get_or_init(|| KeyPair::generate(KeySize::Bits2048).unwrap());
    serde_json::to_value(Jwk::new(kid, &key.public_key())).unwrap()
}

fn routes(request: &Request) -> Reply {
    match request.path.as_str() {
        "/good" => Reply::json(json!({"keys": [jwk("k1")]}).to_string()),
        "/bare" => Reply::json(json!([jwk("k1")]).to_string()),
        "/ec" => Reply::json(
            json!({"keys": [jwk("k1"), {"kty": "EC", "crv": "P-256", "kid": "ec1",
                "alg": "ES256", "use": "sig", "x": "AAAA", "y": "AAAA"}]})
            .to_string(),
        ),
        "/loop-a" => Reply::redirect("/loop-b"),
        "/loop-b" => Reply::redirect("/loop-a"),
        _ => Reply::new(404, "").header("Content-Type", "text/plain"),
    }
}

fn codes(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn a_good_jwks_exits_0_with_the_documented_json() {
    let server = Server::start(routes);
    let env = Env::new();
    let url = server.url("/good");
    let report = json_report(&env, &["check", "jwks", &url], 0);
    assert_eq!(report["url"], url.as_str());
    assert_eq!(report["role"], "platform", "platform unless --expect-tool");
    assert_eq!(report["status"], 200);
    assert_eq!(report["content_type"], "application/json");
    assert_eq!(report["cache_control"], "public, max-age=300");
    assert_eq!(report["max_age"], 300);
    assert!(report["latency_ms"].is_u64(), "{report}");
    assert!(report["bytes"].as_u64().unwrap() > 300);
    assert!(report["checked_at"].is_string());
    assert_eq!(report["redirects"], json!([]));
    assert_eq!(
        report["keys"],
        json!([{"kid": "k1", "kty": "RSA", "alg": "RS256", "use": "sig", "bits": 2048}])
    );
    assert_eq!(report["findings"], json!([]));

    let text = env.code(&["check", "jwks", &url], 0);
    assert!(text.contains("status:        200"), "{text}");
    assert!(text.contains("content-type:  application/json"), "{text}");
    assert!(
        text.contains("cache-control: public, max-age=300"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("k1 "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains("RSA") && row.contains("RS256") && row.contains("2048"),
        "{row}"
    );
    assert!(
        text.trim_end().ends_with("0 errors, 0 warnings, 0 notes"),
        "{text}"
    );
}

#[test]
fn an_error_finding_exits_1_with_message_and_fix() {
    let server = Server::start(routes);
    let env = Env::new();
    let url = server.url("/bare");
    let report = json_report(&env, &["check", "jwks", &url], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "missing-keys-wrapper");
    assert_eq!(finding["severity"], "error");
    assert!(finding["message"].as_str().unwrap().contains("KidNotFound"));
    assert!(finding["fix"].as_str().unwrap().contains("{\"keys\":[…]}"));

    let text = env.code(&["check", "jwks", &url], 1);
    assert!(
        text.contains("ERROR missing-keys-wrapper ($): the JWKS is a bare array"),
        "{text}"
    );
    assert!(text.contains("\n  fix: wrap the list"), "{text}");

    let missing = json_report(&env, &["check", "jwks", &server.url("/missing")], 1);
    assert_eq!(
        codes(&missing),
        ["http-error"],
        "an HTTP error status was fetched"
    );
    assert_eq!(missing["status"], 404);
}

#[test]
fn the_role_decides_whether_a_non_rsa_key_fails() {
    let server = Server::start(routes);
    let env = Env::new();
    let url = server.url("/ec");
    let platform = json_report(&env, &["check", "jwks", &url], 0);
    assert_eq!(codes(&platform), ["non-rsa-key"]);
    assert_eq!(platform["findings"][0]["severity"], "info");
    let tool = json_report(&env, &["check", "jwks", &url, "--role", "tool"], 1);
    assert_eq!(tool["role"], "tool");
    assert_eq!(tool["findings"][0]["severity"], "error");
    env.code(&["check", "jwks", &url, "--role", "teacher"], 2); // clap usage error
}

#[test]
fn an_unfetchable_url_exits_2() {
    let server = Server::start(routes);
    let env = Env::new();
    let looped = json_report(&env, &["check", "jwks", &server.url("/loop-a")], 2);
    assert_eq!(codes(&looped), ["too-many-redirects"]);
    assert_eq!(looped["status"], Value::Null);
    assert_eq!(looped["keys"], json!([]));

    let start = Instant::now();
    let text = env.code(&["check", "jwks", "http://example.invalid/jwks"], 2);
    assert!(text.contains("status:        not fetched"), "{text}");
    assert!(text.contains("ERROR insecure-url:"), "{text}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "refused without connecting"
    );
}

#[test]
fn expect_tool_checks_against_the_tools_keys() {
    let server = Server::start(routes);
    let env = Env::new();
    let out = env.run(&[
        "check",
        "jwks",
        &server.url("/good"),
        "--expect-tool",
        "Nope",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: no tool named or with id 'Nope'"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A tool without keys: every kid served is a stranger; the role defaults to tool.
    env.code(&["tool", "add", "Quiz"], 0);
    let report = json_report(
        &env,
        &[
            "check",
            "jwks",
            &server.url("/good"),
            "--expect-tool",
            "Quiz",
        ],
        0,
    );
    assert_eq!(report["role"], "tool");
    assert_eq!(codes(&report), ["unexpected-kid"]);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn expect_tool_finds_a_kid_that_is_not_published() {
    let env = Env::new();
    env.code(&["tool", "add", "Quiz"], 0);
    let kid = env
        .code(&["key", "new", "--tool", "Quiz"], 0)
        .trim()
        .to_string();
    assert!(!kid.is_empty(), "{KEYCHAIN}");
    let published = env.code(&["jwks", "--tool", "Quiz"], 0);
    let body = Arc::new(Mutex::new(published.clone()));
    let server = {
        let body = body.clone();
        Server::start(move |_| Reply::json(body.lock().unwrap().clone()))
    };
    let url = server.url("/jwks");
    let check = |code| {
        json_report(
            &env,
            &["check", "jwks", &url, "--expect-tool", "Quiz"],
            code,
        )
    };

    assert_eq!(
        check(0)["findings"],
        json!([]),
        "the published set is served"
    );

    *body.lock().unwrap() = r#"{"keys": []}"#.to_string();
    let report = check(1);
    assert!(codes(&report).contains(&"kid-not-published"), "{report}");
    assert!(report.to_string().contains(&kid));

    let mut changed: Value = serde_json::from_str(&published).unwrap();
    changed["keys"][0]["n"] = jwk("x")["n"].clone();
    *body.lock().unwrap() = changed.to_string();
    assert_eq!(codes(&check(1)), ["kid-modulus-mismatch"]);
}

/// A custom platform whose JWKS URL is `jwks_url`.
fn add_platform(env: &Env, name: &str, jwks_url: &str) {
    env.code(
        &[
            "platform",
            "add",
            name,
            "--preset",
            "custom",
            "--issuer",
            "https://lms.example.edu",
            "--auth-url",
            "https://lms.example.edu/auth",
            "--token-url",
            "https://lms.example.edu/token",
            "--jwks-url",
            jwks_url,
        ],
        0,
    );
}

#[test]
fn check_platforms_checks_every_platform_and_keeps_the_results() {
    let server = Server::start(routes);
    let env = Env::new();
    // No platforms: nothing to check, exit 0.
    assert_eq!(json_report(&env, &["check", "platforms"], 0), json!([]));
    for (name, path) in [("Good LMS", "/good"), ("Broken LMS", "/bare")] {
        add_platform(&env, name, &server.url(path));
    }
    let report = json_report(&env, &["check", "platforms"], 1);
    let rows = report.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let by_name = |name: &str| rows.iter().find(|r| r["platform"] == name).unwrap();
    assert_eq!(by_name("Good LMS")["check"]["status"], 200);
    assert_eq!(
        by_name("Good LMS")["check"]["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(codes(&by_name("Broken LMS")["check"]).contains(&"missing-keys-wrapper"));
    let text = env.code(&["check", "platforms"], 1);
    assert!(
        text.contains("Broken LMS") && text.contains("missing-keys-wrapper"),
        "{text}"
    );
}

#[test]
fn check_platforms_draws_no_progress_into_a_pipe() {
    let server = Server::start(routes);
    // A loopback port nobody listens on: that platform's check fails fast (exit 2).
    let closed = refused_url("/jwks");
    let env = Env::new();
    add_platform(&env, "Good LMS", &server.url("/good"));
    add_platform(&env, "Gone LMS", &closed);
    let out = env.run(&["check", "platforms"]);
    assert_eq!(out.status.code(), Some(2), "one URL could not be fetched");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Good LMS") && stdout.contains("Gone LMS"),
        "the table is printed: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("checked 1/") && !stderr.contains("checked 2/"),
        "stderr is a pipe here, so no progress count is drawn into it: {stderr:?}"
    );
}

#[test]
fn check_platforms_fetches_many_at_once_within_its_bound_and_answers_in_natural_order() {
    let (server, peak) = Server::slow(Duration::from_millis(300), routes);
    let env = Env::new();
    // Added out of order; P10 sorts after P9 the way people count, not after P1.
    let count = CHECK_CONCURRENCY + 8;
    let mut numbers: Vec<usize> = (1..=count).collect();
    numbers.reverse();
    numbers.swap(0, count / 2);
    for n in &numbers {
        add_platform(&env, &format!("p{n}"), &server.url("/good"));
    }
    let natural: Vec<String> = (1..=count).map(|n| format!("p{n}")).collect();

    let report = json_report(&env, &["check", "platforms"], 0);
    assert_eq!(
        strings(&report, "platform"),
        natural,
        "results in natural order"
    );
    assert_eq!(
        peak.load(Ordering::SeqCst),
        CHECK_CONCURRENCY,
        "as many at once as the bound allows, and no more"
    );

    let listed = env.json(&["platform", "list", "--json"]);
    assert_eq!(
        strings(&listed, "name"),
        natural,
        "the platform list in natural order too"
    );
}

/// The string `field` of each object of a JSON array.
fn strings(array: &Value, field: &str) -> Vec<String> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[field].as_str().unwrap().to_string())
        .collect()
}
