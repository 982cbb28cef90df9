//! `ltikeys dynreg export`: the Dynamic Registration tool configuration, and the tool it refuses.

use crate::support::{add_quiz_engine, quiz};

const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";

#[test]
fn a_tool_with_every_url_exports_its_registration() {
    let env = crate::support::Env::new();
    add_quiz_engine(&env);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "course_navigation",
        "--text",
        "Quizzes",
    ]);
    let reg = env.json(&["dynreg", "export", "--tool", "Quiz Engine"]);
    assert_eq!(reg["application_type"], "web");
    assert_eq!(
        reg["grant_types"],
        serde_json::json!(["implicit", "client_credentials"])
    );
    assert_eq!(reg["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(
        reg["jwks_uri"],
        "https://quiz.example.edu/.well-known/jwks.json"
    );
    assert_eq!(reg["redirect_uris"].as_array().unwrap().len(), 2);
    let lti = &reg[TOOL_CONFIGURATION];
    assert_eq!(lti["domain"], "quiz.example.edu");
    assert_eq!(lti["messages"][0]["label"], "Quizzes");
    assert_eq!(lti["messages"][0]["placements"][0], "course_navigation");
}

#[test]
fn a_tool_without_a_jwks_url_is_told_to_set_one() {
    let env = quiz();
    let err = env.fails(&["dynreg", "export", "--tool", "Quiz"]);
    assert!(
        err.contains("JWKS URL") && err.contains("jwks_uri"),
        "{err}"
    );
    assert!(err.contains("--jwks-url"), "the CLI names its flag: {err}");
}
