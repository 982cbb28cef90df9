//! Canvas JSON lint: every rule of reference/canvas-config.md, as findings with a path and the fix.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::path::{index_path, is_blank, key_path, type_name};
use super::{too_large_problem, MAX_JSON_BYTES, TOO_LARGE_FIX};
use crate::finding::{Finding, Severity};
use crate::http::is_loopback_host as is_loopback;
use crate::input::validate_domain;
use crate::lti::{
    self, MessageType, PrivacyLevel, ASSET_PROCESSOR_PLACEMENT, ASSET_PROCESSOR_PLACEMENTS,
    CANVAS_PLATFORM, EULA_MESSAGE_TYPE, EULA_USER_SCOPE, NOTICE_HANDLERS_SCOPE,
    SUBMISSION_TYPE_DESCRIPTION_MAX,
};

/// Every code [`lint`] and [`lint_str`] can report. Stable: the UI and scripts may match on them.
pub const LINT_CODES: [&str; 51] = [
    "invalid-json",
    "too-large",
    "not-an-object",
    "missing-field",
    "wrong-type",
    "invalid-url",
    "http-url",
    "missing-public-key",
    "both-public-key-forms",
    "empty-public-jwk",
    "jwks-in-public-jwk",
    "public-jwk-private-member",
    "public-jwk-missing-member",
    "public-jwk-not-rsa",
    "public-jwk-wrong-alg",
    "public-jwk-wrong-use",
    "public-jwk-short-key",
    "invalid-value",
    "custom-field-not-string",
    "legacy-custom-fields",
    "unknown-scope",
    "duplicate-scope",
    "scope-needs-feature-flag",
    "hidden-scope",
    "privacy-level-top-level",
    "no-placements",
    "unknown-platform",
    "duplicate-extension",
    "invalid-domain",
    "default-privacy-level",
    "unknown-privacy-level",
    "unknown-message-type",
    "unsupported-window-target",
    "unknown-placement",
    "duplicate-placement",
    "placement-needs-feature-flag",
    "placement-needs-approval",
    "deprecated-placement",
    "wrong-message-type",
    "missing-message-type",
    "description-too-long",
    "domain-mismatch",
    "redirect-uris-in-json",
    "trailing-slash-mismatch",
    "missing-redirect-uri",
    "misplaced-field",
    "unknown-field",
    "asset-processor-needs-scope",
    "eula-needs-scope",
    "eula-without-asset-processor",
    "privacy-level-in-settings",
];

/// Top-level keys of Canvas's external configuration schema.
const TOP_KEYS: [&str; 10] = [
    "title",
    "description",
    "target_link_uri",
    "oidc_initiation_url",
    "oidc_initiation_urls",
    "public_jwk",
    "public_jwk_url",
    "custom_fields",
    "scopes",
    "extensions",
];

/// Keys of an extension object.
pub(super) const EXTENSION_KEYS: [&str; 5] =
    ["platform", "domain", "tool_id", "privacy_level", "settings"];

/// The base settings, allowed in `settings` and in each placement.
const BASE_KEYS: [&str; 22] = [
    "message_type",
    "text",
    "labels",
    "custom_fields",
    "selection_height",
    "selection_width",
    "launch_height",
    "launch_width",
    "icon_url",
    "canvas_icon_class",
    "required_permissions",
    "windowTarget",
    "display_type",
    "url",
    "target_link_uri",
    "visibility",
    "prefer_sis_email",
    "oauth_compliant",
    "icon_svg_path_64",
    "default",
    "accept_media_types",
    "use_tray",
];

/// Keys every placement may have besides the base settings.
const PLACEMENT_KEYS: [&str; 2] = ["placement", "enabled"];

/// Placement-only keys Canvas allows on particular placements.
fn placement_extra_keys(placement: &str) -> &'static [&'static str] {
    match placement {
        "account_navigation" => &["root_account_only"],
        "submission_type_selection" => &["description", "require_resource_selection"],
        "ActivityAssetProcessor" => &["eula"],
        _ => &[],
    }
}

const PRIVATE_JWK_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

#[derive(Default)]
struct Linter {
    findings: Vec<Finding>,
}

impl Linter {
    fn add(
        &mut self,
        code: &str,
        severity: Severity,
        path: &str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.findings
            .push(Finding::new(code, severity, message, fix).at(path));
    }

    fn wrong_type(&mut self, path: &str, field: &str, want: &str, got: &Value) {
        self.add(
            "wrong-type",
            Severity::Error,
            path,
            format!("{field} is {}; Canvas wants {want}", type_name(got)),
            format!("make {field} {want}"),
        );
    }

    fn missing(&mut self, path: &str, field: &str, what: &str, fix: &str) {
        self.add(
            "missing-field",
            Severity::Error,
            path,
            format!("{field} is missing; Canvas requires {what}"),
            fix,
        );
    }

    /// A string member, reporting a wrong type. `None` when absent or not a string.
    fn string<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a str> {
        match obj.get(key)? {
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(&key_path(path, key), key, "a string", other);
                None
            }
        }
    }

    fn boolean(&mut self, obj: &Map<String, Value>, key: &str, path: &str, strings_too: bool) {
        match obj.get(key) {
            None | Some(Value::Bool(_)) => {}
            Some(Value::String(s)) if strings_too && matches!(s.as_str(), "true" | "false") => {}
            Some(other) => {
                let want = if strings_too {
                    "true or false"
                } else {
                    "a boolean"
                };
                self.wrong_type(&key_path(path, key), key, want, other)
            }
        }
    }

    /// Checks a URL. Plain `http` (not loopback) is a warning: Canvas saves it, and the
    /// browser may block the launch.
    fn url(&mut self, path: &str, field: &str, value: &str) -> Option<url::Url> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(
                "invalid-url",
                Severity::Error,
                path,
                format!("{field} is empty"),
                "give an absolute https:// URL",
            );
            return None;
        }
        let parsed = match url::Url::parse(trimmed) {
            Ok(u) => u,
            Err(e) => {
                self.add(
                    "invalid-url",
                    Severity::Error,
                    path,
                    format!("{field} '{value}' is not an absolute URL ({e})"),
                    "give an absolute https:// URL, e.g. https://tool.example.edu/lti/launch",
                );
                return None;
            }
        };
        let Some(host) = parsed.host() else {
            self.add(
                "invalid-url",
                Severity::Error,
                path,
                format!("{field} '{value}' has no host"),
                "give an https:// URL with a host",
            );
            return None;
        };
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => self.add(
                "http-url",
                Severity::Warning,
                path,
                format!(
                    "{field} '{value}' uses plain http: Canvas saves it, but a browser may block \
                     an http launch inside an https Canvas page, and the launch's tokens travel \
                     unencrypted"
                ),
                "use https:// if the tool's server offers it",
            ),
            other => {
                self.add(
                    "invalid-url",
                    Severity::Error,
                    path,
                    format!("{field} '{value}' uses the scheme '{other}'"),
                    "give an https:// URL",
                );
                return None;
            }
        }
        if value != trimmed {
            self.add(
                "invalid-url",
                Severity::Error,
                path,
                format!("{field} has spaces around it"),
                "remove the spaces: Canvas compares URLs character by character",
            );
        }
        Some(parsed)
    }

    fn url_member(&mut self, obj: &Map<String, Value>, key: &str, path: &str) -> Option<url::Url> {
        let value = self.string(obj, key, path)?;
        self.url(&key_path(path, key), key, value)
    }

    fn unknown_key(&mut self, path: &str, key: &str, known: &[&str], context: &str) {
        let near = known
            .iter()
            .filter(|_| key.len() > 3)
            .filter_map(|k| Some((lti::edit_distance_within(k, key, 3)?, k)))
            .min()
            .map(|(_, k)| k);
        let (message, fix) = match near {
            Some(k) => (
                format!("Canvas does not know {key} {context}; is it a misspelling of {k}?"),
                format!("rename it to {k}"),
            ),
            None => (
                format!("Canvas does not know {key} {context} and ignores it"),
                "remove it, or check Canvas's configuration docs for the right name".into(),
            ),
        };
        self.add(
            "unknown-field",
            Severity::Info,
            &key_path(path, key),
            message,
            fix,
        );
    }
}

/// Lints a Canvas developer-key configuration given as JSON text; text that is not JSON gives
/// one `invalid-json` finding, text over [`MAX_JSON_BYTES`] one `too-large` finding.
pub fn lint_str(text: &str) -> Vec<Finding> {
    if text.len() as u64 > MAX_JSON_BYTES {
        return vec![Finding::new(
            "too-large",
            Severity::Error,
            too_large_problem(text.len()),
            TOO_LARGE_FIX,
        )
        .at("$")];
    }
    match crate::input::json(text.as_bytes()) {
        Ok(value) => lint(&value),
        Err(e) => vec![Finding::new(
            "invalid-json",
            Severity::Error,
            format!("this cannot be read as a configuration: {e}"),
            "paste the whole configuration object, starting with { and ending with }",
        )
        .at("$")],
    }
}

/// Lints any JSON value as a Canvas developer-key configuration. Findings come in document
/// order, each with a stable code, a severity, a JSON path (`$.extensions[0].settings...`), a
/// message and the fix. Never panics, whatever the shape.
pub fn lint(doc: &Value) -> Vec<Finding> {
    let mut l = Linter::default();
    let Some(obj) = doc.as_object() else {
        l.add(
            "not-an-object",
            Severity::Error,
            "$",
            format!(
                "the configuration is {}, not a JSON object",
                type_name(doc)
            ),
            "give the developer-key configuration object: { \"title\": …, \"target_link_uri\": …, … }",
        );
        return l.findings;
    };
    let root = "$";

    for (key, what) in [
        ("title", "the tool's name"),
        ("description", "a description (it may be empty)"),
        ("target_link_uri", "the default launch URL"),
        ("oidc_initiation_url", "the OIDC login initiation URL"),
    ] {
        if !obj.contains_key(key) {
            l.missing(
                &key_path(root, key),
                key,
                what,
                &format!("add \"{key}\" at the top level"),
            );
        }
    }
    l.string(obj, "title", root);
    l.string(obj, "description", root);
    let target = l.url_member(obj, "target_link_uri", root);
    l.url_member(obj, "oidc_initiation_url", root);
    match obj.get("oidc_initiation_urls") {
        None => {}
        Some(Value::Object(regions)) => {
            let path = key_path(root, "oidc_initiation_urls");
            for (region, url) in regions {
                let p = key_path(&path, region);
                match url {
                    Value::String(s) => {
                        l.url(&p, "oidc_initiation_urls entry", s);
                    }
                    other => l.wrong_type(&p, region, "a string URL", other),
                }
            }
        }
        Some(other) => l.wrong_type(
            &key_path(root, "oidc_initiation_urls"),
            "oidc_initiation_urls",
            "an object of region → URL",
            other,
        ),
    }

    lint_public_key(&mut l, obj);
    lint_custom_fields(
        &mut l,
        obj.get("custom_fields"),
        &key_path(root, "custom_fields"),
    );
    lint_scopes(&mut l, obj.get("scopes"));

    let ext_privacy = obj
        .get("extensions")
        .and_then(Value::as_array)
        .and_then(|exts| {
            exts.iter()
                .find(|e| e.get("platform").and_then(Value::as_str) == Some(CANVAS_PLATFORM))
        })
        .and_then(|e| e.get("privacy_level"))
        .is_some();
    if obj.contains_key("privacy_level") {
        let message = if ext_privacy {
            "privacy_level is at the top level, where Canvas ignores it (the extension's \
             privacy_level applies)"
        } else {
            "privacy_level is at the top level, where Canvas ignores it: the tool will launch \
             anonymously, without names or emails"
        };
        l.add(
            "privacy-level-top-level",
            Severity::Warning,
            &key_path(root, "privacy_level"),
            message,
            "move privacy_level into the canvas.instructure.com extension object \
             (extensions[0].privacy_level)",
        );
    }

    let mut launches: Vec<(String, String)> = Vec::new();
    if let (Some(s), Some(_)) = (obj.get("target_link_uri").and_then(Value::as_str), &target) {
        launches.push((key_path(root, "target_link_uri"), s.to_string()));
    }
    let mut domain = None;
    match obj.get("extensions") {
        None => l.add(
            "no-placements",
            Severity::Warning,
            root,
            "there are no extensions, so the tool has no placements and appears nowhere in Canvas",
            "add an extension with platform canvas.instructure.com and settings.placements",
        ),
        Some(Value::Array(exts)) => {
            let path = key_path(root, "extensions");
            let mut canvas_seen = false;
            let top_privacy = obj.contains_key("privacy_level");
            for (i, ext) in exts.iter().enumerate() {
                let p = index_path(&path, i);
                if let Some(d) = lint_extension(
                    &mut l,
                    ext,
                    &p,
                    &mut canvas_seen,
                    top_privacy,
                    &mut launches,
                ) {
                    domain.get_or_insert(d);
                }
            }
            if !canvas_seen {
                l.add(
                    "no-placements",
                    Severity::Warning,
                    &path,
                    "no extension has platform canvas.instructure.com, so the tool has no \
                     placements and appears nowhere in Canvas",
                    "add an extension with platform canvas.instructure.com and \
                     settings.placements",
                );
            }
        }
        Some(other) => l.wrong_type(
            &key_path(root, "extensions"),
            "extensions",
            "an array of extension objects",
            other,
        ),
    }

    if let (Some(domain), Some(target)) = (domain, &target) {
        lint_domain_match(&mut l, &domain, target);
    }

    if let Some(uris) = obj.get("redirect_uris") {
        lint_redirect_uris(&mut l, uris, &launches);
    }

    lint_needed_scopes(&mut l, obj);

    for key in obj.keys() {
        if TOP_KEYS.contains(&key.as_str()) || key == "privacy_level" || key == "redirect_uris" {
            continue;
        }
        let misplaced = match key.as_str() {
            "placements" => Some("extensions[0].settings.placements"),
            "settings" => Some("extensions[0].settings"),
            "domain" | "tool_id" | "platform" => Some("the canvas.instructure.com extension"),
            "message_type" | "icon_url" | "text" | "selection_width" | "selection_height"
            | "launch_width" | "launch_height" | "display_type" => {
                Some("extensions[0].settings or a placement")
            }
            _ => None,
        };
        match misplaced {
            Some(place) => l.add(
                "misplaced-field",
                Severity::Warning,
                &key_path(root, key),
                format!("{key} is at the top level, where Canvas ignores it"),
                format!("move it into {place}"),
            ),
            None => l.unknown_key(root, key, &TOP_KEYS, "at the top level"),
        }
    }
    l.findings
}

fn lint_public_key(l: &mut Linter, obj: &Map<String, Value>) {
    let has_url = !is_blank(obj.get("public_jwk_url"));
    let has_jwk = !is_blank(obj.get("public_jwk"));
    if let Some(v) = obj.get("public_jwk_url") {
        let path = key_path("$", "public_jwk_url");
        match v {
            Value::String(s) if s.trim().is_empty() => {}
            Value::String(s) => {
                l.url(&path, "public_jwk_url", s);
            }
            Value::Null => {}
            other => l.wrong_type(&path, "public_jwk_url", "a string URL", other),
        }
    }
    match obj.get("public_jwk") {
        None | Some(Value::Null) => {}
        // An empty object beside the URL is what some vendors' pages show: nothing to check.
        Some(Value::Object(o)) if o.is_empty() && has_url => l.add(
            "empty-public-jwk",
            Severity::Info,
            "$.public_jwk",
            "public_jwk is an empty object; Canvas takes the key from public_jwk_url",
            "leave public_jwk out, or keep it empty: the URL is what counts",
        ),
        Some(jwk) => lint_public_jwk(l, jwk, &key_path("$", "public_jwk")),
    }
    if !has_url && !has_jwk {
        l.add(
            "missing-public-key",
            Severity::Error,
            "$",
            "there is neither a public_jwk nor a public_jwk_url (Canvas: \"tool configuration must \
             have public jwk or public jwk url\")",
            "add public_jwk_url with the URL of the tool's JWKS, or public_jwk with the tool's \
             public key",
        );
    } else if has_url && has_jwk {
        l.add(
            "both-public-key-forms",
            Severity::Info,
            "$.public_jwk",
            "there are both a public_jwk and a public_jwk_url; Canvas uses the URL and ignores \
             the pasted key",
            "keep only public_jwk_url, so key rotation needs no change in Canvas",
        );
    }
}

fn lint_public_jwk(l: &mut Linter, jwk: &Value, path: &str) {
    let set_fix = "paste the one key object (the one whose kid the tool signs with) from the \
                   set's keys array, or give the set's URL as public_jwk_url";
    let obj = match jwk {
        Value::Object(o) if o.contains_key("keys") => {
            l.add(
                "jwks-in-public-jwk",
                Severity::Error,
                path,
                "public_jwk holds a JWK Set ({\"keys\": […]}) where Canvas wants a single JWK",
                set_fix,
            );
            return;
        }
        Value::Array(_) => {
            l.add(
                "jwks-in-public-jwk",
                Severity::Error,
                path,
                "public_jwk is an array of keys where Canvas wants a single JWK",
                set_fix,
            );
            return;
        }
        Value::Object(o) => o,
        other => {
            l.wrong_type(path, "public_jwk", "a JWK object", other);
            return;
        }
    };
    for member in PRIVATE_JWK_MEMBERS {
        if obj.contains_key(member) {
            l.add(
                "public-jwk-private-member",
                Severity::Error,
                &key_path(path, member),
                format!(
                    "public_jwk holds the private member {member}: this is a private key, and \
                     anyone who sees this JSON can sign as the tool"
                ),
                "paste the public JWK only (kty, alg, use, kid, n, e), and replace this key: \
                 generate a new one and stop using the exposed one",
            );
        }
    }
    for member in ["kty", "alg", "use", "kid", "n", "e"] {
        let p = key_path(path, member);
        match obj.get(member) {
            None => {
                let fix = match member {
                    "alg" => "add \"alg\": \"RS256\"".to_string(),
                    "use" => "add \"use\": \"sig\"".to_string(),
                    "kty" => "add \"kty\": \"RSA\"".to_string(),
                    "kid" => "add the key's kid, the same the tool puts in its JWT headers".into(),
                    _ => format!("add the key's {member} (base64url)"),
                };
                l.add(
                    "public-jwk-missing-member",
                    Severity::Error,
                    &p,
                    format!(
                        "public_jwk has no {member}; Canvas requires kty, alg, use, kid, n and e \
                         (a missing alg or use gets a 422 when saving)"
                    ),
                    fix,
                );
            }
            Some(Value::String(_)) => {}
            Some(other) => l.wrong_type(&p, member, "a string", other),
        }
    }
    let get = |k: &str| obj.get(k).and_then(Value::as_str);
    if let Some(kty) = get("kty").filter(|k| *k != "RSA") {
        l.add(
            "public-jwk-not-rsa",
            Severity::Error,
            &key_path(path, "kty"),
            format!("public_jwk is a '{kty}' key; Canvas accepts RSA keys only"),
            "use an RSA key (2048 bits or more) with alg RS256",
        );
    }
    if let Some(alg) = get("alg").filter(|a| *a != "RS256") {
        l.add(
            "public-jwk-wrong-alg",
            Severity::Error,
            &key_path(path, "alg"),
            format!("public_jwk has alg '{alg}'; Canvas verifies RS256 only"),
            "set \"alg\": \"RS256\" and sign with RS256",
        );
    }
    if let Some(use_) = get("use").filter(|u| *u != "sig") {
        l.add(
            "public-jwk-wrong-use",
            Severity::Warning,
            &key_path(path, "use"),
            format!("public_jwk has use '{use_}'; a signing key has use 'sig'"),
            "set \"use\": \"sig\"",
        );
    }
    if let Some(n) = get("n").filter(|_| get("kty") == Some("RSA")) {
        use base64::Engine as _;
        match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(n.trim_end_matches('=')) {
            Ok(bytes) => {
                let lead = bytes.iter().take_while(|b| **b == 0).count();
                let bits = (bytes.len() - lead) * 8;
                if bits < 2048 {
                    l.add(
                        "public-jwk-short-key",
                        Severity::Warning,
                        &key_path(path, "n"),
                        format!("public_jwk's modulus is about {bits} bits; RS256 keys should have 2048 or more"),
                        "generate a 2048-bit or larger key",
                    );
                }
            }
            Err(_) => l.add(
                "invalid-value",
                Severity::Error,
                &key_path(path, "n"),
                "public_jwk's n is not base64url",
                "copy n exactly from the key's JWK",
            ),
        }
    }
}

fn lint_custom_fields(l: &mut Linter, v: Option<&Value>, path: &str) {
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            for (name, value) in fields {
                if !value.is_string() {
                    l.add(
                        "custom-field-not-string",
                        Severity::Warning,
                        &key_path(path, name),
                        format!(
                            "custom field {name} is {}; custom field values are strings",
                            type_name(value)
                        ),
                        format!("write it as a string, e.g. \"{name}\": \"$Canvas.user.id\""),
                    );
                }
            }
        }
        Some(Value::String(_)) => l.add(
            "legacy-custom-fields",
            Severity::Info,
            path,
            "custom_fields is a string (an old LTI 1.1 form)",
            "write custom_fields as an object: {\"name\": \"value\"}",
        ),
        Some(other) => l.wrong_type(path, "custom_fields", "an object of name → value", other),
    }
}

fn lint_scopes(l: &mut Linter, v: Option<&Value>) {
    let path = key_path("$", "scopes");
    let scopes = match v {
        None | Some(Value::Null) => return,
        Some(Value::Array(a)) => a,
        Some(other) => {
            l.wrong_type(&path, "scopes", "an array of scope URIs", other);
            return;
        }
    };
    let mut seen = HashSet::new();
    for (i, scope) in scopes.iter().enumerate() {
        let p = index_path(&path, i);
        let Some(uri) = scope.as_str() else {
            l.wrong_type(&p, "a scope", "a string URI", scope);
            continue;
        };
        if !seen.insert(uri) {
            l.add(
                "duplicate-scope",
                Severity::Warning,
                &p,
                format!("scope {uri} is listed twice"),
                "list each scope once",
            );
            continue;
        }
        match lti::scope(uri) {
            None => {
                let fix = match lti::suggest_scope(uri) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "use a scope URI Canvas knows, or remove it".into(),
                };
                l.add(
                    "unknown-scope",
                    Severity::Error,
                    &p,
                    format!("Canvas does not accept the scope '{uri}' and refuses to save the key"),
                    fix,
                );
            }
            Some(info) => match info.visibility {
                lti::ScopeVisibility::Public => {}
                lti::ScopeVisibility::FeatureFlag => l.add(
                    "scope-needs-feature-flag",
                    Severity::Info,
                    &p,
                    format!(
                        "{uri} is offered only where the root account has the {} feature flag on",
                        info.feature_flag.as_deref().unwrap_or("Asset Processor")
                    ),
                    "make sure the Canvas account has the feature on, or remove the scope",
                ),
                lti::ScopeVisibility::Hidden => l.add(
                    "hidden-scope",
                    Severity::Info,
                    &p,
                    format!(
                        "{uri} is undocumented: Canvas accepts it but does not show it to admins"
                    ),
                    "keep it only if the tool really uses it",
                ),
            },
        }
    }
}

/// Lints one extension; returns the Canvas extension's domain, if any. `top_privacy`: the
/// document has a (misplaced) top-level privacy_level, reported already.
fn lint_extension(
    l: &mut Linter,
    ext: &Value,
    path: &str,
    canvas_seen: &mut bool,
    top_privacy: bool,
    launches: &mut Vec<(String, String)>,
) -> Option<String> {
    let Some(obj) = ext.as_object() else {
        l.wrong_type(path, "an extension", "an object", ext);
        return None;
    };
    let platform = match obj.get("platform") {
        None => {
            l.missing(
                &key_path(path, "platform"),
                "platform",
                "the extension's platform",
                "add \"platform\": \"canvas.instructure.com\"",
            );
            None
        }
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            l.wrong_type(&key_path(path, "platform"), "platform", "a string", other);
            None
        }
    };
    if let Some(p) = platform.filter(|p| *p != CANVAS_PLATFORM) {
        l.add(
            "unknown-platform",
            Severity::Warning,
            &key_path(path, "platform"),
            format!("Canvas applies only the canvas.instructure.com extension and ignores '{p}'"),
            "set platform to canvas.instructure.com if this extension is meant for Canvas",
        );
    }
    let is_canvas = platform == Some(CANVAS_PLATFORM);
    if is_canvas {
        if *canvas_seen {
            l.add(
                "duplicate-extension",
                Severity::Warning,
                path,
                "there is more than one canvas.instructure.com extension; Canvas applies one",
                "merge them into one extension",
            );
        }
        *canvas_seen = true;
    }
    // A blank domain is no domain: Canvas matches no links by it, and says nothing.
    let domain = l
        .string(obj, "domain", path)
        .filter(|d| !d.trim().is_empty())
        .map(str::to_string);
    if let Some(d) = &domain {
        if validate_domain(d).is_err() {
            l.add(
                "invalid-domain",
                Severity::Warning,
                &key_path(path, "domain"),
                format!("domain '{d}' is not a bare host name, so Canvas's link matching fails"),
                "give the host only, e.g. tool.example.edu (no https://, no path)",
            );
        }
    }
    l.string(obj, "tool_id", path);
    let settings_privacy = obj
        .get("settings")
        .and_then(|s| s.get("privacy_level"))
        .filter(|_| is_canvas);
    if let Some(v) = settings_privacy {
        let vendor = v.as_str().unwrap_or("?");
        let applied = obj
            .get("privacy_level")
            .and_then(Value::as_str)
            .unwrap_or("anonymous");
        l.add(
            "privacy-level-in-settings",
            Severity::Warning,
            &key_path(&key_path(path, "settings"), "privacy_level"),
            format!(
                "privacy_level '{vendor}' is inside settings, where Canvas ignores it: Canvas \
                 reads privacy_level from the extension itself, so the tool launches as \
                 '{applied}'"
            ),
            format!(
                "move \"privacy_level\": \"{vendor}\" up from settings into the \
                 canvas.instructure.com extension (extensions[].privacy_level) to keep what \
                 the vendor meant"
            ),
        );
    }
    match obj.get("privacy_level") {
        None if is_canvas && !top_privacy && settings_privacy.is_none() => l.add(
            "default-privacy-level",
            Severity::Info,
            &key_path(path, "privacy_level"),
            "there is no privacy_level, so Canvas launches anonymously (no names or emails)",
            "set privacy_level (public, name_only, email_only or anonymous) if the tool needs \
             names or emails",
        ),
        None => {}
        Some(Value::String(s)) if !PrivacyLevel::ALL.iter().any(|p| p.as_str() == s) => l.add(
            "unknown-privacy-level",
            Severity::Error,
            &key_path(path, "privacy_level"),
            format!("'{s}' is not a Canvas privacy level"),
            "use public, name_only, email_only or anonymous",
        ),
        Some(Value::String(_)) => {}
        Some(other) => l.wrong_type(
            &key_path(path, "privacy_level"),
            "privacy_level",
            "a string",
            other,
        ),
    }
    match obj.get("settings") {
        None => l.missing(
            &key_path(path, "settings"),
            "settings",
            "settings in every extension",
            "add \"settings\": {\"placements\": [...]}",
        ),
        Some(Value::Object(settings)) => lint_settings(
            l,
            settings,
            &key_path(path, "settings"),
            is_canvas,
            launches,
        ),
        Some(other) => l.wrong_type(&key_path(path, "settings"), "settings", "an object", other),
    }
    for key in obj.keys() {
        if !EXTENSION_KEYS.contains(&key.as_str()) {
            l.unknown_key(path, key, &EXTENSION_KEYS, "on an extension");
        }
    }
    domain.filter(|_| is_canvas)
}

fn lint_settings(
    l: &mut Linter,
    settings: &Map<String, Value>,
    path: &str,
    is_canvas: bool,
    launches: &mut Vec<(String, String)>,
) {
    lint_base(l, settings, path);
    let default_type = settings
        .get("message_type")
        .and_then(Value::as_str)
        .map(|m| (m, key_path(path, "message_type")));
    if is_canvas {
        if let Some(s) = settings.get("target_link_uri").and_then(Value::as_str) {
            launches.push((key_path(path, "target_link_uri"), s.to_string()));
        }
    }
    let placements_path = key_path(path, "placements");
    match settings.get("placements") {
        None => l.missing(
            &placements_path,
            "placements",
            "settings.placements (it may be empty)",
            "add \"placements\": [{\"placement\": \"course_navigation\", \"message_type\": \
             \"LtiResourceLinkRequest\"}]",
        ),
        Some(Value::Array(placements)) => {
            if placements.is_empty() && is_canvas {
                l.add(
                    "no-placements",
                    Severity::Warning,
                    &placements_path,
                    "placements is empty, so the tool appears nowhere in Canvas",
                    "add at least one placement, e.g. course_navigation or link_selection",
                );
            }
            let mut seen = HashSet::new();
            for (i, p) in placements.iter().enumerate() {
                let pp = index_path(&placements_path, i);
                lint_placement(
                    l,
                    p,
                    &pp,
                    default_type.as_ref(),
                    &mut seen,
                    is_canvas.then_some(&mut *launches),
                );
            }
        }
        Some(other) => l.wrong_type(
            &placements_path,
            "placements",
            "an array of placement objects",
            other,
        ),
    }
    if let Some(v) = settings.get("message_settings") {
        lint_message_settings(l, v, &key_path(path, "message_settings"));
    }
    for key in settings.keys() {
        if ["placements", "message_settings", "privacy_level"].contains(&key.as_str())
            || BASE_KEYS.contains(&key.as_str())
        {
            continue;
        }
        l.unknown_key(path, key, &BASE_KEYS, "in settings");
    }
}

/// The base settings, in `settings` or a placement.
fn lint_base(l: &mut Linter, obj: &Map<String, Value>, path: &str) {
    if let Some(m) = l.string(obj, "message_type", path) {
        if !MessageType::ALL.iter().any(|t| t.as_str() == m) {
            l.add(
                "unknown-message-type",
                Severity::Error,
                &key_path(path, "message_type"),
                format!("'{m}' is not a message type Canvas accepts in a configuration"),
                "use LtiResourceLinkRequest or LtiDeepLinkingRequest",
            );
        }
    }
    l.string(obj, "text", path);
    if let Some(v) = obj.get("labels").filter(|v| !v.is_object()) {
        l.wrong_type(
            &key_path(path, "labels"),
            "labels",
            "an object of locale → text",
            v,
        );
    }
    lint_custom_fields(
        l,
        obj.get("custom_fields"),
        &key_path(path, "custom_fields"),
    );
    for key in [
        "selection_width",
        "selection_height",
        "launch_width",
        "launch_height",
    ] {
        match obj.get(key) {
            None | Some(Value::String(_)) => {}
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f >= 0.0) => {}
            Some(other) => l.wrong_type(&key_path(path, key), key, "a number of pixels", other),
        }
    }
    l.url_member(obj, "icon_url", path);
    l.url_member(obj, "target_link_uri", path);
    l.url_member(obj, "url", path);
    for key in [
        "canvas_icon_class",
        "icon_svg_path_64",
        "accept_media_types",
        "required_permissions",
    ] {
        l.string(obj, key, path);
    }
    match obj.get("windowTarget") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "_blank" => {}
        Some(Value::String(s)) => l.add(
            "unsupported-window-target",
            Severity::Warning,
            &key_path(path, "windowTarget"),
            format!("windowTarget '{s}' is not supported; Canvas knows only _blank"),
            "use \"_blank\" to open in a new window, or remove it",
        ),
        Some(other) => l.wrong_type(
            &key_path(path, "windowTarget"),
            "windowTarget",
            "\"_blank\" or null",
            other,
        ),
    }
    let enums: [(&str, &[&str]); 3] = [
        (
            "display_type",
            &[
                "default",
                "full_width",
                "full_width_in_context",
                "full_width_with_nav",
                "in_nav_context",
                "borderless",
            ],
        ),
        ("visibility", &["admins", "members", "public"]),
        ("default", &["enabled", "disabled"]),
    ];
    for (key, allowed) in enums {
        if let Some(s) = l.string(obj, key, path) {
            if !allowed.contains(&s) {
                l.add(
                    "invalid-value",
                    Severity::Error,
                    &key_path(path, key),
                    format!("{key} '{s}' is not one Canvas accepts"),
                    format!("use one of: {}", allowed.join(", ")),
                );
            }
        }
    }
    l.boolean(obj, "prefer_sis_email", path, false);
    l.boolean(obj, "oauth_compliant", path, false);
    l.boolean(obj, "use_tray", path, true);
}

fn lint_placement(
    l: &mut Linter,
    value: &Value,
    path: &str,
    default_type: Option<&(&str, String)>,
    seen: &mut HashSet<String>,
    launches: Option<&mut Vec<(String, String)>>,
) {
    let Some(obj) = value.as_object() else {
        l.wrong_type(path, "a placement", "an object", value);
        return;
    };
    let name_path = key_path(path, "placement");
    let name = match obj.get("placement") {
        None => {
            l.missing(
                &name_path,
                "placement",
                "a placement name in every placement",
                "add \"placement\", e.g. \"course_navigation\"",
            );
            None
        }
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            l.wrong_type(&name_path, "placement", "a string", other);
            None
        }
    };
    let known = name.filter(|n| lti::is_placement(n));
    if let Some(n) = name.filter(|n| !lti::is_placement(n)) {
        let fix = match lti::suggest_placement(n) {
            Some(s) => format!("did you mean {s}?"),
            None => "use a Canvas placement".into(),
        };
        l.add(
            "unknown-placement",
            Severity::Error,
            &name_path,
            format!("'{n}' is not a Canvas placement"),
            fix,
        );
    }
    if let Some(n) = known {
        if !seen.insert(n.to_string()) {
            l.add(
                "duplicate-placement",
                Severity::Warning,
                &name_path,
                format!("{n} appears twice; Canvas keeps one"),
                "keep one entry per placement",
            );
        }
        if let Some(flag) = lti::placement_feature_flag(n) {
            l.add(
                "placement-needs-feature-flag",
                Severity::Warning,
                &name_path,
                format!(
                    "{n} is available only where Canvas has the {flag} feature flag on; elsewhere \
                     the placement is refused"
                ),
                format!("ask the Canvas admin to turn on {flag}, or remove the placement"),
            );
        }
        if lti::placement_needs_approval(n) {
            l.add(
                "placement-needs-approval",
                Severity::Warning,
                &name_path,
                format!(
                    "{n} is only allowed for Instructure-approved LTI tools; Canvas warns and \
                     hides it unless the tool's domain or developer key is allow-listed"
                ),
                "ask Instructure to approve the tool, or use assignment_selection instead",
            );
        }
        if let Some(advice) = lti::placement_deprecation(n) {
            l.add(
                "deprecated-placement",
                Severity::Info,
                &name_path,
                format!("{n} is deprecated in Canvas"),
                advice,
            );
        }
    }
    lint_base(l, obj, path);
    l.boolean(obj, "enabled", path, true);

    let own = obj
        .get("message_type")
        .and_then(Value::as_str)
        .map(|m| (m, key_path(path, "message_type")));
    let effective = own.as_ref().or(default_type);
    if let Some(n) = known {
        let accepted = lti::message_types_for(n);
        let names: Vec<_> = accepted.iter().map(|m| m.as_str()).collect();
        match effective {
            Some((m, at)) => {
                let parsed = MessageType::ALL.into_iter().find(|t| t.as_str() == *m);
                if let Some(t) = parsed.filter(|t| !accepted.contains(t)) {
                    let inherited = if own.is_none() {
                        " (inherited from settings)"
                    } else {
                        ""
                    };
                    l.add(
                        "wrong-message-type",
                        Severity::Error,
                        at,
                        format!("{n} does not take {t}{inherited}; Canvas refuses to save it"),
                        format!("use {} for {n}", names.join(" or ")),
                    );
                }
            }
            None if !accepted.contains(&MessageType::LtiResourceLinkRequest) => l.add(
                "missing-message-type",
                Severity::Warning,
                &key_path(path, "message_type"),
                format!(
                    "{n} has no message_type, so Canvas sends LtiResourceLinkRequest, which {n} \
                     does not take"
                ),
                format!("add \"message_type\": \"{}\"", names.join("\" or \"")),
            ),
            None => {}
        }
    }

    let extras = known.map(placement_extra_keys).unwrap_or_default();
    if extras.contains(&"description") {
        if let Some(d) = l.string(obj, "description", path) {
            let chars = d.chars().count();
            if chars > SUBMISSION_TYPE_DESCRIPTION_MAX {
                l.add(
                    "description-too-long",
                    Severity::Error,
                    &key_path(path, "description"),
                    format!(
                        "the submission_type_selection description is {chars} characters; Canvas \
                         allows {SUBMISSION_TYPE_DESCRIPTION_MAX}"
                    ),
                    format!("shorten it to {SUBMISSION_TYPE_DESCRIPTION_MAX} characters or fewer"),
                );
            }
        }
    }
    for key in ["root_account_only", "require_resource_selection"] {
        if extras.contains(&key) {
            l.boolean(obj, key, path, false);
        }
    }
    if extras.contains(&"eula") {
        if let Some(v) = obj.get("eula").filter(|v| !v.is_object()) {
            l.wrong_type(&key_path(path, "eula"), "eula", "an object", v);
        }
    }
    if let (Some(launches), Some(s)) =
        (launches, obj.get("target_link_uri").and_then(Value::as_str))
    {
        launches.push((key_path(path, "target_link_uri"), s.to_string()));
    }
    for key in obj.keys() {
        if BASE_KEYS.contains(&key.as_str())
            || PLACEMENT_KEYS.contains(&key.as_str())
            || extras.contains(&key.as_str())
        {
            continue;
        }
        if key == "description" {
            l.add(
                "unknown-field",
                Severity::Info,
                &key_path(path, key),
                "only submission_type_selection takes a description; Canvas ignores it here",
                "remove it (the tool's description is the top-level description)",
            );
            continue;
        }
        l.unknown_key(path, key, &BASE_KEYS, "in a placement");
    }
}

/// `message_settings`: launches of placementless message types
/// (`Schemas::InternalLtiConfiguration.message_settings_schema`: each needs `type`, one of
/// `PLACEMENTLESS_MESSAGE_TYPES`, and a boolean `enabled`).
fn lint_message_settings(l: &mut Linter, v: &Value, path: &str) {
    let Some(list) = v.as_array() else {
        l.wrong_type(path, "message_settings", "an array of message settings", v);
        return;
    };
    for (i, item) in list.iter().enumerate() {
        let p = index_path(path, i);
        let Some(obj) = item.as_object() else {
            l.wrong_type(&p, "a message setting", "an object", item);
            continue;
        };
        match obj.get("type") {
            None => l.missing(
                &key_path(&p, "type"),
                "type",
                "the message type of every message setting",
                &format!("add \"type\": \"{EULA_MESSAGE_TYPE}\""),
            ),
            Some(Value::String(t)) if t != EULA_MESSAGE_TYPE => l.add(
                "invalid-value",
                Severity::Error,
                &key_path(&p, "type"),
                format!("message setting type '{t}' is not one Canvas accepts"),
                format!("use {EULA_MESSAGE_TYPE}, the one message type without a placement"),
            ),
            Some(Value::String(_)) => {}
            Some(other) => l.wrong_type(&key_path(&p, "type"), "type", "a string", other),
        }
        match obj.get("enabled") {
            None => l.missing(
                &key_path(&p, "enabled"),
                "enabled",
                "enabled in every message setting",
                "add \"enabled\": true",
            ),
            Some(Value::Bool(_)) => {}
            Some(other) => l.wrong_type(&key_path(&p, "enabled"), "enabled", "a boolean", other),
        }
        l.url_member(obj, "target_link_uri", &p);
        if let Some(fields) = obj.get("custom_fields") {
            lint_custom_fields(l, Some(fields), &key_path(&p, "custom_fields"));
        }
        for key in obj.keys() {
            if !MESSAGE_SETTING_KEYS.contains(&key.as_str()) {
                l.unknown_key(&p, key, &MESSAGE_SETTING_KEYS, "in a message setting");
            }
        }
    }
}

/// Keys of a `message_settings` entry.
const MESSAGE_SETTING_KEYS: [&str; 4] = ["type", "enabled", "target_link_uri", "custom_fields"];

/// The scopes an asset processor and an enabled EULA launch need, and the placement a EULA
/// belongs to. An asset processor hears of submissions through the Platform Notification
/// Service, so without its scope it is never called: an error. A EULA launch records acceptance
/// through the EULA user service, and Canvas shows the EULA only before an asset processor:
/// warnings, since Canvas saves the key either way.
fn lint_needed_scopes(l: &mut Linter, obj: &Map<String, Value>) {
    let scopes: Vec<&str> = obj
        .get("scopes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(exts) = obj.get("extensions").and_then(Value::as_array) else {
        return;
    };
    for (i, ext) in exts.iter().enumerate() {
        if ext.get("platform").and_then(Value::as_str) != Some(CANVAS_PLATFORM) {
            continue;
        }
        let spath = key_path(&index_path("$.extensions", i), "settings");
        let settings = ext.get("settings");
        let placements = settings
            .and_then(|s| s.get("placements"))
            .and_then(Value::as_array);
        let mut processors = 0;
        for (j, p) in placements.into_iter().flatten().enumerate() {
            let Some(name) = p
                .get("placement")
                .and_then(Value::as_str)
                .filter(|n| ASSET_PROCESSOR_PLACEMENTS.contains(n))
            else {
                continue;
            };
            processors += 1;
            if scopes.contains(&NOTICE_HANDLERS_SCOPE) {
                continue;
            }
            l.add(
                "asset-processor-needs-scope",
                Severity::Error,
                &key_path(&index_path(&key_path(&spath, "placements"), j), "placement"),
                format!(
                    "{name} needs the scope {NOTICE_HANDLERS_SCOPE} (Platform Notification \
                     Service): without it Canvas never tells the tool of a submission"
                ),
                format!("add {NOTICE_HANDLERS_SCOPE} to scopes"),
            );
        }
        let messages = settings
            .and_then(|s| s.get("message_settings"))
            .and_then(Value::as_array);
        for (j, m) in messages.into_iter().flatten().enumerate() {
            let eula = m.get("type").and_then(Value::as_str) == Some(EULA_MESSAGE_TYPE)
                && m.get("enabled").and_then(Value::as_bool) != Some(false);
            if !eula {
                continue;
            }
            let path = key_path(
                &index_path(&key_path(&spath, "message_settings"), j),
                "type",
            );
            if !scopes.contains(&EULA_USER_SCOPE) {
                l.add(
                    "eula-needs-scope",
                    Severity::Warning,
                    &path,
                    format!(
                        "the {EULA_MESSAGE_TYPE} launch has no scope {EULA_USER_SCOPE}: the tool \
                         cannot tell Canvas that a user accepted the EULA, so Canvas shows it again"
                    ),
                    format!("add {EULA_USER_SCOPE} to scopes"),
                );
            }
            if processors == 0 {
                l.add(
                    "eula-without-asset-processor",
                    Severity::Warning,
                    &path,
                    format!(
                        "the {EULA_MESSAGE_TYPE} launch is never sent: Canvas shows a EULA only \
                         before an asset processor ({ASSET_PROCESSOR_PLACEMENT}) handles a \
                         submission"
                    ),
                    format!(
                        "add the {ASSET_PROCESSOR_PLACEMENT} placement (a deep-linking launch), or \
                         remove the EULA launch"
                    ),
                );
            }
        }
    }
}

fn lint_domain_match(l: &mut Linter, domain: &str, target: &url::Url) {
    let bare = domain
        .split(':')
        .next()
        .unwrap_or(domain)
        .to_ascii_lowercase();
    if bare.is_empty() || validate_domain(domain).is_err() {
        return;
    }
    let Some(host) = target.host_str().map(str::to_ascii_lowercase) else {
        return;
    };
    if host != bare && !host.ends_with(&format!(".{bare}")) {
        l.add(
            "domain-mismatch",
            Severity::Warning,
            "$.target_link_uri",
            format!("the target_link_uri host {host} is not in the extension's domain {domain}"),
            "make domain the host the tool launches from (Canvas matches links against it)",
        );
    }
}

fn lint_redirect_uris(l: &mut Linter, uris: &Value, launches: &[(String, String)]) {
    let path = key_path("$", "redirect_uris");
    let Some(list) = uris.as_array() else {
        l.wrong_type(&path, "redirect_uris", "an array of URLs", uris);
        return;
    };
    l.add(
        "redirect-uris-in-json",
        Severity::Info,
        &path,
        "Canvas does not read redirect_uris from the JSON: they go in the developer key's \
         Redirect URIs field",
        "enter each of these URLs in the developer key's Redirect URIs field, exactly",
    );
    let mut registered = Vec::new();
    for (i, uri) in list.iter().enumerate() {
        let p = index_path(&path, i);
        match uri {
            Value::String(s) => {
                l.url(&p, "redirect URI", s);
                registered.push(s.as_str());
            }
            other => l.wrong_type(&p, "a redirect URI", "a string URL", other),
        }
    }
    let mut checked = HashSet::new();
    for (at, launch) in launches {
        if !checked.insert(launch.as_str()) || registered.contains(&launch.as_str()) {
            continue;
        }
        let bare = launch.trim_end_matches('/');
        match registered.iter().find(|r| r.trim_end_matches('/') == bare) {
            Some(near) => l.add(
                "trailing-slash-mismatch",
                Severity::Error,
                at,
                format!(
                    "{launch} differs from the redirect URI {near} only by a trailing slash; \
                     Canvas compares them character by character (redirect_uri_mismatch)"
                ),
                "make the two URLs identical, with or without the trailing slash",
            ),
            None => l.add(
                "missing-redirect-uri",
                Severity::Warning,
                at,
                format!(
                    "{launch} is a launch URL but not a redirect URI; a launch that redirects \
                     there fails with redirect_uri_mismatch"
                ),
                format!("add {launch} to redirect_uris"),
            ),
        }
    }
}
