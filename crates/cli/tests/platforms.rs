//! `ltikeys platform` and `ltikeys registration` as a black box: presets, validation,
//! uniqueness, deployment ids, the hand-off, and discovery against a server on 127.0.0.1.
#![allow(clippy::unwrap_used)] // Test helpers panic on broken fixtures by design.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    data: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            data: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_ltikeys"))
            .args(args)
            .env("LTIKEYS_DATA_DIR", self.data.path())
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "ltikeys {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects success; returns stderr.
    fn ok_stderr(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "ltikeys {args:?} failed");
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs and expects the error exit (1) with a message on stderr only; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "ltikeys {args:?} should exit 1");
        assert!(out.stdout.is_empty(), "errors go to stderr only");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{err}");
        err
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn id(&self, args: &[&str]) -> String {
        self.ok(args).trim().to_string()
    }
}

fn setup() -> Env {
    let env = Env::new();
    env.ok(&["tool", "add", "Quiz Engine"]);
    env.ok(&["tool", "add", "Video Notes"]);
    env
}

#[test]
fn presets_are_listed_as_data() {
    let env = Env::new();
    let all = env.json(&["platform", "presets", "--json"]);
    let families: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["family"].as_str().unwrap())
        .collect();
    assert_eq!(
        families,
        [
            "canvas-cloud",
            "canvas-beta",
            "canvas-test",
            "canvas-self-hosted",
            "moodle",
            "brightspace",
            "blackboard",
            "sakai",
            "schoology",
            "openedx",
            "custom"
        ]
    );
    let bs = env.json(&["platform", "presets", "brightspace", "--json"]);
    assert_eq!(bs["needs_base_url"], true);
    assert_eq!(
        bs["token_audience"],
        "https://api.brightspace.com/auth/token"
    );
    let text = env.ok(&["platform", "presets"]);
    assert!(
        text.contains("moodle") && text.contains("--base-url"),
        "{text}"
    );
    let err = env.fails(&["platform", "presets", "canvas"]);
    assert!(err.contains("canvas-cloud"), "{err}");
}

#[test]
fn platforms_come_from_presets_with_the_instance_where_needed() {
    let env = Env::new();
    let id = env.id(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    assert!(id.starts_with('p') && id.len() == 9, "{id}");
    let p = env.json(&["platform", "show", "acme canvas", "--json"]);
    assert_eq!(p["id"], id.as_str());
    assert_eq!(p["family"], "canvas-cloud");
    assert_eq!(p["issuer"], "https://canvas.instructure.com");
    assert_eq!(
        p["auth_url"],
        "https://sso.canvaslms.com/api/lti/authorize_redirect"
    );
    assert_eq!(
        p["token_url"],
        "https://sso.canvaslms.com/login/oauth2/token"
    );
    assert_eq!(
        p["jwks_url"],
        "https://sso.canvaslms.com/api/lti/security/jwks"
    );
    assert_eq!(p["token_audience"], Value::Null);

    let err = env.fails(&["platform", "add", "Campus Moodle", "--preset", "moodle"]);
    assert!(err.contains("--base-url"), "{err}");
    env.ok(&[
        "platform",
        "add",
        "Campus Moodle",
        "--preset",
        "moodle",
        "--base-url",
        "https://moodle.example.edu/",
    ]);
    let m = env.json(&["platform", "show", "Campus Moodle", "--json"]);
    assert_eq!(m["issuer"], "https://moodle.example.edu");
    assert_eq!(
        m["token_url"],
        "https://moodle.example.edu/mod/lti/token.php"
    );

    env.ok(&[
        "platform",
        "add",
        "D2L",
        "--preset",
        "brightspace",
        "--base-url",
        "https://school.brightspace.com",
    ]);
    let b = env.json(&["platform", "show", "D2L", "--json"]);
    assert_eq!(
        b["token_audience"],
        "https://api.brightspace.com/auth/token"
    );
    assert_eq!(
        b["token_url"],
        "https://auth.brightspace.com/core/connect/token"
    );

    let note = env.ok_stderr(&[
        "platform",
        "add",
        "Our Canvas",
        "--preset",
        "canvas-self-hosted",
        "--base-url",
        "https://canvas.example.edu",
    ]);
    assert!(
        note.contains("https://canvas.instructure.com") && note.contains("--issuer"),
        "{note}"
    );
    env.ok(&[
        "platform",
        "add",
        "Other Canvas",
        "--preset",
        "canvas-self-hosted",
        "--base-url",
        "https://lms.example.edu",
        "--issuer",
        "https://lms.example.edu",
    ]);
    let c = env.json(&["platform", "show", "Other Canvas", "--json"]);
    assert_eq!(c["issuer"], "https://lms.example.edu");
    assert_eq!(
        c["auth_url"],
        "https://lms.example.edu/api/lti/authorize_redirect"
    );

    let list = env.json(&["platform", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 5);
    let text = env.ok(&["platform", "list"]);
    assert!(
        text.contains("Acme Canvas") && text.contains("canvas-cloud"),
        "{text}"
    );
}

#[test]
fn platform_input_errors_name_the_problem() {
    let env = Env::new();
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let err = env.fails(&["platform", "add", "ACME CANVAS", "--preset", "canvas-test"]);
    assert!(err.contains("already exists"), "{err}");
    let err = env.fails(&["platform", "add", "X", "--preset", "nope"]);
    assert!(
        err.contains("not a preset") && err.contains("schoology"),
        "{err}"
    );
    let err = env.fails(&["platform", "add", "X", "--preset", "custom"]);
    assert!(
        err.contains("--issuer") && err.contains("--jwks-url"),
        "{err}"
    );
    let err = env.fails(&[
        "platform",
        "add",
        "X",
        "--preset",
        "custom",
        "--issuer",
        "https://lms.example.edu",
        "--auth-url",
        "http://lms.example.edu/auth",
        "--token-url",
        "https://lms.example.edu/token",
        "--jwks-url",
        "https://lms.example.edu/jwks",
    ]);
    assert!(
        err.starts_with("error: OIDC auth URL:") && err.contains("https://"),
        "{err}"
    );
    let err = env.fails(&["platform", "show", "Nowhere"]);
    assert!(err.contains("ltikeys platform list"), "{err}");
    let list = env.json(&["platform", "list", "--json"]);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "failed adds store nothing"
    );
}

#[test]
fn registrations_keep_deployments_and_refuse_duplicates() {
    let env = setup();
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    env.ok(&[
        "platform",
        "add",
        "Beta U Canvas",
        "--preset",
        "canvas-cloud",
    ]);
    let reg = env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000001",
        "--deployment-id",
        "2:f97330a96452fc363a34e0ef6d8d0d3e9e1007d2",
        "--deployment-id",
        "3:aaaa",
    ]);
    assert!(reg.starts_with('r') && reg.len() == 9, "{reg}");

    // Every Canvas cloud customer shares the issuer: the same client_id elsewhere is refused.
    let err = env.fails(&[
        "registration",
        "add",
        "--tool",
        "Video Notes",
        "--platform",
        "Beta U Canvas",
        "--client-id",
        "10000000000001",
    ]);
    assert!(
        err.contains("10000000000001")
            && err.contains("https://canvas.instructure.com")
            && err.contains(&reg),
        "{err}"
    );
    let err = env.fails(&[
        "registration",
        "add",
        "--tool",
        "Video Notes",
        "--platform",
        "Beta U Canvas",
        "--client-id",
        "10000000000002",
        "--deployment-id",
        "1:x",
        "--deployment-id",
        "1:x",
    ]);
    assert!(err.contains("'1:x' is given twice"), "{err}");

    env.ok(&[
        "registration",
        "deployment",
        "add",
        &reg,
        "7:bio",
        "--label",
        "Biology 101",
    ]);
    let err = env.fails(&["registration", "deployment", "add", &reg, "3:aaaa"]);
    assert!(
        err.contains("'3:aaaa'") && err.contains("already recorded"),
        "{err}"
    );
    env.ok(&["registration", "deployment", "remove", &reg, "3:aaaa"]);
    let err = env.fails(&["registration", "deployment", "remove", &reg, "3:aaaa"]);
    assert!(err.contains("no deployment id '3:aaaa'"), "{err}");

    let r = env.json(&["registration", "show", &reg, "--json"]);
    assert_eq!(r["client_id"], "10000000000001");
    assert_eq!(r["tool_name"], "Quiz Engine");
    assert_eq!(r["platform_name"], "Acme Canvas");
    assert_eq!(r["issuer"], "https://canvas.instructure.com");
    let deployments = r["deployments"].as_array().unwrap();
    let ids: Vec<&str> = deployments
        .iter()
        .map(|d| d["deployment_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["2:f97330a96452fc363a34e0ef6d8d0d3e9e1007d2", "7:bio"]);
    assert_eq!(deployments[1]["label"], "Biology 101");
    assert!(deployments[1]["added_at"].as_str().unwrap().contains('T'));

    let text = env.ok(&["registration", "show", &reg]);
    assert!(
        text.contains("Biology 101") && text.contains("7:bio"),
        "{text}"
    );
    let list = env.json(&["registration", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let list = env.json(&["registration", "list", "--tool", "Video Notes", "--json"]);
    assert!(list.as_array().unwrap().is_empty());
    let text = env.ok(&["registration", "list"]);
    assert!(
        text.contains(&reg) && text.contains("10000000000001"),
        "{text}"
    );

    let err = env.fails(&["registration", "show", "r00000000"]);
    assert!(err.contains("ltikeys registration list"), "{err}");
    let err = env.fails(&["platform", "remove", "Acme Canvas"]);
    assert!(err.contains("registration"), "{err}");
}

#[test]
fn handoff_prints_the_six_values_as_text_and_json() {
    let env = setup();
    env.ok(&["platform", "add", "Learn", "--preset", "blackboard"]);
    let client = "9c7a5b1e-2f0d-4c3a-8e6b-1d2f3a4b5c6d";
    let reg = env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Learn",
        "--client-id",
        client,
    ]);
    let out = env.run(&["registration", "handoff", &reg]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("no deployment id"),
        "the missing deployment id is a warning on stderr: {stderr}"
    );
    env.ok(&["registration", "deployment", "add", &reg, "d9f1c0de"]);
    let jwks = format!(
        "https://developer.blackboard.com/api/v1/management/applications/{client}/jwks.json"
    );
    let text = env.ok(&["registration", "handoff", &reg]);
    for value in [
        "https://blackboard.com",
        client,
        "d9f1c0de",
        "https://developer.blackboard.com/api/v1/gateway/oidcauth",
        "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken",
        jwks.as_str(),
    ] {
        assert!(text.contains(value), "{value} missing from:\n{text}");
    }
    assert!(!text.contains("{client_id}"), "{text}");
    let h = env.json(&["registration", "handoff", &reg, "--json"]);
    assert_eq!(h["issuer"], "https://blackboard.com");
    assert_eq!(h["client_id"], client);
    assert_eq!(h["deployment_ids"], serde_json::json!(["d9f1c0de"]));
    assert_eq!(h["jwks_url"], jwks.as_str());
    assert_eq!(
        h["token_url"],
        "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken"
    );
    assert_eq!(
        h["auth_url"],
        "https://developer.blackboard.com/api/v1/gateway/oidcauth"
    );
    assert_eq!(h["findings"], serde_json::json!([]));
}

/// Serves `body` (with `content_type`) at every path on 127.0.0.1; returns the base URL.
fn serve(content_type: &'static str, body: impl Fn(&str) -> String + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let own = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let body = body(&own);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    base
}

fn moodle_configuration(base: &str) -> String {
    serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/mod/lti/auth.php"),
        "token_endpoint": format!("{base}/mod/lti/token.php"),
        "jwks_uri": format!("{base}/mod/lti/certs.php"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "id_token_signing_alg_values_supported": ["RS256"],
        // Some Moodle versions publish this key with a trailing space.
        "https://purl.imsglobal.org/spec/lti-platform-configuration ": {
            "product_family_code": "moodle",
            "version": "4.1"
        }
    })
    .to_string()
}

#[test]
fn discover_prints_a_field_by_field_diff_and_what_was_applied() {
    let env = setup();
    let base = serve("application/json", moodle_configuration);
    let url = format!("{base}/mod/lti/openid-configuration.php");
    env.ok(&[
        "platform",
        "add",
        "Campus Moodle",
        "--preset",
        "moodle",
        "--base-url",
        "https://moodle.example.edu",
    ]);

    let out = env.ok(&[
        "platform",
        "discover",
        "Campus Moodle",
        "--openid-configuration",
        &url,
        "--dry-run",
    ]);
    assert!(out.contains("[not applied: dry run]"), "{out}");
    let p = env.json(&["platform", "show", "Campus Moodle", "--json"]);
    assert_eq!(p["auth_url"], "https://moodle.example.edu/mod/lti/auth.php");

    let out = env.ok(&[
        "platform",
        "discover",
        "Campus Moodle",
        "--openid-configuration",
        &url,
    ]);
    let auth_line = out
        .lines()
        .find(|l| l.starts_with("auth_url"))
        .unwrap_or_else(|| panic!("no auth_url line in:\n{out}"));
    assert!(
        auth_line.contains(&format!(
            "https://moodle.example.edu/mod/lti/auth.php → {base}/mod/lti/auth.php"
        )) && auth_line.ends_with("[applied]"),
        "{auth_line}"
    );
    let issuer_line = out.lines().find(|l| l.starts_with("issuer")).unwrap();
    assert!(issuer_line.contains("--accept-issuer"), "{issuer_line}");
    assert!(
        out.contains("warning [issuer-mismatch]"),
        "the mismatch is reported: {out}"
    );
    assert!(
        out.contains("stray spaces"),
        "the Moodle quirk is noted: {out}"
    );
    let p = env.json(&["platform", "show", "Campus Moodle", "--json"]);
    assert_eq!(p["auth_url"], format!("{base}/mod/lti/auth.php"));
    assert_eq!(p["issuer"], "https://moodle.example.edu");

    let outcome = env.json(&[
        "platform",
        "discover",
        "Campus Moodle",
        "--accept-issuer",
        "--json",
    ]);
    assert_eq!(outcome["applied"], true);
    assert_eq!(outcome["changes"][0]["field"], "issuer");
    assert_eq!(outcome["changes"][0]["new"], base.as_str());
    assert_eq!(outcome["platform"]["issuer"], base.as_str());

    // A new name: discovery creates the platform with the family it read.
    let outcome = env.json(&[
        "platform",
        "discover",
        "Second Moodle",
        "--openid-configuration",
        &url,
        "--json",
    ]);
    assert_eq!(outcome["created"], true);
    assert_eq!(outcome["platform"]["family"], "moodle");
}

#[test]
fn discover_refuses_non_json_and_plain_http_elsewhere() {
    let env = Env::new();
    let base = serve("text/html", |_| "<!DOCTYPE html><p>Sign in</p>".to_string());
    let err = env.fails(&[
        "platform",
        "discover",
        "X",
        "--openid-configuration",
        &format!("{base}/.well-known/openid-configuration"),
    ]);
    assert!(
        err.contains("not JSON") && err.contains("<!DOCTYPE html>"),
        "{err}"
    );
    let err = env.fails(&[
        "platform",
        "discover",
        "X",
        "--openid-configuration",
        "http://lms.example.edu/.well-known/openid-configuration",
    ]);
    assert!(err.contains("uses http"), "{err}");
    let err = env.fails(&["platform", "discover", "X"]);
    assert!(err.contains("--openid-configuration"), "{err}");
    let list = env.json(&["platform", "list", "--json"]);
    assert!(list.as_array().unwrap().is_empty());
}

#[test]
fn platforms_can_be_corrected_and_removed() {
    let env = setup();
    let sakai = env.id(&[
        "platform",
        "add",
        "Sakai U",
        "--preset",
        "sakai",
        "--base-url",
        "https://sakai.example.edu",
    ]);
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let reg = env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Sakai U",
        "--client-id",
        "sakai-client",
        "--deployment-id",
        "1",
    ]);
    let h = env.json(&["registration", "handoff", &reg, "--json"]);
    assert_eq!(h["findings"][0]["code"], "unresolved-placeholder");
    let out = env.run(&["registration", "handoff", &reg]);
    assert!(out.status.success(), "a finding is not a failure");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("{tool_id}") && stderr.contains(&format!("platform update {sakai}")),
        "{stderr}"
    );

    let err = env.fails(&["platform", "update", "Sakai U"]);
    assert!(err.contains("nothing to change"), "{err}");
    let err = env.fails(&["platform", "update", "Sakai U", "--name", "acme canvas"]);
    assert!(err.contains("already exists"), "{err}");
    let err = env.fails(&["platform", "update", "Sakai U", "--jwks-url", "ftp://x"]);
    assert!(err.starts_with("error: platform JWKS URL:"), "{err}");
    env.ok(&[
        "platform",
        "update",
        "Sakai U",
        "--token-url",
        "https://sakai.example.edu/imsblis/lti13/token/17",
        "--name",
        "Sakai",
    ]);
    let h = env.json(&["registration", "handoff", &reg, "--json"]);
    assert_eq!(h["findings"], serde_json::json!([]));
    assert_eq!(
        h["token_url"],
        "https://sakai.example.edu/imsblis/lti13/token/17"
    );
    assert_eq!(h["platform"], "Sakai");

    let err = env.fails(&["platform", "remove", "Sakai"]);
    assert!(err.contains("still has 1 registration"), "{err}");
    env.ok(&["registration", "remove", &reg]);
    env.ok(&["platform", "remove", "Sakai"]);
    let list = env.json(&["platform", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(env
        .json(&["registration", "list", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
}
