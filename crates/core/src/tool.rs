//! Tools: the LTI tool profiles that own key sets, and the checks on what users type into them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::lti::{self, PrivacyLevel};
use crate::profile::{validated_custom_field, CustomFields, Placement};

/// An LTI tool profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Tool {
    /// Stable short id.
    pub id: String,
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
    #[serde(default)]
    pub privacy_level: PrivacyLevel,
    /// The Canvas `tool_id`.
    #[serde(default)]
    pub canvas_tool_id: Option<String>,
    /// The tool's icon.
    #[serde(default)]
    pub icon_url: Option<String>,
    /// Custom fields sent with every launch, by name.
    #[serde(default)]
    pub custom_fields: CustomFields,
    /// LTI Advantage and Canvas scope URIs the tool asks for.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Where in Canvas the tool appears.
    #[serde(default)]
    pub placements: Vec<Placement>,
    /// When it was added.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// What a user gives to add a tool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct NewTool {
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// host[:port] without scheme.
    pub domain: Option<String>,
    /// OIDC login initiation URL.
    pub login_url: Option<String>,
    /// Target link URI.
    pub launch_url: Option<String>,
    /// Redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Public JWKS URL.
    pub jwks_url: Option<String>,
    /// What Canvas tells the tool about users.
    pub privacy_level: PrivacyLevel,
    /// The Canvas `tool_id`.
    pub canvas_tool_id: Option<String>,
    /// The tool's icon.
    pub icon_url: Option<String>,
    /// Custom fields sent with every launch, by name.
    pub custom_fields: CustomFields,
    /// Scope URIs (see [`lti::scopes`]).
    pub scopes: Vec<String>,
    /// Placements, each placement name at most once.
    pub placements: Vec<Placement>,
}

impl From<&Tool> for NewTool {
    /// The editable fields of a tool, to change and save with `Vault::update_tool`.
    fn from(tool: &Tool) -> Self {
        NewTool {
            name: tool.name.clone(),
            description: tool.description.clone(),
            domain: tool.domain.clone(),
            login_url: tool.login_url.clone(),
            launch_url: tool.launch_url.clone(),
            redirect_uris: tool.redirect_uris.clone(),
            jwks_url: tool.jwks_url.clone(),
            privacy_level: tool.privacy_level,
            canvas_tool_id: tool.canvas_tool_id.clone(),
            icon_url: tool.icon_url.clone(),
            custom_fields: tool.custom_fields.clone(),
            scopes: tool.scopes.clone(),
            placements: tool.placements.clone(),
        }
    }
}

impl NewTool {
    /// The names of the fields that differ from `tool`'s, for the audit log.
    pub fn changed_fields(&self, tool: &Tool) -> Vec<&'static str> {
        let old = NewTool::from(tool);
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

fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl NewTool {
    /// Trims the input and checks every field, naming the first bad one.
    pub fn validated(self) -> Result<NewTool> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid(
                "name",
                "it is empty",
                "give the tool a name",
            ));
        }
        if name.chars().count() > 100 {
            return Err(Error::invalid(
                "name",
                "it is longer than 100 characters",
                "shorten it",
            ));
        }
        let tool = NewTool {
            name,
            description: self.description.trim().to_string(),
            domain: blank_to_none(self.domain),
            login_url: blank_to_none(self.login_url),
            launch_url: blank_to_none(self.launch_url),
            redirect_uris: self
                .redirect_uris
                .into_iter()
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .collect(),
            jwks_url: blank_to_none(self.jwks_url),
            privacy_level: self.privacy_level,
            canvas_tool_id: blank_to_none(self.canvas_tool_id),
            icon_url: blank_to_none(self.icon_url),
            custom_fields: self
                .custom_fields
                .iter()
                .map(|(k, v)| validated_custom_field(k, v))
                .collect::<Result<_>>()?,
            scopes: self
                .scopes
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            placements: self
                .placements
                .into_iter()
                .enumerate()
                .map(|(i, p)| p.validated(i + 1))
                .collect::<Result<_>>()?,
        };
        if let Some(domain) = &tool.domain {
            validate_domain(domain)?;
        }
        for (field, url) in [
            ("login URL", &tool.login_url),
            ("launch URL", &tool.launch_url),
            ("JWKS URL", &tool.jwks_url),
            ("icon URL", &tool.icon_url),
        ] {
            if let Some(url) = url {
                validate_url(field, url)?;
            }
        }
        for (i, url) in tool.redirect_uris.iter().enumerate() {
            validate_url(&format!("redirect URI {}", i + 1), url)?;
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = tool.redirect_uris.iter().find(|u| !seen.insert(u.as_str())) {
            return Err(Error::invalid(
                "redirect URIs",
                format!("{dup} is listed twice"),
                "list each redirect URI once",
            ));
        }
        if let Some(id) = &tool.canvas_tool_id {
            if id.chars().count() > 255 {
                return Err(Error::invalid(
                    "Canvas tool id",
                    "it is longer than 255 characters",
                    "shorten it",
                ));
            }
        }
        if tool.custom_fields.len() != self.custom_fields.len() {
            return Err(Error::invalid(
                "custom fields",
                "two names are the same once trimmed",
                "give each custom field its own name",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, scope) in tool.scopes.iter().enumerate() {
            if !lti::is_scope(scope) {
                let fix = match lti::suggest_scope(scope) {
                    Some(s) => format!("did you mean {s}?"),
                    None => {
                        "give a scope URI Canvas knows; run `ltikeys canvas scopes` for the list"
                            .into()
                    }
                };
                return Err(Error::invalid(
                    format!("scope {}", i + 1),
                    format!("'{scope}' is not a scope Canvas accepts"),
                    fix,
                ));
            }
            if !seen.insert(scope.as_str()) {
                return Err(Error::invalid(
                    "scopes",
                    format!("{scope} is listed twice"),
                    "list each scope once",
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in tool.placements.iter().enumerate() {
            if !seen.insert(p.placement.as_str()) {
                return Err(Error::invalid(
                    format!("placement {} ({})", i + 1, p.placement),
                    "the tool has this placement already",
                    "keep one entry per placement",
                ));
            }
        }
        Ok(tool)
    }
}

/// Checks that a URL is absolute and https (http is allowed for loopback hosts only).
pub fn validate_url(field: &str, value: &str) -> Result<()> {
    let parsed = url::Url::parse(value).map_err(|e| {
        Error::invalid(
            field,
            format!("'{value}' is not a URL ({e})"),
            "give an absolute URL such as https://tool.example.edu/lti/launch",
        )
    })?;
    let host = parsed.host().ok_or_else(|| {
        Error::invalid(
            field,
            format!("'{value}' has no host"),
            "give an https:// URL with a host",
        )
    })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if crate::http::is_loopback_host(&host) => Ok(()),
        "http" => Err(Error::invalid(
            field,
            format!("'{value}' uses http"),
            "use https:// (plain http is accepted only for localhost, 127.0.0.1 and [::1])",
        )),
        other => Err(Error::invalid(
            field,
            format!("'{value}' uses the scheme '{other}'"),
            "use an https:// URL",
        )),
    }
}

/// Checks a domain: a host name with an optional port, no scheme or path.
pub fn validate_domain(value: &str) -> Result<()> {
    let problem = if value.contains("://") {
        Some("it includes a scheme")
    } else if value.contains('/') {
        Some("it includes a path")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(Error::invalid(
            "domain",
            format!("'{value}': {problem}"),
            "give the host only, e.g. tool.example.edu (a :port may follow)",
        ));
    }
    match url::Url::parse(&format!("https://{value}/")) {
        Ok(u) if u.host_str().is_some() && u.path() == "/" => Ok(()),
        _ => Err(Error::invalid(
            "domain",
            format!("'{value}' is not a host name"),
            "give the host only, e.g. tool.example.edu (a :port may follow)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool() -> NewTool {
        NewTool {
            name: "  Quiz  ".into(),
            launch_url: Some("https://quiz.example.edu/launch".into()),
            redirect_uris: vec![" https://quiz.example.edu/launch ".into(), "".into()],
            ..NewTool::default()
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
    fn http_only_on_loopback() {
        validate_url("launch URL", "http://localhost:3000/launch").unwrap();
        validate_url("launch URL", "http://127.0.0.1/launch").unwrap();
        validate_url("launch URL", "http://[::1]:8080/").unwrap();
        let err = validate_url("launch URL", "http://quiz.example.edu/launch").unwrap_err();
        assert!(err.to_string().starts_with("launch URL: "), "{err}");
        assert!(err.to_string().contains("https://"), "{err}");
        assert!(validate_url("JWKS URL", "ftp://x.example/").is_err());
        assert!(validate_url("JWKS URL", "/jwks.json").is_err());
    }

    #[test]
    fn names_the_bad_field() {
        let mut t = tool();
        t.redirect_uris.push("http://evil.example/".into());
        let err = t.validated().unwrap_err();
        assert!(err.to_string().starts_with("redirect URI 2:"), "{err}");

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
    fn domains_have_no_scheme_or_path() {
        validate_domain("quiz.example.edu").unwrap();
        validate_domain("localhost:8443").unwrap();
        for bad in [
            "https://quiz.example.edu",
            "quiz.example.edu/lti",
            "bad host",
        ] {
            let err = validate_domain(bad).unwrap_err();
            assert!(err.to_string().starts_with("domain:"), "{bad}: {err}");
        }
    }
}
