//! `ltikeys tool …`: add, list, show, edit, placements and the rotation policy.

use serde_json::{json, Value};

use crate::support::{add_quiz_engine, quiz, Env, ADD_QUIZ_ENGINE};

pub(crate) const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// Builds, flag by flag, the tool of the core's export golden file.
pub(crate) fn build_quiz_engine(env: &Env) {
    env.ok(&[&ADD_QUIZ_ENGINE[..], &["--domain", "quiz.example.edu"]].concat());
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
fn tools_are_added_listed_and_shown_by_id_or_name() {
    let env = Env::new();
    let id = add_quiz_engine(&env);
    assert!(
        !id.is_empty() && !id.contains(char::is_whitespace),
        "tool add prints the id: {id:?}"
    );
    let list = env.json(&["tool", "list", "--json"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["key_count"], 0);
    for who in [id.as_str(), "Quiz Engine", "quiz engine"] {
        let tool = env.json(&["tool", "show", who, "--json"]);
        assert_eq!(tool["id"], id.as_str(), "found by {who}");
        assert_eq!(tool["redirect_uris"].as_array().unwrap().len(), 2);
        assert_eq!(tool["domain"], "quiz.example.edu");
    }
    let text = env.ok(&["tool", "show", "Quiz Engine"]);
    assert!(
        text.contains("https://quiz.example.edu/lti/login"),
        "{text}"
    );
}

#[test]
fn bad_input_names_the_field_and_the_fix_and_keeps_nothing() {
    let env = Env::new();
    let err = env.fails(&[
        "tool",
        "add",
        "X",
        "--launch-url",
        "quiz.example.edu/launch",
    ]);
    assert!(
        err.contains("launch URL") && err.contains("https://") && err.contains("Fix:"),
        "{err}"
    );
    let err = env.fails(&["tool", "add", "X", "--domain", "https://quiz.example.edu"]);
    assert!(err.contains("domain") && err.contains("scheme"), "{err}");
    assert_eq!(
        env.json(&["tool", "list", "--json"]),
        serde_json::json!([]),
        "nothing half-made"
    );
    add_quiz_engine(&env);
    let err = env.fails(&["tool", "add", "quiz engine"]);
    assert!(err.contains("already exists"), "{err}");
    let err = env.fails(&["key", "new", "--tool", "nope"]);
    assert!(
        err.contains("no tool") && err.contains("ltikeys tool list"),
        "{err}"
    );
    let err = env.fails(&["key", "new", "--tool", "Quiz Engine", "--bits", "1024"]);
    assert!(err.contains("2048, 3072 or 4096"), "{err}");
    let err = env.fails(&["key", "new", "--tool", "Quiz Engine", "--kid", "has space"]);
    assert!(err.starts_with("error: kid:"), "{err}");
    let err = env.fails(&["jwk", "--tool", "Quiz Engine", "--kid", "absent"]);
    assert!(err.contains("absent"), "{err}");
    let err = env.usage_error(&[
        "key",
        "export-private",
        "--tool",
        "Quiz Engine",
        "--kid",
        "k",
        "--out",
        "/tmp/x.pem",
    ]);
    assert!(
        err.contains("--passphrase-file") || err.contains("--unencrypted"),
        "{err}"
    );
    assert_eq!(
        env.json(&["jwks", "--tool", "Quiz Engine"]),
        serde_json::json!({"keys": []})
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
                "ftp://quiz.example.edu/x",
            ],
            &["launch URL:", "scheme 'ftp'"],
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
fn the_policy_is_shown_set_and_checked() {
    let env = quiz();
    let state = env.json(&["tool", "policy", "Quiz", "--json"]);
    assert_eq!(state["policy"]["pre_publish_secs"], 86_400);
    assert_eq!(state["policy"]["overlap_secs"], 604_800);
    assert_eq!(state["policy"]["rotate_every_secs"], Value::Null);
    let state = env.json(&[
        "tool",
        "policy",
        "Quiz",
        "--pre-publish",
        "2d",
        "--overlap",
        "36h",
        "--rotate-every",
        "90d",
        "--json",
    ]);
    assert_eq!(state["policy"]["pre_publish_secs"], 172_800);
    assert_eq!(state["policy"]["overlap_secs"], 129_600);
    assert_eq!(state["policy"]["rotate_every_secs"], 7_776_000);
    let text = env.ok(&["tool", "policy", "Quiz"]);
    assert!(
        text.contains("overlap:      36h") && text.contains("rotate every: 90d"),
        "{text}"
    );
    let err = env.fails(&["tool", "policy", "Quiz", "--overlap", "a week"]);
    assert!(err.contains("--overlap") && err.contains("7d"), "{err}");
    let err = env.fails(&["tool", "policy", "Quiz", "--rotate-every", "1h"]);
    assert!(err.contains("rotate-every"), "{err}");
    env.ok(&["tool", "policy", "Quiz", "--rotate-every", "off"]);
    assert_eq!(
        env.json(&["tool", "policy", "Quiz", "--json"])["policy"]["rotate_every_secs"],
        Value::Null
    );
    let err = env.fails(&["key", "rotate", "--tool", "Quiz"]);
    assert!(err.contains("no current key"), "{err}");
}

#[test]
fn tool_remove_refuses_a_tool_with_registrations_and_asks_for_yes_off_a_terminal() {
    let env = Env::new();
    let id = env.tool("Quiz");
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let reg = env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz",
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000001",
        "--deployment-id",
        "1:abc",
    ]);

    let err = env.fails(&["tool", "remove", "Quiz", "--yes"]);
    assert!(err.contains("still has 1 registration(s)"), "{err}");
    assert!(
        err.contains("pass --with-registrations")
            && err.contains("`ltikeys registration list --tool Quiz`"),
        "the remedy is phrased as the flag and the command: {err}"
    );
    let err = env.fails(&["tool", "remove", "Quiz", "--with-registrations"]);
    assert!(
        err.contains("tool 'Quiz' with 0 key(s) and 1 registration(s) would be removed")
            && err.contains("--yes"),
        "not a terminal: nobody can confirm, so it asks for --yes: {err}"
    );
    assert_eq!(
        env.json(&["tool", "show", "Quiz", "--json"])["id"],
        id.as_str()
    );
    assert_eq!(
        env.json(&["registration", "show", &reg, "--json"])["id"],
        reg.as_str()
    );

    let removed = env.json(&[
        "tool",
        "remove",
        "quiz",
        "--with-registrations",
        "--yes",
        "--json",
    ]);
    assert_eq!(
        removed,
        json!({
            "tool_id": id,
            "tool": "Quiz",
            "keys": [],
            "registrations": 1,
            "deployments": 1,
        })
    );
    assert_eq!(env.json(&["tool", "list", "--json"]), json!([]));
    assert_eq!(env.json(&["registration", "list", "--json"]), json!([]));
    env.fails(&["registration", "show", &reg]);
    // The platform the registration was on has none left, and can go.
    env.ok_stderr(&["platform", "remove", "Acme Canvas"]);

    let err = env.fails(&["tool", "remove", "Quiz", "--yes"]);
    assert!(err.contains("no tool named or with id 'Quiz'"), "{err}");
}

#[test]
fn tool_remove_says_what_it_removed() {
    let env = quiz();
    let err = env.ok_stderr(&["tool", "remove", "Quiz", "--yes"]);
    assert!(
        err.starts_with("removed tool 'Quiz' (t")
            && err.contains("with 0 key(s) and 0 registration(s) (0 deployment id(s))"),
        "{err}"
    );
    assert_eq!(
        env.ok(&["tool", "list"]).lines().count(),
        1,
        "only the hint is left"
    );
}

#[test]
fn plain_http_is_kept_with_a_warning_and_a_eula_launch_is_set_and_removed() {
    let env = Env::new();
    let out = env.run(&[
        "tool",
        "add",
        "Legacy",
        "--launch-url",
        "http://legacy.example.edu/launch",
        "--login-url",
        "http://localhost:8000/login",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: launch URL 'http://legacy.example.edu/launch' uses plain http")
            && err.contains("use https://"),
        "{err}"
    );
    assert!(!err.contains("localhost"), "loopback http is fine: {err}");
    let tool = env.json(&["tool", "show", "Legacy", "--json"]);
    assert_eq!(tool["launch_url"], "http://legacy.example.edu/launch");

    let err = env.ok_stderr(&[
        "tool",
        "edit",
        "Legacy",
        "--eula-url",
        "https://legacy.example.edu/eula",
        "--eula-custom-field",
        "eula_version=3",
    ]);
    assert!(err.contains("updated Legacy: EULA"), "{err}");
    let tool = env.json(&["tool", "show", "Legacy", "--json"]);
    assert_eq!(
        tool["eula"],
        json!({"target_link_uri": "https://legacy.example.edu/eula",
            "custom_fields": {"eula_version": "3"}})
    );
    let text = env.ok(&["tool", "show", "Legacy"]);
    assert!(
        text.contains("EULA launch:    https://legacy.example.edu/eula")
            && text.contains("EULA custom:    eula_version=3"),
        "{text}"
    );
    let err = env.fails(&["tool", "edit", "Legacy", "--eula-url", "/eula"]);
    assert!(err.contains("EULA target link URI"), "{err}");
    let err = env.fails(&["tool", "edit", "Legacy", "--eula-custom-field", "v"]);
    assert!(
        err.contains("--eula-custom-field") && err.contains("NAME=VALUE"),
        "{err}"
    );
    env.usage_error(&["tool", "edit", "Legacy", "--eula", "--no-eula"]);

    env.ok(&["tool", "edit", "Legacy", "--no-eula"]);
    let tool = env.json(&["tool", "show", "Legacy", "--json"]);
    assert!(tool.get("eula").is_none(), "{tool}");
    env.ok(&["tool", "edit", "Legacy", "--eula"]);
    let text = env.ok(&["tool", "show", "Legacy"]);
    assert!(text.contains("EULA launch:    the launch URL"), "{text}");
}
