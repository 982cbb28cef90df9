//! `ltikeys canvas …`, `ltikeys tool edit` and `ltikeys tool placement …` as a black box. None of
//! these needs the keychain: tools here publish a JWKS URL, or fail for want of a key.
#![allow(clippy::unwrap_used)] // Test helpers panic on broken fixtures by design.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

struct Env {
    data: tempfile::TempDir,
    scratch: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            data: tempfile::tempdir().unwrap(),
            scratch: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ltikeys"));
        cmd.args(args).env("LTIKEYS_DATA_DIR", self.data.path());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs with `input` on stdin.
    fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
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

    /// Runs and expects failure with exit status 1 and nothing on stdout; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "ltikeys {args:?} should fail");
        assert!(out.stdout.is_empty(), "errors go to stderr only");
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.scratch.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/canvas")
        .join(name)
}

fn fixture(name: &str) -> String {
    fixture_path(name).display().to_string()
}

/// One part (`bad` or `good`) of a lint case file, as JSON text.
fn case_doc(code: &str, part: &str) -> String {
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_path(&format!("lint/{code}.json"))).unwrap(),
    )
    .unwrap();
    serde_json::to_string_pretty(&case[part]).unwrap()
}

const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// Builds, flag by flag, the tool of the core's export golden file.
fn build_quiz_engine(env: &Env) {
    env.ok(&[
        "tool",
        "add",
        "Quiz Engine",
        "--launch-url",
        "https://quiz.example.edu/lti/launch",
        "--login-url",
        "https://quiz.example.edu/lti/login",
        "--redirect-uri",
        "https://quiz.example.edu/lti/launch",
        "--domain",
        "quiz.example.edu",
    ]);
    env.ok(&[
        "tool",
        "edit",
        "Quiz Engine",
        "--description",
        "Quizzes with automatic grading",
        "--redirect-uri",
        "https://quiz.example.edu/lti/deep-link",
        "--jwks-url",
        "https://quiz.example.edu/.well-known/jwks.json",
        "--privacy-level",
        "name_only",
        "--canvas-tool-id",
        "quiz-engine",
        "--icon-url",
        "https://quiz.example.edu/icon.svg",
        "--custom-field",
        "canvas_user_id=$Canvas.user.id",
        "--custom-field",
        "course_id=$Canvas.course.id",
        "--scope",
        LINEITEM,
        "--scope",
        SCORE,
        "--scope",
        NRPS,
    ]);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "course_navigation",
        "--text",
        "Quizzes",
        "--display-type",
        "in_nav_context",
        "--required-permission",
        "manage_assignments_add",
        "--required-permission",
        "manage_assignments_edit",
    ]);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "editor_button",
        "--target-link-uri",
        "https://quiz.example.edu/lti/deep-link",
        "--icon-url",
        "https://quiz.example.edu/editor.svg",
        "--selection-width",
        "800",
        "--selection-height",
        "600",
    ]);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "link_selection",
        "--message-type",
        "LtiDeepLinkingRequest",
        "--target-link-uri",
        "https://quiz.example.edu/lti/deep-link",
        "--launch-width",
        "1024",
        "--launch-height",
        "768",
        "--new-window",
    ]);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "submission_type_selection",
        "--message-type",
        "deep-linking",
        "--disabled",
    ]);
}

#[test]
fn export_of_a_tool_built_with_flags_matches_the_golden_file() {
    let env = Env::new();
    build_quiz_engine(&env);
    let out = env.run(&["canvas", "export", "--tool", "Quiz Engine"]);
    assert!(out.status.success());
    let golden = std::fs::read_to_string(fixture_path("export-jwks-url.json")).unwrap();
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
    let out = env.run(&["canvas", "import", &fixture("import-vendor.json")]);
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

    let err = env.fails(&["canvas", "import", &fixture("import-vendor.json")]);
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
    let doc = std::fs::read_to_string(fixture_path("canvas-docs-example.json")).unwrap();
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
    assert!(err.starts_with("error: -: it is not valid JSON"), "{err}");
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
fn edits_add_and_remove_and_clear() {
    let env = Env::new();
    build_quiz_engine(&env);
    env.ok(&[
        "tool",
        "edit",
        "Quiz Engine",
        "--remove-scope",
        LINEITEM,
        "--remove-custom-field",
        "course_id",
        "--remove-redirect-uri",
        "https://quiz.example.edu/lti/deep-link",
        "--domain",
        "",
        "--title",
        "Quiz Engine 2",
    ]);
    let tool = env.json(&["tool", "show", "Quiz Engine 2", "--json"]);
    assert_eq!(tool["scopes"], json!([SCORE, NRPS]));
    assert_eq!(
        tool["custom_fields"],
        json!({"canvas_user_id": "$Canvas.user.id"})
    );
    assert_eq!(
        tool["redirect_uris"],
        json!(["https://quiz.example.edu/lti/launch"])
    );
    assert_eq!(tool["domain"], Value::Null, "an empty value clears a field");

    env.ok(&[
        "tool",
        "placement",
        "remove",
        "Quiz Engine 2",
        "--placement",
        "editor_button",
    ]);
    let placements = env.json(&["tool", "placement", "list", "Quiz Engine 2", "--json"]);
    let names: Vec<_> = placements
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["placement"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "course_navigation",
            "link_selection",
            "submission_type_selection"
        ]
    );
    let text = env.ok(&["tool", "placement", "list", "Quiz Engine 2"]);
    assert!(
        text.contains("submission_type_selection") && text.contains("disabled"),
        "{text}"
    );

    let edited = env.json(&[
        "tool",
        "edit",
        "Quiz Engine 2",
        "--clear-jwks-url",
        "--json",
    ]);
    assert_eq!(edited["jwks_url"], Value::Null);
    let err = env.fails(&["canvas", "export", "--tool", "Quiz Engine 2"]);
    assert!(err.contains("no JWKS URL and no current key"), "{err}");
    let events_ok = env.run(&["tool", "edit", "Quiz Engine 2", "--clear-jwks-url"]);
    assert!(events_ok.status.success());
    assert!(
        String::from_utf8_lossy(&events_ok.stderr).contains("no change"),
        "an edit that changes nothing says so"
    );
}

#[test]
fn bad_edits_name_the_field_and_the_fix_and_change_nothing() {
    let env = Env::new();
    build_quiz_engine(&env);
    let before = env.json(&["tool", "show", "Quiz Engine", "--json"]);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["tool", "edit", "Quiz Engine", "--scope", "score"],
            &[
                "scope 4:",
                "did you mean https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
        ),
        (
            &["tool", "edit", "Quiz Engine", "--privacy-level", "secret"],
            &["privacy level:", "name_only"],
        ),
        (
            &["tool", "edit", "Quiz Engine", "--custom-field", "novalue"],
            &["--custom-field:", "NAME=VALUE"],
        ),
        (
            &[
                "tool",
                "edit",
                "Quiz Engine",
                "--custom-field",
                "bad name=x",
            ],
            &["custom field bad name:"],
        ),
        (
            &[
                "tool",
                "edit",
                "Quiz Engine",
                "--remove-scope",
                "https://example.org/x",
            ],
            &["--remove-scope:", "ltikeys tool show"],
        ),
        (
            &[
                "tool",
                "edit",
                "Quiz Engine",
                "--launch-url",
                "http://quiz.example.edu/x",
            ],
            &["launch URL:", "https://"],
        ),
        (
            &[
                "tool",
                "placement",
                "add",
                "Quiz Engine",
                "--placement",
                "global_navigation",
                "--message-type",
                "LtiDeepLinkingRequest",
            ],
            &[
                "(global_navigation) message type:",
                "use LtiResourceLinkRequest",
            ],
        ),
        (
            &[
                "tool",
                "placement",
                "add",
                "Quiz Engine",
                "--placement",
                "course_navigation",
            ],
            &["already", "ltikeys tool placement remove"],
        ),
        (
            &[
                "tool",
                "placement",
                "add",
                "Quiz Engine",
                "--placement",
                "course_nav",
            ],
            &[
                "placement:",
                "not a Canvas placement",
                "did you mean course_navigation",
            ],
        ),
        (
            &[
                "tool",
                "placement",
                "add",
                "Quiz Engine",
                "--placement",
                "wiki_page_menu",
                "--message-type",
                "LtiSubmissionReviewRequest",
            ],
            &[
                "message type:",
                "LtiResourceLinkRequest or LtiDeepLinkingRequest",
            ],
        ),
        (
            &[
                "tool",
                "placement",
                "add",
                "Quiz Engine",
                "--placement",
                "wiki_page_menu",
                "--display-type",
                "sideways",
            ],
            &["display type:", "full_width"],
        ),
        (
            &[
                "tool",
                "placement",
                "add",
                "Quiz Engine",
                "--placement",
                "wiki_page_menu",
                "--launch-width",
                "0",
            ],
            &["(wiki_page_menu) launch width:"],
        ),
        (
            &[
                "tool",
                "placement",
                "remove",
                "Quiz Engine",
                "--placement",
                "wiki_page_menu",
            ],
            &["placement wiki_page_menu is not on tool"],
        ),
        (
            &["tool", "edit", "nope", "--scope", SCORE],
            &["no tool", "ltikeys tool list"],
        ),
    ];
    for (args, parts) in cases {
        let err = env.fails(args);
        assert!(err.starts_with("error: "), "{err}");
        for part in *parts {
            assert!(err.contains(part), "{args:?}: {part:?} not in {err}");
        }
    }
    assert_eq!(
        env.json(&["tool", "show", "Quiz Engine", "--json"]),
        before,
        "refused edits change nothing"
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
    let doc = std::fs::read_to_string(fixture_path("canvas-docs-example.json")).unwrap();
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
