//! JWKS checks: fetch a JWKS URL and say, in plain words with the fix, what will make launches fail.
//!
//! [`analyse`] holds every rule and needs no network; [`check_jwks`] fetches and analyses one URL;
//! [`check_many`] checks many URLs a few at a time.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::finding::{has_error, Finding, Severity};
use crate::http::{each_at_most, format_bytes, FetchError, Fetched, HttpClient};
use crate::jwk::Jwks;
use crate::key::{KeyInfo, KeyStatus, PublicKey};
use crate::remedy::Remedy;

/// Whose keys a JWKS holds, which decides how strict some rules are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum JwksRole {
    /// An LMS's keys, fetched by tools to verify launches.
    Platform,
    /// A tool's keys, fetched by platforms (Canvas: at each token request) to verify the tool.
    Tool,
}

impl JwksRole {
    /// The word shown and accepted on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            JwksRole::Platform => "platform",
            JwksRole::Tool => "tool",
        }
    }
}

/// A key that should be in the JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedKey {
    /// Its kid.
    pub kid: String,
    /// Its state (next, current or previous).
    pub status: KeyStatus,
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
}

/// A kid that must no longer be in the JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpublishedKid {
    /// The kid.
    pub kid: String,
    /// Retired or revoked.
    pub status: KeyStatus,
}

/// What a tool's live JWKS should show: its published keys, and none of its unpublished ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedKeys {
    /// Keys in next, current or previous state.
    pub published: Vec<ExpectedKey>,
    /// Retired and revoked kids.
    pub unpublished: Vec<UnpublishedKid>,
}

impl ExpectedKeys {
    /// From a tool's keys (`Vault::keys`) and its published JWKS (`Vault::jwks`).
    pub fn from_keys(keys: &[KeyInfo], jwks: &Jwks) -> Self {
        let mut expected = ExpectedKeys::default();
        for key in keys.iter().map(|k| &k.key) {
            if key.status.is_published() {
                if let Some(jwk) = jwks.find(&key.kid) {
                    expected.published.push(ExpectedKey {
                        kid: key.kid.clone(),
                        status: key.status,
                        n: jwk.n.clone(),
                        e: jwk.e.clone(),
                    });
                }
            } else {
                expected.unpublished.push(UnpublishedKid {
                    kid: key.kid.clone(),
                    status: key.status,
                });
            }
        }
        expected
    }
}

/// One key found in a JWKS: public facts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeySummary {
    /// Its kid, if it has one.
    pub kid: Option<String>,
    /// Key type: `RSA`, `EC`, `OKP`…; empty when missing.
    pub kty: String,
    /// Declared algorithm.
    pub alg: Option<String>,
    /// Declared use (`sig`, `enc`).
    #[serde(rename = "use")]
    pub use_: Option<String>,
    /// RSA modulus size.
    pub bits: Option<u32>,
}

/// The result of checking a JWKS URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JwksCheck {
    /// The URL checked.
    pub url: String,
    /// Whose keys it should hold.
    pub role: JwksRole,
    /// When it was checked.
    #[ts(type = "string")]
    pub checked_at: DateTime<Utc>,
    /// The HTTP status; `None` when no answer arrived (see [`JwksCheck::exit_code`]).
    #[ts(type = "number | null")]
    pub status: Option<u16>,
    /// The URL that answered, after redirects.
    pub final_url: Option<String>,
    /// The URLs that redirected, in order.
    pub redirects: Vec<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Cache-Control` header.
    pub cache_control: Option<String>,
    /// Its `max-age`, in seconds.
    #[ts(type = "number | null")]
    pub max_age: Option<u64>,
    /// Milliseconds until the headers arrived.
    #[ts(type = "number | null")]
    pub latency_ms: Option<u64>,
    /// Body size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
    /// The keys found.
    pub keys: Vec<KeySummary>,
    /// What is wrong or worth knowing, errors first.
    pub findings: Vec<Finding>,
}

impl JwksCheck {
    /// Whether an answer arrived (any HTTP status). A non-2xx answer counts as fetched: it is
    /// reported as an `http-error` finding.
    pub fn fetched(&self) -> bool {
        self.status.is_some()
    }

    /// The process exit code for this result: 2 when the URL could not be fetched at all
    /// (timeout, TLS, connection, too large, insecure or invalid URL, too many redirects),
    /// 1 when it was fetched and a finding is an error (an HTTP error status included),
    /// 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        if !self.fetched() {
            2
        } else if has_error(&self.findings) {
            1
        } else {
            0
        }
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Fetches `url` with `client` and checks it as a JWKS of `role`; with `expected`, also checks
/// that exactly the right kids are published.
pub fn check_jwks(
    client: &HttpClient,
    url: &str,
    role: JwksRole,
    expected: Option<&ExpectedKeys>,
    now: DateTime<Utc>,
) -> JwksCheck {
    let mut check = JwksCheck {
        url: url.to_string(),
        role,
        checked_at: now,
        status: None,
        final_url: None,
        redirects: Vec::new(),
        content_type: None,
        cache_control: None,
        max_age: None,
        latency_ms: None,
        bytes: 0,
        keys: Vec::new(),
        findings: Vec::new(),
    };
    match client.fetch(url) {
        Ok(fetched) => {
            let (keys, findings) = analyse(&fetched, role, expected);
            check.status = Some(fetched.status);
            check.max_age = fetched.cache_control.as_deref().and_then(max_age);
            check.final_url = Some(clip(&fetched.final_url, MAX_URL_CHARS));
            check.redirects = fetched
                .redirects
                .iter()
                .map(|url| clip(url, MAX_URL_CHARS))
                .collect();
            check.content_type = fetched
                .content_type
                .as_deref()
                .map(|ct| clip(ct, MAX_HEADER_CHARS));
            check.cache_control = fetched
                .cache_control
                .as_deref()
                .map(|cc| clip(cc, MAX_HEADER_CHARS));
            check.latency_ms = Some(fetched.latency_ms);
            check.bytes = fetched.body.len() as u64;
            check.keys = keys;
            check.findings = findings;
        }
        Err(err) => check.findings = vec![fetch_failure(&err)],
    }
    check
}

/// How many URLs [`check_many`] fetches at once for a check of every platform. Each fetch is a
/// blocked thread and one socket, so this bounds threads and file descriptors as well as the
/// load on any one server; a slow URL holds up one of these, not the whole check.
pub const CHECK_CONCURRENCY: usize = 32;

/// Checks many URLs, at most `concurrency` at a time, in the order given. `progress` hears
/// (done, total) after each one, from the worker threads.
pub fn check_many(
    client: &HttpClient,
    urls: Vec<(String, JwksRole)>,
    concurrency: usize,
    now: DateTime<Utc>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<JwksCheck> {
    let total = urls.len();
    let done = AtomicUsize::new(0);
    each_at_most(&urls, concurrency, |(url, role)| {
        let check = check_jwks(client, url, *role, None, now);
        progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
        (check, false)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The finding for a URL that could not be fetched.
pub fn fetch_failure(err: &FetchError) -> Finding {
    let (message, fix) = match err {
        FetchError::InvalidUrl { url, reason } => (
            format!(
                "{} is not a usable URL: {}.",
                clip(url, MAX_URL_CHARS),
                clip(reason, MAX_HEADER_CHARS)
            ),
            "give the full URL, starting with https://".to_string(),
        ),
        FetchError::InsecureUrl { url: refused } => (
            format!(
                "{} is plain http to a host that is not this machine: platforms require \
                 https for a JWKS URL, and keys fetched over http can be replaced on the way. \
                 It was not fetched.",
                clip(refused, MAX_URL_CHARS)
            ),
            "serve the JWKS over https and use the https:// URL".to_string(),
        ),
        FetchError::Timeout { limit } => (
            format!(
                "the server did not send the whole JWKS within {} s. A platform fetching it \
                 gives up too, finds no key, and the launch or token request fails.",
                limit.as_secs_f64()
            ),
            "make the URL answer within a second: serve the JWKS as a static file or from a cache"
                .to_string(),
        ),
        FetchError::TooLarge { limit } => (
            format!(
                "the response is larger than {}; reading stopped there. A JWKS of a few keys \
                 is a few KiB, so this URL serves something else (or far too much).",
                format_bytes(*limit)
            ),
            "serve only {\"keys\":[…]} with the public keys".to_string(),
        ),
        FetchError::Tls(reason) => (
            format!(
                "the https (TLS) connection failed ({reason}): an expired or self-signed \
                 certificate, one for another host name, a missing intermediate certificate, \
                 or a port that does not speak TLS. Platforms refuse it the same way."
            ),
            "install a valid certificate for this host name from a public CA, with the full chain"
                .to_string(),
        ),
        FetchError::Connect(reason) => (
            format!("could not connect ({reason})."),
            "check the host name and port, and that the server is up and reachable from the \
             internet"
                .to_string(),
        ),
        FetchError::TooManyRedirects { limit } => (
            format!(
                "the URL redirected more than {limit} times (a redirect loop, or a chain of \
                 them); platforms give up as well."
            ),
            "point the URL straight at the JWKS; look for loops between http and https or \
             with and without a trailing slash"
                .to_string(),
        ),
        FetchError::Http(reason) => (
            format!("the HTTP exchange broke off ({reason})."),
            "check the server's logs: it closed the connection before a complete answer"
                .to_string(),
        ),
    };
    Finding::new(err.code(), Severity::Error, message, fix)
}

/// At most this many findings of one code are listed; the rest become one finding counting them.
pub const MAX_PER_CODE: usize = 3;
/// At most this many findings are listed in all, the last one naming what was left out (plus
/// the note on a long key list).
pub const MAX_FINDINGS: usize = 40;
/// At most this many keys are listed.
pub const MAX_LISTED_KEYS: usize = 20;
/// The longest kid kept or quoted, in characters.
pub const MAX_KID_CHARS: usize = 128;
/// The longest kty, alg or use kept or quoted.
const MAX_WORD_CHARS: usize = 64;
/// The longest header value (and error reason) kept or quoted.
const MAX_HEADER_CHARS: usize = 256;
/// The longest URL from the answer (a redirect, the final URL) kept or quoted.
const MAX_URL_CHARS: usize = 512;

/// `text` cut to `max` characters (marked with "…"), its control characters replaced: strings
/// from the fetched document are quoted in findings, printed to terminals and stored.
fn clip(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The findings of one check as they are found, bounded: a hostile JWKS of tens of thousands
/// of broken keys yields a few findings per code and a count of the rest, not one per key.
#[derive(Default)]
struct Findings {
    listed: Vec<Finding>,
    held_back: Vec<HeldBack>,
}

/// The findings of one code past the first [`MAX_PER_CODE`]: how many, the worst severity, and
/// the fix of the first of them.
struct HeldBack {
    code: String,
    count: usize,
    severity: Severity,
    fix: String,
}

impl Findings {
    fn push(&mut self, finding: Finding) {
        let same_code = self.listed.iter().filter(|f| f.code == finding.code);
        if same_code.count() < MAX_PER_CODE {
            self.listed.push(finding);
        } else if let Some(held) = self.held_back.iter_mut().find(|h| h.code == finding.code) {
            held.count += 1;
            held.severity = held.severity.max(finding.severity);
        } else {
            self.held_back.push(HeldBack {
                code: finding.code,
                count: 1,
                severity: finding.severity,
                fix: finding.fix,
            });
        }
    }

    fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for finding in findings {
            self.push(finding);
        }
    }

    /// The findings listed, each code's count of the rest right after its last one; the
    /// private key first, then errors, warnings and notes; at most [`MAX_FINDINGS`].
    fn finish(self) -> Vec<Finding> {
        let Findings {
            listed: mut out,
            held_back,
        } = self;
        for held in held_back {
            let keys = if held.count == 1 { "key" } else { "keys" };
            let summary = Finding::new(
                &held.code,
                held.severity,
                format!("…and {} more {keys} with the same problem.", held.count),
                held.fix,
            );
            let after = out.iter().rposition(|f| f.code == held.code);
            out.insert(after.map_or(out.len(), |i| i + 1), summary);
        }
        let mut out = sorted(out);
        if out.len() > MAX_FINDINGS {
            let rest = out.split_off(MAX_FINDINGS - 1);
            let mut codes: Vec<&str> = Vec::new();
            for f in &rest {
                if !codes.contains(&f.code.as_str()) {
                    codes.push(&f.code);
                }
            }
            let severity = rest
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Info);
            let finding = Finding::new(
                "more-findings",
                severity,
                format!(
                    "…and {} more findings ({}), not listed.",
                    rest.len(),
                    codes.join(", ")
                ),
                "fix the problems listed and check again",
            );
            out.push(finding);
        }
        out
    }
}

/// The rules: what is wrong with a fetched answer as a JWKS of `role`, and the keys it holds.
/// With `expected`, also whether each published kid is there and no unpublished one is.
///
/// Whatever the answer, the result is small: at most [`MAX_PER_CODE`] findings of a code
/// (then one counting the rest), [`MAX_FINDINGS`] in all, [`MAX_LISTED_KEYS`] keys (then a
/// note with the real number), and every string from the answer cut short (a kid to
/// [`MAX_KID_CHARS`]).
pub fn analyse(
    fetched: &Fetched,
    role: JwksRole,
    expected: Option<&ExpectedKeys>,
) -> (Vec<KeySummary>, Vec<Finding>) {
    let mut findings = Findings::default();
    if !fetched.redirects.is_empty() {
        findings.push(redirect_finding(fetched));
    }
    if !(200..300).contains(&fetched.status) {
        findings.push(http_error(fetched, role));
        return (Vec::new(), findings.finish());
    }
    let value: Value = match crate::input::json(&fetched.body) {
        Ok(value) => value,
        Err(e) => {
            // The headers of a page that is not the JWKS say nothing about the JWKS.
            findings.push(not_json(fetched, &e));
            return (Vec::new(), findings.finish());
        }
    };
    findings.extend(content_type_finding(fetched, role));
    findings.extend(cache_findings(fetched));
    let (entries, prefix) = match key_entries(&value) {
        Ok(entries) => entries,
        Err(finding) => {
            findings.push(*finding);
            return (Vec::new(), findings.finish());
        }
    };
    if let Some(finding) = wrapper_finding(&value) {
        findings.push(finding);
    } else if entries.is_empty() {
        findings.push(Finding::new(
            "empty-keys",
            Severity::Warning,
            "the JWKS holds no keys ({\"keys\":[]}): nothing signed can be verified against it, \
             and every launch or token request fails with KidNotFound.",
            "publish the public keys that sign, each with its kid",
        ).at("$.keys"));
    }

    let mut keys = Vec::new();
    let mut key_count = 0;
    for (i, entry) in entries.iter().enumerate() {
        let path = match prefix {
            Some(prefix) => format!("{prefix}[{i}]"),
            None => "$".to_string(),
        };
        if let Some(summary) = check_key(entry, &path, role, &mut findings) {
            key_count += 1;
            if keys.len() < MAX_LISTED_KEYS {
                keys.push(summary);
            }
        }
    }
    findings.extend(duplicate_kids(&entries));
    if let Some(expected) = expected {
        let url = clip(&fetched.final_url, MAX_URL_CHARS);
        findings.extend(compare(&entries, expected, &url));
    }
    let mut findings = findings.finish();
    if key_count > keys.len() {
        findings.push(Finding::new(
            "many-keys",
            Severity::Info,
            format!(
                "the JWKS holds {key_count} keys; only the first {} are listed here. A JWKS \
                 needs only the keys that sign now, the next one and the previous one, and \
                 every consumer downloads the whole set.",
                keys.len()
            ),
            "publish only the current, next and previous keys",
        ));
    }
    (keys, findings)
}

/// The private key first, then errors, warnings and notes, each group in the order found.
fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by_key(|f| {
        (
            f.code != "private-key-published",
            std::cmp::Reverse(f.severity),
        )
    });
    findings
}

fn redirect_finding(fetched: &Fetched) -> Finding {
    let final_url = clip(&fetched.final_url, MAX_URL_CHARS);
    let mut chain: Vec<String> = fetched
        .redirects
        .iter()
        .map(|url| clip(url, MAX_URL_CHARS))
        .collect();
    chain.push(final_url.clone());
    Finding::new(
        "redirect",
        Severity::Warning,
        format!(
            "the URL redirects ({}). It was followed here, but not every platform follows \
             redirects when fetching a JWKS, and each fetch pays an extra round trip.",
            chain.join(" → ")
        ),
        format!("register the final URL ({final_url}) instead, or serve the JWKS at the first one"),
    )
}

fn http_error(fetched: &Fetched, role: JwksRole) -> Finding {
    let reason = reqwest::StatusCode::from_u16(fetched.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    let html = if looks_like_html(fetched) {
        " with an HTML page"
    } else {
        ""
    };
    let effect = match role {
        JwksRole::Tool => {
            "A platform fetching it gets no keys (Canvas: \"JWK Error\"), and every token \
             request or deep-linking response signed by the tool fails."
        }
        JwksRole::Platform => {
            "A tool fetching it gets no keys, and every launch fails with KidNotFound \
             (\"Unable to find public key\")."
        }
    };
    Finding::new(
        "http-error",
        Severity::Error,
        format!(
            "the server answered HTTP {}{reason}{html}. {effect}",
            fetched.status
        ),
        "make the URL answer 200 with the JWKS: check the path, and that it needs no login or \
         cookie",
    )
}

fn content_type_finding(fetched: &Fetched, role: JwksRole) -> Option<Finding> {
    let media = fetched
        .content_type
        .as_deref()
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|m| !m.is_empty());
    if media.as_deref() == Some("application/json") {
        return None;
    }
    let severity = match role {
        JwksRole::Tool => Severity::Error,
        JwksRole::Platform => Severity::Warning,
    };
    let said = match &fetched.content_type {
        Some(ct) => format!(
            "the Content-Type is `{}`, not `application/json`",
            clip(ct.trim(), MAX_HEADER_CHARS)
        ),
        None => "the response has no Content-Type header".to_string(),
    };
    Some(Finding::new(
        "content-type",
        severity,
        format!(
            "{said}. Canvas failed on `application/jwk-set+json` and reported KidNotFound \
             (\"Unable to find public key\"); strict libraries refuse anything but JSON."
        ),
        "serve the JWKS with `Content-Type: application/json`",
    ))
}

/// One day: a longer cache keeps the old key set around long after a rotation.
const LONG_CACHE_SECS: u64 = 24 * 60 * 60;

fn cache_findings(fetched: &Fetched) -> Option<Finding> {
    let Some(cache_control) = fetched.cache_control.as_deref() else {
        return Some(Finding::new(
            "no-cache-headers",
            Severity::Info,
            "the response has no Cache-Control header, so each consumer picks its own cache \
             time; one that caches long keeps the old keys after a rotation.",
            "send `Cache-Control: public, max-age=3600` (or shorter) with the JWKS",
        ));
    };
    let age = max_age(cache_control)?;
    (age > LONG_CACHE_SECS).then(|| {
        Finding::new(
            "long-cache",
            Severity::Warning,
            format!(
                "Cache-Control lets consumers keep this JWKS for {} hours (max-age={age}): a \
                 key published later is not seen for that long, and launches signed with it \
                 fail with KidNotFound.",
                age / 3600
            ),
            "send a max-age of an hour or less, and pre-publish the next key at least one \
             max-age before it starts signing",
        )
    })
}

/// The `max-age` of a Cache-Control header, in seconds.
pub fn max_age(cache_control: &str) -> Option<u64> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().trim_matches('"').parse().ok())
            .flatten()
    })
}

fn looks_like_html(fetched: &Fetched) -> bool {
    let declared = fetched
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
    let text = String::from_utf8_lossy(&fetched.body[..fetched.body.len().min(512)]);
    declared || text.trim_start().starts_with('<')
}

fn not_json(fetched: &Fetched, problem: &str) -> Finding {
    let what = if fetched.body.iter().all(u8::is_ascii_whitespace) {
        "the body is empty".to_string()
    } else if looks_like_html(fetched) {
        "the body is an HTML page, not JSON (often a login page, an error page or a web app's \
         fallback page)"
            .to_string()
    } else {
        format!("as a key set, the body is unreadable: {problem}")
    };
    Finding::new(
        "not-json",
        Severity::Error,
        format!(
            "{what}. A platform parsing it finds no keys (Canvas: \"JWK Error: Invalid JSON\"), \
             and every launch or token request fails."
        ),
        "make the URL return the JWKS itself: {\"keys\":[…]} as application/json",
    )
}

/// The JSON values that should be keys, and the path prefix of their index (`None`: the root
/// itself is the one key).
type Entries<'a> = (Vec<&'a Value>, Option<&'static str>);

/// The key entries of a JWKS, or the finding that says why it has none (boxed: a finding is
/// large next to the entries).
fn key_entries(value: &Value) -> Result<Entries<'_>, Box<Finding>> {
    match value {
        Value::Object(map) => match map.get("keys") {
            Some(Value::Array(keys)) => Ok((keys.iter().collect(), Some("$.keys"))),
            Some(_) => Err(Box::new(
                Finding::new(
                    "missing-keys-wrapper",
                    Severity::Error,
                    "`keys` is not a list: a platform finds no keys and the launch fails with \
                 KidNotFound.",
                    "publish {\"keys\":[{…}, {…}]}: `keys` holds a list of JWKs",
                )
                .at("$.keys"),
            )),
            None if map.contains_key("kty") => Ok((vec![value], None)),
            None => Err(Box::new(
                Finding::new(
                    "missing-keys-wrapper",
                    Severity::Error,
                    "the JSON object has no `keys` member and is not a JWK either: a platform \
                 finds no keys and the launch fails with KidNotFound.",
                    "publish {\"keys\":[…]} with the public keys",
                )
                .at("$"),
            )),
        },
        Value::Array(items) => Ok((items.iter().collect(), Some("$"))),
        _ => Err(Box::new(
            Finding::new(
                "missing-keys-wrapper",
                Severity::Error,
                "the JSON is a single value, not a JWKS: a platform finds no keys and the launch \
             fails with KidNotFound.",
                "publish {\"keys\":[…]} with the public keys",
            )
            .at("$"),
        )),
    }
}

fn wrapper_finding(value: &Value) -> Option<Finding> {
    let (what, fix) = match value {
        Value::Array(_) => (
            "the JWKS is a bare array of keys without the {\"keys\": …} wrapper",
            "wrap the list: {\"keys\":[…]}",
        ),
        Value::Object(map) if !map.contains_key("keys") => (
            "the URL serves a single JWK, not a JWK Set",
            "wrap the key in a set: {\"keys\":[{…}]}",
        ),
        _ => return None,
    };
    Some(
        Finding::new(
            "missing-keys-wrapper",
            Severity::Error,
            format!(
                "{what}. Platforms read a JWK Set and find no kid in it, so launches fail with \
                 KidNotFound (\"Unable to find public key\")."
            ),
            fix,
        )
        .at("$"),
    )
}

/// JWK members that are private key material (RFC 7518 §6.3.2, §6.2.2, §6.4).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn string_member<'a>(key: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    key.get(name).and_then(Value::as_str)
}

fn check_key(
    entry: &Value,
    path: &str,
    role: JwksRole,
    findings: &mut Findings,
) -> Option<KeySummary> {
    let Some(key) = entry.as_object() else {
        findings.push(
            Finding::new(
                "invalid-key",
                Severity::Error,
                "this entry is not a JWK (a JSON object): a platform cannot use it.",
                "list only JWK objects in `keys`",
            )
            .at(path),
        );
        return None;
    };
    let kid = string_member(key, "kid")
        .filter(|k| !k.trim().is_empty())
        .map(|k| clip(k, MAX_KID_CHARS));
    let named = match &kid {
        Some(kid) => format!("key '{kid}'"),
        None => format!("the key at {path}"),
    };
    let mut summary = KeySummary {
        kid: kid.clone(),
        kty: clip(
            string_member(key, "kty").unwrap_or_default(),
            MAX_WORD_CHARS,
        ),
        alg: string_member(key, "alg").map(|alg| clip(alg, MAX_WORD_CHARS)),
        use_: string_member(key, "use").map(|use_| clip(use_, MAX_WORD_CHARS)),
        bits: None,
    };

    let private: Vec<&str> = PRIVATE_MEMBERS
        .iter()
        .copied()
        .filter(|m| key.contains_key(*m))
        .collect();
    if !private.is_empty() {
        findings.push(
            Finding::new(
                "private-key-published",
                Severity::Error,
                format!(
                    "{named} publishes its PRIVATE key (members {}): anyone who fetched this \
                     URL can sign launches and tokens as its owner.",
                    private.join(", ")
                ),
                "rotate immediately: take the key out of the JWKS, revoke it, generate a new \
                 key, and publish only its public members (kty, kid, alg, use, n, e)",
            )
            .at(path),
        );
    }
    if kid.is_none() {
        findings.push(
            Finding::new(
                "missing-kid",
                Severity::Error,
                format!(
                    "{named} has no kid. Verifiers pick the key by the kid in the JWT header, \
                     so a JWT signed with it fails with KidNotFound."
                ),
                "give every key a kid (its RFC 7638 thumbprint is a good one) and sign with \
                 that kid in the JWT header",
            )
            .at(path),
        );
    }
    match summary.kty.as_str() {
        "" => findings.push(
            Finding::new(
                "invalid-key",
                Severity::Error,
                format!("{named} has no kty (key type): no library can use it."),
                "publish RSA keys with kty \"RSA\"",
            )
            .at(path),
        ),
        "RSA" => summary.bits = rsa_bits(key, &named, path, findings),
        other => findings.push(non_rsa(&named, other, path, role)),
    }
    match summary.alg.as_deref() {
        None => findings.push(
            Finding::new(
                "missing-alg",
                Severity::Warning,
                format!(
                    "{named} has no alg. LTI signs with RS256 only; some libraries skip a key \
                     without alg, and Canvas refuses a pasted key without it (422)."
                ),
                "add \"alg\": \"RS256\" to every key",
            )
            .at(path),
        ),
        Some("RS256") => {}
        Some(other) if summary.kty == "RSA" => findings.push(
            Finding::new(
                "wrong-alg",
                Severity::Warning,
                format!(
                    "{named} declares alg {other}: LTI 1.3 signs with RS256, so verifiers may \
                     refuse the key or the JWTs signed with it (\"JWS signature invalid\")."
                ),
                "declare \"alg\": \"RS256\" and sign with RS256",
            )
            .at(path),
        ),
        Some(_) => {}
    }
    if let Some(use_) = summary.use_.as_deref().filter(|u| *u != "sig") {
        findings.push(
            Finding::new(
                "wrong-use",
                Severity::Warning,
                format!(
                    "{named} declares use \"{use_}\": verifiers looking for a signing key \
                     skip it."
                ),
                "declare \"use\": \"sig\"",
            )
            .at(path),
        );
    }
    Some(summary)
}

fn non_rsa(named: &str, kty: &str, path: &str, role: JwksRole) -> Finding {
    let (severity, effect) = match role {
        JwksRole::Tool => (
            Severity::Error,
            "LTI 1.3 tools sign with RS256 and platforms (Canvas among them) verify only RSA \
             keys, so a JWT signed with it fails (\"JWS signature invalid\").",
        ),
        JwksRole::Platform => (
            Severity::Info,
            "LTI 1.3 launches are signed with RS256, so tools will not use it; harmless if the \
             platform signs with an RSA key in the same set.",
        ),
    };
    Finding::new(
        "non-rsa-key",
        severity,
        format!("{named} is a {kty} key, not RSA. {effect}"),
        match role {
            JwksRole::Tool => "publish and sign with an RSA key (2048 bits or more), alg RS256",
            JwksRole::Platform => "nothing to do unless launches fail with KidNotFound",
        },
    )
    .at(path)
}

fn decode_b64url(value: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).ok()
}

fn rsa_bits(
    key: &Map<String, Value>,
    named: &str,
    path: &str,
    findings: &mut Findings,
) -> Option<u32> {
    let n = string_member(key, "n").and_then(decode_b64url);
    let e = string_member(key, "e").and_then(decode_b64url);
    let (Some(n), Some(e)) = (n, e) else {
        findings.push(
            Finding::new(
                "invalid-key",
                Severity::Error,
                format!(
                    "{named} lacks a base64url modulus `n` or exponent `e`: no library can \
                     verify with it."
                ),
                "export the public JWK again and publish it unchanged",
            )
            .at(path),
        );
        return None;
    };
    let bits = PublicKey::from_components(&n, &e).bits();
    if bits < 2048 {
        findings.push(
            Finding::new(
                "weak-key",
                Severity::Error,
                format!(
                    "{named} is a {bits}-bit RSA key: keys under 2048 bits can be broken, and \
                     many verifiers refuse them (\"JWS signature invalid\")."
                ),
                "generate a 2048-bit (or larger) key, publish it, and retire this one",
            )
            .at(path),
        );
    }
    if let Some(problem) = exponent_problem(&e) {
        findings.push(
            Finding::new(
                "weak-exponent",
                Severity::Error,
                format!("{named} has {problem}"),
                "generate a new key (its exponent is 65537, `AQAB`), publish it, and retire \
                 this one",
            )
            .at(path),
        );
    }
    Some(bits)
}

/// The smallest public exponent FIPS 186 allows.
const MIN_EXPONENT: u64 = 65537;

/// What is wrong with an RSA public exponent (big-endian bytes), if anything.
fn exponent_problem(e: &[u8]) -> Option<String> {
    let e = strip(e.to_vec());
    let bits = e
        .first()
        .map_or(0, |b| e.len() * 8 - b.leading_zeros() as usize);
    let odd = e.last().is_some_and(|b| b % 2 == 1);
    let value = e
        .iter()
        .take(8)
        .fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    let problem = if bits <= 1 {
        format!(
            "the RSA public exponent {value}: with it a signature proves nothing (anyone can \
             make one), and verifiers such as ring and AWS-LC refuse the key (\"JWS signature \
             invalid\")."
        )
    } else if !odd {
        "an even RSA public exponent: no real RSA key has one, and verifiers such as ring and \
         AWS-LC refuse the key (\"JWS signature invalid\")."
            .to_string()
    } else if bits > 33 {
        format!(
            "an RSA public exponent of {bits} bits: ring and AWS-LC refuse exponents over 33 \
             bits, so JWTs signed with it fail (\"JWS signature invalid\")."
        )
    } else if value < MIN_EXPONENT {
        format!(
            "the RSA public exponent {value}, under {MIN_EXPONENT}: FIPS 186 requires at \
             least {MIN_EXPONENT}, so verifiers in FIPS mode refuse the key, and small \
             exponents have let forged signatures through lax verifiers. No current key \
             generator makes one."
        )
    } else {
        return None;
    };
    Some(problem)
}

fn duplicate_kids(entries: &[&Value]) -> Vec<Finding> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let kids = entries
        .iter()
        .filter_map(|v| v.as_object())
        .filter_map(|key| string_member(key, "kid"))
        .filter(|kid| !kid.trim().is_empty());
    for kid in kids {
        *counts.entry(kid).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(kid, n)| {
            Finding::new(
                "duplicate-kid",
                Severity::Error,
                format!(
                    "kid '{}' appears {n} times: verifiers take the first key with that \
                     kid, so JWTs signed with the other fail (\"JWS signature invalid\").",
                    clip(kid, MAX_KID_CHARS)
                ),
                "give every key its own kid; remove stale copies",
            )
        })
        .collect()
}

/// A key found in the JWKS, by kid, with its decoded modulus and exponent.
struct Found<'a> {
    kid: &'a str,
    n: Option<Vec<u8>>,
    e: Option<Vec<u8>>,
}

/// Compares the kids and moduli found with the ones that should be published.
fn compare(entries: &[&Value], expected: &ExpectedKeys, url: &str) -> Vec<Finding> {
    let found: Vec<Found<'_>> = entries
        .iter()
        .filter_map(|v| v.as_object())
        .filter_map(|key| {
            Some(Found {
                kid: string_member(key, "kid")?,
                n: string_member(key, "n").and_then(decode_b64url).map(strip),
                e: string_member(key, "e").and_then(decode_b64url).map(strip),
            })
        })
        .collect();
    let mut findings = Vec::new();
    for key in &expected.published {
        let same_kid: Vec<_> = found.iter().filter(|f| f.kid == key.kid).collect();
        if same_kid.is_empty() {
            let effect = match key.status {
                KeyStatus::Next => {
                    "the next key is not pre-published: once it starts signing, launches and \
                     token requests fail with KidNotFound until platforms see it"
                }
                KeyStatus::Current => {
                    "it signs now, so the next launch or token request fails with KidNotFound \
                     (\"Unable to find public key\")"
                }
                _ => {
                    "the previous key left the JWKS before its overlap window ended, so JWTs it \
                     signed just before the rotation fail with KidNotFound"
                }
            };
            findings.push(
                Finding::new(
                    "kid-not-published",
                    Severity::Error,
                    format!(
                        "kid '{}' ({}) is not in the JWKS at {url}: {effect}.",
                        clip(&key.kid, MAX_KID_CHARS),
                        key.status.as_str()
                    ),
                    "publish the tool's JWKS at this URL, then check again",
                )
                .with_remedy(Remedy::PublishJwks {
                    tool: None,
                    jwks_url: Some(url.to_string()),
                }),
            );
            continue;
        }
        let want_n = decode_b64url(&key.n).map(strip);
        let want_e = decode_b64url(&key.e).map(strip);
        let matches = same_kid
            .iter()
            .any(|f| f.n.is_some() && f.n == want_n && f.e == want_e);
        if !matches {
            findings.push(
                Finding::new(
                    "kid-modulus-mismatch",
                    Severity::Error,
                    format!(
                        "kid '{}' is published with a different public key than the one stored \
                     here: JWTs signed by this key fail (\"JWS signature invalid\").",
                        clip(&key.kid, MAX_KID_CHARS)
                    ),
                    "publish the tool's JWKS unchanged; if another key reuses this kid, give it \
                 its own",
                )
                .with_remedy(Remedy::PublishJwks {
                    tool: None,
                    jwks_url: Some(url.to_string()),
                }),
            );
        }
    }
    for gone in &expected.unpublished {
        if !found.iter().any(|f| f.kid == gone.kid) {
            continue;
        }
        let (severity, effect) = if gone.status == KeyStatus::Revoked {
            (
                Severity::Error,
                "the key was revoked, yet platforms still accept anything signed with it",
            )
        } else {
            (
                Severity::Warning,
                "the key was retired, yet platforms still accept anything signed with it",
            )
        };
        findings.push(
            Finding::new(
                "stale-kid-published",
                severity,
                format!(
                "kid '{}' ({}) is still in the JWKS at {url}: {effect}. A cache may also serve \
                 an old copy of the set.",
                clip(&gone.kid, MAX_KID_CHARS),
                gone.status.as_str()
            ),
                "publish the tool's current JWKS at this URL and clear any cache in front of it",
            )
            .with_remedy(Remedy::PublishJwks {
                tool: None,
                jwks_url: Some(url.to_string()),
            }),
        );
    }
    for Found { kid, .. } in &found {
        let known = expected.published.iter().any(|k| k.kid == *kid)
            || expected.unpublished.iter().any(|k| k.kid == *kid);
        if !known {
            findings.push(Finding::new(
                "unexpected-kid",
                Severity::Info,
                format!(
                    "kid '{}' is published but is not a key of this tool.",
                    clip(kid, MAX_KID_CHARS)
                ),
                "remove it unless another signer shares this JWKS",
            ));
        }
    }
    findings
}

fn strip(bytes: Vec<u8>) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}
