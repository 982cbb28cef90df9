//! `ltikeys platform …`: presets, validation, uniqueness, and discovery from 127.0.0.1.

use ltikeys_core::testing::{Reply, Server};
use serde_json::Value;

use crate::support::{two_tools, Env};

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

/// `platform add NAME FLAGS… --base-url BASE_URL`, then the platform as `platform show --json`
/// shows it (`flags` start with the name).
fn add_and_show(env: &Env, flags: &[&str], base_url: &str) -> Value {
    env.ok(&[&["platform", "add"], flags, &["--base-url", base_url]].concat());
    env.json(&["platform", "show", flags[0], "--json"])
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
    let m = add_and_show(
        &env,
        &["Campus Moodle", "--preset", "moodle"],
        "https://moodle.example.edu/",
    );
    assert_eq!(m["issuer"], "https://moodle.example.edu");
    assert_eq!(
        m["token_url"],
        "https://moodle.example.edu/mod/lti/token.php"
    );

    let b = add_and_show(
        &env,
        &["D2L", "--preset", "brightspace"],
        "https://school.brightspace.com",
    );
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
    let c = add_and_show(
        &env,
        &[
            "Other Canvas",
            "--preset",
            "canvas-self-hosted",
            "--issuer",
            "https://lms.example.edu",
        ],
        "https://lms.example.edu",
    );
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

/// Serves `body(base URL)` with `content_type` at every path on 127.0.0.1.
fn serve(
    content_type: &'static str,
    body: impl Fn(&str) -> String + Send + Sync + 'static,
) -> Server {
    Server::start(move |request| {
        Reply::new(200, body(&request.base)).header("Content-Type", content_type)
    })
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
    let env = two_tools();
    let server = serve("application/json", moodle_configuration);
    let base = server.base().to_string();
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
    let server = serve("text/html", |_| "<!DOCTYPE html><p>Sign in</p>".to_string());
    let base = server.base();
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
    let env = two_tools();
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
