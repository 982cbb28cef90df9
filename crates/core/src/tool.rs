//! Tools: the LTI tool profiles that own key sets, their custom fields, and the checks on them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::input::{blank_to_none, drop_blanks, validate_domain, validate_tool_url};
use crate::lti::{self, PrivacyLevel};
use crate::placement::Placement;
use crate::remedy::Remedy;

/// Custom fields sent with every launch (`name` → value, e.g. `"$Canvas.user.id"`), by name.
pub type CustomFields = BTreeMap<String, String>;

/// An LTI tool: its stable id, its profile and when it was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Tool {
    /// Stable short id.
    pub id: String,
    /// What the user gives and edits.
    #[serde(flatten)]
    pub profile: ToolProfile,
    /// When it was added.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// A tool's editable fields: what a user gives to add a tool, and changes to edit one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ToolProfile {
    /// Unique name (case-insensitive).
    pub name: String,
    /// Free text.
    pub description: String,
    /// host[:port] without scheme.
    pub domain: Option<String>,
    /// OIDC login initiation URL.
    pub login_url: Option<String>,
    /// Target link URI (launch URL).
    pub launch_url: Option<String>,
    /// Redirect URIs, each registered exactly.
    pub redirect_uris: Vec<String>,
    /// Where the tool publishes its JWKS.
    pub jwks_url: Option<String>,
    /// What Canvas tells the tool about users.
    pub privacy_level: PrivacyLevel,
    /// The Canvas `tool_id`.
    pub canvas_tool_id: Option<String>,
    /// The tool's icon.
    pub icon_url: Option<String>,
    /// Custom fields sent with every launch, by name.
    pub custom_fields: CustomFields,
    /// LTI Advantage and Canvas scope URIs the tool asks for (see [`lti::scopes`]).
    pub scopes: Vec<String>,
    /// Where in Canvas the tool appears, each placement name at most once.
    pub placements: Vec<Placement>,
    /// The tool's end-user licence agreement launch, shown before an asset processor handles
    /// a user's work; none when the tool has no EULA.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub eula: Option<Eula>,
}

/// A tool's EULA launch: Canvas sends an `LtiEulaRequest` there before an asset processor
/// handles a user's submission (`settings.message_settings` of the Canvas JSON). Recording the
/// acceptance needs the EULA user scope ([`lti::EULA_USER_SCOPE`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Eula {
    /// Where the EULA launch goes; none for the tool's launch URL.
    pub target_link_uri: Option<String>,
    /// Custom fields of the EULA launch, by name.
    pub custom_fields: CustomFields,
}

impl Eula {
    /// Trims and checks the launch URL and the custom fields; `path` is where the EULA sits
    /// in the profile.
    pub fn validated(self) -> Result<Eula> {
        let target_link_uri = blank_to_none(self.target_link_uri);
        if let Some(url) = &target_link_uri {
            validate_tool_url("EULA target link URI", url)
                .map_err(|e| e.at("eula.target_link_uri"))?;
        }
        let custom_fields: CustomFields = self
            .custom_fields
            .iter()
            .map(|(k, v)| validated_custom_field(k, v).map_err(|e| e.at("eula.custom_fields")))
            .collect::<Result<_>>()?;
        if custom_fields.len() != self.custom_fields.len() {
            return Err(Error::invalid(
                "EULA custom fields",
                "two names are the same once trimmed",
                "give each custom field its own name",
            )
            .at("eula.custom_fields"));
        }
        Ok(Eula {
            target_link_uri,
            custom_fields,
        })
    }
}

impl ToolProfile {
    /// What is kept but worth a second look: each URL of the tool's that uses plain http on a
    /// host other than loopback (`http-url`, a warning, at the field's profile path).
    pub fn warnings(&self) -> Vec<Finding> {
        let mut urls: Vec<(String, String, &String)> = [
            ("login URL", "login_url", &self.login_url),
            ("launch URL", "launch_url", &self.launch_url),
            ("JWKS URL", "jwks_url", &self.jwks_url),
            ("icon URL", "icon_url", &self.icon_url),
        ]
        .into_iter()
        .filter_map(|(f, p, u)| u.as_ref().map(|u| (f.to_string(), p.to_string(), u)))
        .collect();
        for (i, u) in self.redirect_uris.iter().enumerate() {
            urls.push((
                format!("redirect URI {}", i + 1),
                format!("redirect_uris[{i}]"),
                u,
            ));
        }
        for (i, p) in self.placements.iter().enumerate() {
            for (f, key, u) in [
                ("target link URI", "target_link_uri", &p.target_link_uri),
                ("icon URL", "icon_url", &p.icon_url),
            ] {
                if let Some(u) = u {
                    urls.push((
                        format!("placement {} ({}) {f}", i + 1, p.placement),
                        format!("placements[{i}].{key}"),
                        u,
                    ));
                }
            }
        }
        if let Some(u) = self.eula.as_ref().and_then(|e| e.target_link_uri.as_ref()) {
            urls.push((
                "EULA target link URI".into(),
                "eula.target_link_uri".into(),
                u,
            ));
        }
        urls.into_iter()
            .filter(|(_, _, u)| is_plain_http(u))
            .map(|(field, path, u)| {
                Finding::new(
                    "http-url",
                    Severity::Warning,
                    format!(
                        "{field} '{u}' uses plain http: Canvas saves it, but a browser may block an \
                         http launch inside an https LMS page, and the launch travels unencrypted"
                    ),
                    "use https:// if the tool's server offers it",
                )
                .at(path)
            })
            .collect()
    }

    /// The names of the fields that differ from `old`, for the audit log.
    pub fn changed_fields(&self, old: &ToolProfile) -> Vec<&'static str> {
        [
            ("name", self.name != old.name),
            ("description", self.description != old.description),
            ("domain", self.domain != old.domain),
            ("login URL", self.login_url != old.login_url),
            ("launch URL", self.launch_url != old.launch_url),
            ("redirect URIs", self.redirect_uris != old.redirect_uris),
            ("JWKS URL", self.jwks_url != old.jwks_url),
            ("privacy level", self.privacy_level != old.privacy_level),
            ("Canvas tool id", self.canvas_tool_id != old.canvas_tool_id),
            ("icon URL", self.icon_url != old.icon_url),
            ("custom fields", self.custom_fields != old.custom_fields),
            ("scopes", self.scopes != old.scopes),
            ("placements", self.placements != old.placements),
            ("EULA", self.eula != old.eula),
        ]
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name)
        .collect()
    }
}

/// A line of the tools list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ToolSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Domain.
    pub domain: Option<String>,
    /// Keys in any state.
    pub key_count: u32,
    /// The signing key's kid.
    pub current_kid: Option<String>,
}

impl ToolProfile {
    /// Trims the input and checks every field, naming the first bad one.
    pub fn validated(self) -> Result<ToolProfile> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid("name", "it is empty", "give the tool a name").at("name"));
        }
        if name.chars().count() > 100 {
            return Err(
                Error::invalid("name", "it is longer than 100 characters", "shorten it").at("name"),
            );
        }
        let tool = ToolProfile {
            name,
            description: self.description.trim().to_string(),
            domain: blank_to_none(self.domain),
            login_url: blank_to_none(self.login_url),
            launch_url: blank_to_none(self.launch_url),
            redirect_uris: drop_blanks(self.redirect_uris),
            jwks_url: blank_to_none(self.jwks_url),
            privacy_level: self.privacy_level,
            canvas_tool_id: blank_to_none(self.canvas_tool_id),
            icon_url: blank_to_none(self.icon_url),
            custom_fields: self
                .custom_fields
                .iter()
                .map(|(k, v)| validated_custom_field(k, v))
                .collect::<Result<_>>()?,
            scopes: drop_blanks(self.scopes),
            placements: self
                .placements
                .into_iter()
                .enumerate()
                .map(|(i, p)| p.validated(i + 1))
                .collect::<Result<_>>()?,
            eula: self.eula.map(Eula::validated).transpose()?,
        };
        if let Some(domain) = &tool.domain {
            validate_domain(domain).map_err(|e| e.at("domain"))?;
        }
        for (field, path, url) in [
            ("login URL", "login_url", &tool.login_url),
            ("launch URL", "launch_url", &tool.launch_url),
            ("JWKS URL", "jwks_url", &tool.jwks_url),
            ("icon URL", "icon_url", &tool.icon_url),
        ] {
            if let Some(url) = url {
                validate_tool_url(field, url).map_err(|e| e.at(path))?;
            }
        }
        for (i, url) in tool.redirect_uris.iter().enumerate() {
            validate_tool_url(&format!("redirect URI {}", i + 1), url)
                .map_err(|e| e.at(format!("redirect_uris[{i}]")))?;
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = tool.redirect_uris.iter().find(|u| !seen.insert(u.as_str())) {
            return Err(Error::invalid(
                "redirect URIs",
                format!("{dup} is listed twice"),
                "list each redirect URI once",
            )
            .at("redirect_uris"));
        }
        if let Some(id) = &tool.canvas_tool_id {
            if id.chars().count() > 255 {
                return Err(Error::invalid(
                    "Canvas tool id",
                    "it is longer than 255 characters",
                    "shorten it",
                )
                .at("canvas_tool_id"));
            }
        }
        if tool.custom_fields.len() != self.custom_fields.len() {
            return Err(Error::invalid(
                "custom fields",
                "two names are the same once trimmed",
                "give each custom field its own name",
            )
            .at("custom_fields"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, scope) in tool.scopes.iter().enumerate() {
            if !lti::is_scope(scope) {
                let fix = match lti::suggest_scope(scope) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "give a scope URI Canvas knows".into(),
                };
                return Err(Error::invalid(
                    format!("scope {}", i + 1),
                    format!("'{scope}' is not a scope Canvas accepts"),
                    fix,
                )
                .at(format!("scopes[{i}]"))
                .with_remedy(Remedy::ListCanvasScopes));
            }
            if !seen.insert(scope.as_str()) {
                return Err(Error::invalid(
                    "scopes",
                    format!("{scope} is listed twice"),
                    "list each scope once",
                )
                .at("scopes"));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in tool.placements.iter().enumerate() {
            if !seen.insert(p.placement.as_str()) {
                return Err(Error::invalid(
                    format!("placement {} ({})", i + 1, p.placement),
                    "the tool has this placement already",
                    "keep one entry per placement",
                )
                .at(format!("placements[{i}].placement")));
            }
        }
        Ok(tool)
    }
}

/// Checks a custom field's name and returns the trimmed name and value.
pub fn validated_custom_field(name: &str, value: &str) -> Result<(String, String)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid(
            "custom field",
            "a custom field has no name",
            "give each custom field a name, e.g. canvas_user_id=$Canvas.user.id",
        )
        .at("custom_fields"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(Error::invalid(
            format!("custom field {name}"),
            "its name may hold only letters, digits, '_', '-' and '.'",
            "rename it, e.g. canvas_user_id",
        )
        .at(format!("custom_fields.{name}")));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// Whether `url` is http on a host other than loopback.
fn is_plain_http(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "http" && u.host().is_some_and(|h| !crate::http::is_loopback_host(&h))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool() -> ToolProfile {
        ToolProfile {
            name: "  Quiz  ".into(),
            launch_url: Some("https://quiz.example.edu/launch".into()),
            redirect_uris: vec![" https://quiz.example.edu/launch ".into(), "".into()],
            ..ToolProfile::default()
        }
    }

    #[test]
    fn trims_and_drops_blanks() {
        let t = tool().validated().unwrap();
        assert_eq!(t.name, "Quiz");
        assert_eq!(t.redirect_uris, ["https://quiz.example.edu/launch"]);
        assert_eq!(t.domain, None);
    }

    #[test]
    fn names_the_bad_field() {
        let mut t = tool();
        t.redirect_uris.push("/lti/launch".into());
        let err = t.validated().unwrap_err();
        assert!(err.to_string().starts_with("redirect URI 2:"), "{err}");

        let mut t = tool();
        t.redirect_uris
            .push("http://legacy.example.edu/launch".into());
        t.launch_url = Some("http://legacy.example.edu/launch".into());
        t.login_url = Some("http://localhost:8000/login".into());
        let kept = t.validated().unwrap();
        assert_eq!(
            kept.launch_url.as_deref(),
            Some("http://legacy.example.edu/launch"),
            "plain http is kept: Canvas saves it, and the lint warns"
        );
        let warned: Vec<_> = kept.warnings().into_iter().map(|f| f.path).collect();
        assert_eq!(
            warned,
            [Some("launch_url".into()), Some("redirect_uris[1]".into())],
            "each public http URL, not loopback"
        );

        let mut t = tool();
        t.eula = Some(Eula {
            target_link_uri: Some("mailto:legal@example.edu".into()),
            ..Eula::default()
        });
        let err = t.validated().unwrap_err();
        assert!(
            err.to_string().starts_with("EULA target link URI:"),
            "{err}"
        );
        assert!(
            matches!(err, Error::Invalid { path: Some(ref p), .. } if p == "eula.target_link_uri")
        );

        let mut t = tool();
        t.name = " ".into();
        assert!(t.validated().unwrap_err().to_string().starts_with("name:"));

        let mut t = tool();
        t.redirect_uris = vec!["https://a.example/x".into(), "https://a.example/x".into()];
        assert!(t
            .validated()
            .unwrap_err()
            .to_string()
            .contains("listed twice"));
    }

    #[test]
    fn custom_field_names() {
        assert_eq!(
            validated_custom_field(" user_id ", " $Canvas.user.id ").unwrap(),
            ("user_id".into(), "$Canvas.user.id".into())
        );
        assert!(validated_custom_field(" ", "x").is_err());
        let err = validated_custom_field("user id", "x").unwrap_err();
        assert!(
            err.to_string().starts_with("custom field user id:"),
            "{err}"
        );
    }
}
