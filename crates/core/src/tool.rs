//! Tools: the LTI tool profiles that own key sets, and the checks on what users type into them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

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
        };
        if let Some(domain) = &tool.domain {
            validate_domain(domain)?;
        }
        for (field, url) in [
            ("login URL", &tool.login_url),
            ("launch URL", &tool.launch_url),
            ("JWKS URL", &tool.jwks_url),
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
        Ok(tool)
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
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
        "http" if is_loopback(&host) => Ok(()),
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
