//! Canvas developer-key JSON: export golden files, one lint case per finding code (a failing
//! document and its fix), odd shapes, import round trips, and tool-profile validation.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use ltikeys_core::canvas::{self, IMPORT_CODES, LINT_CODES};
use ltikeys_core::finding::has_error;
use ltikeys_core::secret::MemoryStore;
use ltikeys_core::{
    DisplayType, Error, Eula, Finding, MessageType, Placement, PrivacyLevel, Remedy, Severity,
    Tool, ToolProfile, Vault, WindowTarget,
};
use serde_json::{json, Value};

use crate::fixture;

const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

fn vault() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    // Private keys held in memory: the keychain is not what these tests are about.
    let vault = Vault::open_with(dir.path(), Box::<MemoryStore>::default()).unwrap();
    (dir, vault)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 15, 12, 0, 0).unwrap()
}

fn placement(name: &str) -> Placement {
    Placement::new(name).unwrap()
}

/// A tool using every profile field.
fn full_tool() -> ToolProfile {
    ToolProfile {
        name: "Quiz Engine".into(),
        description: "Quizzes with automatic grading".into(),
        domain: Some("quiz.example.edu".into()),
        login_url: Some("https://quiz.example.edu/lti/login".into()),
        launch_url: Some("https://quiz.example.edu/lti/launch".into()),
        redirect_uris: vec![
            "https://quiz.example.edu/lti/launch".into(),
            "https://quiz.example.edu/lti/deep-link".into(),
        ],
        jwks_url: Some("https://quiz.example.edu/.well-known/jwks.json".into()),
        privacy_level: PrivacyLevel::NameOnly,
        canvas_tool_id: Some("quiz-engine".into()),
        icon_url: Some("https://quiz.example.edu/icon.svg".into()),
        custom_fields: [
            ("canvas_user_id", "$Canvas.user.id"),
            ("course_id", "$Canvas.course.id"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        scopes: vec![LINEITEM.into(), SCORE.into(), NRPS.into()],
        placements: vec![
            Placement {
                text: Some("Quizzes".into()),
                display_type: Some(DisplayType::InNavContext),
                required_permissions: vec![
                    "manage_assignments_add".into(),
                    "manage_assignments_edit".into(),
                ],
                ..placement("course_navigation")
            },
            Placement {
                target_link_uri: Some("https://quiz.example.edu/lti/deep-link".into()),
                icon_url: Some("https://quiz.example.edu/editor.svg".into()),
                selection_width: Some(800),
                selection_height: Some(600),
                ..placement("editor_button")
            },
            Placement {
                message_type: MessageType::LtiDeepLinkingRequest,
                target_link_uri: Some("https://quiz.example.edu/lti/deep-link".into()),
                window_target: Some(WindowTarget::Blank),
                launch_width: Some(1024),
                launch_height: Some(768),
                ..placement("link_selection")
            },
            Placement {
                message_type: MessageType::LtiDeepLinkingRequest,
                enabled: false,
                ..placement("submission_type_selection")
            },
        ],
        eula: None,
    }
}

fn minimal_tool() -> ToolProfile {
    ToolProfile {
        name: "Flashcards".into(),
        login_url: Some("https://cards.example.org/login".into()),
        launch_url: Some("https://cards.example.org/launch".into()),
        placements: vec![placement("course_navigation")],
        ..ToolProfile::default()
    }
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/canvas")
}

/// Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it.
fn golden(name: &str, actual: &str) {
    let path = fixtures_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, format!("{actual}\n")).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected.trim_end() == actual,
        "{name} differs from the export:\n{actual}\n(if the change is intended, run \
         UPDATE_GOLDEN=1 cargo test -p ltikeys-core canvas and review the diff)"
    );
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

fn at<'a>(findings: &'a [Finding], code: &str, path: &str) -> Option<&'a Finding> {
    findings
        .iter()
        .find(|f| f.code == code && f.path.as_deref() == Some(path))
}

// ---------------------------------------------------------------------------------------------
// Export

#[test]
fn export_golden_full_profile_uses_the_jwks_url() {
    let (_dir, mut vault) = vault();
    let tool = vault.add_tool(full_tool(), now()).unwrap();
    let config = vault.canvas_export(&tool.id).unwrap();
    golden("export-jwks-url.json", &config.to_pretty_json());
    let value: Value = serde_json::from_str(&config.to_pretty_json()).unwrap();
    assert_eq!(
        value["public_jwk_url"],
        "https://quiz.example.edu/.well-known/jwks.json"
    );
    assert!(value.get("public_jwk").is_none(), "URL, not a pasted key");
    assert_eq!(
        value["extensions"][0]["privacy_level"], "name_only",
        "privacy_level lives on the extension"
    );
    assert!(value.get("privacy_level").is_none());
    assert!(
        value.get("redirect_uris").is_none(),
        "Canvas does not read redirect_uris from the JSON"
    );
    let findings = canvas::lint(&value);
    assert!(!has_error(&findings), "{findings:#?}");
    assert_eq!(
        codes(&findings),
        ["placement-needs-approval"],
        "only the approval warning of submission_type_selection"
    );
}

#[test]
fn export_golden_embeds_the_current_public_jwk() {
    let (_dir, mut vault) = vault();
    let tool = vault.add_tool(minimal_tool(), now()).unwrap();
    let pem = fixture("rsa2048-pkcs8.pem");
    vault
        .import_key(
            &tool.id,
            &pem,
            None,
            Some("cards-2025-01"),
            ltikeys_core::KidScheme::Thumbprint,
            now(),
        )
        .unwrap();
    let config = vault.canvas_export("Flashcards").unwrap();
    golden("export-public-jwk.json", &config.to_pretty_json());
    let jwk = config
        .public_jwk
        .as_ref()
        .expect("no JWKS URL: a public_jwk");
    assert_eq!(
        (
            jwk.kty.as_str(),
            jwk.alg.as_str(),
            jwk.use_.as_str(),
            jwk.kid.as_str()
        ),
        ("RSA", "RS256", "sig", "cards-2025-01")
    );
    assert_eq!(config.public_jwk_url, None);
    let findings = canvas::lint(&serde_json::to_value(&config).unwrap());
    assert!(findings.is_empty(), "{findings:#?}");

    // A second key arrives as `next`: the export keeps the current (signing) key.
    vault
        .generate_key(
            &ltikeys_core::GenerateKey {
                tool: tool.id.clone(),
                bits: 2048,
                kid_scheme: ltikeys_core::KidScheme::Uuid,
                kid: None,
            },
            now(),
            &mut |_| {},
        )
        .unwrap();
    let again = vault.canvas_export(&tool.id).unwrap();
    assert_eq!(again.public_jwk.unwrap().kid, "cards-2025-01");

    // With a JWKS URL the export switches to public_jwk_url.
    let mut edit = vault.tool(&tool.id).unwrap().profile;
    edit.jwks_url = Some("https://cards.example.org/jwks.json".into());
    vault.update_tool(&tool.id, edit, now()).unwrap();
    let with_url = vault.canvas_export(&tool.id).unwrap();
    assert_eq!(
        with_url.public_jwk_url.as_deref(),
        Some("https://cards.example.org/jwks.json")
    );
    assert!(with_url.public_jwk.is_none());
}

#[test]
fn export_without_a_key_or_jwks_url_names_both_fixes() {
    let (_dir, mut vault) = vault();
    vault.add_tool(minimal_tool(), now()).unwrap();
    let err = vault.canvas_export("Flashcards").unwrap_err();
    let text = err.to_string();
    assert_eq!(err.kind(), "invalid");
    assert!(text.contains("no JWKS URL and no current key"), "{text}");
    assert_eq!(
        err.remedies(),
        [
            Remedy::GenerateKey {
                tool: "Flashcards".into(),
                next: false
            },
            Remedy::EditTool {
                tool: "Flashcards".into(),
                field: "jwks_url".into()
            }
        ],
        "both fixes: {text}"
    );
}

#[test]
fn export_without_launch_or_login_url_names_the_field() {
    let (_dir, mut vault) = vault();
    let mut tool = full_tool();
    tool.launch_url = None;
    vault.add_tool(tool, now()).unwrap();
    let err = vault.canvas_export("Quiz Engine").unwrap_err();
    assert_eq!(err.field(), Some("launch_url"), "{err}");
    let err = err.to_string();
    assert!(
        err.starts_with("launch URL:") && err.contains("set the tool's launch URL"),
        "{err}"
    );
    let mut tool = minimal_tool();
    tool.login_url = None;
    tool.jwks_url = Some("https://cards.example.org/jwks.json".into());
    vault.add_tool(tool, now()).unwrap();
    let err = vault.canvas_export("Flashcards").unwrap_err().to_string();
    assert!(
        err.starts_with("login URL:") && err.contains("oidc_initiation_url"),
        "{err}"
    );
}

#[test]
fn export_then_import_gives_the_same_tool() {
    let (_dir, mut vault) = vault();
    let tool = vault.add_tool(full_tool(), now()).unwrap();
    let exported = serde_json::to_value(vault.canvas_export(&tool.id).unwrap()).unwrap();
    let back = canvas::import(&exported, None).unwrap();
    assert_eq!(
        back.tool,
        tool.profile.clone(),
        "every profile field survives export and import"
    );
    assert_eq!(
        codes(&back.findings),
        ["placement-needs-approval"],
        "nothing dropped, nothing unknown"
    );
}

// ---------------------------------------------------------------------------------------------
// Lint: one case per code

fn lint_case(code: &str) {
    let case: Value = serde_json::from_str(&fixture(&format!("canvas/lint/{code}.json"))).unwrap();
    let path = case["path"].as_str().unwrap();
    let severity: Severity = serde_json::from_value(case["severity"].clone()).unwrap();
    let bad = canvas::lint(&case["bad"]);
    let found = at(&bad, code, path).unwrap_or_else(|| {
        panic!("{code}: no finding at {path} for the failing document; got {bad:#?}")
    });
    assert_eq!(found.severity, severity, "{code}: severity");
    assert!(
        !found.message.is_empty() && !found.fix.is_empty(),
        "{code}: a message and a fix"
    );
    let good = canvas::lint(&case["good"]);
    assert!(
        good.iter().all(|f| f.code != code),
        "{code}: the fixed document still has it: {good:#?}"
    );
    assert!(
        !has_error(&good),
        "{code}: the fixed document has errors: {good:#?}"
    );
}

macro_rules! lint_cases {
    ($($name:ident => $code:literal,)*) => {
        $(
            #[test]
            fn $name() {
                lint_case($code);
            }
        )*
        /// The codes with a case file in fixtures/canvas/lint.
        const CASES: &[&str] = &[$($code),*];
    };
}

lint_cases! {
    lint_not_an_object => "not-an-object",
    lint_missing_field => "missing-field",
    lint_wrong_type => "wrong-type",
    lint_invalid_url => "invalid-url",
    lint_http_url => "http-url",
    lint_missing_public_key => "missing-public-key",
    lint_both_public_key_forms => "both-public-key-forms",
    lint_empty_public_jwk => "empty-public-jwk",
    lint_jwks_in_public_jwk => "jwks-in-public-jwk",
    lint_public_jwk_private_member => "public-jwk-private-member",
    lint_public_jwk_missing_member => "public-jwk-missing-member",
    lint_public_jwk_not_rsa => "public-jwk-not-rsa",
    lint_public_jwk_wrong_alg => "public-jwk-wrong-alg",
    lint_public_jwk_wrong_use => "public-jwk-wrong-use",
    lint_public_jwk_short_key => "public-jwk-short-key",
    lint_invalid_value => "invalid-value",
    lint_custom_field_not_string => "custom-field-not-string",
    lint_legacy_custom_fields => "legacy-custom-fields",
    lint_unknown_scope => "unknown-scope",
    lint_duplicate_scope => "duplicate-scope",
    lint_scope_needs_feature_flag => "scope-needs-feature-flag",
    lint_hidden_scope => "hidden-scope",
    lint_privacy_level_top_level => "privacy-level-top-level",
    lint_no_placements => "no-placements",
    lint_unknown_platform => "unknown-platform",
    lint_duplicate_extension => "duplicate-extension",
    lint_invalid_domain => "invalid-domain",
    lint_default_privacy_level => "default-privacy-level",
    lint_unknown_privacy_level => "unknown-privacy-level",
    lint_unknown_message_type => "unknown-message-type",
    lint_unsupported_window_target => "unsupported-window-target",
    lint_unknown_placement => "unknown-placement",
    lint_duplicate_placement => "duplicate-placement",
    lint_placement_needs_feature_flag => "placement-needs-feature-flag",
    lint_placement_needs_approval => "placement-needs-approval",
    lint_deprecated_placement => "deprecated-placement",
    lint_wrong_message_type => "wrong-message-type",
    lint_missing_message_type => "missing-message-type",
    lint_description_too_long => "description-too-long",
    lint_domain_mismatch => "domain-mismatch",
    lint_redirect_uris_in_json => "redirect-uris-in-json",
    lint_trailing_slash_mismatch => "trailing-slash-mismatch",
    lint_missing_redirect_uri => "missing-redirect-uri",
    lint_misplaced_field => "misplaced-field",
    lint_unknown_field => "unknown-field",
    lint_asset_processor_needs_scope => "asset-processor-needs-scope",
    lint_eula_needs_scope => "eula-needs-scope",
    lint_eula_without_asset_processor => "eula-without-asset-processor",
    lint_privacy_level_in_settings => "privacy-level-in-settings",
}

#[test]
fn lint_invalid_json() {
    let findings = canvas::lint_str("{\"title\": \"Quiz\",");
    assert_eq!(codes(&findings), ["invalid-json"]);
    assert_eq!(findings[0].path.as_deref(), Some("$"));
    assert_eq!(findings[0].severity, Severity::Error);
    assert!(findings[0].message.contains("line 1"), "{findings:?}");
    let good = serde_json::to_string(&json!(
        serde_json::from_str::<Value>(&fixture("canvas/lint/missing-field.json")).unwrap()["good"]
    ))
    .unwrap();
    assert!(
        canvas::lint_str(&format!("\u{feff}{good}")).is_empty(),
        "a byte-order mark is not an error"
    );
}

#[test]
fn every_lint_code_has_a_case_and_the_base_document_is_clean() {
    let mut with_case: BTreeSet<&str> = CASES.iter().copied().collect();
    with_case.insert("invalid-json");
    with_case.insert("too-large"); // pastes_over_one_mib_are_refused_before_parsing
    let all: BTreeSet<&str> = LINT_CODES.iter().copied().collect();
    assert_eq!(
        with_case, all,
        "each lint code needs a case file and a test"
    );
    let files: BTreeSet<String> = std::fs::read_dir(fixtures_dir().join("lint"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let cases: BTreeSet<String> = CASES.iter().map(|c| c.to_string()).collect();
    assert_eq!(files, cases, "every case file is run");
    let base: Value = serde_json::from_str(&fixture("canvas/lint/missing-field.json")).unwrap();
    let findings = canvas::lint(&base["good"]);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn lint_findings_carry_the_fix_in_plain_words() {
    let case: Value = serde_json::from_str(&fixture("canvas/lint/unknown-scope.json")).unwrap();
    let f = canvas::lint(&case["bad"])
        .into_iter()
        .find(|f| f.code == "unknown-scope")
        .unwrap();
    assert!(
        f.fix
            .contains("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem?"),
        "suggests the scope it resembles: {}",
        f.fix
    );
    let case: Value = serde_json::from_str(&fixture("canvas/lint/unknown-placement.json")).unwrap();
    let f = canvas::lint(&case["bad"])
        .into_iter()
        .find(|f| f.code == "unknown-placement")
        .unwrap();
    assert!(f.fix.contains("course_navigation"), "{}", f.fix);
    let case: Value = serde_json::from_str(&fixture("canvas/lint/unknown-field.json")).unwrap();
    let f = canvas::lint(&case["bad"])
        .into_iter()
        .find(|f| f.code == "unknown-field")
        .unwrap();
    assert!(f.message.contains("target_link_uri"), "{}", f.message);
    let case: Value =
        serde_json::from_str(&fixture("canvas/lint/privacy-level-top-level.json")).unwrap();
    assert_eq!(
        codes(&canvas::lint(&case["bad"])),
        ["privacy-level-top-level"],
        "a misplaced privacy_level is reported once, not also as a missing one"
    );
}

#[test]
fn inherited_message_types_are_checked_against_each_placement() {
    let doc = json!({
        "title": "T", "description": "", "target_link_uri": "https://t.example/launch",
        "oidc_initiation_url": "https://t.example/login", "public_jwk_url": "https://t.example/jwks",
        "extensions": [{"platform": "canvas.instructure.com", "privacy_level": "anonymous",
            "settings": {"message_type": "LtiDeepLinkingRequest", "placements": [
                {"placement": "editor_button"},
                {"placement": "course_navigation"}
            ]}}]
    });
    let findings = canvas::lint(&doc);
    let f = at(
        &findings,
        "wrong-message-type",
        "$.extensions[0].settings.message_type",
    )
    .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        f.message.contains("course_navigation") && f.message.contains("inherited"),
        "{}",
        f.message
    );
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.code == "wrong-message-type")
            .count(),
        1,
        "editor_button takes deep linking"
    );
}

// ---------------------------------------------------------------------------------------------
// Lint: odd shapes

fn check_invariants(doc: &Value, findings: &[Finding]) {
    let mut seen = std::collections::HashSet::new();
    for f in findings {
        assert!(
            seen.insert((&f.code, &f.path, &f.message)),
            "reported twice: {f:?} for {doc}"
        );
        assert!(
            LINT_CODES.contains(&f.code.as_str()),
            "unlisted code {} for {doc}",
            f.code
        );
        let path = f.path.as_deref().unwrap_or_default();
        assert!(path.starts_with('$'), "path {path:?} for {doc}");
        assert!(!f.message.is_empty() && !f.fix.is_empty(), "{f:?}");
    }
}

#[test]
fn lint_handles_odd_shapes_with_findings_at_the_right_paths() {
    let mut deep = json!("bottom");
    for _ in 0..400 {
        deep = json!([deep]);
    }
    let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
        (json!([]), vec![("not-an-object", "$")]),
        (json!(null), vec![("not-an-object", "$")]),
        (json!(3.5), vec![("not-an-object", "$")]),
        (json!("x"), vec![("not-an-object", "$")]),
        (json!(true), vec![("not-an-object", "$")]),
        (
            json!({}),
            vec![
                ("missing-field", "$.title"),
                ("missing-field", "$.description"),
                ("missing-field", "$.target_link_uri"),
                ("missing-field", "$.oidc_initiation_url"),
                ("missing-public-key", "$"),
                ("no-placements", "$"),
            ],
        ),
        (
            json!({"title": null, "description": [], "target_link_uri": {}, "oidc_initiation_url": 1}),
            vec![
                ("wrong-type", "$.title"),
                ("wrong-type", "$.description"),
                ("wrong-type", "$.target_link_uri"),
                ("wrong-type", "$.oidc_initiation_url"),
            ],
        ),
        (json!({"title": deep}), vec![("wrong-type", "$.title")]),
        (
            json!({"extensions": {"platform": "canvas.instructure.com"}}),
            vec![("wrong-type", "$.extensions")],
        ),
        (
            json!({"extensions": [
                1, null, "x", [],
                {"platform": 1, "settings": []},
                {"platform": "canvas.instructure.com", "settings": {"placements": {"a": 1}}},
                {"platform": "canvas.instructure.com", "privacy_level": 3, "domain": [],
                 "settings": {"message_type": {}, "placements": [
                    1, null, {"placement": []},
                    {"placement": "course_navigation", "message_type": 7, "enabled": "maybe",
                     "windowTarget": 5, "display_type": {}, "selection_width": -3,
                     "custom_fields": [], "labels": "x", "required_permissions": ["a"],
                     "target_link_uri": false}
                 ]}}
            ]}),
            vec![
                ("wrong-type", "$.extensions[0]"),
                ("wrong-type", "$.extensions[1]"),
                ("wrong-type", "$.extensions[2]"),
                ("wrong-type", "$.extensions[3]"),
                ("wrong-type", "$.extensions[4].platform"),
                ("wrong-type", "$.extensions[4].settings"),
                ("wrong-type", "$.extensions[5].settings.placements"),
                ("wrong-type", "$.extensions[6].privacy_level"),
                ("wrong-type", "$.extensions[6].domain"),
                ("wrong-type", "$.extensions[6].settings.message_type"),
                ("wrong-type", "$.extensions[6].settings.placements[0]"),
                ("wrong-type", "$.extensions[6].settings.placements[1]"),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[2].placement",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].message_type",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].enabled",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].windowTarget",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].display_type",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].selection_width",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].custom_fields",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].labels",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].required_permissions",
                ),
                (
                    "wrong-type",
                    "$.extensions[6].settings.placements[3].target_link_uri",
                ),
            ],
        ),
        (
            json!({"public_jwk": "x"}),
            vec![("wrong-type", "$.public_jwk")],
        ),
        (
            json!({"public_jwk": {"keys": 1}}),
            vec![("jwks-in-public-jwk", "$.public_jwk")],
        ),
        (
            json!({"public_jwk": [{"kty": "RSA"}]}),
            vec![("jwks-in-public-jwk", "$.public_jwk")],
        ),
        (
            json!({"public_jwk": {"kty": 1, "n": 5}}),
            vec![
                ("wrong-type", "$.public_jwk.kty"),
                ("wrong-type", "$.public_jwk.n"),
                ("public-jwk-missing-member", "$.public_jwk.alg"),
                ("public-jwk-missing-member", "$.public_jwk.kid"),
            ],
        ),
        (
            json!({"scopes": [1, null, {}]}),
            vec![
                ("wrong-type", "$.scopes[0]"),
                ("wrong-type", "$.scopes[1]"),
                ("wrong-type", "$.scopes[2]"),
            ],
        ),
        (json!({"scopes": "x"}), vec![("wrong-type", "$.scopes")]),
        (
            json!({"custom_fields": [1]}),
            vec![("wrong-type", "$.custom_fields")],
        ),
        (
            json!({"redirect_uris": "x"}),
            vec![("wrong-type", "$.redirect_uris")],
        ),
        (
            json!({"redirect_uris": [1]}),
            vec![("wrong-type", "$.redirect_uris[0]")],
        ),
        (
            json!({"oidc_initiation_urls": []}),
            vec![("wrong-type", "$.oidc_initiation_urls")],
        ),
        (
            json!({"oidc_initiation_urls": {"us-east-1": 1, "eu": "ftp://x.example/"}}),
            vec![
                ("wrong-type", "$.oidc_initiation_urls[\"us-east-1\"]"),
                ("invalid-url", "$.oidc_initiation_urls.eu"),
            ],
        ),
        (
            json!({"a b": 1, "": 2, "\"q\"": 3}),
            vec![
                ("unknown-field", "$[\"a b\"]"),
                ("unknown-field", "$[\"\"]"),
                ("unknown-field", "$[\"\\\"q\\\"\"]"),
            ],
        ),
    ];
    for (doc, expected) in cases {
        let findings = canvas::lint(&doc);
        check_invariants(&doc, &findings);
        assert!(has_error(&findings) || doc.get("a b").is_some(), "{doc}");
        for (code, path) in expected {
            assert!(
                at(&findings, code, path).is_some(),
                "{code} at {path} for {doc}: got {findings:#?}"
            );
        }
        // Import never panics either: it refuses, or imports what it can.
        let _ = canvas::import(&doc, Some("Odd"));
    }
}

/// A small deterministic generator of JSON made of the names Canvas uses.
struct Shapes(u64);

impl Shapes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn value(&mut self, depth: u32) -> Value {
        const KEYS: [&str; 24] = [
            "title",
            "description",
            "target_link_uri",
            "oidc_initiation_url",
            "public_jwk",
            "public_jwk_url",
            "scopes",
            "custom_fields",
            "extensions",
            "platform",
            "settings",
            "placements",
            "placement",
            "message_type",
            "privacy_level",
            "domain",
            "kty",
            "keys",
            "redirect_uris",
            "windowTarget",
            "description",
            "enabled",
            "oidc_initiation_urls",
            "selection_width",
        ];
        const STRINGS: [&str; 10] = [
            "canvas.instructure.com",
            "course_navigation",
            "editor_button",
            "LtiDeepLinkingRequest",
            "https://t.example/launch",
            "http://t.example/",
            "RSA",
            "public",
            "",
            "_blank",
        ];
        match (self.next() % if depth == 0 { 4 } else { 7 }, depth) {
            (0, _) => Value::Null,
            (1, _) => json!(self.next().is_multiple_of(3)),
            (2, _) => json!((self.next() % 2000) as i64 - 1000),
            (3, _) => json!(self.pick(&STRINGS)),
            (4, d) => Value::Array((0..self.next() % 4).map(|_| self.value(d - 1)).collect()),
            (_, d) => Value::Object(
                (0..self.next() % 6)
                    .map(|_| (self.pick(&KEYS).to_string(), self.value(d - 1)))
                    .collect(),
            ),
        }
    }
}

#[test]
fn lint_and_import_survive_generated_shapes() {
    let mut shapes = Shapes(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let doc = shapes.value(6);
        let findings = canvas::lint(&doc);
        check_invariants(&doc, &findings);
        assert_eq!(findings, canvas::lint(&doc), "lint is deterministic");
        assert!(
            !findings.is_empty(),
            "nothing generated is a clean configuration: {doc}"
        );
        if let Ok(imported) = canvas::import(&doc, Some("Generated")) {
            assert!(
                imported.tool.clone().validated().is_ok(),
                "an import is always a valid tool"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Import

fn vendor() -> Value {
    serde_json::from_str(&fixture("canvas/import-vendor.json")).unwrap()
}

#[test]
fn import_keeps_what_it_understands_and_reports_the_rest() {
    let imported = canvas::import(&vendor(), None).unwrap();
    let tool = &imported.tool;
    assert_eq!(tool.name, "Acme Labs");
    assert_eq!(
        tool.privacy_level,
        PrivacyLevel::Public,
        "the top-level privacy_level is what the vendor meant"
    );
    assert_eq!(
        tool.login_url.as_deref(),
        Some("https://labs.acme.example/lti/login")
    );
    assert_eq!(tool.jwks_url, None, "a pasted public_jwk is not a JWKS URL");
    assert_eq!(
        tool.scopes,
        [LINEITEM, SCORE, NRPS],
        "the unknown scope is dropped"
    );
    assert_eq!(tool.custom_fields.len(), 2);
    assert_eq!(tool.domain.as_deref(), Some("labs.acme.example"));
    assert_eq!(tool.canvas_tool_id.as_deref(), Some("acme-labs"));
    assert_eq!(
        tool.icon_url.as_deref(),
        Some("https://labs.acme.example/icon.png")
    );
    assert_eq!(
        tool.redirect_uris,
        [
            "https://labs.acme.example/lti/launch",
            "https://labs.acme.example/lti/deep-link"
        ],
        "every launch URL, as Canvas would need them"
    );
    let names: Vec<_> = tool
        .placements
        .iter()
        .map(|p| p.placement.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "course_navigation",
            "editor_button",
            "link_selection",
            "assignment_selection",
            "homework_submission",
            "global_navigation"
        ]
    );
    let nav = &tool.placements[0];
    assert_eq!(
        nav.text.as_deref(),
        Some("Acme Labs"),
        "settings text is the default"
    );
    assert_eq!(
        (nav.selection_width, nav.selection_height),
        (Some(800), Some(600)),
        "sizes as numbers or numeric strings"
    );
    assert_eq!(nav.window_target, Some(WindowTarget::Blank));
    assert_eq!(
        tool.placements[2].target_link_uri.as_deref(),
        Some("https://labs.acme.example/lti/deep-link"),
        "url stands in for target_link_uri"
    );
    assert_eq!(
        tool.placements[3].required_permissions,
        ["manage_assignments_add", "manage_assignments_edit"]
    );
    assert_eq!(
        tool.placements[4].launch_width, None,
        "100% is not a pixel size"
    );
    assert_eq!(
        tool.placements[5].message_type,
        MessageType::LtiResourceLinkRequest,
        "global_navigation takes resource links only"
    );

    let f = &imported.findings;
    for (code, path) in [
        ("privacy-level-top-level", "$.privacy_level"),
        ("privacy-level-moved", "$.privacy_level"),
        ("unknown-scope", "$.scopes[2]"),
        ("value-not-imported", "$.scopes[2]"),
        ("public-jwk-not-imported", "$.public_jwk"),
        ("unknown-field", "$.oidc_initiation_urls"),
        (
            "unknown-field",
            "$.extensions[0].settings.placements[0].visibility",
        ),
        (
            "unknown-field",
            "$.extensions[0].settings.placements[0].default",
        ),
        (
            "value-not-imported",
            "$.extensions[0].settings.placements[4].launch_width",
        ),
        (
            "wrong-message-type",
            "$.extensions[0].settings.placements[5].message_type",
        ),
        (
            "value-not-imported",
            "$.extensions[0].settings.placements[5].message_type",
        ),
        ("unknown-platform", "$.extensions[1].platform"),
        ("unknown-field", "$.extensions[1]"),
    ] {
        assert!(at(f, code, path).is_some(), "{code} at {path}: {f:#?}");
    }
    for finding in f {
        assert!(
            LINT_CODES.contains(&finding.code.as_str())
                || IMPORT_CODES.contains(&finding.code.as_str()),
            "{finding:?}"
        );
    }
    let mut keys: Vec<_> = f.iter().map(|f| (&f.code, &f.path)).collect();
    let before = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), before, "each (code, path) is reported once");
}

#[test]
fn import_export_lint_round_trip() {
    let (_dir, mut vault) = vault();
    let imported = vault.import_canvas(&vendor(), None, now()).unwrap();
    assert!(
        has_error(&imported.findings),
        "the vendor file has errors and still imports"
    );
    let stored = vault.tool(&imported.tool.id).unwrap();
    assert_eq!(stored, imported.tool, "the profile is stored as imported");
    let err = vault.canvas_export(&stored.id).unwrap_err();
    assert!(err.to_string().contains("no JWKS URL"), "{err}");

    vault
        .generate_key(
            &ltikeys_core::GenerateKey {
                tool: stored.id.clone(),
                bits: 2048,
                kid_scheme: ltikeys_core::KidScheme::Thumbprint,
                kid: None,
            },
            now(),
            &mut |_| {},
        )
        .unwrap();
    let exported = serde_json::to_value(vault.canvas_export(&stored.id).unwrap()).unwrap();
    let findings = canvas::lint(&exported);
    assert!(
        findings.is_empty(),
        "the export fixes every problem: {findings:#?}"
    );
    let again = canvas::import(&exported, None).unwrap();
    assert_eq!(
        again.tool,
        stored.profile.clone(),
        "importing the export gives the same tool"
    );
    assert_eq!(
        codes(&again.findings),
        ["public-jwk-not-imported"],
        "only the key stays behind"
    );
}

#[test]
fn canvas_docs_example_imports_clean_and_exports_the_same_document() {
    let doc: Value = serde_json::from_str(&fixture("canvas/canvas-docs-example.json")).unwrap();
    assert!(canvas::lint(&doc).is_empty(), "{:#?}", canvas::lint(&doc));
    let (_dir, mut vault) = vault();
    let imported = vault.import_canvas(&doc, None, now()).unwrap();
    assert!(imported.findings.is_empty(), "{:#?}", imported.findings);
    let exported = serde_json::to_value(vault.canvas_export(&imported.tool.id).unwrap()).unwrap();
    let mut expected = doc.clone();
    for p in expected["extensions"][0]["settings"]["placements"]
        .as_array_mut()
        .unwrap()
    {
        p["enabled"] = json!(true);
    }
    assert_eq!(
        exported, expected,
        "the same document, placements marked enabled"
    );
}

#[test]
fn import_refuses_only_what_cannot_name_a_tool() {
    let err = canvas::import(&json!([1, 2]), None).unwrap_err();
    assert_eq!(err.kind(), "invalid");
    assert!(err.to_string().contains("not a JSON object"), "{err}");
    let untitled = json!({"target_link_uri": "https://t.example/launch"});
    let err = canvas::import(&untitled, None).unwrap_err();
    assert_eq!(
        err.remedies(),
        [Remedy::Give {
            field: "name".into()
        }]
    );
    let err = err.to_string();
    assert!(
        err.starts_with("title:") && err.contains("give the tool a name"),
        "{err}"
    );
    let named = canvas::import(&untitled, Some(" Named ")).unwrap();
    assert_eq!(named.tool.name, "Named");
    assert_eq!(
        named.tool.launch_url.as_deref(),
        Some("https://t.example/launch")
    );
    assert!(at(&named.findings, "missing-field", "$.title").is_some());
    let renamed = canvas::import(&vendor(), Some("Acme (prod)")).unwrap();
    assert_eq!(renamed.tool.name, "Acme (prod)", "--name beats the title");

    let (_dir, mut vault) = vault();
    vault.import_canvas(&vendor(), None, now()).unwrap();
    let err = vault.import_canvas(&vendor(), None, now()).unwrap_err();
    assert_eq!(err.kind(), "tool_exists");
}

#[test]
fn import_drops_values_a_tool_cannot_hold() {
    let doc = json!({
        "title": "Loose", "description": "",
        "target_link_uri": "ftp://loose.example/launch",
        "oidc_initiation_url": "http://loose.example/login",
        "public_jwk_url": "https://loose.example/jwks",
        "custom_fields": {"bad name": "x", "n": 1, "ok": "$Canvas.user.id"},
        "redirect_uris": ["https://loose.example/launch", "nope"],
        "extensions": [{"platform": "canvas.instructure.com", "domain": "https://loose.example",
            "privacy_level": "everything",
            "settings": {"placements": [
                {"placement": "course_navigation", "display_type": "sideways", "windowTarget": "_self"},
                {"placement": "course_navigation"},
                {"placement": "nowhere"}
            ]}}]
    });
    let imported = canvas::import(&doc, None).unwrap();
    let tool = &imported.tool;
    assert_eq!(
        tool.launch_url, None,
        "a scheme that is not http(s) is dropped"
    );
    assert_eq!(
        tool.login_url.as_deref(),
        Some("http://loose.example/login"),
        "plain http is kept, as Canvas keeps it"
    );
    let http = imported
        .findings
        .iter()
        .find(|f| f.code == "http-url")
        .expect("plain http is warned about");
    assert_eq!(http.severity, Severity::Warning);
    assert_eq!(http.path.as_deref(), Some("$.oidc_initiation_url"));
    assert_eq!(
        tool.domain.as_deref(),
        Some("loose.example"),
        "a domain written as a URL keeps its host"
    );
    assert!(at(
        &imported.findings,
        "value-changed",
        "$.extensions[0].domain"
    )
    .is_some());
    assert_eq!(tool.privacy_level, PrivacyLevel::Anonymous);
    assert_eq!(
        tool.custom_fields.keys().collect::<Vec<_>>(),
        ["ok"],
        "only well-formed custom fields"
    );
    assert_eq!(tool.redirect_uris, ["https://loose.example/launch"]);
    assert_eq!(tool.placements.len(), 1);
    assert_eq!(tool.placements[0].display_type, None);
    assert_eq!(tool.placements[0].window_target, None);
    let dropped: Vec<_> = imported
        .findings
        .iter()
        .filter(|f| f.code == "value-not-imported")
        .filter_map(|f| f.path.as_deref())
        .collect();
    for path in [
        "$.target_link_uri",
        "$.custom_fields[\"bad name\"]",
        "$.custom_fields.n",
        "$.redirect_uris[1]",
        "$.extensions[0].privacy_level",
        "$.extensions[0].settings.placements[0].display_type",
        "$.extensions[0].settings.placements[0].windowTarget",
        "$.extensions[0].settings.placements[1]",
        "$.extensions[0].settings.placements[2]",
    ] {
        assert!(dropped.contains(&path), "{path} not in {dropped:#?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The profile in the store, edits and validation

#[test]
fn updates_are_checked_stored_and_logged_by_field() {
    let (_dir, mut vault) = vault();
    let tool = vault.add_tool(minimal_tool(), now()).unwrap();
    let mut edit = tool.profile.clone();
    edit.scopes.push(SCORE.into());
    edit.placements.push(placement("editor_button"));
    edit.privacy_level = PrivacyLevel::EmailOnly;
    let updated = vault
        .update_tool("Flashcards", edit.clone(), now())
        .unwrap();
    assert_eq!(updated.id, tool.id);
    assert_eq!(updated.profile.scopes, [SCORE]);
    assert_eq!(
        updated.profile.placements[1].message_type,
        MessageType::LtiDeepLinkingRequest
    );
    assert_eq!(vault.tool(&tool.id).unwrap(), updated, "stored");
    let events = vault.events(&tool.id).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.action, "tool changed");
    assert_eq!(last.detail, "privacy level, scopes, placements");

    vault.update_tool(&tool.id, edit, now()).unwrap();
    assert_eq!(
        vault.events(&tool.id).unwrap().len(),
        events.len(),
        "saving an unchanged tool logs nothing"
    );

    vault.add_tool(full_tool(), now()).unwrap();
    let mut rename = updated.profile.clone();
    rename.name = "quiz engine".into();
    let err = vault.update_tool(&tool.id, rename, now()).unwrap_err();
    assert_eq!(err.kind(), "tool_exists");
    let err = vault
        .update_tool("nope", minimal_tool(), now())
        .unwrap_err();
    assert_eq!(err.kind(), "tool_not_found");
}

fn invalid(edit: impl FnOnce(&mut ToolProfile)) -> String {
    let mut tool = full_tool();
    edit(&mut tool);
    let err = tool.validated().unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    err.to_string()
}

#[test]
fn validation_names_the_field_and_the_fix() {
    let err = invalid(|t| t.scopes.push("score".into()));
    assert!(
        err.starts_with("scope 4:") && err.contains(&format!("did you mean {SCORE}")),
        "{err}"
    );
    let err = invalid(|t| t.scopes.push(SCORE.into()));
    assert!(err.starts_with("scopes:") && err.contains("twice"), "{err}");
    let err = invalid(|t| t.placements.push(placement("course_navigation")));
    assert!(
        err.starts_with("placement 5 (course_navigation):") && err.contains("already"),
        "{err}"
    );
    let err = invalid(|t| t.placements[0].message_type = MessageType::LtiDeepLinkingRequest);
    assert!(
        err.starts_with("placement 1 (course_navigation) message type:"),
        "{err}"
    );
    let err = invalid(|t| t.placements[1].placement = "editor".into());
    assert!(err.starts_with("placement 2:"), "{err}");
    let err = invalid(|t| t.icon_url = Some("data:image/png;base64,AAAA".into()));
    assert!(err.starts_with("icon URL:"), "{err}");
    let err = invalid(|t| {
        t.custom_fields.insert("user id".into(), "x".into());
    });
    assert!(err.starts_with("custom field user id:"), "{err}");
    let err = invalid(|t| t.canvas_tool_id = Some("x".repeat(256)));
    assert!(err.starts_with("Canvas tool id:"), "{err}");
    let err = invalid(|t| t.placements[1].selection_width = Some(0));
    assert!(
        err.starts_with("placement 2 (editor_button) selection width:"),
        "{err}"
    );

    let (_dir, mut vault) = vault();
    let tool = vault.add_tool(minimal_tool(), now()).unwrap();
    let mut edit = tool.profile.clone();
    edit.scopes.push("https://example.org/scope".into());
    assert!(vault.update_tool(&tool.id, edit, now()).is_err());
    assert_eq!(
        vault.tool(&tool.id).unwrap(),
        tool,
        "a refused edit changes nothing"
    );
}

#[test]
fn tools_from_before_the_profile_read_as_canvas_defaults() {
    let (dir, mut vault) = vault();
    let tool: Tool = vault.add_tool(full_tool(), now()).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("ltikeys.sqlite3")).unwrap();
    conn.execute("UPDATE tools SET profile = '{}'", []).unwrap();
    let old = vault.tool(&tool.id).unwrap();
    assert_eq!(old.profile.privacy_level, PrivacyLevel::Anonymous);
    assert!(
        old.profile.scopes.is_empty()
            && old.profile.placements.is_empty()
            && old.profile.custom_fields.is_empty()
    );
    assert_eq!(
        old.profile.launch_url, tool.profile.launch_url,
        "the other fields stay"
    );

    conn.execute("UPDATE tools SET profile = 'not json'", [])
        .unwrap();
    assert!(
        vault.tool(&tool.id).is_err(),
        "a damaged profile is an error, never silently emptied"
    );
}

#[test]
fn pastes_over_one_mib_are_refused_before_parsing() {
    let huge = format!("{{\"title\":\"{}\"}}", "x".repeat(1024 * 1024));
    let err = canvas::parse(&huge).unwrap_err();
    assert_eq!(err.kind(), "invalid");
    assert!(err.to_string().contains("1 MiB"), "{err}");
    let findings = canvas::lint_str(&huge);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "too-large");
    assert!(LINT_CODES.contains(&"too-large"), "a listed code");
    assert!(canvas::parse("{\"title\":\"ok\"}").is_ok());
    assert!(
        canvas::parse("\u{feff}{}").is_ok(),
        "a byte-order mark is fine"
    );
    let err = canvas::parse("{").unwrap_err();
    assert!(err.to_string().contains("it is not JSON (EOF"), "{err}");
}

#[test]
fn an_empty_public_jwk_beside_the_url_is_one_note_and_nothing_else() {
    let case: Value = serde_json::from_str(&fixture("canvas/lint/empty-public-jwk.json")).unwrap();
    let findings = canvas::lint(&case["bad"]);
    let about_the_key: Vec<_> = findings
        .iter()
        .filter(|f| {
            f.path
                .as_deref()
                .is_some_and(|p| p.starts_with("$.public_jwk"))
        })
        .collect();
    assert_eq!(about_the_key.len(), 1, "{findings:#?}");
    assert_eq!(about_the_key[0].code, "empty-public-jwk");
}

// ---------------------------------------------------------------------------------------------
// Asset processor and EULA

const NOTICE_HANDLERS: &str = "https://purl.imsglobal.org/spec/lti/scope/noticehandlers";
const EULA_USER: &str = "https://purl.imsglobal.org/spec/lti/scope/eula/user";

/// A document processor: an asset processor placement, the scopes it needs, and a EULA launch.
fn asset_processor() -> ToolProfile {
    ToolProfile {
        name: "Originality Check".into(),
        description: "Checks submissions for originality".into(),
        login_url: Some("https://check.example.org/lti/login".into()),
        launch_url: Some("https://check.example.org/lti/launch".into()),
        redirect_uris: vec!["https://check.example.org/lti/launch".into()],
        jwks_url: Some("https://check.example.org/jwks.json".into()),
        privacy_level: PrivacyLevel::Anonymous,
        scopes: vec![
            NOTICE_HANDLERS.into(),
            "https://purl.imsglobal.org/spec/lti/scope/asset.readonly".into(),
            "https://purl.imsglobal.org/spec/lti/scope/report".into(),
            EULA_USER.into(),
        ],
        placements: vec![Placement {
            message_type: MessageType::LtiDeepLinkingRequest,
            ..placement("ActivityAssetProcessor")
        }],
        eula: Some(Eula {
            target_link_uri: Some("https://check.example.org/lti/eula".into()),
            custom_fields: [("eula_version".to_string(), "2".to_string())].into(),
        }),
        ..ToolProfile::default()
    }
}

#[test]
fn an_asset_processor_exports_its_eula_as_message_settings_in_both_forms() {
    let (_dir, mut vault) = vault();
    let tool = vault.add_tool(asset_processor(), now()).unwrap();
    let paste = vault.canvas_export(&tool.id).unwrap().to_pretty_json();
    golden("export-asset-processor.json", &paste);
    let doc: Value = serde_json::from_str(&paste).unwrap();
    let settings = &doc["extensions"][0]["settings"];
    assert_eq!(
        settings["message_settings"],
        json!([{"type": "LtiEulaRequest", "enabled": true,
            "target_link_uri": "https://check.example.org/lti/eula",
            "custom_fields": {"eula_version": "2"}}])
    );
    assert_eq!(
        settings["placements"][0]["message_type"],
        "LtiDeepLinkingRequest"
    );
    let findings = canvas::lint(&doc);
    let warned: Vec<_> = findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| f.code.as_str())
        .collect();
    assert_eq!(
        warned,
        ["placement-needs-feature-flag"],
        "only that the placement is behind Canvas's feature flag"
    );

    let api = vault.canvas_export_api(&tool.id).unwrap();
    assert_eq!(
        api["launch_settings"]["message_settings"], settings["message_settings"],
        "the API form keeps the EULA launch in launch_settings"
    );
    assert_eq!(api["placements"][0]["placement"], "ActivityAssetProcessor");

    let back = canvas::import(&doc, None).unwrap();
    assert_eq!(
        back.tool, tool.profile,
        "the EULA survives export and import"
    );
    assert!(
        !codes(&back.findings).contains(&"value-not-imported")
            && !codes(&back.findings).contains(&"unknown-field"),
        "nothing dropped: {:#?}",
        back.findings
    );
}

#[test]
fn an_asset_processor_without_the_notice_handler_scope_does_not_export() {
    let (_dir, mut vault) = vault();
    let mut profile = asset_processor();
    profile.scopes.retain(|s| s != NOTICE_HANDLERS);
    let tool = vault.add_tool(profile, now()).unwrap();
    let err = vault.canvas_export(&tool.id).unwrap_err().to_string();
    assert!(
        err.contains("ActivityAssetProcessor needs the scope") && err.contains(NOTICE_HANDLERS),
        "{err}"
    );
    assert!(
        err.contains(&format!("add {NOTICE_HANDLERS} to scopes")),
        "{err}"
    );
    assert!(
        vault.canvas_export_api(&tool.id).is_err(),
        "nor in the API form"
    );

    let mut profile = asset_processor();
    profile.name = "Deep links only".into();
    profile.placements[0].message_type = MessageType::LtiResourceLinkRequest;
    let err = profile.validated().unwrap_err().to_string();
    assert!(
        err.contains("ActivityAssetProcessor") && err.contains("LtiDeepLinkingRequest"),
        "an asset processor is a deep-linking launch: {err}"
    );
}

#[test]
fn a_eula_without_its_scope_or_its_processor_exports_with_warnings() {
    let (_dir, mut vault) = vault();
    let mut profile = asset_processor();
    profile.scopes.retain(|s| s != EULA_USER);
    let tool = vault.add_tool(profile, now()).unwrap();
    let doc = serde_json::to_value(vault.canvas_export(&tool.id).unwrap()).unwrap();
    let path = "$.extensions[0].settings.message_settings[0].type";
    let f = at(&canvas::lint(&doc), "eula-needs-scope", path)
        .cloned()
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.fix.contains(EULA_USER), "{}", f.fix);

    let mut profile = asset_processor();
    profile.name = "EULA only".into();
    profile.placements = vec![placement("course_navigation")];
    let tool = vault.add_tool(profile, now()).unwrap();
    let doc = serde_json::to_value(vault.canvas_export(&tool.id).unwrap()).unwrap();
    let f = at(&canvas::lint(&doc), "eula-without-asset-processor", path)
        .cloned()
        .unwrap();
    assert!(f.message.contains("never sent"), "{}", f.message);
}

#[test]
fn import_reads_a_eula_from_message_settings_or_from_the_placement() {
    let mut doc: Value =
        serde_json::from_str(&fixture("canvas/export-asset-processor.json")).unwrap();
    let settings = &mut doc["extensions"][0]["settings"];
    let eula = settings
        .as_object_mut()
        .unwrap()
        .remove("message_settings")
        .unwrap()[0]
        .clone();
    let mut placement_eula = eula.clone();
    placement_eula.as_object_mut().unwrap().remove("type");
    placement_eula.as_object_mut().unwrap().remove("enabled");
    settings["placements"][0]["eula"] = placement_eula;
    let imported = canvas::import(&doc, None).unwrap();
    assert_eq!(
        imported.tool.eula,
        asset_processor().eula,
        "the placement's eula object (the older form) is read too"
    );

    let mut doc: Value =
        serde_json::from_str(&fixture("canvas/export-asset-processor.json")).unwrap();
    doc["extensions"][0]["settings"]["message_settings"] = json!([
        {"type": "LtiEulaRequest", "enabled": false},
        {"type": "LtiContextLaunch", "enabled": true},
        "eula"
    ]);
    let imported = canvas::import(&doc, None).unwrap();
    assert_eq!(imported.tool.eula, None);
    let dropped: Vec<_> = imported
        .findings
        .iter()
        .filter(|f| f.code == "value-not-imported")
        .filter_map(|f| f.path.as_deref())
        .collect();
    for i in 0..3 {
        let path = format!("$.extensions[0].settings.message_settings[{i}]");
        assert!(dropped.contains(&path.as_str()), "{path} in {dropped:#?}");
    }
}

#[test]
fn a_privacy_level_inside_settings_is_warned_about_and_imported_as_meant() {
    let case: Value =
        serde_json::from_str(&fixture("canvas/lint/privacy-level-in-settings.json")).unwrap();
    let findings = canvas::lint(&case["bad"]);
    assert_eq!(
        codes(&findings),
        ["privacy-level-in-settings"],
        "one warning, not also a missing privacy level or an unknown field"
    );
    assert!(
        findings[0].message.contains("launches as 'anonymous'"),
        "{}",
        findings[0].message
    );
    let imported = canvas::import(&case["bad"], None).unwrap();
    assert_eq!(imported.tool.privacy_level, PrivacyLevel::Public);
    let moved = at(
        &imported.findings,
        "privacy-level-moved",
        "$.extensions[0].settings.privacy_level",
    )
    .expect("the import says where it read the level");
    assert!(
        moved.message.contains("as the vendor meant"),
        "{}",
        moved.message
    );
    let exported = canvas::export(
        &Tool {
            id: "t".into(),
            profile: imported.tool,
            created_at: now(),
        },
        None,
    )
    .unwrap();
    assert_eq!(exported.extensions[0].privacy_level, PrivacyLevel::Public);

    let mut both = case["bad"].clone();
    both["extensions"][0]["privacy_level"] = json!("name_only");
    let imported = canvas::import(&both, None).unwrap();
    assert_eq!(
        imported.tool.privacy_level,
        PrivacyLevel::NameOnly,
        "the extension's level is the one Canvas applies"
    );
    let f = at(
        &imported.findings,
        "privacy-level-in-settings",
        "$.extensions[0].settings.privacy_level",
    )
    .unwrap();
    assert!(
        f.message.contains("launches as 'name_only'"),
        "{}",
        f.message
    );
}

// ---------------------------------------------------------------------------------------------
// Documents vendors publish (fixtures/canvas/vendor, sources in its README)

const VENDOR_DOCS: [&str; 10] = [
    "carnap",
    "celtic-rating",
    "celtic-webpa",
    "courselore",
    "hypothesis",
    "seb-gators-for-honor",
    "seb-gators-for-honor-indexed",
    "tsugi-canvas-config",
    "udoit",
    "wordpress-lti",
];

fn vendor_doc(name: &str) -> Value {
    serde_json::from_str(&fixture(&format!("canvas/vendor/{name}.json"))).unwrap()
}

/// Every non-empty scalar of `v` with its path, in the lint's path syntax.
fn leaves(v: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    format!("{path}.{k}")
                } else {
                    format!("{path}[\"{k}\"]")
                };
                leaves(v, p, out);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                leaves(v, format!("{path}[{i}]"), out);
            }
        }
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        scalar => out.push((path, scalar.clone())),
    }
}

#[test]
fn vendor_documents_import_with_every_value_kept_or_named() {
    let files: BTreeSet<String> = std::fs::read_dir(fixtures_dir().join("vendor"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension()? == "json")
                .then(|| path.file_stem().unwrap().to_string_lossy().into())
        })
        .collect();
    let listed: BTreeSet<String> = VENDOR_DOCS.iter().map(|s| s.to_string()).collect();
    assert_eq!(files, listed, "every vendor document is tested");

    for name in VENDOR_DOCS {
        let doc = vendor_doc(name);
        let imported = canvas::import(&doc, None)
            .unwrap_or_else(|e| panic!("{name}: a vendor document imports: {e}"));
        // A tool without a key set of its own (its public_jwk is never imported) exports with
        // a stand-in URL, so the export can be compared.
        let mut profile = imported.tool.clone();
        profile
            .jwks_url
            .get_or_insert_with(|| "https://stand-in.example/jwks".into());
        let tool = Tool {
            id: "t".into(),
            profile,
            created_at: now(),
        };
        // What the imported tool holds, as JSON: its profile and, when it exports, the export.
        let mut kept = vec![];
        leaves(
            &serde_json::to_value(&imported.tool).unwrap(),
            "$".into(),
            &mut kept,
        );
        if let Ok(exported) = canvas::export(&tool, None) {
            leaves(
                &serde_json::to_value(&exported).unwrap(),
                "$".into(),
                &mut kept,
            );
        }
        let named: Vec<&str> = imported
            .findings
            .iter()
            .filter_map(|f| f.path.as_deref())
            .collect();
        let mut values = vec![];
        leaves(&doc, "$".into(), &mut values);
        for (path, value) in values {
            // Named: a finding sits at the value, or at the object or list holding it.
            let is_named = named.iter().any(|n| {
                path == *n
                    || path.starts_with(&format!("{n}."))
                    || path.starts_with(&format!("{n}["))
            });
            // Kept: the tool holds the value (trimmed, as import trims).
            let is_kept = kept.iter().any(|(_, v)| match (v, &value) {
                (Value::String(a), Value::String(b)) => a == b.trim(),
                (a, b) => a == b,
            });
            assert!(
                is_named || is_kept,
                "{name}: {path} = {value} was dropped without a word; findings: {:#?}",
                imported.findings
            );
        }
    }
}

#[test]
fn vendor_documents_keep_what_the_vendor_meant() {
    // Carnap: privacy_level inside settings, settings-level text and selection size.
    let carnap = canvas::import(&vendor_doc("carnap"), None).unwrap();
    assert_eq!(carnap.tool.privacy_level, PrivacyLevel::Public);
    assert!(codes(&carnap.findings).contains(&"privacy-level-in-settings"));
    let nav = &carnap.tool.placements[0];
    assert_eq!(
        (
            nav.text.as_deref(),
            nav.selection_width,
            nav.selection_height
        ),
        (Some("Carnap"), Some(800), Some(800))
    );
    assert_eq!(nav.window_target, Some(WindowTarget::Blank));
    assert!(
        carnap
            .findings
            .iter()
            .all(|f| f.severity != Severity::Error),
        "{:#?}",
        carnap.findings
    );

    // Hypothesis: plain http everywhere, kept, each warned about once.
    let hypothesis = canvas::import(&vendor_doc("hypothesis"), None).unwrap();
    assert_eq!(
        hypothesis.tool.launch_url.as_deref(),
        Some("http://example.com/lti_launches")
    );
    assert_eq!(
        hypothesis.tool.jwks_url.as_deref(),
        Some("http://example.com/lti/1.3/jwks")
    );
    assert_eq!(hypothesis.tool.custom_fields.len(), 15);
    let http: Vec<_> = hypothesis
        .findings
        .iter()
        .filter(|f| f.code == "http-url")
        .collect();
    assert_eq!(http.len(), 5, "{http:#?}");
    assert!(http.iter().all(|f| f.severity == Severity::Warning));
    let (_dir, mut vault) = vault();
    let added = vault
        .import_canvas(&vendor_doc("hypothesis"), None, now())
        .unwrap();
    let again = serde_json::to_value(vault.canvas_export(&added.tool.id).unwrap()).unwrap();
    assert_eq!(
        canvas::import(&again, None).unwrap().tool,
        added.tool.profile,
        "an http tool exports and imports back unchanged"
    );

    // Tsugi: one redirect URI given as a string is kept, and said.
    let tsugi = canvas::import(&vendor_doc("tsugi-canvas-config"), None).unwrap();
    assert_eq!(tsugi.tool.redirect_uris.len(), 1);
    assert!(at(&tsugi.findings, "value-changed", "$.redirect_uris").is_some());

    // UDOIT: a domain written as a URL keeps its host; the key-set array is named.
    let udoit = canvas::import(&vendor_doc("udoit"), None).unwrap();
    assert_eq!(udoit.tool.domain.as_deref(), Some("127.0.0.1:8000"));
    assert!(at(&udoit.findings, "value-changed", "$.extensions[0].domain").is_some());
    assert!(at(&udoit.findings, "jwks-in-public-jwk", "$.public_jwk").is_some());

    // The Safe Exam Browser revision: an empty public_jwk and a blank domain are no problem.
    let seb = canvas::import(&vendor_doc("seb-gators-for-honor-indexed"), None).unwrap();
    let worth_a_look: Vec<_> = seb
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .collect();
    assert!(worth_a_look.is_empty(), "{worth_a_look:#?}");
}
