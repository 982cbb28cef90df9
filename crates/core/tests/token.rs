//! The JWT inspector on tokens signed by a test platform's key (its JWKS served on 127.0.0.1)
//! and by the tool's key: valid, expired, not yet valid, wrong audience, unknown kid, bad
//! signature, unknown deployment, a deep-linking response whose iss is not the client_id, an
//! HS256 lti_message_hint; and a kid found in a key set.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{Duration, Utc};
use ltikeys_core::secret::MemoryStore;
use ltikeys_core::testing::{Reply, Server};
use ltikeys_core::token::{Inspection, SignatureStatus, TokenKind};
use ltikeys_core::vault::KeySetSource;
use ltikeys_core::{
    GenerateKey, HttpClient, Jwk, Jwks, KeyPair, KeySize, KidScheme, NewDeployment, NewPlatform,
    NewRegistration, PlatformFamily, Remedy, Severity, ToolProfile, Vault,
};
use serde_json::{json, Value};

const CLIENT_ID: &str = "10000000000042";
const ISSUER: &str = "https://canvas.test.example";
const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";

struct World {
    _dir: tempfile::TempDir,
    vault: Vault,
    platform_key: KeyPair,
    tool_kid: String,
    _server: Server,
    registration: String,
}

/// A tool with a key, a platform whose JWKS (kid `p1`) is served on 127.0.0.1, and a
/// registration with deployment `1:abc`.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_with(dir.path(), Box::<MemoryStore>::default()).unwrap();
    vault
        .add_tool(
            ToolProfile {
                name: "Quiz".into(),
                ..ToolProfile::default()
            },
            Utc::now(),
        )
        .unwrap();
    let key = vault
        .generate_key(
            &GenerateKey {
                tool: "Quiz".into(),
                bits: 2048,
                kid_scheme: KidScheme::Thumbprint,
                kid: None,
            },
            Utc::now(),
            &mut |_| {},
        )
        .unwrap();
    let platform_key = KeyPair::generate(KeySize::Bits2048).unwrap();
    let jwks = Jwks {
        keys: vec![Jwk::new("p1", &platform_key.public_key())],
    };
    let body = jwks.to_pretty_json();
    let server = Server::start(move |_| Reply::json(body.clone()));
    let mut platform = NewPlatform::from_preset("Test Canvas", PlatformFamily::Custom, None);
    platform.issuer = Some(ISSUER.into());
    platform.auth_url = Some(format!("{ISSUER}/api/lti/authorize_redirect"));
    platform.token_url = Some(format!("{ISSUER}/login/oauth2/token"));
    platform.jwks_url = Some(server.url("/api/lti/security/jwks"));
    vault.add_platform(platform, Utc::now()).unwrap();
    let registration = vault
        .add_registration(
            NewRegistration {
                tool: "Quiz".into(),
                platform: "Test Canvas".into(),
                client_id: CLIENT_ID.into(),
                deployments: vec![NewDeployment::new("1:abc")],
            },
            Utc::now(),
        )
        .unwrap()
        .id;
    World {
        _dir: dir,
        vault,
        platform_key,
        tool_kid: key.key.kid,
        _server: server,
        registration,
    }
}

fn sign(key: &KeyPair, header: Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// A resource-link id_token as the platform sends it, valid now.
fn launch() -> Value {
    let now = Utc::now().timestamp();
    json!({
        "iss": ISSUER, "aud": CLIENT_ID, "sub": "user-1", "nonce": "n-1",
        "iat": now, "exp": now + 300,
        format!("{LTI}message_type"): "LtiResourceLinkRequest",
        format!("{LTI}version"): "1.3.0",
        format!("{LTI}deployment_id"): "1:abc",
        format!("{LTI}target_link_uri"): "https://quiz.example.edu/launch",
        format!("{LTI}resource_link"): {"id": "rl-1"},
    })
}

fn inspect(w: &World, token: &str) -> Inspection {
    w.vault
        .inspect_jwt(token, Some(&HttpClient::default()), Utc::now())
        .unwrap()
}

fn codes(i: &Inspection) -> Vec<&str> {
    i.findings.iter().map(|f| f.code.as_str()).collect()
}

fn errors(i: &Inspection) -> Vec<&str> {
    i.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str())
        .collect()
}

/// A change to a token's claims.
type Edit = Box<dyn Fn(&mut Value)>;

fn platform_token(w: &World, claims: &Value) -> String {
    sign(
        &w.platform_key,
        json!({"alg": "RS256", "typ": "JWT", "kid": "p1"}),
        claims,
    )
}

#[test]
fn a_valid_launch_finds_its_registration_and_verifies_with_the_platforms_jwks() {
    let w = world();
    let i = inspect(&w, &platform_token(&w, &launch()));
    assert_eq!(i.kind, TokenKind::ResourceLinkRequest);
    assert_eq!(
        i.registration.as_ref().map(|r| r.registration.as_str()),
        Some(w.registration.as_str())
    );
    assert_eq!(
        i.signature.status,
        SignatureStatus::Verified,
        "{:?}",
        i.signature
    );
    assert!(i.signature.key.as_deref().unwrap().contains("kid 'p1'"));
    assert!(i.findings.is_empty(), "{:#?}", i.findings);
    assert_eq!(i.exit_code(), 0);

    let offline = w
        .vault
        .inspect_jwt(&platform_token(&w, &launch()), None, Utc::now())
        .unwrap();
    assert_eq!(offline.signature.status, SignatureStatus::Unverified);
    assert_eq!(codes(&offline), ["not-fetched"]);
}

#[test]
fn each_broken_claim_of_a_launch_is_a_finding_with_its_code() {
    let w = world();
    let now = Utc::now().timestamp();
    let cases: Vec<(&str, Edit)> = vec![
        ("expired", Box::new(move |c| c["exp"] = json!(now - 600))),
        (
            "not-yet-valid",
            Box::new(move |c| c["nbf"] = json!(now + 3600)),
        ),
        (
            "issued-in-the-future",
            Box::new(move |c| c["iat"] = json!(now + 900)),
        ),
        (
            "nonce-missing",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("nonce");
            }),
        ),
        (
            "version-not-1.3.0",
            Box::new(|c| c[format!("{LTI}version")] = json!("1.1")),
        ),
        (
            "missing-claim",
            Box::new(|c| {
                c.as_object_mut()
                    .unwrap()
                    .remove(&format!("{LTI}resource_link"));
            }),
        ),
        (
            "deployment-missing",
            Box::new(|c| {
                c.as_object_mut()
                    .unwrap()
                    .remove(&format!("{LTI}deployment_id"));
            }),
        ),
    ];
    for (code, edit) in cases {
        let mut claims = launch();
        edit(&mut claims);
        let i = inspect(&w, &platform_token(&w, &claims));
        assert!(codes(&i).contains(&code), "{code}: {:#?}", i.findings);
        assert_eq!(i.signature.status, SignatureStatus::Verified, "{code}");
    }
    let mut claims = launch();
    claims["exp"] = json!(now - 7200);
    let i = inspect(&w, &platform_token(&w, &claims));
    let f = i.findings.iter().find(|f| f.code == "expired").unwrap();
    assert!(
        f.message.contains("2 h ago") && f.message.contains("clock reads"),
        "{}",
        f.message
    );
    assert_eq!(i.exit_code(), 1);
}

#[test]
fn an_unknown_deployment_is_offered_to_be_added() {
    let w = world();
    let mut claims = launch();
    claims[format!("{LTI}deployment_id")] = json!("2:new");
    let i = inspect(&w, &platform_token(&w, &claims));
    let f = i
        .findings
        .iter()
        .find(|f| f.code == "deployment-unknown")
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.remedies,
        [Remedy::AddDeployment {
            registration: w.registration.clone(),
            deployment_id: Some("2:new".into()),
        }]
    );
}

#[test]
fn a_wrong_audience_an_unknown_kid_and_a_bad_signature_are_each_named() {
    let w = world();
    let mut claims = launch();
    claims["aud"] = json!("someone-else");
    let i = inspect(&w, &platform_token(&w, &claims));
    assert!(i.registration.is_none());
    assert_eq!(codes(&i), ["registration-not-found"], "{:#?}", i.findings);

    let token = sign(
        &w.platform_key,
        json!({"alg": "RS256", "kid": "p-rotated"}),
        &launch(),
    );
    let i = inspect(&w, &token);
    assert_eq!(errors(&i), ["kid-not-found"], "{:#?}", i.findings);
    let f = &i.findings[0];
    assert!(
        f.message.contains("holds p1"),
        "the kids there are named: {}",
        f.message
    );

    let other = KeyPair::generate(KeySize::Bits2048).unwrap();
    let forged = sign(&other, json!({"alg": "RS256", "kid": "p1"}), &launch());
    let i = inspect(&w, &forged);
    assert_eq!(i.signature.status, SignatureStatus::Invalid);
    assert_eq!(errors(&i), ["signature-invalid"]);
    assert!(i.findings[0].message.contains("JWS signature invalid"));

    let mut hs = platform_token(&w, &launch());
    hs.replace_range(
        ..hs.find('.').unwrap(),
        &URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"p1"}"#),
    );
    let i = inspect(&w, &hs);
    assert_ne!(
        i.signature.status,
        SignatureStatus::Verified,
        "HS256 is never checked with RSA"
    );
    assert!(errors(&i).contains(&"alg-not-rs256"), "{:#?}", i.findings);
}

#[test]
fn a_deep_linking_response_whose_iss_is_not_the_client_id_is_client_not_found() {
    let mut w = world();
    let now = Utc::now().timestamp();
    let response = |iss: &str| {
        json!({
            "iss": iss, "aud": ISSUER, "iat": now, "exp": now + 300, "nonce": "x",
            format!("{LTI}message_type"): "LtiDeepLinkingResponse",
            format!("{LTI}version"): "1.3.0",
            format!("{LTI}deployment_id"): "1:abc",
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [],
            "https://purl.imsglobal.org/spec/lti-dl/claim/data": "d",
        })
    };
    let signing_input = |claims: &Value, kid: &str| {
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": kid}).to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    };
    let tool_sign = |vault: &Vault, claims: &Value, kid: &str| {
        let input = signing_input(claims, kid);
        let sig = vault.sign("Quiz", kid, input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    };
    let kid = w.tool_kid.clone();

    let good = tool_sign(&w.vault, &response(CLIENT_ID), &kid);
    let i = inspect(&w, &good);
    assert_eq!(i.kind, TokenKind::DeepLinkingResponse);
    assert_eq!(
        i.signature.status,
        SignatureStatus::Verified,
        "{:?}",
        i.signature
    );
    assert!(i.signature.key.as_deref().unwrap().contains("Quiz's key"));
    assert!(errors(&i).is_empty(), "{:#?}", i.findings);

    let bad = tool_sign(&w.vault, &response("Quiz Engine"), &kid);
    let i = inspect(&w, &bad);
    assert_eq!(errors(&i), ["iss-not-client-id"], "{:#?}", i.findings);
    let f = &i.findings[0];
    assert!(
        f.message.contains("Client not found") && f.message.contains(CLIENT_ID),
        "{}",
        f.message
    );
    assert_eq!(
        i.signature.status,
        SignatureStatus::Verified,
        "the key is still found by kid"
    );

    // iss and aud the wrong way round.
    let mut swapped = response(ISSUER);
    swapped["aud"] = json!(CLIENT_ID);
    let i = inspect(&w, &tool_sign(&w.vault, &swapped, &kid));
    assert!(codes(&i).contains(&"iss-aud-swapped"), "{:#?}", i.findings);

    // The tool's live JWKS URL not publishing the kid: what the platform will answer.
    let empty = Server::always(Reply::json("{\"keys\":[]}"));
    let mut profile = w.vault.tool("Quiz").unwrap().profile;
    profile.jwks_url = Some(empty.url("/jwks.json"));
    w.vault.update_tool("Quiz", profile, Utc::now()).unwrap();
    let i = inspect(&w, &good);
    assert_eq!(errors(&i), ["kid-not-published"], "{:#?}", i.findings);
}

#[test]
fn the_client_assertion_passes_the_inspector() {
    let w = world();
    let assertion = w
        .vault
        .client_assertion(&w.registration, Some("1:abc"), Utc::now())
        .unwrap();
    let i = inspect(&w, &assertion.token);
    assert_eq!(i.kind, TokenKind::ClientAssertion);
    assert_eq!(i.signature.status, SignatureStatus::Verified);
    assert!(i.findings.is_empty(), "{:#?}", i.findings);
    let later = w
        .vault
        .inspect_jwt(&assertion.token, None, Utc::now() + Duration::minutes(6))
        .unwrap();
    assert!(
        codes(&later).contains(&"expired"),
        "five minutes, then expired"
    );
}

#[test]
fn an_lti_message_hint_is_said_to_be_opaque_and_is_not_verified() {
    let w = world();
    let hint = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(
            json!({"verifier": "abc", "canvas_domain": "canvas.test.example",
                "context_type": "Course", "exp": Utc::now().timestamp() + 300})
            .to_string()
        ),
        URL_SAFE_NO_PAD.encode([7u8; 32])
    );
    let i = inspect(&w, &hint);
    assert_eq!(i.kind, TokenKind::MessageHint);
    assert_eq!(codes(&i), ["message-hint"]);
    assert_eq!(i.signature.status, SignatureStatus::Unverified);
    assert!(i
        .signature
        .detail
        .contains("never checked against an RSA key"));
    assert_eq!(i.exit_code(), 0);
}

#[test]
fn a_kid_is_found_in_a_key_set_by_url_or_text() {
    let w = world();
    let client = HttpClient::default();
    let jwks = w.vault.jwks("Quiz").unwrap().to_pretty_json();
    let found = w
        .vault
        .find_kid(&client, &KeySetSource::Text(jwks.clone()), &w.tool_kid)
        .unwrap();
    assert!(found.found && found.kids == [w.tool_kid.clone()]);
    assert_eq!(found.key.as_ref().unwrap()["kty"], "RSA");
    let missing = w
        .vault
        .find_kid(&client, &KeySetSource::Text(jwks), "gone")
        .unwrap();
    assert!(!missing.found);
    assert!(missing.findings[0].message.contains(&w.tool_kid));
    let server = Server::always(Reply::json(
        json!([{"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB"}]).to_string(),
    ));
    let bare = w
        .vault
        .find_kid(&client, &KeySetSource::Url(server.url("/jwks")), "a")
        .unwrap();
    assert!(bare.found);
    assert_eq!(bare.findings[0].code, "missing-keys-wrapper");
    assert!(w
        .vault
        .find_kid(&client, &KeySetSource::Text("{}".into()), " ")
        .is_err());
}

#[test]
fn a_client_assertion_with_another_sub_or_aud_and_a_launch_without_azp_are_named() {
    let w = world();
    let now = Utc::now().timestamp();
    let kid = w.tool_kid.clone();
    let tool_sign = |claims: &Value| {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": kid}).to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = w.vault.sign("Quiz", &kid, input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    };
    let token_url = format!("{ISSUER}/login/oauth2/token");
    let assertion = json!({"iss": CLIENT_ID, "sub": "someone", "aud": token_url, "jti": "j",
        "iat": now, "exp": now + 300});
    let i = inspect(&w, &tool_sign(&assertion));
    assert_eq!(i.kind, TokenKind::ClientAssertion);
    assert_eq!(errors(&i), ["sub-not-client-id"], "{:#?}", i.findings);
    let mut assertion = json!({"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": ISSUER, "jti": "j",
        "iat": now, "exp": now + 300});
    let i = inspect(&w, &tool_sign(&assertion));
    assert_eq!(i.kind, TokenKind::ClientAssertion);
    assert_eq!(
        errors(&i),
        ["aud-mismatch"],
        "the token URL, not the issuer: {:#?}",
        i.findings
    );
    assertion["aud"] = json!(token_url);
    assert!(errors(&inspect(&w, &tool_sign(&assertion))).is_empty());

    let mut claims = launch();
    claims["aud"] = json!([CLIENT_ID, "another-client"]);
    let i = inspect(&w, &platform_token(&w, &claims));
    assert!(codes(&i).contains(&"azp-missing"), "{:#?}", i.findings);
    claims["azp"] = json!("another-client");
    let i = inspect(&w, &platform_token(&w, &claims));
    assert!(
        i.registration.is_none(),
        "azp names the client the token is for"
    );

    let registration_token = sign(
        &w.platform_key,
        json!({"alg": "RS256", "kid": "p1"}),
        &json!({"uuid": "u-1", "user_id": 1, "initiated_at": "2026-12-03T10:00:00Z",
            "exp": now + 3600}),
    );
    let i = inspect(&w, &registration_token);
    assert_eq!(i.kind, TokenKind::RegistrationToken);
    assert!(errors(&i).is_empty(), "{:#?}", i.findings);
}

#[test]
fn the_token_test_obeys_the_fetch_limits() {
    use ltikeys_core::http::HttpLimits;
    use ltikeys_core::token::endpoint::{self, TestContext};
    use ltikeys_core::token::TokenOutcome;
    let ctx = TestContext {
        registration: "r".into(),
        tool: "Quiz".into(),
        tool_jwks_url: None,
        platform: "P".into(),
        client_id: CLIENT_ID.into(),
        audience: "a".into(),
        kid: "k".into(),
    };
    let quick = HttpClient::new(HttpLimits {
        connect_timeout: std::time::Duration::from_secs(1),
        total_timeout: std::time::Duration::from_millis(500),
        max_bytes: 1024,
        max_redirects: 0,
    });
    let silent = Server::always(Reply::Silent);
    let test = endpoint::test(&quick, "a.b.c", &silent.url("/token"), &[], &ctx);
    assert_eq!(test.outcome, TokenOutcome::NoAnswer);
    assert_eq!(test.findings[0].code, "no-answer-timeout");
    let huge = Server::always(Reply::json("x".repeat(4096)));
    let test = endpoint::test(&quick, "a.b.c", &huge.url("/token"), &[], &ctx);
    assert_eq!(test.findings[0].code, "no-answer-too-large");
    let test = endpoint::test(&quick, "a.b.c", "http://lms.example.edu/token", &[], &ctx);
    assert_eq!(test.findings[0].code, "no-answer-insecure-url");
}
