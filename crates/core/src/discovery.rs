//! Discovery: reads a platform's OpenID configuration (its `/.well-known/openid-configuration`
//! or Dynamic Registration configuration) into platform values, and plans the field-by-field
//! changes to a platform record.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::http::{FetchError, HttpClient};
use crate::input::{blank_to_none, validate_url};
use crate::platform::{validate_issuer, Platform, PlatformFamily, PlatformSpec};

/// The key of the LTI platform-configuration object (formats.md §1).
pub const LTI_PLATFORM_CONFIGURATION: &str =
    "https://purl.imsglobal.org/spec/lti-platform-configuration";

/// What an OpenID configuration says about a platform. A value that is absent or unusable
/// (not https, not a URL) is `None`, with a finding saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiscoveredPlatform {
    /// `issuer`.
    pub issuer: Option<String>,
    /// `authorization_endpoint`.
    pub auth_url: Option<String>,
    /// `token_endpoint`.
    pub token_url: Option<String>,
    /// `authorization_server`, the token audience, when given.
    pub token_audience: Option<String>,
    /// `jwks_uri`.
    pub jwks_url: Option<String>,
    /// `registration_endpoint` (Dynamic Registration).
    pub registration_endpoint: Option<String>,
    /// `product_family_code` of the LTI platform configuration, e.g. `moodle`.
    pub product_family_code: Option<String>,
    /// `version` of the LTI platform configuration.
    pub version: Option<String>,
    /// The family the product code and issuer point to.
    pub family: PlatformFamily,
    /// What was odd or missing.
    pub findings: Vec<Finding>,
}

fn discovery_error(url: &str, problem: impl Into<String>, fix: impl Into<String>) -> Error {
    Error::Discovery {
        url: url.to_string(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// Reads an OpenID configuration document fetched from `url`.
pub fn parse(url: &str, body: &[u8]) -> Result<DiscoveredPlatform> {
    let value: Value = crate::input::json(body).map_err(|e| {
        let start: String = String::from_utf8_lossy(&body[..body.len().min(60)])
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        discovery_error(
            url,
            format!(
                "the response cannot be read: {e}; it starts with '{}'",
                start.trim()
            ),
            "check the URL: it must be the platform's OpenID configuration, e.g. \
             https://moodle.example.edu/mod/lti/openid-configuration.php",
        )
    })?;
    let Value::Object(doc) = value else {
        return Err(discovery_error(
            url,
            "the JSON is not an object",
            "check the URL: an OpenID configuration is a JSON object with issuer, \
             authorization_endpoint, token_endpoint and jwks_uri",
        ));
    };
    let mut findings = vec![];
    let mut url_field = |key: &str, required: bool| -> Option<String> {
        match doc.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                let s = s.trim().to_string();
                let checked = if key == "issuer" {
                    validate_issuer(&s)
                } else {
                    validate_url(key, &s)
                };
                match checked {
                    Ok(()) => Some(s),
                    Err(e) => {
                        findings.push(
                            Finding::new(
                                "unusable-url",
                                Severity::Error,
                                format!("{e}"),
                                "the platform's configuration is wrong: ask its administrator; \
                                 this value is not used",
                            )
                            .at(format!("$.{key}")),
                        );
                        None
                    }
                }
            }
            Some(other) if required && !other.is_null() => {
                findings.push(
                    Finding::new(
                        "missing-field",
                        Severity::Error,
                        format!("{key} is not a string"),
                        "fill this value from the platform's documentation or a preset",
                    )
                    .at(format!("$.{key}")),
                );
                None
            }
            _ if required => {
                findings.push(
                    Finding::new(
                        "missing-field",
                        Severity::Error,
                        format!("{key} is missing"),
                        "fill this value from the platform's documentation or a preset",
                    )
                    .at(format!("$.{key}")),
                );
                None
            }
            _ => None,
        }
    };
    let issuer = url_field("issuer", true);
    let auth_url = url_field("authorization_endpoint", true);
    let token_url = url_field("token_endpoint", true);
    let jwks_url = url_field("jwks_uri", true);
    let registration_endpoint = url_field("registration_endpoint", false);
    let token_audience = match doc.get("authorization_server") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    };
    let (lti, lti_key) = lti_configuration(&doc);
    if let Some(key) = lti_key.filter(|k| *k != LTI_PLATFORM_CONFIGURATION) {
        findings.push(
            Finding::new(
                "lti-configuration-key-spaces",
                Severity::Info,
                format!(
                    "the key '{key}' has stray spaces (a known Moodle quirk); it was read anyway"
                ),
                format!(
                    "nothing to do here; the key should be exactly {LTI_PLATFORM_CONFIGURATION}"
                ),
            )
            .at(format!("$['{key}']")),
        );
    }
    let text = |obj: Option<&Map<String, Value>>, key: &str| -> Option<String> {
        blank_to_none(
            obj.and_then(|o| o.get(key))
                .and_then(Value::as_str)
                .map(String::from),
        )
    };
    let product_family_code = text(lti, "product_family_code");
    let version = text(lti, "version");
    if lti.is_none() {
        findings.push(Finding::new(
            "not-lti-platform-configuration",
            Severity::Info,
            format!("the document has no {LTI_PLATFORM_CONFIGURATION} object: it may be a plain OpenID configuration"),
            "check that the endpoints are the LTI ones (OIDC auth, token, platform JWKS)",
        ));
    }
    let list_lacks = |key: &str, wanted: &str| match doc.get(key) {
        Some(Value::Array(items)) => !items.iter().any(|v| v.as_str() == Some(wanted)),
        _ => false,
    };
    if list_lacks("token_endpoint_auth_methods_supported", "private_key_jwt") {
        findings.push(
            Finding::new(
                "no-private-key-jwt",
                Severity::Warning,
                "the token endpoint does not list private_key_jwt: LTI services (AGS, NRPS) need it",
                "ask the platform's administrator whether LTI Advantage services are enabled",
            )
            .at("$.token_endpoint_auth_methods_supported"),
        );
    }
    if list_lacks("id_token_signing_alg_values_supported", "RS256") {
        findings.push(
            Finding::new(
                "no-rs256",
                Severity::Warning,
                "the platform does not list RS256 for id tokens: LTI 1.3 requires it",
                "check the tool's library accepts the algorithms the platform lists",
            )
            .at("$.id_token_signing_alg_values_supported"),
        );
    }
    if url.ends_with("/.well-known/openid-configuration") {
        if let Some(iss) = &issuer {
            let expected = url.trim_end_matches("/.well-known/openid-configuration");
            if iss.trim_end_matches('/') != expected {
                findings.push(
                    Finding::new(
                        "issuer-mismatch",
                        Severity::Warning,
                        format!(
                            "the issuer '{iss}' is not the address the configuration was read \
                             from ({expected})"
                        ),
                        "make sure this is the platform you meant: launches carry this issuer",
                    )
                    .at("$.issuer"),
                );
            }
        }
    }
    let family = guess_family(product_family_code.as_deref(), issuer.as_deref());
    Ok(DiscoveredPlatform {
        issuer,
        auth_url,
        token_url,
        token_audience,
        jwks_url,
        registration_endpoint,
        product_family_code,
        version,
        family,
        findings,
    })
}

/// Fetches and reads the OpenID configuration at `url` (https, or http on loopback only).
pub fn fetch(client: &HttpClient, url: &str) -> Result<DiscoveredPlatform> {
    fetch_with_token(client, url, None)
}

/// Like [`fetch`], with a Dynamic Registration `registration_token` sent as a Bearer token
/// (Canvas serves its registration configuration only with one).
pub fn fetch_with_token(
    client: &HttpClient,
    url: &str,
    registration_token: Option<&str>,
) -> Result<DiscoveredPlatform> {
    let url = url.trim();
    validate_url("OpenID configuration URL", url)?;
    let token = registration_token.map(str::trim).filter(|t| !t.is_empty());
    let fetched = client.fetch_with_bearer(url, token).map_err(|e| {
        let fix = match &e {
            FetchError::InsecureUrl { .. } | FetchError::InvalidUrl { .. } => {
                "use the platform's https:// address (plain http only for localhost)"
            }
            FetchError::Tls(_) => "check the address; the server's certificate was not accepted",
            FetchError::Connect(_) | FetchError::Timeout { .. } => {
                "check the address and that the platform is reachable from here"
            }
            _ => "check the URL in a browser: it must answer with the JSON configuration",
        };
        discovery_error(url, e.to_string(), fix)
    })?;
    if !(200..300).contains(&fetched.status) {
        let fix = match fetched.status {
            401 | 403 => {
                "this configuration needs a registration token: pass the `registration_token` \
                 of the Dynamic Registration link with --registration-token, or add the \
                 platform from its preset instead"
            }
            404 => {
                "check the URL, e.g. https://moodle.example.edu/mod/lti/openid-configuration.php"
            }
            _ => "try again later, or add the platform from its preset",
        };
        return Err(discovery_error(
            url,
            format!("the server answered HTTP {}", fetched.status),
            fix,
        ));
    }
    let mut found = parse(url, &fetched.body)?;
    let json_type = fetched
        .content_type
        .as_deref()
        .map(|t| t.to_ascii_lowercase())
        .is_some_and(|t| t.contains("json"));
    if !json_type {
        found.findings.push(Finding::new(
            "not-json-content-type",
            Severity::Info,
            format!(
                "the response's Content-Type is {}, not application/json; the body was read as JSON anyway",
                fetched.content_type.as_deref().unwrap_or("missing")
            ),
            "nothing to do here; the platform should send application/json",
        ));
    }
    Ok(found)
}

/// The LTI platform-configuration object, found even when its key has stray spaces.
fn lti_configuration(doc: &Map<String, Value>) -> (Option<&Map<String, Value>>, Option<&str>) {
    doc.iter()
        .find(|(k, _)| k.trim() == LTI_PLATFORM_CONFIGURATION)
        .map(|(k, v)| (v.as_object(), Some(k.as_str())))
        .unwrap_or((None, None))
}

/// The family a product code (and, for Canvas, the issuer) points to.
pub fn guess_family(product_family_code: Option<&str>, issuer: Option<&str>) -> PlatformFamily {
    let code = product_family_code.unwrap_or("").to_ascii_lowercase();
    let issuer = issuer.unwrap_or("").trim_end_matches('/');
    match code.as_str() {
        "canvas" => match issuer {
            "https://canvas.instructure.com" => PlatformFamily::CanvasCloud,
            "https://canvas.beta.instructure.com" => PlatformFamily::CanvasBeta,
            "https://canvas.test.instructure.com" => PlatformFamily::CanvasTest,
            _ => PlatformFamily::CanvasSelfHosted,
        },
        "moodle" => PlatformFamily::Moodle,
        "sakai" => PlatformFamily::Sakai,
        "schoology" => PlatformFamily::Schoology,
        c if c.contains("blackboard") => PlatformFamily::Blackboard,
        c if c.contains("desire2learn") || c.contains("brightspace") || c == "d2l" => {
            PlatformFamily::Brightspace
        }
        c if c.contains("edx") => PlatformFamily::Openedx,
        _ => PlatformFamily::Custom,
    }
}

/// One field of a platform record that discovery would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldChange {
    /// The field, as in [`Platform`] (`issuer`, `auth_url`, ...).
    pub field: String,
    /// The value before.
    pub old: Option<String>,
    /// The value discovered.
    pub new: Option<String>,
    /// Whether the record took it.
    pub applied: bool,
    /// Why it was not applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
}

/// How to apply a discovery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DiscoverOptions {
    /// Take a discovered issuer that differs from the record's (registrations follow it).
    pub accept_issuer: bool,
    /// Show the changes, apply none.
    pub dry_run: bool,
}

/// The values after a discovery and the changes that led to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The platform's values with the applied changes.
    pub spec: PlatformSpec,
    /// Every field that differs, applied or not.
    pub changes: Vec<FieldChange>,
    /// The discovery's findings plus the plan's own (issuer mismatch).
    pub findings: Vec<Finding>,
}

impl Plan {
    /// Whether any change was applied.
    pub fn applies_any(&self) -> bool {
        self.changes.iter().any(|c| c.applied)
    }
}

/// What a discovery did, for the CLI and the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiscoveryOutcome {
    /// The OpenID configuration URL read.
    pub url: String,
    /// The platform after the discovery (`None` when a dry run would have created it).
    pub platform: Option<Platform>,
    /// Whether the discovery created the platform.
    pub created: bool,
    /// Whether any change was written.
    pub applied: bool,
    /// Field by field, old and new.
    pub changes: Vec<FieldChange>,
    /// What the configuration said, as read.
    pub discovered: DiscoveredPlatform,
    /// What was odd, missing or not applied.
    pub findings: Vec<Finding>,
}

/// Plans applying `found` (read from `url`) to the platform `current`, or to a new platform
/// named `name` when there is none.
pub fn plan(
    name: &str,
    current: Option<&PlatformSpec>,
    found: &DiscoveredPlatform,
    url: &str,
    options: DiscoverOptions,
) -> Result<Plan> {
    let mut findings = found.findings.clone();
    let base = match current {
        Some(spec) => spec.clone(),
        None => {
            let missing: Vec<&str> = [
                ("issuer", &found.issuer),
                ("authorization_endpoint", &found.auth_url),
                ("token_endpoint", &found.token_url),
                ("jwks_uri", &found.jwks_url),
            ]
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k)
            .collect();
            if !missing.is_empty() {
                return Err(discovery_error(
                    url,
                    format!("it has no usable {}", missing.join(", ")),
                    "add the platform from a preset first, then discover to fill in what the \
                     configuration has",
                ));
            }
            PlatformSpec {
                name: name.to_string(),
                family: found.family,
                base_url: None,
                issuer: String::new(),
                auth_url: String::new(),
                token_url: String::new(),
                token_audience: None,
                jwks_url: String::new(),
                openid_configuration_url: None,
            }
        }
    };
    let token_url_after = found.token_url.clone().unwrap_or(base.token_url.clone());
    let audience = found
        .token_audience
        .as_ref()
        .map(|aud| Some(aud.clone()).filter(|a| *a != token_url_after));
    let mut spec = base.clone();
    let mut changes = vec![];
    let mut change = |field: &str, old: Option<String>, new: Option<String>| -> bool {
        if old == new {
            return false;
        }
        let mut reason = None;
        if options.dry_run {
            reason = Some("dry run".to_string());
        } else if field == "issuer" && current.is_some() && !options.accept_issuer {
            reason = Some(
                "the issuer differs from the record's: accept the new issuer to take it".into(),
            );
        }
        let applied = reason.is_none();
        changes.push(FieldChange {
            field: field.to_string(),
            old,
            new,
            applied,
            reason,
        });
        applied
    };
    let blank = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    if let Some(new) = &found.issuer {
        if change("issuer", blank(&base.issuer), Some(new.clone())) {
            spec.issuer = new.clone();
        }
    }
    if let Some(new) = &found.auth_url {
        if change("auth_url", blank(&base.auth_url), Some(new.clone())) {
            spec.auth_url = new.clone();
        }
    }
    if let Some(new) = &found.token_url {
        if change("token_url", blank(&base.token_url), Some(new.clone())) {
            spec.token_url = new.clone();
        }
    }
    if let Some(new) = audience {
        if change("token_audience", base.token_audience.clone(), new.clone()) {
            spec.token_audience = new;
        }
    }
    if let Some(new) = &found.jwks_url {
        if change("jwks_url", blank(&base.jwks_url), Some(new.clone())) {
            spec.jwks_url = new.clone();
        }
    }
    if change(
        "openid_configuration_url",
        base.openid_configuration_url.clone(),
        Some(url.to_string()),
    ) {
        spec.openid_configuration_url = Some(url.to_string());
    }
    if let (Some(cur), Some(new)) = (current, &found.issuer) {
        if cur.issuer != *new && spec.issuer == *new {
            findings.push(Finding::new(
                "issuer-changed",
                Severity::Info,
                format!("the issuer changed from '{}' to '{new}'", cur.issuer),
                "nothing to do here: the platform's registrations now carry the new issuer",
            ));
        } else if cur.issuer != *new {
            findings.push(
                Finding::new(
                    "issuer-mismatch",
                    Severity::Warning,
                    format!(
                        "the configuration's issuer '{new}' differs from the record's '{}'",
                        cur.issuer
                    ),
                    "launches carry the configuration's issuer: if this is the right platform, \
                     discover again accepting the new issuer (its registrations follow)",
                )
                .at("$.issuer"),
            );
        }
    }
    Ok(Plan {
        spec,
        changes,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::NewPlatform;

    const URL: &str = "https://moodle.example.edu/mod/lti/openid-configuration.php";

    fn moodle_doc(lti_key: &str) -> String {
        serde_json::json!({
            "issuer": "https://moodle.example.edu",
            "token_endpoint": "https://moodle.example.edu/mod/lti/token.php",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": "https://moodle.example.edu/mod/lti/certs.php",
            "authorization_endpoint": "https://moodle.example.edu/mod/lti/auth.php",
            "registration_endpoint": "https://moodle.example.edu/mod/lti/openid-registration.php",
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss"],
            lti_key: {
                "product_family_code": "moodle",
                "version": "4.1",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}]
            }
        })
        .to_string()
    }

    #[test]
    fn reads_moodle_including_the_trailing_space_key() {
        for key in [
            LTI_PLATFORM_CONFIGURATION.to_string(),
            format!("{LTI_PLATFORM_CONFIGURATION} "),
        ] {
            let d = parse(URL, moodle_doc(&key).as_bytes()).unwrap();
            assert_eq!(d.issuer.as_deref(), Some("https://moodle.example.edu"));
            assert_eq!(
                d.auth_url.as_deref(),
                Some("https://moodle.example.edu/mod/lti/auth.php")
            );
            assert_eq!(d.family, PlatformFamily::Moodle, "key {key:?}");
            assert_eq!(d.version.as_deref(), Some("4.1"));
            let quirk = d
                .findings
                .iter()
                .any(|f| f.code == "lti-configuration-key-spaces");
            assert_eq!(quirk, key.ends_with(' '), "{:?}", d.findings);
            assert!(d.findings.iter().all(|f| f.severity == Severity::Info));
        }
    }

    #[test]
    fn refuses_non_json_and_non_objects_naming_the_url() {
        let err = parse(URL, b"<!DOCTYPE html><html>Log in</html>").unwrap_err();
        assert_eq!(err.kind(), "discovery");
        let text = err.to_string();
        assert!(text.contains(URL) && text.contains("not JSON"), "{text}");
        assert!(text.contains("<!DOCTYPE html>"), "{text}");
        assert!(parse(URL, b"[1,2]")
            .unwrap_err()
            .to_string()
            .contains("not an object"));
    }

    #[test]
    fn unusable_and_missing_values_become_findings_not_values() {
        let doc = serde_json::json!({
            "issuer": "https://lms.example.edu",
            "authorization_endpoint": "http://lms.example.edu/auth",
            "token_endpoint": 7,
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        });
        let d = parse(URL, doc.to_string().as_bytes()).unwrap();
        assert_eq!(d.auth_url, None, "an http endpoint must not be used");
        assert_eq!(d.token_url, None);
        let codes: Vec<_> = d.findings.iter().map(|f| f.code.as_str()).collect();
        for code in ["unusable-url", "missing-field", "no-private-key-jwt"] {
            assert!(codes.contains(&code), "{codes:?}");
        }
        let missing_jwks = d
            .findings
            .iter()
            .find(|f| f.path.as_deref() == Some("$.jwks_uri"))
            .unwrap();
        assert_eq!(missing_jwks.severity, Severity::Error);
        let err = plan("New", None, &d, URL, DiscoverOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("jwks_uri") && text.contains("from a preset"),
            "{text}"
        );
    }

    #[test]
    fn well_known_issuer_must_match_its_address() {
        let doc = serde_json::json!({
            "issuer": "https://other.example.edu",
            "authorization_endpoint": "https://lms.example.edu/auth",
            "token_endpoint": "https://lms.example.edu/token",
            "jwks_uri": "https://lms.example.edu/jwks",
        });
        let d = parse(
            "https://lms.example.edu/.well-known/openid-configuration",
            doc.to_string().as_bytes(),
        )
        .unwrap();
        assert!(d.findings.iter().any(|f| f.code == "issuer-mismatch"));
        let d = parse(
            "https://other.example.edu/.well-known/openid-configuration",
            doc.to_string().as_bytes(),
        )
        .unwrap();
        assert!(!d.findings.iter().any(|f| f.code == "issuer-mismatch"));
    }

    #[test]
    fn guesses_the_family() {
        let g = guess_family;
        assert_eq!(
            g(Some("canvas"), Some("https://canvas.instructure.com")),
            PlatformFamily::CanvasCloud
        );
        assert_eq!(
            g(Some("canvas"), Some("https://canvas.beta.instructure.com")),
            PlatformFamily::CanvasBeta
        );
        assert_eq!(
            g(Some("canvas"), Some("https://lms.example.edu")),
            PlatformFamily::CanvasSelfHosted
        );
        assert_eq!(g(Some("BlackboardLearn"), None), PlatformFamily::Blackboard);
        assert_eq!(g(Some("desire2learn"), None), PlatformFamily::Brightspace);
        assert_eq!(g(None, None), PlatformFamily::Custom);
    }

    fn moodle_spec(base: &str) -> PlatformSpec {
        NewPlatform::from_preset("Moodle", PlatformFamily::Moodle, Some(base))
            .resolve()
            .unwrap()
    }

    #[test]
    fn plan_shows_only_what_changes_and_holds_back_a_new_issuer() {
        let current = moodle_spec("https://old.example.edu");
        let d = parse(URL, moodle_doc(LTI_PLATFORM_CONFIGURATION).as_bytes()).unwrap();
        let p = plan(
            "Moodle",
            Some(&current),
            &d,
            URL,
            DiscoverOptions::default(),
        )
        .unwrap();
        let fields: Vec<_> = p.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "issuer",
                "auth_url",
                "token_url",
                "jwks_url",
                "openid_configuration_url"
            ]
        );
        let issuer = &p.changes[0];
        assert!(!issuer.applied);
        assert!(issuer
            .reason
            .as_deref()
            .unwrap()
            .contains("accept the new issuer"));
        assert_eq!(p.spec.issuer, "https://old.example.edu", "issuer held back");
        assert_eq!(
            p.spec.auth_url,
            "https://moodle.example.edu/mod/lti/auth.php"
        );
        assert!(p.findings.iter().any(|f| f.code == "issuer-mismatch"));

        let accepted = DiscoverOptions {
            accept_issuer: true,
            dry_run: false,
        };
        let p = plan("Moodle", Some(&current), &d, URL, accepted).unwrap();
        assert_eq!(p.spec.issuer, "https://moodle.example.edu");
        assert!(p.changes.iter().all(|c| c.applied));
        assert!(!p.findings.iter().any(|f| f.code == "issuer-mismatch"));
        assert!(p.findings.iter().any(|f| f.code == "issuer-changed"));

        let same = moodle_spec("https://moodle.example.edu");
        let p = plan("Moodle", Some(&same), &d, URL, DiscoverOptions::default()).unwrap();
        assert!(p.changes.is_empty(), "{:?}", p.changes);
        assert!(!p.applies_any());
    }

    #[test]
    fn dry_run_applies_nothing_and_new_platforms_take_everything() {
        let d = parse(URL, moodle_doc(LTI_PLATFORM_CONFIGURATION).as_bytes()).unwrap();
        let dry = DiscoverOptions {
            accept_issuer: false,
            dry_run: true,
        };
        let current = moodle_spec("https://old.example.edu");
        let p = plan("Moodle", Some(&current), &d, URL, dry).unwrap();
        assert!(!p.applies_any());
        assert_eq!(p.spec, current);

        let p = plan("New Moodle", None, &d, URL, DiscoverOptions::default()).unwrap();
        assert_eq!(p.spec.family, PlatformFamily::Moodle);
        assert_eq!(p.spec.name, "New Moodle");
        assert_eq!(p.spec.issuer, "https://moodle.example.edu");
        assert!(p.changes.iter().all(|c| c.applied && c.old.is_none()));
        p.spec.validated().unwrap();
    }

    #[test]
    fn authorization_server_becomes_the_audience_only_when_it_differs() {
        let mut d = parse(URL, moodle_doc(LTI_PLATFORM_CONFIGURATION).as_bytes()).unwrap();
        d.token_audience = Some("https://api.example.edu/aud".into());
        let current = moodle_spec("https://moodle.example.edu");
        let p = plan("M", Some(&current), &d, URL, DiscoverOptions::default()).unwrap();
        assert_eq!(
            p.spec.token_audience.as_deref(),
            Some("https://api.example.edu/aud")
        );
        d.token_audience = d.token_url.clone();
        let p = plan("M", Some(&current), &d, URL, DiscoverOptions::default()).unwrap();
        assert_eq!(p.spec.token_audience, None);
        assert!(!p.changes.iter().any(|c| c.field == "token_audience"));
    }
}
