//! The JWT inspector: what a token is, whose registration it belongs to, whether its signature
//! holds against the right key set, and every claim LTI checks, each as a finding with a stable
//! code (see [`INSPECT_CODES`]).

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{
    Jwt, TokenKind, CONTENT_ITEMS, DEEP_LINKING_SETTINGS, DEPLOYMENT_ID, DL_DATA, MESSAGE_TYPE,
    RESOURCE_LINK, TARGET_LINK_URI, VERSION,
};
use crate::finding::{Finding, Severity};
use crate::key::{KeyRecord, KeyStatus};
use crate::platform::{fill_client_id, Platform};
use crate::registration::Registration;
use crate::remedy::Remedy;
use crate::tool::Tool;

/// Every code the inspector reports. Stable: scripts and the window match on them.
pub const INSPECT_CODES: [&str; 27] = [
    "expired",
    "not-yet-valid",
    "issued-in-the-future",
    "no-expiry",
    "iss-not-client-id",
    "sub-not-client-id",
    "aud-mismatch",
    "azp-missing",
    "azp-mismatch",
    "nonce-missing",
    "deployment-unknown",
    "deployment-missing",
    "version-not-1.3.0",
    "missing-claim",
    "data-not-echoed",
    "jti-missing",
    "kid-missing",
    "kid-not-found",
    "kid-not-published",
    "alg-not-rs256",
    "signature-invalid",
    "message-hint",
    "registration-not-found",
    "iss-aud-swapped",
    "key-set-unavailable",
    "not-fetched",
    "unknown-kind",
];

/// Seconds of clock difference tolerated for `iat` and `nbf` before a warning.
pub const LEEWAY_SECS: i64 = 60;

/// The registration a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RegistrationMatch {
    /// The registration's id.
    pub registration: String,
    /// The tool's name.
    pub tool: String,
    /// The platform's name.
    pub platform: String,
    /// The platform's issuer.
    pub issuer: String,
    /// The client_id.
    pub client_id: String,
    /// How it was found, e.g. "iss = the platform's issuer, aud holds the client_id".
    pub matched_by: String,
}

/// Whether the signature holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// It verifies with the named key.
    Verified,
    /// The named key does not verify it.
    Invalid,
    /// No key to check it with (unknown kid, key set not fetched, an HMAC token).
    Unverified,
}

/// The signature check: which key, which alg, and the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignatureCheck {
    /// The result.
    pub status: SignatureStatus,
    /// The header's `alg`.
    pub alg: Option<String>,
    /// The header's `kid`.
    pub kid: Option<String>,
    /// The key used, in words ("kid k1 of the platform's JWKS at …").
    pub key: Option<String>,
    /// What was done, in words.
    pub detail: String,
}

/// What the inspector found about one JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Inspection {
    /// What it is.
    pub kind: TokenKind,
    /// `kind` in words.
    pub kind_label: String,
    /// The header.
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    /// The claims.
    #[ts(type = "Record<string, unknown>")]
    pub claims: Value,
    /// Its registration, when one matches.
    pub registration: Option<RegistrationMatch>,
    /// The signature check.
    pub signature: SignatureCheck,
    /// Every finding, errors first.
    pub findings: Vec<Finding>,
}

impl Inspection {
    /// The CLI's exit status: 1 with an error-level finding, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.findings.iter().any(|f| f.severity == Severity::Error))
    }
}

/// A registration the token may belong to, with what is needed to check it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The registration.
    pub registration: &'a Registration,
    /// Its platform.
    pub platform: &'a Platform,
    /// Its tool.
    pub tool: &'a Tool,
    /// The tool's keys.
    pub keys: &'a [KeyRecord],
}

/// Fetches a key set's body (a JWKS URL) within the usual limits; an error says why not.
pub type Fetch<'a> = &'a dyn Fn(&str) -> std::result::Result<Vec<u8>, String>;

fn finding(code: &str, severity: Severity, message: String, fix: &str) -> Finding {
    Finding::new(code, severity, message, fix)
}

/// Inspects `jwt` against the registrations in `candidates` at `now`. With `fetch`, key sets
/// are fetched (the platform's JWKS, the tool's live JWKS URL); without, the tool's own keys
/// are still used and the rest is noted as not fetched.
pub fn inspect(
    jwt: &Jwt,
    candidates: &[Candidate<'_>],
    fetch: Option<Fetch<'_>>,
    now: DateTime<Utc>,
) -> Inspection {
    let kind = TokenKind::of(jwt);
    let mut findings = Vec::new();
    let alg = jwt.header_str("alg").map(str::to_string);
    let kid = jwt.header_str("kid").map(str::to_string);
    let mut signature = SignatureCheck {
        status: SignatureStatus::Unverified,
        alg: alg.clone(),
        kid: kid.clone(),
        key: None,
        detail: String::new(),
    };

    times(jwt, kind, now, &mut findings);

    let registration = match kind {
        TokenKind::MessageHint => {
            findings.push(finding(
                "message-hint",
                Severity::Info,
                format!(
                    "this is an lti_message_hint ({} signed): it is opaque to the tool, signed \
                     with the platform's own secret, and needs no validation",
                    alg.as_deref().unwrap_or("HMAC")
                ),
                "pass it back unchanged in the authentication request; validate the id_token \
                 that follows instead",
            ));
            signature.detail =
                "an HMAC token is never checked against an RSA key: only the platform holds \
                 its secret"
                    .into();
            None
        }
        TokenKind::RegistrationToken => {
            signature.detail = "a registration token is the platform's bearer token for its \
                                registration endpoint; the tool does not verify it"
                .into();
            None
        }
        k if k.from_platform() => {
            let found = platform_match(jwt, candidates, &mut findings);
            if let Some(c) = found {
                platform_claims(jwt, kind, c, &mut findings);
            }
            verify_platform(jwt, found, candidates, fetch, &mut signature, &mut findings);
            found.map(|c| {
                matched(
                    c,
                    "iss is the platform's issuer and aud holds the client_id",
                )
            })
        }
        k if k.from_tool() => {
            let found = tool_match(jwt, kind, candidates, &mut findings);
            if let Some(c) = found {
                tool_claims(jwt, kind, c, &mut findings);
            }
            verify_tool(jwt, found, candidates, fetch, &mut signature, &mut findings);
            found.map(|c| {
                matched(
                    c,
                    "iss is the client_id and aud the platform's issuer or token URL",
                )
            })
        }
        _ => {
            findings.push(finding(
                "unknown-kind",
                Severity::Warning,
                "nothing in the token says what it is: it has no LTI message_type, and it is not \
                 a client assertion (iss = sub, with a jti)"
                    .into(),
                "check that this is the token you meant to inspect",
            ));
            let found = platform_match(jwt, candidates, &mut Vec::new());
            verify_platform(jwt, found, candidates, fetch, &mut signature, &mut findings);
            found.map(|c| {
                matched(
                    c,
                    "iss is the platform's issuer and aud holds the client_id",
                )
            })
        }
    };
    if kind != TokenKind::MessageHint && kind != TokenKind::RegistrationToken {
        check_alg(jwt, &mut findings);
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Inspection {
        kind,
        kind_label: kind.label().into(),
        header: Value::Object(jwt.header.clone()),
        claims: Value::Object(jwt.claims.clone()),
        registration,
        signature,
        findings,
    }
}

fn matched(c: &Candidate<'_>, how: &str) -> RegistrationMatch {
    RegistrationMatch {
        registration: c.registration.id.clone(),
        tool: c.tool.profile.name.clone(),
        platform: c.platform.spec.name.clone(),
        issuer: c.registration.issuer.clone(),
        client_id: c.registration.client_id.clone(),
        matched_by: how.into(),
    }
}

fn ago(secs: i64) -> String {
    let secs = secs.abs();
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        7200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

fn times(jwt: &Jwt, kind: TokenKind, now: DateTime<Utc>, findings: &mut Vec<Finding>) {
    let now_s = now.timestamp();
    match jwt.claim_time("exp") {
        Some(exp) if exp <= now_s => findings.push(finding(
            "expired",
            Severity::Error,
            format!(
                "it expired {} ago (exp {}; this machine's clock reads {})",
                ago(now_s - exp),
                stamp(exp),
                now.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            "get a fresh token; if it is new and already expired, this machine's clock or the \
             signer's is wrong: synchronise it (NTP)",
        )),
        Some(_) => {}
        None if kind != TokenKind::MessageHint => findings.push(finding(
            "no-expiry",
            Severity::Error,
            "it has no exp claim, which every LTI token must have".into(),
            "sign it with exp (a client assertion: iat + 5 minutes)",
        )),
        None => {}
    }
    if let Some(nbf) = jwt
        .claim_time("nbf")
        .filter(|nbf| *nbf > now_s + LEEWAY_SECS)
    {
        findings.push(finding(
            "not-yet-valid",
            Severity::Error,
            format!(
                "it is not valid for another {} (nbf {}): the signer's clock is ahead of this \
                 machine's by at least that much",
                ago(nbf - now_s),
                stamp(nbf)
            ),
            "synchronise the clocks (NTP) on the signer and this machine",
        ));
    }
    if let Some(iat) = jwt
        .claim_time("iat")
        .filter(|iat| *iat > now_s + LEEWAY_SECS)
    {
        findings.push(finding(
            "issued-in-the-future",
            Severity::Warning,
            format!(
                "it was issued {} in the future (iat {}): the clocks differ by that much, and \
                 platforms refuse a skew over about 5 minutes",
                ago(iat - now_s),
                stamp(iat)
            ),
            "synchronise the clocks (NTP) on the signer and this machine",
        ));
    }
}

fn stamp(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| secs.to_string())
}

/// The registration of a platform token: iss = issuer, aud holds the client_id (azp picks one
/// of several). Reports no match, and a token whose iss and aud look swapped.
fn platform_match<'a>(
    jwt: &Jwt,
    candidates: &'a [Candidate<'a>],
    findings: &mut Vec<Finding>,
) -> Option<&'a Candidate<'a>> {
    let iss = jwt.claim_str("iss").unwrap_or("");
    let auds = jwt.audiences();
    let azp = jwt.claim_str("azp");
    let client = azp.filter(|_| auds.len() > 1);
    let found = candidates.iter().find(|c| {
        c.registration.issuer == iss
            && match client {
                Some(azp) => azp == c.registration.client_id,
                None => auds.contains(&c.registration.client_id.as_str()),
            }
    });
    if found.is_none() {
        let swapped = candidates.iter().find(|c| {
            c.registration.client_id == iss
                && auds
                    .iter()
                    .any(|a| *a == c.registration.issuer || *a == c.platform.audience())
        });
        findings.push(match swapped {
            Some(c) => finding(
                "iss-aud-swapped",
                Severity::Error,
                format!(
                    "no registration has issuer '{iss}' with client_id {}; with iss and aud \
                     swapped it would be registration {} ({} on {}): this is a tool token, \
                     or its iss and aud were swapped",
                    show_list(&auds),
                    c.registration.id,
                    c.tool.profile.name,
                    c.platform.spec.name
                ),
                "a platform's token has iss = the platform's issuer and aud = the client_id; a \
                 tool's has them the other way round",
            ),
            None => finding(
                "registration-not-found",
                Severity::Warning,
                format!(
                    "no registration has issuer '{iss}' and client_id {}",
                    show_list(&auds)
                ),
                "add the registration (issuer and client_id from the platform), or check that \
                 the token is from the platform you think",
            )
            .with_remedy(Remedy::ListRegistrations),
        });
    }
    found
}

fn show_list(values: &[&str]) -> String {
    match values {
        [] => "(none)".into(),
        [one] => format!("'{one}'"),
        many => many
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// Whether `aud` names the platform: its issuer, token audience or token URL.
fn names_platform(aud: &str, p: &Platform) -> bool {
    aud == p.spec.issuer || aud == p.audience() || aud == p.spec.token_url
}

/// The registration of a tool token: iss = client_id, aud names the platform. Reports no match,
/// and an iss that is not the client_id ("Client not found") when the rest matches.
fn tool_match<'a>(
    jwt: &Jwt,
    kind: TokenKind,
    candidates: &'a [Candidate<'a>],
    findings: &mut Vec<Finding>,
) -> Option<&'a Candidate<'a>> {
    let iss = jwt.claim_str("iss").unwrap_or("");
    let auds = jwt.audiences();
    let found = candidates.iter().find(|c| {
        c.registration.client_id == iss && auds.iter().any(|a| names_platform(a, c.platform))
    });
    if found.is_some() {
        return found;
    }
    // The platform by aud alone: then iss is what is wrong.
    let by_aud: Vec<&Candidate<'_>> = candidates
        .iter()
        .filter(|c| auds.iter().any(|a| names_platform(a, c.platform)))
        .collect();
    let by_kid = jwt
        .header_str("kid")
        .and_then(|kid| by_aud.iter().find(|c| c.keys.iter().any(|k| k.kid == kid)));
    if let Some(c) = by_kid.or(by_aud.first()).copied() {
        findings.push(finding(
            "iss-not-client-id",
            Severity::Error,
            format!(
                "iss is '{iss}', not the client_id {} of registration {} ({} on {}): the \
                 platform answers {{\"errors\":{{\"jwt\":[{{\"type\":\"Client not found\"}}]}}}}",
                c.registration.client_id,
                c.registration.id,
                c.tool.profile.name,
                c.platform.spec.name
            ),
            &format!(
                "sign {} with iss = {} = the client_id (the azp of the platform's request)",
                if kind == TokenKind::ClientAssertion {
                    "the client assertion"
                } else {
                    "the deep-linking response"
                },
                if kind == TokenKind::ClientAssertion {
                    "sub"
                } else {
                    "the registration's client_id"
                }
            ),
        ));
        return Some(c);
    }
    let swapped = candidates.iter().find(|c| {
        c.registration.issuer == iss && auds.contains(&c.registration.client_id.as_str())
    });
    findings.push(match swapped {
        Some(c) => finding(
            "iss-aud-swapped",
            Severity::Error,
            format!(
                "no registration has client_id '{iss}' on a platform named by aud {}; with iss \
                 and aud swapped it would be registration {} ({} on {})",
                show_list(&auds),
                c.registration.id,
                c.tool.profile.name,
                c.platform.spec.name
            ),
            "a tool's token has iss = the client_id and aud = the platform's issuer (or token \
             URL for a client assertion)",
        ),
        None => finding(
            "registration-not-found",
            Severity::Warning,
            format!(
                "no registration has client_id '{iss}' on a platform named by aud {}",
                show_list(&auds)
            ),
            "add the registration, or check the token's iss (the client_id) and aud (the \
             platform's issuer or token URL)",
        )
        .with_remedy(Remedy::ListRegistrations),
    });
    None
}

fn missing_claim(findings: &mut Vec<Finding>, claim: &str, what: &str) {
    findings.push(
        finding(
            "missing-claim",
            Severity::Error,
            format!("it lacks {claim}, which {what} must carry"),
            "send the claim; a tool library that validates launches rejects the token without it",
        )
        .at(claim),
    );
}

fn platform_claims(jwt: &Jwt, kind: TokenKind, c: &Candidate<'_>, findings: &mut Vec<Finding>) {
    let auds = jwt.audiences();
    if auds.len() > 1 {
        match jwt.claim_str("azp") {
            None => findings.push(finding(
                "azp-missing",
                Severity::Warning,
                format!(
                    "aud has {} values and no azp says which is the tool",
                    auds.len()
                ),
                "the platform should send azp = the client_id when aud has several values",
            )),
            Some(azp) if azp != c.registration.client_id => findings.push(finding(
                "azp-mismatch",
                Severity::Error,
                format!(
                    "azp is '{azp}', not the client_id {}",
                    c.registration.client_id
                ),
                "the token was meant for another client",
            )),
            Some(_) => {}
        }
    }
    if jwt.claim_str("nonce").is_none() {
        findings.push(finding(
            "nonce-missing",
            Severity::Error,
            "the id_token has no nonce, so a replay cannot be told from a launch".into(),
            "the platform must echo the nonce of the tool's authentication request",
        ));
    }
    match jwt.claim_str(DEPLOYMENT_ID) {
        None => findings.push(
            finding(
                "deployment-missing",
                Severity::Error,
                "it has no deployment_id claim".into(),
                "every LTI launch carries the deployment_id of the install it comes from",
            )
            .at(DEPLOYMENT_ID),
        ),
        Some(d) => deployment_known(d, c, findings),
    }
    match jwt.claim_str(VERSION) {
        Some("1.3.0") => {}
        other => findings.push(
            finding(
                "version-not-1.3.0",
                Severity::Error,
                format!(
                    "the LTI version claim is {}, not 1.3.0",
                    other.map_or("missing".to_string(), |v| format!("'{v}'"))
                ),
                "the platform must send \"1.3.0\"",
            )
            .at(VERSION),
        ),
    }
    match kind {
        TokenKind::ResourceLinkRequest => {
            if jwt.claim_str(TARGET_LINK_URI).is_none() {
                missing_claim(findings, TARGET_LINK_URI, "a resource-link launch");
            }
            let link_id = jwt
                .claims
                .get(RESOURCE_LINK)
                .and_then(|r| r.get("id"))
                .and_then(Value::as_str);
            if link_id.is_none() {
                missing_claim(
                    findings,
                    &format!("{RESOURCE_LINK}.id"),
                    "a resource-link launch",
                );
            }
        }
        TokenKind::DeepLinkingRequest => {
            let url = jwt
                .claims
                .get(DEEP_LINKING_SETTINGS)
                .and_then(|s| s.get("deep_link_return_url"))
                .and_then(Value::as_str);
            if url.is_none() {
                missing_claim(
                    findings,
                    &format!("{DEEP_LINKING_SETTINGS}.deep_link_return_url"),
                    "a deep-linking request",
                );
            }
        }
        _ => {}
    }
}

fn deployment_known(deployment: &str, c: &Candidate<'_>, findings: &mut Vec<Finding>) {
    if c.registration
        .deployments
        .iter()
        .any(|d| d.deployment_id == deployment)
    {
        return;
    }
    findings.push(
        finding(
            "deployment-unknown",
            Severity::Warning,
            format!(
                "deployment_id '{deployment}' is not recorded on registration {}: a new course \
                 or sub-account install, which the tool answers with \"Deployment not found\"",
                c.registration.id
            ),
            "add the deployment id to the registration",
        )
        .at(DEPLOYMENT_ID)
        .with_remedy(Remedy::AddDeployment {
            registration: c.registration.id.clone(),
            deployment_id: Some(deployment.to_string()),
        }),
    );
}

fn tool_claims(jwt: &Jwt, kind: TokenKind, c: &Candidate<'_>, findings: &mut Vec<Finding>) {
    let client_id = &c.registration.client_id;
    if kind == TokenKind::ClientAssertion {
        if jwt.claim_str("sub") != Some(client_id.as_str()) {
            findings.push(finding(
                "sub-not-client-id",
                Severity::Error,
                format!(
                    "sub is {}, not the client_id {client_id}: the platform finds no developer \
                     key for it",
                    jwt.claim_str("sub")
                        .map_or("missing".into(), |s| format!("'{s}'"))
                ),
                "sign the client assertion with sub = iss = the client_id",
            ));
        }
        if jwt.claim_str("jti").is_none() {
            findings.push(finding(
                "jti-missing",
                Severity::Error,
                "the client assertion has no jti, which the platform needs to refuse replays"
                    .into(),
                "give every client assertion a fresh jti (a UUID)",
            ));
        }
        let auds = jwt.audiences();
        let audience = c.platform.audience();
        if !auds.contains(&audience) {
            findings.push(finding(
                "aud-mismatch",
                Severity::Error,
                format!(
                    "aud is {}, but {} expects '{audience}' in a client assertion",
                    show_list(&auds),
                    c.platform.spec.name
                ),
                "sign with aud = the platform's token audience (Brightspace), else its token URL",
            ));
        }
    } else {
        if !jwt.audiences().contains(&c.platform.spec.issuer.as_str()) {
            findings.push(finding(
                "aud-mismatch",
                Severity::Error,
                format!(
                    "aud is {}, not the platform's issuer '{}'",
                    show_list(&jwt.audiences()),
                    c.platform.spec.issuer
                ),
                "sign the deep-linking response with aud = the platform's issuer",
            ));
        }
        match jwt.claim_str(DEPLOYMENT_ID) {
            Some(d) => deployment_known(d, c, findings),
            None => findings.push(
                finding(
                    "deployment-missing",
                    Severity::Error,
                    "the deep-linking response has no deployment_id claim".into(),
                    "echo the deployment_id of the deep-linking request",
                )
                .at(DEPLOYMENT_ID),
            ),
        }
        if jwt.claim_str(VERSION) != Some("1.3.0") {
            findings.push(
                finding(
                    "version-not-1.3.0",
                    Severity::Error,
                    "the LTI version claim is not 1.3.0".into(),
                    "send \"1.3.0\"",
                )
                .at(VERSION),
            );
        }
        if !jwt.claims.get(CONTENT_ITEMS).is_some_and(Value::is_array) {
            missing_claim(
                findings,
                CONTENT_ITEMS,
                "a deep-linking response (as a list)",
            );
        }
        if !jwt.claims.contains_key(DL_DATA) {
            findings.push(
                finding(
                    "data-not-echoed",
                    Severity::Info,
                    "it carries no data claim: when the request's deep_linking_settings had \
                     data, the platform expects it back"
                        .into(),
                    "echo deep_linking_settings.data of the request as the data claim",
                )
                .at(DL_DATA),
            );
        }
    }
    let _ = MESSAGE_TYPE;
}

fn check_alg(jwt: &Jwt, findings: &mut Vec<Finding>) {
    match jwt.header_str("alg") {
        Some("RS256") => {}
        other => findings.push(finding(
            "alg-not-rs256",
            Severity::Error,
            format!(
                "alg is {}: LTI 1.3 tokens are signed RS256",
                other.map_or("missing".into(), |a| format!("'{a}'"))
            ),
            "sign with RS256 and an RSA key whose kid is published",
        )),
    }
    if jwt.header_str("kid").is_none() {
        findings.push(finding(
            "kid-missing",
            Severity::Error,
            "the header has no kid, so the receiver cannot pick the key from the JWKS".into(),
            "put the signing key's kid in the JWT header",
        ));
    }
}

/// Verifies with a key: `Some(true)` verified, `Some(false)` not, `None` the alg is not one
/// for this key.
fn verify_with(jwt: &Jwt, key: &DecodingKey) -> Option<bool> {
    let alg: Algorithm = jwt.header_str("alg")?.parse().ok()?;
    if !matches!(
        alg,
        Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::ES256
            | Algorithm::ES384
    ) {
        return None;
    }
    jsonwebtoken::crypto::verify(&jwt.signature, jwt.signing_input.as_bytes(), key, alg).ok()
}

fn record(
    signature: &mut SignatureCheck,
    ok: Option<bool>,
    key: String,
    findings: &mut Vec<Finding>,
) {
    signature.key = Some(key.clone());
    match ok {
        Some(true) => {
            signature.status = SignatureStatus::Verified;
            signature.detail = format!("the signature verifies with {key}");
        }
        Some(false) => {
            signature.status = SignatureStatus::Invalid;
            signature.detail = format!("the signature does not verify with {key}");
            findings.push(finding(
                "signature-invalid",
                Severity::Error,
                format!(
                    "the signature does not verify with {key} (\"JWS signature invalid\"): the \
                     token was changed, or signed by another key under the same kid"
                ),
                "sign with the private half of the published key of that kid",
            ));
        }
        None => {
            signature.detail = format!(
                "{key} cannot check a token signed {}",
                signature.alg.as_deref().unwrap_or("without alg")
            );
        }
    }
}

/// The kids of a key set body, and the entry of `kid`.
fn key_set(body: &[u8], kid: &str) -> std::result::Result<(Vec<String>, Option<Value>), String> {
    let value: Value = crate::input::json(body)?;
    let keys = match &value {
        Value::Object(o) if o.get("keys").is_some_and(Value::is_array) => {
            o["keys"].as_array().cloned().unwrap_or_default()
        }
        Value::Array(list) => list.clone(),
        Value::Object(o) if o.contains_key("kty") => vec![value.clone()],
        _ => return Err("it is not a JWKS ({\"keys\": [...]})".into()),
    };
    let kids = keys
        .iter()
        .filter_map(|k| k.get("kid").and_then(Value::as_str).map(str::to_string))
        .collect();
    let entry = keys
        .into_iter()
        .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid));
    Ok((kids, entry))
}

fn kids_text(kids: &[String]) -> String {
    if kids.is_empty() {
        "no kids at all".into()
    } else {
        kids.join(", ")
    }
}

fn verify_platform(
    jwt: &Jwt,
    found: Option<&Candidate<'_>>,
    candidates: &[Candidate<'_>],
    fetch: Option<Fetch<'_>>,
    signature: &mut SignatureCheck,
    findings: &mut Vec<Finding>,
) {
    let iss = jwt.claim_str("iss").unwrap_or("");
    let Some(c) = found.or_else(|| candidates.iter().find(|c| c.platform.spec.issuer == iss))
    else {
        signature.detail =
            "no platform with this issuer is recorded, so there is no key set to check it with"
                .into();
        return;
    };
    let Some(kid) = jwt.header_str("kid") else {
        signature.detail = "the header has no kid to look up".into();
        return;
    };
    let url = fill_client_id(&c.platform.spec.jwks_url, &c.registration.client_id);
    let Some(fetch) = fetch else {
        signature.detail = format!("not checked: the platform's JWKS at {url} was not fetched");
        findings.push(finding(
            "not-fetched",
            Severity::Info,
            format!("the signature was not checked: the platform's JWKS at {url} was not fetched"),
            "inspect again with fetching on",
        ));
        return;
    };
    let body = match fetch(&url) {
        Ok(body) => body,
        Err(why) => {
            signature.detail = format!("the platform's JWKS at {url} could not be fetched");
            findings.push(
                finding(
                    "key-set-unavailable",
                    Severity::Warning,
                    format!("the platform's JWKS at {url} could not be fetched: {why}"),
                    "check the platform's JWKS URL",
                )
                .with_remedy(Remedy::CheckJwks {
                    url: url.clone(),
                    tool: None,
                }),
            );
            return;
        }
    };
    match key_set(&body, kid) {
        Err(why) => {
            signature.detail = format!("the platform's JWKS at {url} is unusable: {why}");
            findings.push(finding(
                "key-set-unavailable",
                Severity::Warning,
                format!("the platform's JWKS at {url} is unusable: {why}"),
                "check the platform's JWKS URL",
            ));
        }
        Ok((kids, None)) => {
            signature.detail = format!("kid '{kid}' is not in the platform's JWKS at {url}");
            findings.push(finding(
                "kid-not-found",
                Severity::Error,
                format!(
                    "kid '{kid}' is not in the platform's JWKS at {url}, which holds {}: the \
                     platform has rotated its keys, or the token is not from {}",
                    kids_text(&kids),
                    c.platform.spec.name
                ),
                "fetch the platform's JWKS again on an unknown kid (platforms rotate: Canvas \
                 monthly, Brightspace hourly), and check the platform's JWKS URL",
            ));
        }
        Ok((_, Some(entry))) => {
            let key = serde_json::from_value::<jsonwebtoken::jwk::Jwk>(entry)
                .ok()
                .and_then(|jwk| DecodingKey::from_jwk(&jwk).ok());
            match key {
                Some(key) => record(
                    signature,
                    verify_with(jwt, &key),
                    format!("kid '{kid}' of the platform's JWKS at {url}"),
                    findings,
                ),
                None => {
                    signature.detail =
                        format!("the JWK of kid '{kid}' at {url} is not a usable public key");
                }
            }
        }
    }
}

fn verify_tool(
    jwt: &Jwt,
    found: Option<&Candidate<'_>>,
    candidates: &[Candidate<'_>],
    fetch: Option<Fetch<'_>>,
    signature: &mut SignatureCheck,
    findings: &mut Vec<Finding>,
) {
    let Some(kid) = jwt.header_str("kid") else {
        signature.detail = "the header has no kid to look up".into();
        return;
    };
    // The tool of the registration; else any tool holding the kid.
    let tool_keys = |c: &Candidate<'_>| c.keys.iter().find(|k| k.kid == kid).cloned();
    let holder = found.map(|c| (c, tool_keys(c))).or_else(|| {
        candidates
            .iter()
            .find_map(|c| tool_keys(c).map(|k| (c, Some(k))))
    });
    let Some((c, key)) = holder else {
        signature.detail = format!("no tool here has a key with kid '{kid}'");
        findings.push(finding(
            "kid-not-found",
            Severity::Error,
            format!("no tool here has a key with kid '{kid}'"),
            "inspect a token signed by one of the tool's keys, or import the key that signed it",
        ));
        return;
    };
    match key {
        None => {
            let kids: Vec<String> = c.keys.iter().map(|k| k.kid.clone()).collect();
            signature.detail = format!("{} has no key with kid '{kid}'", c.tool.profile.name);
            findings.push(finding(
                "kid-not-found",
                Severity::Error,
                format!(
                    "{} has no key with kid '{kid}' (its kids: {}): the platform answers \
                     KidNotFound",
                    c.tool.profile.name,
                    kids_text(&kids)
                ),
                "sign with the tool's current key, whose kid is published",
            ));
        }
        Some(info) => {
            let public = &info.public;
            let key = DecodingKey::from_rsa_components(&public.n_b64(), &public.e_b64());
            match key {
                Ok(key) => record(
                    signature,
                    verify_with(jwt, &key),
                    format!(
                        "{}'s key '{kid}' ({})",
                        c.tool.profile.name,
                        info.status.as_str()
                    ),
                    findings,
                ),
                Err(_) => signature.detail = "the tool's key could not be read".into(),
            }
            if !matches!(
                info.status,
                KeyStatus::Next | KeyStatus::Current | KeyStatus::Previous
            ) {
                findings.push(finding(
                    "kid-not-published",
                    Severity::Error,
                    format!(
                        "key '{kid}' is {}, so the tool's JWKS no longer publishes it: the \
                         platform answers KidNotFound",
                        info.status.as_str()
                    ),
                    "sign with the tool's current key",
                ));
            }
        }
    }
    let Some(url) = c.tool.profile.jwks_url.as_deref() else {
        return;
    };
    let Some(fetch) = fetch else {
        findings.push(finding(
            "not-fetched",
            Severity::Info,
            format!("the tool's live JWKS at {url} was not fetched, so what the platform sees was not checked"),
            "inspect again with fetching on",
        ));
        return;
    };
    match fetch(url)
        .map_err(|e| e.to_string())
        .and_then(|body| key_set(&body, kid))
    {
        Err(why) => findings.push(
            finding(
                "key-set-unavailable",
                Severity::Warning,
                format!("the tool's live JWKS at {url} could not be read: {why}"),
                "run the JWKS check of the tool's URL",
            )
            .with_remedy(Remedy::CheckJwks {
                url: url.to_string(),
                tool: Some(c.tool.profile.name.clone()),
            }),
        ),
        Ok((kids, None)) => findings.push(
            finding(
                "kid-not-published",
                Severity::Error,
                format!(
                    "kid '{kid}' is not in the tool's live JWKS at {url} (it holds {}): the \
                     platform, fetching that URL, answers KidNotFound",
                    kids_text(&kids)
                ),
                "publish the tool's JWKS at its URL, then test again",
            )
            .with_remedy(Remedy::PublishJwks {
                tool: Some(c.tool.profile.name.clone()),
                jwks_url: Some(url.to_string()),
            }),
        ),
        Ok((_, Some(_))) => {}
    }
}

/// Whether a key set holds a kid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KidSearch {
    /// The kid looked for.
    pub kid: String,
    /// Where: the URL, or "the pasted JWKS".
    pub source: String,
    /// Whether it is there.
    pub found: bool,
    /// Every kid in the set, in order.
    pub kids: Vec<String>,
    /// The entry of the kid, when found.
    #[ts(type = "Record<string, unknown> | null")]
    pub key: Option<Value>,
    /// What is wrong with the set or the search.
    pub findings: Vec<Finding>,
}

/// Looks for `kid` in a key set body from `source`.
pub fn find_kid(body: &[u8], kid: &str, source: &str) -> KidSearch {
    let mut search = KidSearch {
        kid: kid.to_string(),
        source: source.to_string(),
        found: false,
        kids: vec![],
        key: None,
        findings: vec![],
    };
    if let Ok(Value::Array(_)) = crate::input::json(body) {
        search.findings.push(finding(
            "missing-keys-wrapper",
            Severity::Error,
            "the key set is a bare array; platforms want {\"keys\": [...]}".into(),
            "wrap the array: {\"keys\": [ ... ]}",
        ));
    }
    match key_set(body, kid) {
        Err(why) => search.findings.push(finding(
            "not-a-jwks",
            Severity::Error,
            format!("{source} is not a JWKS: {why}"),
            "give a JWKS document or its URL",
        )),
        Ok((kids, entry)) => {
            search.found = entry.is_some();
            if entry.is_none() {
                search.findings.push(finding(
                    "kid-not-found",
                    Severity::Error,
                    format!(
                        "kid '{kid}' is not in {source}, which holds {}",
                        kids_text(&kids)
                    ),
                    "publish the key, or sign with a kid the set holds",
                ));
            }
            search.kids = kids;
            search.key = entry;
        }
    }
    search
}
