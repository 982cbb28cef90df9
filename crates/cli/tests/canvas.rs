//! `ltikeys canvas …`: export, import and lint Canvas developer-key JSON, placements and scopes.

use std::io::Write as _;
use std::process::Stdio;

use serde_json::{json, Value};

use crate::support::{add_quiz_engine, fixture, fixture_path, Env};
use crate::tool::{build_quiz_engine, SCORE};

/// One part (`bad` or `good`) of a lint case file, as JSON text.
fn case_doc(code: &str, part: &str) -> String {
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_path(&format!("canvas/lint/{code}.json"))).unwrap(),
    )
    .unwrap();
    serde_json::to_string_pretty(&case[part]).unwrap()
}

#[test]
fn export_of_a_tool_built_with_flags_matches_the_golden_file() {
    let env = Env::new();
    build_quiz_engine(&env);
    let out = env.run(&["canvas", "export", "--tool", "Quiz Engine"]);
    assert!(out.status.success());
    let golden = std::fs::read_to_string(fixture_path("canvas/export-jwks-url.json")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), golden);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("warning:") && stderr.contains("[placement-needs-approval]"),
        "warnings about the export go to stderr: {stderr}"
    );
    let saved = env.file("export.json", &golden);
    let lint = env.run(&["canvas", "lint", &saved, "--json"]);
    assert_eq!(
        lint.status.code(),
        Some(0),
        "the export lints without errors"
    );

    let text = env.ok(&["tool", "show", "Quiz Engine"]);
    for line in [
        "privacy level:  name_only",
        "Canvas tool id: quiz-engine",
        &format!("scope:          {SCORE}"),
        "custom field:   course_id=$Canvas.course.id",
        "placement:      editor_button",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert!(
        text.starts_with("id:") && text.contains("\nname:           Quiz Engine\n"),
        "the existing lines stay first: {text}"
    );
}

#[test]
fn lint_prints_findings_as_json_and_exits_by_severity() {
    let env = Env::new();
    let bad = env.file("bad.json", &case_doc("wrong-message-type", "bad"));
    let out = env.run(&["canvas", "lint", &bad, "--json"]);
    assert_eq!(out.status.code(), Some(1), "an error-level finding");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = &findings[0];
    let mut keys: Vec<_> = f.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["code", "fix", "message", "path", "severity"]);
    assert_eq!(f["code"], "wrong-message-type");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        f["path"],
        "$.extensions[0].settings.placements[0].message_type"
    );

    let good = env.file("good.json", &case_doc("wrong-message-type", "good"));
    assert_eq!(
        env.json(&["canvas", "lint", &good, "--json"]),
        json!({"findings": []})
    );

    let warned = env.file("warned.json", &case_doc("placement-needs-approval", "bad"));
    let out = env.run(&["canvas", "lint", &warned, "--json"]);
    assert_eq!(out.status.code(), Some(0), "warnings alone pass");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["severity"], "warning");

    let out = env.run_with_stdin(
        &["canvas", "lint", "-", "--json"],
        &case_doc("jwks-in-public-jwk", "bad"),
    );
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["code"], "jwks-in-public-jwk");
    assert_eq!(report["findings"][0]["path"], "$.public_jwk");

    let out = env.run_with_stdin(&["canvas", "lint", "-", "--json"], "{ not json");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["code"], "invalid-json");

    let err = env.fails(&["canvas", "lint", "/nonexistent/config.json"]);
    assert!(
        err.starts_with("error: reading /nonexistent/config.json"),
        "{err}"
    );
}

#[test]
fn lint_without_json_is_one_line_per_finding_and_a_summary() {
    let env = Env::new();
    let bad = env.file("bad.json", &case_doc("privacy-level-top-level", "bad"));
    let out = env.run(&["canvas", "lint", &bad]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("warning: $.privacy_level [privacy-level-top-level]: ")
            && text.contains("Fix: move privacy_level into"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("0 errors, 1 warning, 0 info"),
        "{text}"
    );
    let good = env.file("good.json", &case_doc("privacy-level-top-level", "good"));
    assert_eq!(env.ok(&["canvas", "lint", &good]), "no findings\n");
}

#[test]
fn import_creates_a_tool_prints_its_id_and_reports_findings() {
    let env = Env::new();
    let out = env.run(&["canvas", "import", &fixture("canvas/import-vendor.json")]);
    assert!(
        out.status.success(),
        "a file with lint errors still imports: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(
        id.starts_with('t') && !id.contains(char::is_whitespace),
        "{id}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    for part in [
        "error: $.scopes[2] [unknown-scope]",
        "warning: $.scopes[2] [value-not-imported]",
        "info: $.public_jwk [public-jwk-not-imported]",
        "info: $.oidc_initiation_urls [unknown-field]",
    ] {
        assert!(stderr.contains(part), "{part} in {stderr}");
    }
    let tool = env.json(&["tool", "show", &id, "--json"]);
    assert_eq!(tool["name"], "Acme Labs");
    assert_eq!(tool["privacy_level"], "public");
    assert_eq!(tool["placements"].as_array().unwrap().len(), 6);
    assert_eq!(tool["scopes"].as_array().unwrap().len(), 3);

    let err = env.fails(&["canvas", "import", &fixture("canvas/import-vendor.json")]);
    assert!(err.contains("already exists"), "{err}");

    // No key and no JWKS URL yet: the export says how to fix it.
    let err = env.fails(&["canvas", "export", "--tool", &id]);
    assert!(
        err.contains("ltikeys key new") && err.contains("--jwks-url"),
        "{err}"
    );
    env.ok(&[
        "tool",
        "edit",
        &id,
        "--jwks-url",
        "https://labs.acme.example/.well-known/jwks.json",
    ]);
    let exported = env.ok(&["canvas", "export", "--tool", &id]);
    let out = env.run_with_stdin(&["canvas", "lint", "-", "--json"], &exported);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"findings": []}),
        "import, export, lint clean"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn import_from_stdin_with_a_name_and_json_output() {
    let env = Env::new();
    let doc = std::fs::read_to_string(fixture_path("canvas/canvas-docs-example.json")).unwrap();
    let out = env.run_with_stdin(
        &["canvas", "import", "-", "--name", "Docs Tool", "--json"],
        &doc,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "a clean file reports nothing");
    let imported: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(imported["tool"]["name"], "Docs Tool");
    assert_eq!(imported["findings"], json!([]));
    let exported: Value =
        serde_json::from_str(&env.ok(&["canvas", "export", "--tool", "Docs Tool"])).unwrap();
    assert_eq!(exported["title"], "Docs Tool");
    assert_eq!(
        exported["public_jwk_url"],
        "https://tool.example/.well-known/jwks.json"
    );

    let out = env.run_with_stdin(&["canvas", "import", "-"], "[1, 2");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: -: it is not JSON (EOF"), "{err}");
    let untitled = env.file("untitled.json", r#"{"description": "x"}"#);
    let err = env.fails(&["canvas", "import", &untitled]);
    assert!(err.contains("title") && err.contains("--name"), "{err}");
    assert_eq!(
        env.json(&["tool", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1,
        "failed imports add nothing"
    );
}

#[test]
fn placements_and_scopes_are_listed_with_what_they_take() {
    let env = Env::new();
    let placements = env.json(&["canvas", "placements", "--json"]);
    let placements = placements.as_array().unwrap();
    assert_eq!(placements.len(), 42);
    let editor = placements
        .iter()
        .find(|p| p["name"] == "editor_button")
        .unwrap();
    assert_eq!(editor["message_types"], json!(["LtiDeepLinkingRequest"]));
    let top = placements
        .iter()
        .find(|p| p["name"] == "top_navigation")
        .unwrap();
    assert_eq!(top["feature_flag"], "top_navigation_placement");
    let scopes = env.json(&["canvas", "scopes", "--json"]);
    assert_eq!(scopes.as_array().unwrap().len(), 27);
    assert_eq!(scopes[3]["uri"], SCORE);
    let text = env.ok(&["canvas", "placements"]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("submission_type_selection")
                && l.contains("Instructure approval")),
        "{text}"
    );
    let text = env.ok(&["canvas", "scopes"]);
    assert!(text.contains("(undocumented)"), "{text}");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn export_without_a_jwks_url_embeds_the_current_key() {
    let env = Env::new();
    env.ok(&[
        "tool",
        "add",
        "Cards",
        "--launch-url",
        "https://cards.example.org/launch",
        "--login-url",
        "https://cards.example.org/login",
    ]);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Cards",
        "--placement",
        "course_navigation",
    ]);
    env.ok(&["key", "new", "--tool", "Cards", "--kid", "cards-1"]);
    env.ok(&["key", "new", "--tool", "Cards", "--kid", "cards-2"]);
    let exported = env.json(&["canvas", "export", "--tool", "Cards"]);
    assert!(exported.get("public_jwk_url").is_none());
    let jwk = &exported["public_jwk"];
    assert_eq!(jwk["kid"], "cards-1", "the current key, not the next one");
    assert_eq!(
        (&jwk["kty"], &jwk["alg"], &jwk["use"]),
        (&json!("RSA"), &json!("RS256"), &json!("sig"))
    );
    assert_eq!(
        jwk,
        &env.json(&["jwk", "--tool", "Cards", "--kid", "cards-1"]),
        "the same JWK `ltikeys jwk` prints"
    );
    let out = env.run_with_stdin(
        &["canvas", "lint", "-", "--json"],
        &serde_json::to_string(&exported).unwrap(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"findings": []})
    );
}

#[test]
fn canvas_json_over_one_mib_is_refused_from_a_file_and_from_stdin() {
    let env = Env::new();
    let doc = std::fs::read_to_string(fixture_path("canvas/canvas-docs-example.json")).unwrap();
    let mib = 1024 * 1024;
    let over = format!("{doc}{}", " ".repeat(mib + 1 - doc.len()));
    let big = env.file("big.json", &over);
    for command in ["lint", "import"] {
        let err = env.fails(&["canvas", command, &big]);
        assert_eq!(
            err,
            format!(
                "error: canvas {command}: {big} is larger than 1 MiB. Fix: a Canvas developer-key \
                 JSON is a few KB: check you gave the right file\n"
            )
        );
    }
    let mut child = env
        .cmd(&["canvas", "import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Reading stops past the cap, so the end of this write may find no reader: that is the point.
    let _ = child
        .stdin
        .take()
        .unwrap()
        .write_all(over.repeat(4).as_bytes());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: canvas import: standard input is larger than 1 MiB. Fix:"),
        "{err}"
    );
    assert_eq!(
        env.json(&["tool", "list", "--json"]),
        json!([]),
        "nothing imported"
    );
    let at_the_cap = &over[..mib];
    let out = env.run_with_stdin(&["canvas", "import", "-"], at_the_cap);
    assert!(
        out.status.success(),
        "a document of exactly 1 MiB is read: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_api_form_lifts_the_extension_and_refuses_a_long_description() {
    let env = Env::new();
    add_quiz_engine(&env);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "course_navigation",
    ]);
    let api = env.json(&["canvas", "export", "--tool", "Quiz Engine", "--form", "api"]);
    assert!(api.get("extensions").is_none(), "{api}");
    assert_eq!(api["domain"], "quiz.example.edu");
    assert_eq!(api["placements"][0]["placement"], "course_navigation");
    assert!(api["launch_settings"].is_object());
    assert_eq!(api["redirect_uris"].as_array().unwrap().len(), 2);
    // The paste form is unchanged by the option's default.
    let paste = env.json(&["canvas", "export", "--tool", "Quiz Engine"]);
    assert_eq!(paste["extensions"][0]["platform"], "canvas.instructure.com");

    let long = "x".repeat(2049);
    env.ok(&["tool", "edit", "Quiz Engine", "--description", &long]);
    let err = env.fails(&["canvas", "export", "--tool", "Quiz Engine", "--form", "api"]);
    assert!(err.contains("2049 bytes") && err.contains("2048"), "{err}");
    env.ok(&["canvas", "export", "--tool", "Quiz Engine"]);
}

#[test]
fn an_asset_processor_exports_with_its_eula_once_it_has_the_notice_handler_scope() {
    const NOTICE: &str = "https://purl.imsglobal.org/spec/lti/scope/noticehandlers";
    let env = Env::new();
    add_quiz_engine(&env);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "ActivityAssetProcessor",
        "--message-type",
        "LtiDeepLinkingRequest",
    ]);
    env.ok(&[
        "tool",
        "edit",
        "Quiz Engine",
        "--eula-url",
        "https://quiz.example.edu/lti/eula",
    ]);
    let err = env.fails(&["canvas", "export", "--tool", "Quiz Engine"]);
    assert!(
        err.contains("ActivityAssetProcessor needs the scope") && err.contains(NOTICE),
        "{err}"
    );

    env.ok(&["tool", "edit", "Quiz Engine", "--scope", NOTICE]);
    let out = env.run(&["canvas", "export", "--tool", "Quiz Engine"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let eula = json!([{"type": "LtiEulaRequest", "enabled": true,
        "target_link_uri": "https://quiz.example.edu/lti/eula"}]);
    assert_eq!(doc["extensions"][0]["settings"]["message_settings"], eula);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("eula-needs-scope"),
        "the missing EULA scope is a warning on stderr: {stderr}"
    );
    let api = env.json(&["canvas", "export", "--tool", "Quiz Engine", "--form", "api"]);
    assert_eq!(api["launch_settings"]["message_settings"], eula);
}
