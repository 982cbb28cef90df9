//! `ltikeys assertion`, `check token`, `inspect` and `jwks find` against platforms on
//! 127.0.0.1 that answer as Canvas, Brightspace and Moodle do: they fetch the tool's JWKS URL
//! (served on 127.0.0.1 too), verify the client assertion, and answer with their error bodies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use ltikeys_core::testing::{refused_url, Reply, Request, Server};
use ltikeys_core::HttpClient;
use serde_json::{json, Value};

use crate::support::{add_quiz_engine, verify_in_pyjwt, Env};

const CLIENT_ID: &str = "10000000000042";
const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const BRIGHTSPACE_AUDIENCE: &str = "https://api.brightspace.com/auth/token";

#[derive(Clone, Copy, PartialEq)]
enum Lms {
    Canvas,
    Brightspace,
    Moodle,
}

/// How a platform's token endpoint checks a client assertion, and what it answers.
struct TokenEndpoint {
    lms: Lms,
    /// The developer key: its client_id, the JWKS URL it fetches, the scopes enabled on it.
    client_id: String,
    jwks_url: String,
    scopes: Vec<String>,
    /// The access tokens handed out.
    issued: Mutex<Vec<String>>,
}

fn bad(status: u16, body: Value) -> Reply {
    Reply::new(status, body.to_string()).content_type("application/json")
}

impl TokenEndpoint {
    fn answer(&self, req: &Request) -> Reply {
        if req.method != "POST" {
            return Reply::new(405, "");
        }
        let form: HashMap<String, String> = req.form().into_iter().collect();
        if form.get("grant_type").map(String::as_str) != Some("client_credentials")
            || form.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return bad(400, json!({"error": "unsupported_grant_type"}));
        }
        let token = form.get("client_assertion").cloned().unwrap_or_default();
        let Ok(header) = jsonwebtoken::decode_header(&token) else {
            return bad(400, json!({"error": "invalid_request"}));
        };
        let claims: Value = jsonwebtoken::dangerous::insecure_decode(&token)
            .map(|d| d.claims)
            .unwrap_or(Value::Null);
        // The developer key is looked up by the assertion's sub.
        if claims["sub"] != self.client_id.as_str() || claims["iss"] != self.client_id.as_str() {
            return match self.lms {
                Lms::Canvas => bad(
                    401,
                    json!({"error": "invalid_client", "error_description": "Client not found"}),
                ),
                _ => bad(401, json!({"error": "invalid_client"})),
            };
        }
        let jwks: Value = match HttpClient::default().fetch(&self.jwks_url) {
            Ok(f) => serde_json::from_slice(&f.body).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        let kid = header.kid.unwrap_or_default();
        let Some(jwk) = jwks["keys"]
            .as_array()
            .and_then(|keys| keys.iter().find(|k| k["kid"] == kid.as_str()))
        else {
            return bad(
                400,
                json!({"error": "invalid_request",
                    "error_description": "JSON::JWK::Set::KidNotFound"}),
            );
        };
        let key = DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap_or(""),
            jwk["e"].as_str().unwrap_or(""),
        )
        .unwrap();
        let audience = match self.lms {
            Lms::Brightspace => BRIGHTSPACE_AUDIENCE.to_string(),
            _ => format!("{}/token", req.base),
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        if jsonwebtoken::decode::<Value>(&token, &key, &validation).is_err() {
            return bad(
                400,
                json!({"error": "invalid_request", "error_description": "JWS signature invalid."}),
            );
        }
        if claims["aud"] != audience.as_str() {
            return bad(
                400,
                json!({"error": "invalid_request",
                    "error_description": "Invalid audience: the aud claim is not this platform's"}),
            );
        }
        let asked: Vec<&str> = form
            .get("scope")
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default();
        if let Some(scope) = asked.iter().find(|s| !self.scopes.iter().any(|e| e == *s)) {
            return bad(
                400,
                json!({"error": "invalid_scope",
                    "error_description": format!("{scope} is not enabled on the developer key")}),
            );
        }
        let access = format!(
            "{}-access-{}",
            self.client_id,
            self.issued.lock().unwrap().len()
        )
        .repeat(3);
        self.issued.lock().unwrap().push(access.clone());
        bad(
            200,
            json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                "scope": asked.join(" ")}),
        )
    }
}

/// A tool whose JWKS URL is served on 127.0.0.1 (what it serves can be changed), with a key.
struct Setup {
    env: Env,
    tool_jwks: Arc<Mutex<String>>,
    _tool_server: Server,
    jwks_url: String,
}

fn setup() -> Setup {
    let env = Env::new();
    add_quiz_engine(&env);
    let tool_jwks = Arc::new(Mutex::new(String::from("{\"keys\":[]}")));
    let served = tool_jwks.clone();
    let tool_server = Server::start(move |_| Reply::json(served.lock().unwrap().clone()));
    let jwks_url = tool_server.url("/jwks.json");
    env.ok(&[
        "tool",
        "edit",
        "Quiz Engine",
        "--jwks-url",
        &jwks_url,
        "--scope",
        SCORE,
    ]);
    env.ok(&["key", "new", "--tool", "Quiz Engine"]);
    *tool_jwks.lock().unwrap() = env.ok(&["jwks", "--tool", "Quiz Engine"]);
    Setup {
        env,
        tool_jwks,
        _tool_server: tool_server,
        jwks_url,
    }
}

/// A platform answering as `lms`, recorded, with a registration of the tool on it.
fn platform(s: &Setup, lms: Lms, scopes: &[&str]) -> (Server, Arc<TokenEndpoint>, String) {
    let endpoint = Arc::new(TokenEndpoint {
        lms,
        client_id: CLIENT_ID.into(),
        jwks_url: s.jwks_url.clone(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        issued: Mutex::new(vec![]),
    });
    let e = endpoint.clone();
    let server = Server::start(move |req| e.answer(req));
    let name = format!("Test LMS {}", server.port());
    s.env.ok(&[
        "platform",
        "add",
        &name,
        "--preset",
        "custom",
        "--issuer",
        &server.url(""),
        "--auth-url",
        &server.url("/auth"),
        "--token-url",
        &server.url("/token"),
        "--jwks-url",
        &server.url("/platform-jwks"),
    ]);
    let reg = s
        .env
        .ok(&[
            "registration",
            "add",
            "--tool",
            "Quiz Engine",
            "--platform",
            &name,
            "--client-id",
            CLIENT_ID,
            "--deployment-id",
            "1:abc",
        ])
        .trim()
        .to_string();
    (server, endpoint, reg)
}

/// `check token REG --json` with the exit status it must have.
fn token_test(env: &Env, reg: &str, code: i32) -> Value {
    serde_json::from_str(&env.code(&["check", "token", reg, "--json"], code)).unwrap()
}

fn codes(test: &Value) -> Vec<&str> {
    test["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn a_canvas_that_fetches_the_tools_jwks_grants_a_token_shown_only_masked() {
    let s = setup();
    let (server, endpoint, reg) = platform(&s, Lms::Canvas, &[SCORE]);
    let test = token_test(&s.env, &reg, 0);
    assert_eq!(test["outcome"], "granted", "{test:#}");
    let issued = endpoint.issued.lock().unwrap().clone();
    assert_eq!(issued.len(), 1);
    let masked = test["granted"]["access_token_masked"].as_str().unwrap();
    assert!(
        masked.contains('…') && masked.contains("characters"),
        "{masked}"
    );
    let text = s.env.ok(&["check", "token", &reg]);
    assert!(
        text.contains("granted:") && text.contains("expires in: 3600 s"),
        "{text}"
    );
    for token in endpoint.issued.lock().unwrap().iter() {
        assert!(!text.contains(token.as_str()) && !test.to_string().contains(token.as_str()));
    }
    assert_eq!(test["granted"]["scopes"], json!([SCORE]));

    // What the platform received: a client_credentials request with the tool's assertion.
    let post = server
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    let form: HashMap<String, String> = post.form().into_iter().collect();
    assert_eq!(form["scope"], SCORE);
    let claims: Value = jsonwebtoken::dangerous::insecure_decode(&form["client_assertion"])
        .unwrap()
        .claims;
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(claims["aud"], server.url("/token"));
}

#[test]
fn each_refusal_is_named_with_its_cause_and_fix() {
    let s = setup();
    let (_server, _endpoint, reg) = platform(&s, Lms::Canvas, &[SCORE]);

    // The platform's developer key lacks a scope the tool asks for.
    s.env
        .ok(&["tool", "edit", "Quiz Engine", "--scope", LINEITEM]);
    let test = token_test(&s.env, &reg, 1);
    assert_eq!(codes(&test), ["invalid-scope"], "{test:#}");
    assert!(test["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains(LINEITEM));
    s.env
        .ok(&["tool", "edit", "Quiz Engine", "--remove-scope", LINEITEM]);

    // The JWKS URL does not publish the current kid (a rotation not yet published).
    let published = s.tool_jwks.lock().unwrap().clone();
    *s.tool_jwks.lock().unwrap() = "{\"keys\":[]}".into();
    let test = token_test(&s.env, &reg, 1);
    assert_eq!(codes(&test), ["kid-not-found"], "{test:#}");
    assert_eq!(test["description"], "JSON::JWK::Set::KidNotFound");
    let remedies = test["findings"][0]["remedies"].to_string();
    assert!(
        remedies.contains("check_jwks") && remedies.contains(&s.jwks_url),
        "{remedies}"
    );

    // The same kid published with another key: the signature does not verify.
    let mut other: Value = serde_json::from_str(&published).unwrap();
    let env2 = Env::new();
    env2.ok(&["tool", "add", "Other"]);
    env2.ok(&["key", "new", "--tool", "Other"]);
    let other_jwks: Value = serde_json::from_str(&env2.ok(&["jwks", "--tool", "Other"])).unwrap();
    other["keys"][0]["n"] = other_jwks["keys"][0]["n"].clone();
    *s.tool_jwks.lock().unwrap() = other.to_string();
    let test = token_test(&s.env, &reg, 1);
    assert_eq!(codes(&test), ["signature-invalid"], "{test:#}");
    *s.tool_jwks.lock().unwrap() = published;

    // A client_id the platform does not know.
    s.env
        .ok(&["registration", "update", &reg, "--client-id", "999"]);
    let test = token_test(&s.env, &reg, 1);
    assert_eq!(codes(&test), ["client-not-found"], "{test:#}");
    assert!(test["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("'999'"));
    s.env
        .ok(&["registration", "update", &reg, "--client-id", CLIENT_ID]);
    token_test(&s.env, &reg, 0);
}

#[test]
fn brightspace_wants_its_audience_and_moodle_grants() {
    let s = setup();
    let (server, _endpoint, reg) = platform(&s, Lms::Brightspace, &[SCORE]);
    let test = token_test(&s.env, &reg, 1);
    assert_eq!(codes(&test), ["audience-rejected"], "{test:#}");
    assert!(test["findings"][0]["remedies"]
        .to_string()
        .contains("token_audience"));
    let name = format!("Test LMS {}", server.port());
    s.env.ok(&[
        "platform",
        "update",
        &name,
        "--audience",
        BRIGHTSPACE_AUDIENCE,
    ]);
    let test = token_test(&s.env, &reg, 0);
    assert_eq!(test["audience"], BRIGHTSPACE_AUDIENCE);

    let s = setup();
    let (_server, _endpoint, reg) = platform(&s, Lms::Moodle, &[SCORE, LINEITEM]);
    let test = token_test(&s.env, &reg, 0);
    assert_eq!(test["granted"]["token_type"], "Bearer");
}

#[test]
fn a_token_url_that_is_no_token_endpoint_or_does_not_answer_is_said_so() {
    let s = setup();
    let (_server, _endpoint, reg) = platform(&s, Lms::Canvas, &[SCORE]);
    let reg_json = s.env.json(&["registration", "show", &reg, "--json"]);
    let platform = reg_json["platform_id"].as_str().unwrap().to_string();
    let cases: [(Reply, &str); 3] = [
        (
            Reply::new(200, "<html><body>Sign in</body></html>").content_type("text/html"),
            "html-answer",
        ),
        (Reply::new(405, ""), "method-not-allowed"),
        (Reply::new(401, ""), "unauthorized"),
    ];
    for (reply, code) in cases {
        let other = Server::always(reply);
        s.env.ok(&[
            "platform",
            "update",
            &platform,
            "--token-url",
            &other.url("/token"),
        ]);
        let test = token_test(&s.env, &reg, 1);
        assert_eq!(codes(&test), [code], "{test:#}");
    }
    s.env.ok(&[
        "platform",
        "update",
        &platform,
        "--token-url",
        &refused_url("/token"),
    ]);
    let test = token_test(&s.env, &reg, 2);
    assert_eq!(test["outcome"], "no_answer");
    assert_eq!(codes(&test), ["no-answer-connect-error"], "{test:#}");
}

#[test]
fn the_assertion_verifies_in_pyjwt_against_the_exported_jwks() {
    let s = setup();
    let (server, _endpoint, reg) = platform(&s, Lms::Canvas, &[SCORE]);
    let token = s.env.ok(&["assertion", &reg, "--deployment-id", "1:abc"]);
    let token = token.trim();
    let jwks = s.env.file("jwks.json", &s.tool_jwks.lock().unwrap());
    let json = s.env.json(&["assertion", &reg, "--json"]);
    assert_eq!(json["claims"]["iss"], CLIENT_ID);
    assert_eq!(json["header"]["kid"], json["kid"]);
    verify_in_pyjwt(token, &jwks, CLIENT_ID, &server.url("/token"), "1:abc");
}

#[test]
fn an_assertion_needs_a_current_key_it_can_sign_with() {
    let env = Env::new();
    add_quiz_engine(&env);
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let reg = env
        .ok(&[
            "registration",
            "add",
            "--tool",
            "Quiz Engine",
            "--platform",
            "Acme Canvas",
            "--client-id",
            CLIENT_ID,
        ])
        .trim()
        .to_string();
    let err = env.fails(&["assertion", &reg]);
    assert!(
        err.contains("no current key") && err.contains("key new"),
        "{err}"
    );
    let err = env.fails(&["assertion", "nope"]);
    assert!(err.contains("nope"), "{err}");
}
