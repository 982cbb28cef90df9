//! Platforms: the LMS instances a tool is registered on, their presets (reference/platforms.md)
//! and the checks on what users type into them.

mod listing;

pub use listing::{fold, PlatformCard, PlatformIndex, PlatformPage, MAX_FILTER_CHARS};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::input::{blank_to_none, validate_url};
use crate::remedy::Remedy;

/// Which LMS a platform is; also the id of the preset that fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformFamily {
    /// Instructure-hosted Canvas, production.
    CanvasCloud,
    /// Instructure-hosted Canvas, beta environment.
    CanvasBeta,
    /// Instructure-hosted Canvas, test environment.
    CanvasTest,
    /// Canvas run by the institution (open source).
    CanvasSelfHosted,
    /// Moodle (External tool, mod_lti).
    Moodle,
    /// D2L Brightspace.
    Brightspace,
    /// Blackboard Learn (Anthology Developer Portal).
    Blackboard,
    /// Sakai.
    Sakai,
    /// Schoology (PowerSchool).
    Schoology,
    /// Open edX (xblock-lti-consumer).
    Openedx,
    /// Any other platform: every value typed in or discovered.
    Custom,
}

impl PlatformFamily {
    /// Whether it is a Canvas (hosted or self-hosted).
    pub fn is_canvas(self) -> bool {
        matches!(
            self,
            Self::CanvasCloud | Self::CanvasBeta | Self::CanvasTest | Self::CanvasSelfHosted
        )
    }

    /// Every family, in the order presets are listed.
    pub const ALL: [PlatformFamily; 11] = [
        PlatformFamily::CanvasCloud,
        PlatformFamily::CanvasBeta,
        PlatformFamily::CanvasTest,
        PlatformFamily::CanvasSelfHosted,
        PlatformFamily::Moodle,
        PlatformFamily::Brightspace,
        PlatformFamily::Blackboard,
        PlatformFamily::Sakai,
        PlatformFamily::Schoology,
        PlatformFamily::Openedx,
        PlatformFamily::Custom,
    ];

    /// The code stored and typed (`canvas-cloud`, `moodle`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformFamily::CanvasCloud => "canvas-cloud",
            PlatformFamily::CanvasBeta => "canvas-beta",
            PlatformFamily::CanvasTest => "canvas-test",
            PlatformFamily::CanvasSelfHosted => "canvas-self-hosted",
            PlatformFamily::Moodle => "moodle",
            PlatformFamily::Brightspace => "brightspace",
            PlatformFamily::Blackboard => "blackboard",
            PlatformFamily::Sakai => "sakai",
            PlatformFamily::Schoology => "schoology",
            PlatformFamily::Openedx => "openedx",
            PlatformFamily::Custom => "custom",
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            PlatformFamily::CanvasCloud => "Canvas (Instructure cloud, production)",
            PlatformFamily::CanvasBeta => "Canvas (Instructure cloud, beta)",
            PlatformFamily::CanvasTest => "Canvas (Instructure cloud, test)",
            PlatformFamily::CanvasSelfHosted => "Canvas (self-hosted)",
            PlatformFamily::Moodle => "Moodle",
            PlatformFamily::Brightspace => "D2L Brightspace",
            PlatformFamily::Blackboard => "Blackboard Learn",
            PlatformFamily::Sakai => "Sakai",
            PlatformFamily::Schoology => "Schoology",
            PlatformFamily::Openedx => "Open edX",
            PlatformFamily::Custom => "Other platform",
        }
    }

    /// The preset of this family.
    pub fn preset(self) -> Preset {
        let spec = PRESETS
            .iter()
            .find(|p| p.family == self)
            .unwrap_or(&PRESETS[PRESETS.len() - 1]);
        spec.to_preset()
    }
}

impl std::fmt::Display for PlatformFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for PlatformFamily {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        PlatformFamily::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = PlatformFamily::ALL.iter().map(|f| f.as_str()).collect();
                Error::invalid(
                    "preset",
                    format!("'{s}' is not a preset"),
                    format!("use one of: {}", names.join(", ")),
                )
            })
    }
}

/// The placeholder a preset puts where the instance's base URL goes.
pub const BASE_URL: &str = "{base_url}";
/// The placeholder filled with each registration's client_id (Blackboard's platform JWKS URL).
pub const CLIENT_ID: &str = "{client_id}";
/// Placeholders a stored URL may keep: `{client_id}` is filled per registration; the others
/// are per-tool values the platform shows, which the user puts in by editing the platform.
pub const PLACEHOLDERS: [&str; 3] = [CLIENT_ID, "{tool_id}", "{config_id}"];

/// A preset: the values a platform family's records start from, as data for forms and lists.
/// URL templates may hold `{base_url}` (the instance) and the placeholders in [`PLACEHOLDERS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Preset {
    /// The preset id, which is also the platform family.
    pub family: PlatformFamily,
    /// A name for people.
    pub label: String,
    /// Whether `base_url` must be given (the values depend on the instance).
    pub needs_base_url: bool,
    /// What a base URL looks like, for a form's placeholder text.
    pub base_url_example: Option<String>,
    /// Issuer template (`None`: the user gives it).
    pub issuer: Option<String>,
    /// OIDC auth endpoint template.
    pub auth_url: Option<String>,
    /// Token endpoint template.
    pub token_url: Option<String>,
    /// Token audience template, when it differs from the token URL.
    pub token_audience: Option<String>,
    /// Platform JWKS URL template.
    pub jwks_url: Option<String>,
    /// OpenID configuration URL template, where the platform publishes one.
    pub openid_configuration_url: Option<String>,
    /// What to know about this platform's values.
    pub note: String,
}

struct PresetSpec {
    family: PlatformFamily,
    base_url_example: Option<&'static str>,
    issuer: Option<&'static str>,
    auth_url: Option<&'static str>,
    token_url: Option<&'static str>,
    token_audience: Option<&'static str>,
    jwks_url: Option<&'static str>,
    openid_configuration_url: Option<&'static str>,
    note: &'static str,
}

impl PresetSpec {
    fn to_preset(&self) -> Preset {
        let own = |v: Option<&str>| v.map(String::from);
        let templates = [
            self.issuer,
            self.auth_url,
            self.token_url,
            self.token_audience,
            self.jwks_url,
            self.openid_configuration_url,
        ];
        Preset {
            family: self.family,
            label: self.family.label().to_string(),
            needs_base_url: templates.iter().flatten().any(|t| t.contains(BASE_URL)),
            base_url_example: own(self.base_url_example),
            issuer: own(self.issuer),
            auth_url: own(self.auth_url),
            token_url: own(self.token_url),
            token_audience: own(self.token_audience),
            jwks_url: own(self.jwks_url),
            openid_configuration_url: own(self.openid_configuration_url),
            note: self.note.to_string(),
        }
    }
}

const CANVAS_CLOUD_NOTE: &str = "Every Instructure-hosted Canvas shares this issuer, so \
registrations are told apart by client_id (the developer key id, e.g. 10000000000001); each \
account or course install adds a deployment id such as 2:f97330a9.... Canvas checks that the \
token `aud` equals the token URL the tool POSTs to: a tool that POSTs to \
https://SCHOOL.instructure.com/login/oauth2/token must use that URL as its token URL. The legacy \
https://canvas.instructure.com/api/lti/... endpoints still work, but platform storage needs the \
sso.canvaslms.com ones. Canvas rotates its platform keys monthly.";

const PRESETS: &[PresetSpec] = &[
    PresetSpec {
        family: PlatformFamily::CanvasCloud,
        base_url_example: None,
        issuer: Some("https://canvas.instructure.com"),
        auth_url: Some("https://sso.canvaslms.com/api/lti/authorize_redirect"),
        token_url: Some("https://sso.canvaslms.com/login/oauth2/token"),
        token_audience: None,
        jwks_url: Some("https://sso.canvaslms.com/api/lti/security/jwks"),
        openid_configuration_url: None,
        note: CANVAS_CLOUD_NOTE,
    },
    PresetSpec {
        family: PlatformFamily::CanvasBeta,
        base_url_example: None,
        issuer: Some("https://canvas.beta.instructure.com"),
        auth_url: Some("https://sso.beta.canvaslms.com/api/lti/authorize_redirect"),
        token_url: Some("https://sso.beta.canvaslms.com/login/oauth2/token"),
        token_audience: None,
        jwks_url: Some("https://sso.beta.canvaslms.com/api/lti/security/jwks"),
        openid_configuration_url: None,
        note: "Canvas beta has its own issuer and endpoints: keep it as a separate platform \
from production, with its own registration (beta is refreshed from production, so the \
client_id is often the same).",
    },
    PresetSpec {
        family: PlatformFamily::CanvasTest,
        base_url_example: None,
        issuer: Some("https://canvas.test.instructure.com"),
        auth_url: Some("https://sso.test.canvaslms.com/api/lti/authorize_redirect"),
        token_url: Some("https://sso.test.canvaslms.com/login/oauth2/token"),
        token_audience: None,
        jwks_url: Some("https://sso.test.canvaslms.com/api/lti/security/jwks"),
        openid_configuration_url: None,
        note: "Canvas test has its own issuer and endpoints: keep it as a separate platform \
from production, with its own registration.",
    },
    PresetSpec {
        family: PlatformFamily::CanvasSelfHosted,
        base_url_example: Some("https://canvas.example.edu"),
        issuer: Some("https://canvas.instructure.com"),
        auth_url: Some("{base_url}/api/lti/authorize_redirect"),
        token_url: Some("{base_url}/login/oauth2/token"),
        token_audience: None,
        jwks_url: Some("{base_url}/api/lti/security/jwks"),
        openid_configuration_url: None,
        note: "A self-hosted Canvas signs launches with the issuer set as lti_iss in \
config/security.yml, which defaults to https://canvas.instructure.com and is rarely changed; \
if the operator changed it, give that value as the issuer. The endpoints live on the \
instance (its base URL). The instance needs lti-keys (jwk-past/present/future) in \
dynamic_settings.yml, or launches fail with \"Private key is needed\".",
    },
    PresetSpec {
        family: PlatformFamily::Moodle,
        base_url_example: Some("https://moodle.example.edu"),
        issuer: Some("{base_url}"),
        auth_url: Some("{base_url}/mod/lti/auth.php"),
        token_url: Some("{base_url}/mod/lti/token.php"),
        token_audience: None,
        jwks_url: Some("{base_url}/mod/lti/certs.php"),
        openid_configuration_url: Some("{base_url}/mod/lti/openid-configuration.php"),
        note: "The issuer (Moodle's \"Platform ID\") is the site's wwwroot with no trailing \
slash. Moodle shows the client_id and the deployment id under \"View configuration details\" \
of the external tool. Moodle 3.9+ takes a keyset URL, 3.8 only a pasted PEM key. Its token \
endpoint rejects assertions whose iat is in the future, so keep the tool's clock in sync.",
    },
    PresetSpec {
        family: PlatformFamily::Brightspace,
        base_url_example: Some("https://school.brightspace.com"),
        issuer: Some("{base_url}"),
        auth_url: Some("{base_url}/d2l/lti/authenticate"),
        token_url: Some("https://auth.brightspace.com/core/connect/token"),
        token_audience: Some("https://api.brightspace.com/auth/token"),
        jwks_url: Some("{base_url}/d2l/.well-known/jwks"),
        openid_configuration_url: None,
        note: "Brightspace's token audience (\"Brightspace OAuth2 Audience\") differs from its \
token URL: client assertions must use https://api.brightspace.com/auth/token as aud. Trust \
the values the registration page prints over these defaults. Brightspace takes a tool keyset \
URL only (no pasted key), needs iss = sub = client_id in client assertions, and rotates its \
own keys about hourly.",
    },
    PresetSpec {
        family: PlatformFamily::Blackboard,
        base_url_example: None,
        issuer: Some("https://blackboard.com"),
        auth_url: Some("https://developer.blackboard.com/api/v1/gateway/oidcauth"),
        token_url: Some("https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken"),
        token_audience: None,
        jwks_url: Some(
            "https://developer.blackboard.com/api/v1/management/applications/{client_id}/jwks.json",
        ),
        openid_configuration_url: None,
        note: "Every Learn site shares the issuer https://blackboard.com. The platform JWKS \
URL is per application: {client_id} is filled with each registration's client_id (the \
Developer Portal Application ID, a UUID) in the hand-off. One client_id serves all Learn \
sites; each site that registers the tool gets its own deployment id. Blackboard takes a tool \
JWKS URL only; after changing it, redeploy with the same client_id instead of deleting.",
    },
    PresetSpec {
        family: PlatformFamily::Sakai,
        base_url_example: Some("https://sakai.example.edu"),
        issuer: Some("{base_url}"),
        auth_url: Some("{base_url}/imsoidc/lti13/oidc_auth"),
        token_url: Some("{base_url}/imsblis/lti13/token/{tool_id}"),
        token_audience: None,
        jwks_url: Some("{base_url}/imsblis/lti13/keyset"),
        openid_configuration_url: Some("{base_url}/imsblis/lti13/well_known"),
        note: "Sakai's token URL names the tool's id in Sakai: replace {tool_id} with it \
in the platform's token URL, or copy the URLs Sakai's tool registration \
shows. The keyset URL here is the server-wide one; a per-tool keyset \
{base_url}/imsblis/lti13/keyset/{tool_id} also exists.",
    },
    PresetSpec {
        family: PlatformFamily::Schoology,
        base_url_example: None,
        issuer: Some("https://schoology.schoology.com"),
        auth_url: Some("https://lti-service.svc.schoology.com/lti-service/authorize-redirect"),
        token_url: Some("https://lti-service.svc.schoology.com/lti-service/access-token"),
        token_audience: None,
        jwks_url: Some("https://lti-service.svc.schoology.com/lti-service/.well-known/jwks"),
        openid_configuration_url: None,
        note: "The client_id is in App Center, Options, API Info; Schoology registers tools \
by hand only. Its key is subject to change: use the JWKS URL, not a copied key. \
Client-credentials requests must use a signed JWT, not HTTP Basic.",
    },
    PresetSpec {
        family: PlatformFamily::Openedx,
        base_url_example: Some("https://lms.example.edu"),
        issuer: Some("{base_url}"),
        auth_url: Some("{base_url}/api/lti_consumer/v1/launch/"),
        token_url: Some("{base_url}/api/lti_consumer/v1/token/{config_id}"),
        token_audience: None,
        jwks_url: Some("{base_url}/api/lti_consumer/v1/public_keysets/{config_id}"),
        openid_configuration_url: None,
        note: "Open edX keys and URLs are per LTI block: replace {config_id} with the \
configuration id (or block usage key, on older versions) from Studio's LTI 1.3 block \
settings, where all these values are shown. The issuer is the LMS root URL.",
    },
    PresetSpec {
        family: PlatformFamily::Custom,
        base_url_example: None,
        issuer: None,
        auth_url: None,
        token_url: None,
        token_audience: None,
        jwks_url: None,
        openid_configuration_url: None,
        note: "Give the issuer, OIDC auth URL, token URL and platform JWKS URL the platform \
shows, or fill them from its OpenID configuration.",
    },
];

/// Every preset, as data (for `ltikeys platform presets` and the platform form).
pub fn presets() -> Vec<Preset> {
    PRESETS.iter().map(PresetSpec::to_preset).collect()
}

/// A platform as stored: its stable id, its values and when they were set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Platform {
    /// Stable short id.
    pub id: String,
    /// What is checked and stored.
    #[serde(flatten)]
    pub spec: PlatformSpec,
    /// When it was added.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

impl Platform {
    /// The audience a client assertion must carry: the token audience, else the token URL.
    pub fn audience(&self) -> &str {
        self.spec
            .token_audience
            .as_deref()
            .unwrap_or(&self.spec.token_url)
    }
}

/// A platform's values: what is checked and stored. Build it from a [`NewPlatform`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlatformSpec {
    /// Unique name (case-insensitive).
    pub name: String,
    /// Which LMS it is.
    pub family: PlatformFamily,
    /// The instance's base URL, for presets that depend on it.
    pub base_url: Option<String>,
    /// The `iss` of the platform's launches.
    pub issuer: String,
    /// OIDC auth endpoint (authorization redirect).
    pub auth_url: String,
    /// OAuth2 token endpoint.
    pub token_url: String,
    /// Token audience when it differs from the token URL (Brightspace).
    pub token_audience: Option<String>,
    /// The platform's JWKS URL; may hold `{client_id}` (Blackboard).
    pub jwks_url: String,
    /// Where the platform publishes its OpenID configuration.
    pub openid_configuration_url: Option<String>,
}

/// What a user gives to add a platform: a preset, the instance's base URL where the preset
/// needs one, and any values that override the preset's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewPlatform {
    /// Unique name, e.g. "Acme University Canvas".
    pub name: String,
    /// The preset (and family).
    pub preset: PlatformFamily,
    /// The instance's base URL, e.g. https://moodle.example.edu.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Overrides the preset's issuer.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Overrides the preset's OIDC auth URL.
    #[serde(default)]
    pub auth_url: Option<String>,
    /// Overrides the preset's token URL.
    #[serde(default)]
    pub token_url: Option<String>,
    /// Overrides the preset's token audience.
    #[serde(default)]
    pub token_audience: Option<String>,
    /// Overrides the preset's platform JWKS URL.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// Overrides the preset's OpenID configuration URL.
    #[serde(default)]
    pub openid_configuration_url: Option<String>,
}

impl NewPlatform {
    /// A platform from a preset with no overrides.
    pub fn from_preset(name: &str, preset: PlatformFamily, base_url: Option<&str>) -> Self {
        NewPlatform {
            name: name.to_string(),
            preset,
            base_url: base_url.map(String::from),
            issuer: None,
            auth_url: None,
            token_url: None,
            token_audience: None,
            jwks_url: None,
            openid_configuration_url: None,
        }
    }

    /// Fills the preset with the base URL, applies the overrides and checks every field.
    pub fn resolve(self) -> Result<PlatformSpec> {
        let preset = self.preset.preset();
        let base_url = blank_to_none(self.base_url)
            .map(|b| normalize_base_url(&b))
            .transpose()?;
        if preset.needs_base_url && base_url.is_none() {
            let example = preset
                .base_url_example
                .as_deref()
                .unwrap_or("https://lms.example.edu");
            return Err(Error::invalid(
                "base URL",
                format!(
                    "the {} preset needs the instance's base URL",
                    self.preset.as_str()
                ),
                format!("give the instance's base URL, e.g. {example}"),
            )
            .at("base_url")
            .with_remedy(Remedy::Give {
                field: "base_url".into(),
            }));
        }
        let fill = |template: Option<String>| -> Option<String> {
            template.map(|t| match base_url.as_deref() {
                Some(base) => t.replace(BASE_URL, base),
                None => t,
            })
        };
        let pick = |given: Option<String>, template: Option<String>| {
            blank_to_none(given).or_else(|| fill(template))
        };
        let issuer = pick(self.issuer, preset.issuer);
        let auth_url = pick(self.auth_url, preset.auth_url);
        let token_url = pick(self.token_url, preset.token_url);
        let jwks_url = pick(self.jwks_url, preset.jwks_url);
        let missing: Vec<&str> = [
            ("issuer", &issuer),
            ("auth_url", &auth_url),
            ("token_url", &token_url),
            ("jwks_url", &jwks_url),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(flag, _)| flag)
        .collect();
        if !missing.is_empty() {
            let err = Error::invalid(
                "platform values",
                format!(
                    "the {} preset has no value for {}",
                    self.preset.as_str(),
                    missing.join(", ")
                ),
                format!(
                    "give the {}, or fill the platform from its OpenID configuration",
                    missing.join(", ")
                ),
            );
            let err = missing.iter().fold(err.at(missing[0]), |err, field| {
                err.with_remedy(Remedy::Give {
                    field: field.to_string(),
                })
            });
            return Err(err.with_remedy(Remedy::DiscoverPlatform { platform: None }));
        }
        PlatformSpec {
            name: self.name,
            family: self.preset,
            base_url: base_url.clone(),
            issuer: issuer.unwrap_or_default(),
            auth_url: auth_url.unwrap_or_default(),
            token_url: token_url.unwrap_or_default(),
            token_audience: pick(self.token_audience, preset.token_audience),
            jwks_url: jwks_url.unwrap_or_default(),
            openid_configuration_url: pick(
                self.openid_configuration_url,
                preset.openid_configuration_url,
            ),
        }
        .validated()
    }
}

/// Changes to a platform: each `Some` replaces a value; `Some("")` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PlatformUpdate {
    /// New name.
    pub name: Option<String>,
    /// New issuer.
    pub issuer: Option<String>,
    /// New OIDC auth URL.
    pub auth_url: Option<String>,
    /// New token URL.
    pub token_url: Option<String>,
    /// New token audience ("" clears it: the token URL is the audience).
    pub token_audience: Option<String>,
    /// New platform JWKS URL.
    pub jwks_url: Option<String>,
    /// New OpenID configuration URL ("" clears it).
    pub openid_configuration_url: Option<String>,
}

impl PlatformUpdate {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == PlatformUpdate::default()
    }

    /// The spec with these changes, checked.
    pub fn apply(self, spec: &PlatformSpec) -> Result<PlatformSpec> {
        let mut out = spec.clone();
        if let Some(v) = self.name {
            out.name = v;
        }
        if let Some(v) = self.issuer {
            out.issuer = v;
        }
        if let Some(v) = self.auth_url {
            out.auth_url = v;
        }
        if let Some(v) = self.token_url {
            out.token_url = v;
        }
        if let Some(v) = self.token_audience {
            out.token_audience = Some(v);
        }
        if let Some(v) = self.jwks_url {
            out.jwks_url = v;
        }
        if let Some(v) = self.openid_configuration_url {
            out.openid_configuration_url = Some(v);
        }
        out.validated()
    }
}

fn normalize_base_url(value: &str) -> Result<String> {
    normalized_base_url(value).map_err(|e| e.at("base_url"))
}

fn normalized_base_url(value: &str) -> Result<String> {
    url_without_query(
        "base URL",
        value,
        "give the instance's address only, e.g. https://moodle.example.edu",
    )?;
    Ok(value.trim_end_matches('/').to_string())
}

/// Checks a URL like [`validate_url`], and that it has no query or fragment (`fix` says what
/// to give instead).
fn url_without_query(field: &str, value: &str, fix: &str) -> Result<()> {
    validate_url(field, value)?;
    let parsed = url::Url::parse(value)
        .map_err(|e| Error::invalid(field, format!("'{value}' is not a URL ({e})"), fix))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::invalid(
            field,
            format!("'{value}' has a query or fragment"),
            fix,
        ));
    }
    Ok(())
}

/// The longest API token taken, in bytes (Canvas's are about 70).
pub const MAX_API_TOKEN_BYTES: usize = 4096;

/// A platform API token as given (pasted or read from a file): trimmed, one line of printable
/// ASCII. The error never repeats the token.
pub fn validated_api_token(token: &str) -> Result<zeroize::Zeroizing<String>> {
    let token = token.trim_start_matches('\u{feff}').trim();
    let refuse =
        |problem: &str, fix: &str| Err(Error::invalid("API token", problem, fix).at("api_token"));
    if token.is_empty() {
        return refuse(
            "it is empty",
            "paste the access token Canvas showed when it was made (Account → Settings → New \
             access token)",
        );
    }
    if token.len() > MAX_API_TOKEN_BYTES {
        return refuse(
            "it is longer than 4096 bytes, which no access token is",
            "give the token alone, not a whole file or page",
        );
    }
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        return refuse(
            "it holds spaces, line breaks or characters that are not printable ASCII",
            "give the token alone, on one line, e.g. 7~AbC…",
        );
    }
    Ok(zeroize::Zeroizing::new(token.to_string()))
}

/// The placeholders (`{client_id}`, ...) a URL holds.
pub fn placeholders_in(url: &str) -> Vec<&'static str> {
    PLACEHOLDERS
        .into_iter()
        .filter(|p| url.contains(p))
        .collect()
}

/// Checks a URL that may hold known placeholders.
fn validate_template(field: &str, value: &str) -> Result<()> {
    let mut filled = value.to_string();
    for p in PLACEHOLDERS {
        filled = filled.replace(p, "x");
    }
    if let Some(start) = filled.find('{') {
        let rest = &filled[start..];
        let end = rest.find('}').map(|i| i + 1).unwrap_or(rest.len());
        return Err(Error::invalid(
            field,
            format!("'{value}' holds the unknown placeholder '{}'", &rest[..end]),
            format!(
                "put the real value in its place (placeholders kept are {})",
                PLACEHOLDERS.join(", ")
            ),
        ));
    }
    validate_url(field, &filled)
}

/// Checks an issuer: an https URL (http on loopback) with no query or fragment.
pub fn validate_issuer(value: &str) -> Result<()> {
    url_without_query(
        "issuer",
        value,
        "give the iss exactly as the platform sends it: an https URL without ? or #",
    )
}

impl PlatformSpec {
    /// Trims the values and checks every field, naming the first bad one.
    pub fn validated(self) -> Result<PlatformSpec> {
        let trim = |s: String| s.trim().to_string();
        let spec = PlatformSpec {
            name: trim(self.name),
            family: self.family,
            base_url: blank_to_none(self.base_url),
            issuer: trim(self.issuer),
            auth_url: trim(self.auth_url),
            token_url: trim(self.token_url),
            token_audience: blank_to_none(self.token_audience),
            jwks_url: trim(self.jwks_url),
            openid_configuration_url: blank_to_none(self.openid_configuration_url),
        };
        if spec.name.is_empty() {
            return Err(Error::invalid(
                "name",
                "it is empty",
                "give the platform a name, e.g. \"Acme University Canvas\"",
            )
            .at("name"));
        }
        if spec.name.chars().count() > 100 {
            return Err(
                Error::invalid("name", "it is longer than 100 characters", "shorten it").at("name"),
            );
        }
        if let Some(base) = &spec.base_url {
            validate_url("base URL", base).map_err(|e| e.at("base_url"))?;
        }
        validate_issuer(&spec.issuer).map_err(|e| e.at("issuer"))?;
        validate_template("OIDC auth URL", &spec.auth_url).map_err(|e| e.at("auth_url"))?;
        validate_template("token URL", &spec.token_url).map_err(|e| e.at("token_url"))?;
        validate_template("platform JWKS URL", &spec.jwks_url).map_err(|e| e.at("jwks_url"))?;
        if let Some(url) = &spec.openid_configuration_url {
            validate_url("OpenID configuration URL", url)
                .map_err(|e| e.at("openid_configuration_url"))?;
        }
        if let Some(aud) = &spec.token_audience {
            if aud.chars().any(char::is_control) || aud.contains(' ') {
                return Err(Error::invalid(
                    "token audience",
                    format!("'{aud}' contains spaces or control characters"),
                    "copy the audience exactly as the platform shows it",
                )
                .at("token_audience"));
            }
        }
        Ok(spec)
    }

    /// Placeholders still in the URLs, by field label (e.g. `("token URL", "{tool_id}")`).
    pub fn unresolved(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = vec![];
        for (field, url) in [
            ("OIDC auth URL", &self.auth_url),
            ("token URL", &self.token_url),
            ("platform JWKS URL", &self.jwks_url),
        ] {
            for p in placeholders_in(url) {
                out.push((field, p));
            }
        }
        out
    }
}

/// The fields that differ between two specs, as "field: old -> new" for the audit log.
pub fn describe_changes(before: &PlatformSpec, after: &PlatformSpec) -> String {
    let show = |v: Option<&str>| v.unwrap_or("-").to_string();
    let pairs = [
        (
            "name",
            Some(before.name.as_str()),
            Some(after.name.as_str()),
        ),
        (
            "issuer",
            Some(before.issuer.as_str()),
            Some(after.issuer.as_str()),
        ),
        (
            "auth_url",
            Some(before.auth_url.as_str()),
            Some(after.auth_url.as_str()),
        ),
        (
            "token_url",
            Some(before.token_url.as_str()),
            Some(after.token_url.as_str()),
        ),
        (
            "token_audience",
            before.token_audience.as_deref(),
            after.token_audience.as_deref(),
        ),
        (
            "jwks_url",
            Some(before.jwks_url.as_str()),
            Some(after.jwks_url.as_str()),
        ),
        (
            "openid_configuration_url",
            before.openid_configuration_url.as_deref(),
            after.openid_configuration_url.as_deref(),
        ),
    ];
    let changed: Vec<String> = pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(field, a, b)| format!("{field}: {} -> {}", show(a), show(b)))
        .collect();
    if changed.is_empty() {
        "no change".into()
    } else {
        changed.join("; ")
    }
}

/// The endpoints of a platform for one client_id: `{client_id}` filled in.
pub fn fill_client_id(url: &str, client_id: &str) -> String {
    url.replace(CLIENT_ID, client_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(preset: PlatformFamily, base: Option<&str>) -> Result<PlatformSpec> {
        NewPlatform::from_preset("P", preset, base).resolve()
    }

    #[test]
    fn every_family_has_exactly_one_preset_and_round_trips_its_code() {
        let presets = presets();
        assert_eq!(presets.len(), PlatformFamily::ALL.len());
        for family in PlatformFamily::ALL {
            assert_eq!(presets.iter().filter(|p| p.family == family).count(), 1);
            assert_eq!(family.as_str().parse::<PlatformFamily>().unwrap(), family);
            let json = serde_json::to_string(&family).unwrap();
            assert_eq!(json, format!("\"{}\"", family.as_str()));
        }
        assert!("canvas".parse::<PlatformFamily>().is_err());
    }

    #[test]
    fn presets_without_an_instance_fill_everything() {
        for family in [
            PlatformFamily::CanvasCloud,
            PlatformFamily::CanvasBeta,
            PlatformFamily::CanvasTest,
            PlatformFamily::Blackboard,
            PlatformFamily::Schoology,
        ] {
            let spec = resolve(family, None).unwrap_or_else(|e| panic!("{family}: {e}"));
            assert!(spec.issuer.starts_with("https://"), "{family}");
        }
        let canvas = resolve(PlatformFamily::CanvasCloud, None).unwrap();
        assert_eq!(canvas.issuer, "https://canvas.instructure.com");
        assert_eq!(
            canvas.auth_url,
            "https://sso.canvaslms.com/api/lti/authorize_redirect"
        );
        assert_eq!(canvas.token_audience, None);
    }

    #[test]
    fn instance_presets_need_a_base_url_and_name_the_flag() {
        for family in [
            PlatformFamily::CanvasSelfHosted,
            PlatformFamily::Moodle,
            PlatformFamily::Brightspace,
            PlatformFamily::Sakai,
            PlatformFamily::Openedx,
        ] {
            assert!(family.preset().needs_base_url, "{family}");
            let err = resolve(family, None).unwrap_err();
            assert_eq!(err.field(), Some("base_url"), "{family}: {err}");
            assert!(
                err.remedies().contains(&Remedy::Give {
                    field: "base_url".into()
                }),
                "{family}: {err}"
            );
        }
        assert!(!PlatformFamily::CanvasCloud.preset().needs_base_url);
    }

    #[test]
    fn moodle_fills_from_the_base_url_without_trailing_slash() {
        let m = resolve(PlatformFamily::Moodle, Some("https://moodle.example.edu/")).unwrap();
        assert_eq!(m.issuer, "https://moodle.example.edu");
        assert_eq!(m.auth_url, "https://moodle.example.edu/mod/lti/auth.php");
        assert_eq!(m.token_url, "https://moodle.example.edu/mod/lti/token.php");
        assert_eq!(m.jwks_url, "https://moodle.example.edu/mod/lti/certs.php");
        assert_eq!(
            m.openid_configuration_url.as_deref(),
            Some("https://moodle.example.edu/mod/lti/openid-configuration.php")
        );
    }

    #[test]
    fn brightspace_keeps_a_separate_audience() {
        let b = resolve(
            PlatformFamily::Brightspace,
            Some("https://x.brightspace.com"),
        )
        .unwrap();
        assert_eq!(
            b.token_url,
            "https://auth.brightspace.com/core/connect/token"
        );
        assert_eq!(
            b.token_audience.as_deref(),
            Some("https://api.brightspace.com/auth/token")
        );
        assert_eq!(b.auth_url, "https://x.brightspace.com/d2l/lti/authenticate");
    }

    #[test]
    fn self_hosted_canvas_defaults_the_issuer_unless_given() {
        let c = resolve(
            PlatformFamily::CanvasSelfHosted,
            Some("https://lms.example.edu"),
        )
        .unwrap();
        assert_eq!(c.issuer, "https://canvas.instructure.com");
        assert_eq!(c.token_url, "https://lms.example.edu/login/oauth2/token");
        let mut n = NewPlatform::from_preset(
            "P",
            PlatformFamily::CanvasSelfHosted,
            Some("https://lms.example.edu"),
        );
        n.issuer = Some("https://lms.example.edu".into());
        assert_eq!(n.resolve().unwrap().issuer, "https://lms.example.edu");
        assert!(PlatformFamily::CanvasSelfHosted
            .preset()
            .note
            .contains("give that value as the issuer"));
    }

    #[test]
    fn blackboard_keeps_the_client_id_placeholder() {
        let b = resolve(PlatformFamily::Blackboard, None).unwrap();
        assert_eq!(b.unresolved(), [("platform JWKS URL", CLIENT_ID)]);
        assert_eq!(
            fill_client_id(&b.jwks_url, "abc-123"),
            "https://developer.blackboard.com/api/v1/management/applications/abc-123/jwks.json"
        );
    }

    #[test]
    fn custom_needs_every_value_and_says_which() {
        let err = resolve(PlatformFamily::Custom, None).unwrap_err();
        for field in ["issuer", "auth_url", "token_url", "jwks_url"] {
            assert!(err.to_string().contains(field), "{err}");
            assert!(
                err.remedies().contains(&Remedy::Give {
                    field: field.into()
                }),
                "{err}"
            );
        }
        let mut n = NewPlatform::from_preset("P", PlatformFamily::Custom, None);
        n.issuer = Some("https://lms.example.edu".into());
        n.auth_url = Some("https://lms.example.edu/auth".into());
        n.token_url = Some("https://lms.example.edu/token".into());
        n.jwks_url = Some("http://lms.example.edu/jwks".into());
        let err = n.clone().resolve().unwrap_err().to_string();
        assert!(err.starts_with("platform JWKS URL:"), "{err}");
        n.jwks_url = Some("http://127.0.0.1:8080/jwks".into());
        n.resolve().unwrap();
    }

    #[test]
    fn issuers_have_no_query_and_unknown_placeholders_are_refused() {
        assert!(validate_issuer("https://lms.example.edu?x=1").is_err());
        assert!(validate_issuer("http://lms.example.edu").is_err());
        validate_issuer("http://localhost:8000").unwrap();
        let err = validate_template("token URL", "https://x.example/{clientid}/t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("{clientid}"), "{err}");
        validate_template("token URL", "https://x.example/{tool_id}/t").unwrap();
    }

    #[test]
    fn updates_clear_optional_values_with_an_empty_string() {
        let b = resolve(
            PlatformFamily::Brightspace,
            Some("https://x.brightspace.com"),
        )
        .unwrap();
        let cleared = PlatformUpdate {
            token_audience: Some(" ".into()),
            ..PlatformUpdate::default()
        }
        .apply(&b)
        .unwrap();
        assert_eq!(cleared.token_audience, None);
        let err = PlatformUpdate {
            auth_url: Some("ftp://x".into()),
            ..PlatformUpdate::default()
        }
        .apply(&b)
        .unwrap_err();
        assert!(err.to_string().starts_with("OIDC auth URL:"), "{err}");
    }
}
