//! JWKS checks against real HTTP servers on 127.0.0.1: good and broken key sets, slow and huge
//! bodies, redirects, TLS and insecure URLs, and the live check of a tool's published kids.

use std::sync::atomic::Ordering;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use ltikeys_core::check::{analyse, max_age, ExpectedKey, UnpublishedKid};
use ltikeys_core::testing::{refused_url, Reply, Request, Server};
use ltikeys_core::{
    check_jwks, check_many, ExpectedKeys, Fetched, HttpClient, HttpLimits, Jwk, JwksCheck,
    JwksRole, KeyPair, KeySize, KeyStatus, Severity,
};
use serde_json::{json, Value};

const TOTAL: Duration = Duration::from_secs(2);
const CAP: u64 = 1024 * 1024;

fn client() -> HttpClient {
    HttpClient::new(HttpLimits {
        connect_timeout: Duration::from_secs(1),
        total_timeout: TOTAL,
        max_bytes: CAP,
        max_redirects: 3,
    })
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
}

/// Three real 2048-bit public JWKs, made once: kids k1, k2, k3.
fn jwks() -> &'static [Jwk; 3] {
    static KEYS: OnceLock<[Jwk; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let make = |kid: &str| {
            let key = KeyPair::generate(KeySize::Bits2048).unwrap();
            Jwk::new(kid, &key.public_key())
        };
        [make("k1"), make("k2"), make("k3")]
    })
}

fn jwk(i: usize) -> Value {
    serde_json::to_value(&jwks()[i]).unwrap()
}

fn set(keys: Vec<Value>) -> String {
    json!({ "keys": keys }).to_string()
}

/// A 1024-bit RSA modulus, base64url.
fn weak_modulus() -> String {
    use base64::Engine as _;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.n().to_bytes_be())
}

/// The broken and good JWKS responses, by path.
fn routes(request: &Request) -> Reply {
    let good = || set(vec![jwk(0), jwk(1)]);
    match request.path.as_str() {
        "/good" => Reply::json(good()),
        "/jwk-set-type" => Reply::json(good()).content_type("application/jwk-set+json"),
        "/charset" => Reply::json(good()).content_type("Application/JSON; charset=utf-8"),
        "/no-type" => Reply::json(good()).without("Content-Type"),
        "/bare" => Reply::json(json!([jwk(0), jwk(1)]).to_string()),
        "/single" => Reply::json(jwk(0).to_string()),
        "/html-500" => Reply::new(500, "<!doctype html><html><body>Oops</body></html>")
            .header("Content-Type", "text/html"),
        "/html-200" => Reply::new(200, "\n<!DOCTYPE html><html><body>Sign in</body></html>")
            .header("Content-Type", "text/html; charset=utf-8"),
        "/trickle" => Reply::Trickle {
            every: Duration::from_millis(200),
        },
        "/stalled-body" => Reply::Trickle {
            every: Duration::from_secs(60),
        },
        "/silent" => Reply::Silent,
        "/huge" => Reply::Huge {
            bytes: 50 * 1024 * 1024,
            content_length: false,
        },
        "/huge-announced" => Reply::Huge {
            bytes: 50 * 1024 * 1024,
            content_length: true,
        },
        "/redirect" => Reply::redirect("/good"),
        "/loop-a" => Reply::redirect("/loop-b"),
        "/loop-b" => Reply::redirect("/loop-a"),
        "/to-insecure" => Reply::redirect("http://example.invalid/jwks"),
        "/duplicate" => {
            let mut other = jwk(1);
            other["kid"] = json!("k1");
            Reply::json(set(vec![jwk(0), other]))
        }
        "/no-kid" => {
            let mut key = jwk(0);
            key.as_object_mut().unwrap().remove("kid");
            Reply::json(set(vec![key, jwk(1)]))
        }
        "/ec" => Reply::json(set(vec![
            jwk(0),
            json!({"kty": "EC", "crv": "P-256", "kid": "ec1", "alg": "ES256", "use": "sig",
                   "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                   "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}),
        ])),
        "/weak" => {
            let mut key = jwk(0);
            key["n"] = json!(weak_modulus());
            Reply::json(set(vec![key]))
        }
        "/no-alg" => {
            let mut key = jwk(0);
            key.as_object_mut().unwrap().remove("alg");
            Reply::json(set(vec![key]))
        }
        "/private" => {
            let mut key = jwk(0);
            for member in ["d", "p", "q", "dp", "dq", "qi"] {
                key[member] = json!("AQAB");
            }
            Reply::json(set(vec![jwk(1), key]))
        }
        "/no-cache" => Reply::json(good()).without("Cache-Control"),
        "/long-cache" => Reply::json(good())
            .without("Cache-Control")
            .header("Cache-Control", "public, max-age=604800"),
        "/empty" => Reply::json(r#"{"keys": []}"#),
        _ => Reply::new(404, "not found").header("Content-Type", "text/plain"),
    }
}

fn check(server: &Server, path: &str, role: JwksRole) -> JwksCheck {
    check_jwks(&client(), &server.url(path), role, None, now())
}

fn codes(check: &JwksCheck) -> Vec<&str> {
    check.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding<'a>(check: &'a JwksCheck, code: &str) -> &'a ltikeys_core::Finding {
    check
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} finding in {:?}", codes(check)))
}

#[test]
fn a_good_jwks_passes_with_its_facts() {
    let server = Server::start(routes);
    let c = check(&server, "/good", JwksRole::Tool);
    assert_eq!(c.findings, [], "a good JWKS has nothing to report");
    assert_eq!(c.exit_code(), 0);
    assert_eq!(c.status, Some(200));
    assert_eq!(c.content_type.as_deref(), Some("application/json"));
    assert_eq!(c.cache_control.as_deref(), Some("public, max-age=300"));
    assert_eq!(c.max_age, Some(300));
    assert_eq!(c.bytes, set(vec![jwk(0), jwk(1)]).len() as u64);
    assert!(c.latency_ms.is_some());
    assert_eq!(c.checked_at, now());
    assert_eq!(c.keys.len(), 2);
    assert_eq!(c.keys[0].kid.as_deref(), Some("k1"));
    assert_eq!(c.keys[0].kty, "RSA");
    assert_eq!(c.keys[0].alg.as_deref(), Some("RS256"));
    assert_eq!(c.keys[0].use_.as_deref(), Some("sig"));
    assert_eq!(c.keys[0].bits, Some(2048));
    let value = serde_json::to_value(&c).unwrap();
    assert_eq!(value["keys"][0]["use"], "sig", "the JSON member is `use`");
}

#[test]
fn content_type_must_be_application_json() {
    let server = Server::start(routes);
    let c = check(&server, "/jwk-set-type", JwksRole::Tool);
    assert_eq!(codes(&c), ["content-type"]);
    let f = finding(&c, "content-type");
    assert_eq!(f.severity, Severity::Error, "Canvas fails on it");
    assert!(
        f.message.contains("application/jwk-set+json"),
        "{}",
        f.message
    );
    assert!(f.message.contains("KidNotFound"), "{}", f.message);
    assert!(f.fix.contains("application/json"));
    assert_eq!(c.exit_code(), 1);

    let platform = check(&server, "/jwk-set-type", JwksRole::Platform);
    assert_eq!(
        finding(&platform, "content-type").severity,
        Severity::Warning
    );
    assert_eq!(platform.exit_code(), 0);

    let missing = check(&server, "/no-type", JwksRole::Tool);
    assert_eq!(codes(&missing), ["content-type"]);

    let charset = check(&server, "/charset", JwksRole::Tool);
    assert_eq!(charset.findings, [], "parameters and case do not matter");
}

#[test]
fn a_bare_array_or_a_single_jwk_lacks_the_keys_wrapper() {
    let server = Server::start(routes);
    for path in ["/bare", "/single"] {
        let c = check(&server, path, JwksRole::Tool);
        assert_eq!(codes(&c), ["missing-keys-wrapper"], "{path}");
        assert_eq!(c.exit_code(), 1);
        assert!(
            c.keys.iter().all(|k| k.bits == Some(2048)),
            "keys still listed"
        );
    }
    assert_eq!(check(&server, "/bare", JwksRole::Tool).keys.len(), 2);
    let single = check(&server, "/single", JwksRole::Tool);
    assert_eq!(single.keys.len(), 1);
    assert!(finding(&single, "missing-keys-wrapper")
        .message
        .contains("single JWK"));
}

#[test]
fn error_statuses_and_html_pages_are_errors() {
    let server = Server::start(routes);
    let c = check(&server, "/html-500", JwksRole::Tool);
    assert_eq!(codes(&c), ["http-error"]);
    let f = finding(&c, "http-error");
    assert!(
        f.message.contains("500 Internal Server Error"),
        "{}",
        f.message
    );
    assert!(f.message.contains("HTML page"), "{}", f.message);
    assert_eq!(c.status, Some(500));
    assert_eq!(
        c.exit_code(),
        1,
        "an answer arrived: fetched, with an error"
    );

    let missing = check(&server, "/nope", JwksRole::Platform);
    assert_eq!(codes(&missing), ["http-error"]);
    assert!(finding(&missing, "http-error")
        .message
        .contains("404 Not Found"));

    let login = check(&server, "/html-200", JwksRole::Tool);
    assert_eq!(
        codes(&login),
        ["not-json"],
        "the page's own headers are beside the point"
    );
    assert!(finding(&login, "not-json").message.contains("HTML page"));
    assert_eq!(login.exit_code(), 1);
}

#[test]
fn a_trickling_body_ends_at_the_deadline() {
    let server = Server::start(routes);
    let client = client();
    let start = Instant::now();
    let c = check_jwks(
        &client,
        &server.url("/trickle"),
        JwksRole::Tool,
        None,
        now(),
    );
    let elapsed = start.elapsed();
    eprintln!("trickle: timed out after {elapsed:?} (limit {TOTAL:?})");
    assert_eq!(codes(&c), ["timeout"]);
    assert_eq!(c.exit_code(), 2);
    assert_eq!(c.status, None);
    assert!(
        elapsed >= TOTAL - Duration::from_millis(100),
        "ended early: {elapsed:?}"
    );
    assert!(
        elapsed < TOTAL + Duration::from_millis(500),
        "the deadline covers the body: {elapsed:?}"
    );
}

#[test]
fn a_stalled_body_or_a_silent_server_ends_at_the_deadline() {
    let server = Server::start(routes);
    let client = client();
    for path in ["/stalled-body", "/silent"] {
        let start = Instant::now();
        let c = check_jwks(&client, &server.url(path), JwksRole::Platform, None, now());
        let elapsed = start.elapsed();
        eprintln!("{path}: timed out after {elapsed:?} (limit {TOTAL:?})");
        assert_eq!(codes(&c), ["timeout"], "{path}");
        assert_eq!(c.exit_code(), 2);
        assert!(
            elapsed < TOTAL + Duration::from_millis(500),
            "{path}: a read that blocks must still end at the deadline: {elapsed:?}"
        );
    }
}

#[test]
fn a_huge_body_stops_at_the_cap() {
    let server = Server::start(routes);
    let client = client();
    let start = Instant::now();
    let c = check_jwks(&client, &server.url("/huge"), JwksRole::Tool, None, now());
    let elapsed = start.elapsed();
    // Give the server a moment to see the closed connection.
    std::thread::sleep(Duration::from_millis(100));
    let sent = server.huge_bytes_sent();
    eprintln!("huge (no Content-Length): too-large after {elapsed:?}; server wrote {sent} bytes");
    assert_eq!(codes(&c), ["too-large"]);
    assert_eq!(c.exit_code(), 2);
    assert!(finding(&c, "too-large").message.contains("1 MiB"));
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    // The kernel buffers a few MiB on each side; the client read at most cap + one chunk
    // (unit test in http.rs), and the 50 MiB were never all sent.
    assert!(sent < 16 * 1024 * 1024, "the server wrote {sent} bytes");

    let start = Instant::now();
    let announced = check_jwks(
        &client,
        &server.url("/huge-announced"),
        JwksRole::Tool,
        None,
        now(),
    );
    eprintln!(
        "huge (Content-Length): too-large after {:?}",
        start.elapsed()
    );
    assert_eq!(codes(&announced), ["too-large"]);
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_redirect_is_followed_and_reported() {
    let server = Server::start(routes);
    let c = check(&server, "/redirect", JwksRole::Tool);
    assert_eq!(codes(&c), ["redirect"]);
    assert_eq!(finding(&c, "redirect").severity, Severity::Warning);
    assert_eq!(c.redirects, [server.url("/redirect")]);
    assert_eq!(c.final_url.as_deref(), Some(server.url("/good").as_str()));
    assert_eq!(c.keys.len(), 2);
    assert_eq!(c.exit_code(), 0);
}

#[test]
fn a_redirect_loop_is_not_fetched() {
    let server = Server::start(routes);
    let c = check(&server, "/loop-a", JwksRole::Tool);
    assert_eq!(codes(&c), ["too-many-redirects"]);
    assert_eq!(c.exit_code(), 2);
}

#[test]
fn a_redirect_to_plain_http_elsewhere_is_refused() {
    let server = Server::start(routes);
    let c = check(&server, "/to-insecure", JwksRole::Tool);
    assert_eq!(codes(&c), ["insecure-url"]);
    assert!(finding(&c, "insecure-url")
        .message
        .contains("example.invalid"));
    assert_eq!(c.exit_code(), 2);
}

#[test]
fn kid_problems_are_errors() {
    let server = Server::start(routes);
    let dup = check(&server, "/duplicate", JwksRole::Platform);
    assert_eq!(codes(&dup), ["duplicate-kid"]);
    assert!(finding(&dup, "duplicate-kid")
        .message
        .contains("'k1' appears 2 times"));
    assert_eq!(dup.exit_code(), 1);

    let missing = check(&server, "/no-kid", JwksRole::Tool);
    assert_eq!(codes(&missing), ["missing-kid"]);
    assert_eq!(
        finding(&missing, "missing-kid").path.as_deref(),
        Some("$.keys[0]")
    );
    assert_eq!(missing.keys[0].kid, None);
    assert_eq!(missing.exit_code(), 1);
}

#[test]
fn a_non_rsa_key_is_a_note_for_platforms_and_an_error_for_tools() {
    let server = Server::start(routes);
    let platform = check(&server, "/ec", JwksRole::Platform);
    assert_eq!(codes(&platform), ["non-rsa-key"]);
    assert_eq!(finding(&platform, "non-rsa-key").severity, Severity::Info);
    assert_eq!(platform.exit_code(), 0);
    assert_eq!(platform.keys[1].kty, "EC");
    assert_eq!(platform.keys[1].bits, None);

    let tool = check(&server, "/ec", JwksRole::Tool);
    assert_eq!(finding(&tool, "non-rsa-key").severity, Severity::Error);
    assert_eq!(tool.exit_code(), 1);
}

#[test]
fn a_short_modulus_is_a_weak_key() {
    let server = Server::start(routes);
    let c = check(&server, "/weak", JwksRole::Platform);
    assert_eq!(codes(&c), ["weak-key"]);
    assert_eq!(c.keys[0].bits, Some(1024));
    assert!(finding(&c, "weak-key").message.contains("1024-bit"));
    assert_eq!(c.exit_code(), 1);
}

#[test]
fn an_exponent_of_1_an_even_or_a_small_one_is_an_error() {
    let with_e = |e: &str| {
        let mut key = jwk(0);
        key["e"] = json!(e);
        let (_, findings) = analyse(
            &fetched(&set(vec![key]), Some("max-age=60")),
            JwksRole::Platform,
            None,
        );
        findings
    };
    for (e, says) in [
        ("AQ", "exponent 1: with it a signature proves nothing"),
        ("Ag", "an even RSA public exponent"),
        ("Aw", "exponent 3, under 65537: FIPS 186 requires"),
        ("BAAAAAE", "exponent of 35 bits"),
    ] {
        let findings = with_e(e);
        let codes: Vec<_> = findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["weak-exponent"], "e = {e}");
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Error, "e = {e}");
        assert!(f.message.starts_with("key 'k1' has "), "{}", f.message);
        assert!(f.message.contains(says), "e = {e}: {}", f.message);
        assert!(f.fix.contains("65537"), "{}", f.fix);
        assert_eq!(f.path.as_deref(), Some("$.keys[0]"));
    }
    assert_eq!(with_e("AQAB"), [], "65537 is the normal exponent");
    assert_eq!(
        with_e("AAEAAQ"),
        [],
        "leading zero bytes do not change the value"
    );
}

#[test]
fn a_missing_alg_is_a_warning() {
    let server = Server::start(routes);
    let c = check(&server, "/no-alg", JwksRole::Tool);
    assert_eq!(codes(&c), ["missing-alg"]);
    assert_eq!(finding(&c, "missing-alg").severity, Severity::Warning);
    assert_eq!(c.exit_code(), 0);
}

#[test]
fn a_published_private_key_comes_first() {
    let server = Server::start(routes);
    let c = check(&server, "/private", JwksRole::Tool);
    assert_eq!(c.findings[0].code, "private-key-published");
    let f = &c.findings[0];
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("d, p, q, dp, dq, qi"), "{}", f.message);
    assert!(f.fix.starts_with("rotate immediately"), "{}", f.fix);
    assert_eq!(f.path.as_deref(), Some("$.keys[1]"));
    assert_eq!(c.exit_code(), 1);
}

#[test]
fn cache_headers_are_reported() {
    let server = Server::start(routes);
    let c = check(&server, "/no-cache", JwksRole::Tool);
    assert_eq!(codes(&c), ["no-cache-headers"]);
    assert_eq!(finding(&c, "no-cache-headers").severity, Severity::Info);
    assert_eq!(c.exit_code(), 0);

    let long = check(&server, "/long-cache", JwksRole::Tool);
    assert_eq!(codes(&long), ["long-cache"]);
    assert_eq!(long.max_age, Some(604_800));
    assert!(finding(&long, "long-cache").message.contains("168 hours"));
}

#[test]
fn an_empty_set_is_a_warning() {
    let server = Server::start(routes);
    let c = check(&server, "/empty", JwksRole::Platform);
    assert_eq!(codes(&c), ["empty-keys"]);
    assert_eq!(finding(&c, "empty-keys").severity, Severity::Warning);
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_error() {
    let server = Server::start(routes);
    let url = format!("https://127.0.0.1:{}/good", server.port());
    let client = client();
    let start = Instant::now();
    let c = check_jwks(&client, &url, JwksRole::Tool, None, now());
    assert_eq!(codes(&c), ["tls-error"], "{:?}", c.findings);
    let f = finding(&c, "tls-error");
    assert!(
        f.message.contains("is this port plain http?"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("client error"), "{}", f.message);
    assert!(f.fix.contains("certificate"));
    assert_eq!(c.exit_code(), 2);
    assert!(start.elapsed() < TOTAL, "it fails at the handshake");
}

#[test]
fn plain_http_elsewhere_fails_before_any_connection() {
    // Neither host exists on this network: a connection attempt would take the connect timeout.
    let client = client();
    for url in ["http://example.invalid/jwks", "http://10.255.255.1:9/jwks"] {
        let start = Instant::now();
        let c = check_jwks(&client, url, JwksRole::Tool, None, now());
        let elapsed = start.elapsed();
        assert_eq!(codes(&c), ["insecure-url"], "{url}");
        assert_eq!(c.exit_code(), 2);
        assert!(
            elapsed < Duration::from_millis(100),
            "{url} took {elapsed:?}"
        );
    }
}

#[test]
fn localhost_reaches_this_machine_without_dns() {
    let server = Server::start(routes);
    // `localhost.` is loopback by the URL rule, yet resolvers often do not know it.
    for host in ["localhost", "localhost.", "LOCALHOST."] {
        let url = format!("http://{host}:{}/good", server.port());
        let fetched = client()
            .fetch(&url)
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(fetched.status, 200, "{url}");
        assert_eq!(fetched.body, set(vec![jwk(0), jwk(1)]).as_bytes(), "{url}");
    }
}

#[test]
fn a_refused_connection_is_not_fetched() {
    let url = refused_url("/jwks");
    let c = check_jwks(&client(), &url, JwksRole::Tool, None, now());
    assert_eq!(codes(&c), ["connect-error"]);
    assert_eq!(c.exit_code(), 2);
}

fn expected(kid: &str, status: KeyStatus, jwk: &Jwk) -> ExpectedKey {
    ExpectedKey {
        kid: kid.into(),
        status,
        n: jwk.n.clone(),
        e: jwk.e.clone(),
    }
}

/// Rotation in progress: k1 current, k2 next, k3 retired.
fn tool_keys() -> ExpectedKeys {
    let [k1, k2, _] = jwks();
    ExpectedKeys {
        published: vec![
            expected("k1", KeyStatus::Current, k1),
            expected("k2", KeyStatus::Next, k2),
        ],
        unpublished: vec![UnpublishedKid {
            kid: "k3".into(),
            status: KeyStatus::Retired,
        }],
    }
}

#[test]
fn the_live_check_finds_missing_stale_and_changed_kids() {
    let server = Server::start(|request| {
        let mut swapped = jwk(1);
        swapped["kid"] = json!("k1");
        match request.path.as_str() {
            "/right" => Reply::json(set(vec![jwk(0), jwk(1)])),
            "/no-next" => Reply::json(set(vec![jwk(0)])),
            "/stale" => Reply::json(set(vec![jwk(0), jwk(1), jwk(2)])),
            "/changed" => Reply::json(set(vec![swapped, jwk(1)])),
            _ => Reply::new(404, ""),
        }
    });
    let expect = tool_keys();
    let live = |path: &str, expect: &ExpectedKeys| {
        check_jwks(
            &client(),
            &server.url(path),
            JwksRole::Tool,
            Some(expect),
            now(),
        )
    };

    let right = live("/right", &expect);
    assert_eq!(right.findings, [], "exactly the published kids");
    assert_eq!(right.exit_code(), 0);

    let no_next = live("/no-next", &expect);
    assert_eq!(codes(&no_next), ["kid-not-published"]);
    let f = finding(&no_next, "kid-not-published");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("'k2' (next)"), "{}", f.message);
    assert!(f.message.contains("KidNotFound"), "{}", f.message);
    assert_eq!(no_next.exit_code(), 1);

    let stale = live("/stale", &expect);
    assert_eq!(codes(&stale), ["stale-kid-published"]);
    assert_eq!(
        finding(&stale, "stale-kid-published").severity,
        Severity::Warning
    );
    assert_eq!(stale.exit_code(), 0);
    let mut revoked = tool_keys();
    revoked.unpublished[0].status = KeyStatus::Revoked;
    let stale_revoked = live("/stale", &revoked);
    assert_eq!(
        finding(&stale_revoked, "stale-kid-published").severity,
        Severity::Error
    );
    assert_eq!(stale_revoked.exit_code(), 1);

    let changed = live("/changed", &expect);
    // k2's key now also sits under kid k1: k1's modulus differs, and k1... is k2's twin.
    assert!(
        codes(&changed).contains(&"kid-modulus-mismatch"),
        "{:?}",
        codes(&changed)
    );
    assert!(finding(&changed, "kid-modulus-mismatch")
        .message
        .contains("'k1'"));
    assert_eq!(changed.exit_code(), 1);

    let unknown = live(
        "/stale",
        &ExpectedKeys {
            published: tool_keys().published,
            unpublished: vec![],
        },
    );
    assert_eq!(codes(&unknown), ["unexpected-kid"]);
    assert_eq!(unknown.exit_code(), 0);
}

#[test]
fn check_many_keeps_order_and_bounds_concurrency() {
    let (server, peak) = Server::slow(Duration::from_millis(150), routes);
    let paths = [
        "/good", "/bare", "/nope", "/good", "/ec", "/no-kid", "/good",
    ];
    let urls: Vec<(String, JwksRole)> = paths
        .iter()
        .map(|p| (server.url(p), JwksRole::Platform))
        .collect();
    let seen = Mutex::new(Vec::new());
    let results = check_many(&client(), urls.clone(), 3, now(), &|done, total| {
        seen.lock().unwrap().push((done, total));
    });
    assert_eq!(results.len(), paths.len());
    for (result, (url, _)) in results.iter().zip(&urls) {
        assert_eq!(&result.url, url, "results come back in the order asked");
    }
    assert_eq!(results[1].findings[0].code, "missing-keys-wrapper");
    assert_eq!(results[2].status, Some(404));
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    let expected: Vec<_> = (1..=paths.len()).map(|d| (d, paths.len())).collect();
    assert_eq!(seen, expected, "one progress report per URL");
    assert_eq!(
        peak.load(Ordering::SeqCst),
        3,
        "at most 3 at a time, and 3 used"
    );

    assert!(check_many(&client(), vec![], 4, now(), &|_, _| {}).is_empty());
}

fn fetched(body: &str, cache_control: Option<&str>) -> Fetched {
    Fetched {
        final_url: "https://tool.example/jwks".into(),
        status: 200,
        content_type: Some("application/json".into()),
        cache_control: cache_control.map(String::from),
        headers: vec![],
        body: body.as_bytes().to_vec(),
        latency_ms: 5,
        redirects: vec![],
    }
}

#[test]
fn analyse_needs_no_network() {
    let (keys, findings) = analyse(
        &fetched(&set(vec![jwk(0)]), Some("max-age=60")),
        JwksRole::Tool,
        None,
    );
    assert_eq!(keys.len(), 1);
    assert_eq!(findings, []);

    let (_, findings) = analyse(&fetched("", Some("max-age=60")), JwksRole::Tool, None);
    assert_eq!(findings[0].code, "not-json");
    assert!(findings[0].message.starts_with("the body is empty"));

    let (_, findings) = analyse(
        &fetched(r#"{"keys": {}}"#, Some("max-age=60")),
        JwksRole::Tool,
        None,
    );
    assert_eq!(findings[0].code, "missing-keys-wrapper");

    let mut enc = jwk(0);
    enc["use"] = json!("enc");
    enc["alg"] = json!("RS512");
    let (_, findings) = analyse(
        &fetched(&set(vec![enc, json!("k")]), Some("max-age=60")),
        JwksRole::Tool,
        None,
    );
    let codes: Vec<_> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["invalid-key", "wrong-alg", "wrong-use"]);
}

#[test]
fn analyse_lists_a_few_findings_per_code_a_few_keys_and_short_kids() {
    use ltikeys_core::check::{MAX_FINDINGS, MAX_KID_CHARS, MAX_LISTED_KEYS, MAX_PER_CODE};
    let long = "k".repeat(300);
    let mut keys = Vec::new();
    for i in 0..30 {
        // Twice each, with a private member, a short modulus, the wrong alg and use.
        for _ in 0..2 {
            keys.push(
                json!({"kty": "RSA", "kid": format!("{long}{i}"), "n": "AQAB",
                             "e": "AQAB", "alg": "RS512", "use": "enc", "d": "AQAB"}),
            );
        }
        keys.push(json!({"kty": "EC", "kid": format!("ec{i}"), "alg": "ES256"}));
        keys.push(json!({}));
    }
    let published = |kid: String| ExpectedKey {
        kid,
        status: KeyStatus::Current,
        n: "AQAC".into(),
        e: "AQAB".into(),
    };
    let expected = ExpectedKeys {
        // Ten missing, ten with another modulus, ten revoked ones still there.
        published: (0..10)
            .map(|i| published(format!("gone{i}")))
            .chain((0..10).map(|i| published(format!("{long}{i}"))))
            .collect(),
        unpublished: (10..20)
            .map(|i| UnpublishedKid {
                kid: format!("{long}{i}"),
                status: KeyStatus::Revoked,
            })
            .collect(),
    };
    let body = set(keys);
    let (keys, findings) = analyse(
        &fetched(&body, Some("max-age=60")),
        JwksRole::Tool,
        Some(&expected),
    );

    assert_eq!(
        keys.len(),
        MAX_LISTED_KEYS,
        "only the first keys are listed"
    );
    let kid = keys[0].kid.as_deref().unwrap();
    assert_eq!(
        kid.chars().count(),
        MAX_KID_CHARS + 1,
        "cut, with an ellipsis"
    );
    assert!(kid.ends_with('…'), "{kid}");
    let many = findings.last().unwrap();
    assert_eq!(many.code, "many-keys");
    assert!(
        many.message
            .starts_with("the JWKS holds 120 keys; only the first 20"),
        "{}",
        many.message
    );

    assert_eq!(findings.len(), MAX_FINDINGS + 1, "{findings:#?}");
    assert_eq!(findings[0].code, "private-key-published");
    let more: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "more-findings")
        .collect();
    assert_eq!(more.len(), 1, "one finding says what was left out");
    assert!(
        more[0].message.contains("unexpected-kid"),
        "{}",
        more[0].message
    );
    for code in [
        "weak-key",
        "duplicate-kid",
        "kid-not-published",
        "stale-kid-published",
    ] {
        let of_code: Vec<_> = findings.iter().filter(|f| f.code == code).collect();
        assert_eq!(
            of_code.len(),
            MAX_PER_CODE + 1,
            "{code}: the first few, then a count"
        );
        assert_eq!(of_code[MAX_PER_CODE].path, None);
        assert_eq!(of_code[MAX_PER_CODE].severity, Severity::Error);
    }
    let weak: Vec<_> = findings.iter().filter(|f| f.code == "weak-key").collect();
    assert_eq!(
        weak[MAX_PER_CODE].message,
        "…and 57 more keys with the same problem."
    );
    assert_eq!(weak[0].path.as_deref(), Some("$.keys[0]"));
    for f in &findings {
        assert!(
            !f.message.contains(&long),
            "a kid is quoted cut short: {}",
            f.message
        );
    }
    let stored = serde_json::to_string(&(&keys, &findings)).unwrap();
    assert!(
        stored.len() < 24 * 1024,
        "{} bytes for a JWKS of {} bytes",
        stored.len(),
        body.len()
    );

    let escape = json!({"keys": [{"kty": "RSA", "kid": "a\u{1b}[2Jb", "n": "AQAB", "e": "AQAB"}]});
    let (keys, findings) = analyse(
        &fetched(&escape.to_string(), Some("max-age=60")),
        JwksRole::Tool,
        None,
    );
    assert_eq!(
        keys[0].kid.as_deref(),
        Some("a\u{fffd}[2Jb"),
        "no terminal escapes"
    );
    assert!(findings.iter().all(|f| !f.message.contains('\u{1b}')));
}

#[test]
fn max_age_is_read_from_cache_control() {
    assert_eq!(max_age("public, max-age=3600"), Some(3600));
    assert_eq!(max_age("Max-Age=\"60\", must-revalidate"), Some(60));
    assert_eq!(max_age("no-store"), None);
    assert_eq!(max_age("s-maxage=10"), None);
}

/// About 1 MiB of hostile JWKS: a few keys with 100 KB kids (each twice), then tens of thousands
/// of empty objects and bare strings, every one of them broken in several ways.
fn hostile_jwks() -> String {
    let mut keys: Vec<Value> = Vec::new();
    for i in 0..4 {
        let kid = format!("{i}{}", "k".repeat(100_000));
        for _ in 0..2 {
            keys.push(json!({"kty": "RSA", "kid": kid, "n": "AQAB", "e": "AQAB", "use": "enc"}));
        }
    }
    let mut body = set(keys);
    body.pop(); // the closing `]}`
    body.pop();
    while body.len() < CAP as usize - 64 {
        body.push_str(",{},\"x\"");
    }
    body.push_str("]}");
    body
}

/// The database files' total size once every connection is closed (the WAL checkpointed).
fn database_bytes(dir: &std::path::Path) -> u64 {
    ["ltikeys.sqlite3", "ltikeys.sqlite3-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum()
}

#[test]
fn checking_a_hostile_jwks_stores_a_few_kib() {
    let body = hostile_jwks();
    assert!(body.len() as u64 <= CAP && body.len() > 1_000_000);
    let server = Server::always(Reply::json(body));
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        ltikeys_core::Vault::open_with(
            dir.path(),
            Box::<ltikeys_core::secret::MemoryStore>::default(),
        )
        .unwrap()
    };
    drop(open());
    let before = database_bytes(dir.path());
    let mut vault = open();
    let client = HttpClient::new(HttpLimits {
        total_timeout: Duration::from_secs(30),
        ..HttpLimits::default()
    });
    for _ in 0..3 {
        let c = vault
            .check_jwks(
                &client,
                &server.url("/jwks"),
                Some(JwksRole::Tool),
                None,
                now(),
            )
            .unwrap();
        assert_eq!(c.status, Some(200), "{:?}", c.findings);
        assert_eq!(c.exit_code(), 1, "the errors are still reported");
    }
    drop(vault);
    let grown = database_bytes(dir.path()) - before;
    eprintln!("three hostile checks grew the database by {grown} bytes");
    assert!(
        grown < 64 * 1024,
        "three checks grew the database by {grown} bytes: a check must keep a bounded result"
    );
}

#[test]
fn a_check_cancelled_while_it_fetched_is_not_kept() {
    let server = Server::always(Reply::json(
        json!({"keys": [jwks()[0].clone()]}).to_string(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut vault = ltikeys_core::Vault::open_with(
        dir.path(),
        Box::<ltikeys_core::secret::MemoryStore>::default(),
    )
    .unwrap();
    let url = server.url("/jwks");
    let cancelled = std::sync::atomic::AtomicBool::new(true);
    let c = vault
        .check_jwks_unless_cancelled(&client(), &url, None, None, now(), &cancelled)
        .unwrap();
    assert_eq!(
        c.status,
        Some(200),
        "the fetch itself ran: {:?}",
        c.findings
    );
    assert!(
        vault.last_checks().unwrap().is_empty(),
        "nobody waits for a cancelled check: it leaves no record"
    );
    cancelled.store(false, Ordering::SeqCst);
    vault
        .check_jwks_unless_cancelled(&client(), &url, None, None, now(), &cancelled)
        .unwrap();
    let kept: Vec<String> = vault
        .last_checks()
        .unwrap()
        .into_iter()
        .map(|c| c.url)
        .collect();
    assert_eq!(kept, [url], "a check that was not cancelled is kept");
}
