//! Canvas developer-key JSON: the configuration a tool exports, and the parsing of JSON read in.

mod api;
mod import;
mod lint;
mod path;
pub mod registrations;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::jwk::Jwk;
use crate::lti::{
    DisplayType, MessageType, PrivacyLevel, WindowTarget, CANVAS_PLATFORM, EULA_MESSAGE_TYPE,
};
use crate::placement::Placement;
use crate::remedy::Remedy;
use crate::tool::{CustomFields, Tool, ToolProfile};

pub use api::{export_api, MAX_DESCRIPTION_BYTES};
pub use import::{import, CanvasImport, CanvasImported, IMPORT_CODES};
pub use lint::{lint, lint_str, LINT_CODES};

/// A Canvas LTI 1.3 developer-key configuration, fields in the order they are exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasConfig {
    /// The tool's name.
    pub title: String,
    /// Shown in assignment and link selection.
    pub description: String,
    /// The OIDC login initiation URL.
    pub oidc_initiation_url: String,
    /// The default launch URL.
    pub target_link_uri: String,
    /// Where Canvas fetches the tool's JWKS (preferred over `public_jwk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub public_jwk_url: Option<String>,
    /// The tool's signing key, when it has no JWKS URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub public_jwk: Option<Jwk>,
    /// Scope URIs.
    pub scopes: Vec<String>,
    /// Custom fields of every launch.
    pub custom_fields: CustomFields,
    /// The `canvas.instructure.com` extension.
    pub extensions: Vec<CanvasExtension>,
}

/// The `canvas.instructure.com` extension of a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasExtension {
    /// Always `canvas.instructure.com`.
    pub platform: String,
    /// The domain Canvas matches links against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub domain: Option<String>,
    /// The tool identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tool_id: Option<String>,
    /// What Canvas tells the tool about users (only read here, never at the top level).
    pub privacy_level: PrivacyLevel,
    /// Tool-wide settings and the placements.
    pub settings: CanvasSettings,
}

/// The `settings` of the Canvas extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasSettings {
    /// The tool's icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub icon_url: Option<String>,
    /// Where the tool appears.
    pub placements: Vec<CanvasPlacement>,
    /// Launches that belong to no placement: the EULA launch (`LtiEulaRequest`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<MessageSetting>>", optional)]
    pub message_settings: Vec<MessageSetting>,
}

/// One entry of `message_settings`: a launch of a message type without a placement
/// (Canvas's `message_settings` schema: `type` and `enabled` required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MessageSetting {
    /// The message type; Canvas knows only `LtiEulaRequest`.
    #[serde(rename = "type")]
    pub message_type: String,
    /// Whether Canvas sends it.
    pub enabled: bool,
    /// Where it launches; none for the tool's target link URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub target_link_uri: Option<String>,
    /// Custom fields of this launch.
    #[serde(default, skip_serializing_if = "CustomFields::is_empty")]
    #[ts(as = "Option<CustomFields>", optional)]
    pub custom_fields: CustomFields,
}

impl MessageSetting {
    /// The `message_settings` of a tool: its EULA launch, if it has one.
    fn of(tool: &ToolProfile) -> Vec<MessageSetting> {
        tool.eula
            .iter()
            .map(|eula| MessageSetting {
                message_type: EULA_MESSAGE_TYPE.into(),
                enabled: true,
                target_link_uri: eula.target_link_uri.clone(),
                custom_fields: eula.custom_fields.clone(),
            })
            .collect()
    }
}

/// One placement as Canvas JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasPlacement {
    /// The placement name.
    pub placement: String,
    /// The message type.
    pub message_type: MessageType,
    /// Whether it is on.
    pub enabled: bool,
    /// Link text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    /// Launch URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub target_link_uri: Option<String>,
    /// Icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub icon_url: Option<String>,
    /// Selection dialog width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub selection_width: Option<u32>,
    /// Selection dialog height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub selection_height: Option<u32>,
    /// Launch frame width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub launch_width: Option<u32>,
    /// Launch frame height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub launch_height: Option<u32>,
    /// Framing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub display_type: Option<DisplayType>,
    /// `_blank` to open in a new window.
    #[serde(
        default,
        rename = "windowTarget",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional)]
    pub window_target: Option<WindowTarget>,
    /// Comma-separated Canvas permission names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub required_permissions: Option<String>,
}

impl CanvasConfig {
    /// Pretty JSON, as pasted into Canvas.
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(self).expect(
            "a configuration holds strings, numbers, lists and string-keyed maps: all encode",
        )
    }
}

impl From<&Placement> for CanvasPlacement {
    fn from(p: &Placement) -> Self {
        CanvasPlacement {
            placement: p.placement.clone(),
            message_type: p.message_type,
            enabled: p.enabled,
            text: p.text.clone(),
            target_link_uri: p.target_link_uri.clone(),
            icon_url: p.icon_url.clone(),
            selection_width: p.selection_width,
            selection_height: p.selection_height,
            launch_width: p.launch_width,
            launch_height: p.launch_height,
            display_type: p.display_type,
            window_target: p.window_target,
            required_permissions: (!p.required_permissions.is_empty())
                .then(|| p.required_permissions.join(",")),
        }
    }
}

/// The Canvas JSON of a tool. `current_key` is the tool's signing key, embedded as
/// `public_jwk` when the tool has no JWKS URL (with one, `public_jwk_url` is exported instead).
/// Fails, naming the fix, when the tool lacks what Canvas requires, and never returns a
/// configuration with an error-level lint finding.
pub fn export(tool: &Tool, current_key: Option<&Jwk>) -> Result<CanvasConfig> {
    let profile = &tool.profile;
    let unset = |field: &str, canvas: &str, path: &str| {
        Error::invalid(
            field,
            format!(
                "tool '{}' has none, and Canvas requires {canvas}",
                profile.name
            ),
            format!("set the tool's {field}"),
        )
        .at(path)
        .with_remedy(Remedy::EditTool {
            tool: profile.name.clone(),
            field: path.to_string(),
        })
    };
    let target_link_uri = profile
        .launch_url
        .clone()
        .ok_or_else(|| unset("launch URL", "target_link_uri", "launch_url"))?;
    let oidc_initiation_url = profile
        .login_url
        .clone()
        .ok_or_else(|| unset("login URL", "oidc_initiation_url", "login_url"))?;
    let (public_jwk_url, public_jwk) = match (&profile.jwks_url, current_key) {
        (Some(url), _) => (Some(url.clone()), None),
        (None, Some(jwk)) => (None, Some(jwk.clone())),
        (None, None) => {
            return Err(Error::invalid(
                "public key",
                format!(
                    "tool '{}' has no JWKS URL and no current key, and Canvas needs one of them",
                    profile.name
                ),
                "generate a key for the tool, or set its JWKS URL",
            )
            .at("public_jwk")
            .with_remedy(Remedy::GenerateKey {
                tool: profile.name.clone(),
                next: false,
            })
            .with_remedy(Remedy::EditTool {
                tool: profile.name.clone(),
                field: "jwks_url".into(),
            }))
        }
    };
    let config = CanvasConfig {
        title: profile.name.clone(),
        description: profile.description.clone(),
        oidc_initiation_url,
        target_link_uri,
        public_jwk_url,
        public_jwk,
        scopes: profile.scopes.clone(),
        custom_fields: profile.custom_fields.clone(),
        extensions: vec![CanvasExtension {
            platform: CANVAS_PLATFORM.into(),
            domain: profile.domain.clone(),
            tool_id: profile.canvas_tool_id.clone(),
            privacy_level: profile.privacy_level,
            settings: CanvasSettings {
                icon_url: profile.icon_url.clone(),
                placements: profile
                    .placements
                    .iter()
                    .map(CanvasPlacement::from)
                    .collect(),
                message_settings: MessageSetting::of(profile),
            },
        }],
    };
    let value = serde_json::to_value(&config).map_err(|e| {
        Error::invalid(
            "Canvas JSON",
            format!("could not be encoded ({e})"),
            "report this",
        )
    })?;
    let findings = lint(&value);
    if let Some(f) = findings.iter().find(|f| f.severity == Severity::Error) {
        return Err(Error::invalid(
            format!("Canvas JSON {}", f.path.as_deref().unwrap_or("$")),
            f.message.clone(),
            f.fix.clone(),
        ));
    }
    Ok(config)
}

/// The largest Canvas JSON read from a file, stdin or a paste: a developer key's JSON is a few
/// KB.
pub const MAX_JSON_BYTES: u64 = 1024 * 1024;

/// Parses a pasted Canvas JSON document, refusing one over [`MAX_JSON_BYTES`] before parsing.
pub fn parse(text: &str) -> Result<Value> {
    if text.len() as u64 > MAX_JSON_BYTES {
        return Err(too_large(text.len()));
    }
    crate::input::json(text.as_bytes())
        .map_err(|e| Error::invalid("Canvas JSON", e, "paste the whole JSON document"))
}

const TOO_LARGE_FIX: &str = "paste only the configuration object (a few KB)";

fn too_large_problem(bytes: usize) -> String {
    format!("it is {bytes} bytes, larger than the 1 MiB a developer-key configuration can be")
}

fn too_large(bytes: usize) -> Error {
    Error::invalid("Canvas JSON", too_large_problem(bytes), TOO_LARGE_FIX)
}
