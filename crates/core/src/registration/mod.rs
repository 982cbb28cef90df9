//! Registrations: a tool on a platform (client_id and deployment ids), their checks, and the
//! admin's hand-off of the six values a tool vendor needs.

pub mod library;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::input::blank_to_none;
use crate::platform::{fill_client_id, placeholders_in, Platform, CLIENT_ID};
use crate::remedy::Remedy;

/// A tool registered on a platform. Unique by (issuer, client_id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Registration {
    /// Stable short id.
    pub id: String,
    /// The tool's id.
    pub tool_id: String,
    /// The tool's name.
    pub tool_name: String,
    /// The platform's id.
    pub platform_id: String,
    /// The platform's name.
    pub platform_name: String,
    /// The platform's issuer (kept in step with the platform).
    pub issuer: String,
    /// The client_id the platform gave the tool.
    pub client_id: String,
    /// Deployment ids, oldest first.
    pub deployments: Vec<Deployment>,
    /// Where it lives in Canvas, when it was made through Canvas's registrations API.
    pub canvas: Option<CanvasLink>,
    /// When it was added.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

/// What a platform's card shows of a registration on it. The platforms page reads one for
/// every registration (10,000 in a large store) each time the data changes, so it carries only
/// this: a fifth of a [`Registration`]'s size over IPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RegistrationBrief {
    /// The registration's id.
    pub id: String,
    /// The tool's id.
    pub tool_id: String,
    /// The tool's name.
    pub tool_name: String,
    /// The platform's id.
    pub platform_id: String,
    /// The client_id the platform gave the tool.
    pub client_id: String,
    /// How many deployments it has.
    pub deployment_count: u32,
}

/// Where a registration made through Canvas's registrations API lives there: what the API's
/// later calls (deployments, on/off, configuration update) address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasLink {
    /// The Canvas root account the registration was created on.
    pub account_id: String,
    /// Canvas's id of the registration (not the client_id, which is its developer key's id).
    pub registration_id: String,
}

/// One install of a registration (a course, a sub-account, a site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Deployment {
    /// The deployment_id the platform sends.
    pub deployment_id: String,
    /// What it is, e.g. "Biology 101" or "Sciences sub-account".
    pub label: Option<String>,
    /// When it was recorded.
    #[ts(type = "string")]
    pub added_at: DateTime<Utc>,
}

/// A deployment id to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewDeployment {
    /// The deployment_id.
    pub deployment_id: String,
    /// Optional label.
    #[serde(default)]
    pub label: Option<String>,
}

impl NewDeployment {
    /// A deployment id without a label.
    pub fn new(deployment_id: &str) -> Self {
        NewDeployment {
            deployment_id: deployment_id.to_string(),
            label: None,
        }
    }

    /// Trims and checks it.
    pub fn validated(self) -> Result<NewDeployment> {
        let deployment_id = self.deployment_id.trim().to_string();
        check_id("deployment id", &deployment_id, "2:f97330a9...")?;
        let label = blank_to_none(self.label);
        if label.as_ref().is_some_and(|l| l.chars().count() > 200) {
            return Err(Error::invalid(
                "label",
                "it is longer than 200 characters",
                "shorten it",
            ));
        }
        Ok(NewDeployment {
            deployment_id,
            label,
        })
    }
}

/// What a user gives to register a tool on a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewRegistration {
    /// Tool id or name.
    pub tool: String,
    /// Platform id or name.
    pub platform: String,
    /// The client_id the platform gave.
    pub client_id: String,
    /// Deployment ids known so far.
    #[serde(default)]
    pub deployments: Vec<NewDeployment>,
}

impl NewRegistration {
    /// Trims and checks the client_id and deployment ids (no duplicates).
    pub fn validated(self) -> Result<NewRegistration> {
        let client_id = self.client_id.trim().to_string();
        check_client_id(&client_id)?;
        let deployments = self
            .deployments
            .into_iter()
            .enumerate()
            .map(|(i, d)| d.validated().map_err(|e| e.at(format!("deployments[{i}]"))))
            .collect::<Result<Vec<_>>>()?;
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = deployments
            .iter()
            .find(|d| !seen.insert(d.deployment_id.as_str()))
        {
            return Err(Error::invalid(
                "deployment id",
                format!("'{}' is given twice", dup.deployment_id),
                "give each deployment id once",
            )
            .at("deployments"));
        }
        Ok(NewRegistration {
            tool: self.tool.trim().to_string(),
            platform: self.platform.trim().to_string(),
            client_id,
            deployments,
        })
    }
}

/// Changes to a registration: each `Some` replaces a value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RegistrationUpdate {
    /// A new client_id (checked as on add).
    pub client_id: Option<String>,
    /// The platform (id or name) the registration is on instead; it takes that issuer.
    pub platform: Option<String>,
}

impl RegistrationUpdate {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == RegistrationUpdate::default()
    }

    /// Trims and checks the client_id as [`NewRegistration::validated`] does; a blank platform
    /// is none.
    pub fn validated(self) -> Result<RegistrationUpdate> {
        let client_id = self.client_id.map(|c| c.trim().to_string());
        if let Some(client_id) = &client_id {
            check_client_id(client_id)?;
        }
        Ok(RegistrationUpdate {
            client_id,
            platform: blank_to_none(self.platform),
        })
    }
}

fn check_client_id(client_id: &str) -> Result<()> {
    check_id("client_id", client_id, "10000000000001").map_err(|e| e.at("client_id"))
}

/// LTI ids (client_id, deployment_id): case-sensitive, at most 255 printable ASCII characters.
fn check_id(field: &str, value: &str, example: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(
            field,
            "it is empty",
            format!("copy the {field} the platform shows, e.g. {example}"),
        ));
    }
    if value.len() > 255 {
        return Err(Error::invalid(
            field,
            "it is longer than 255 characters",
            format!("copy only the {field} the platform shows"),
        ));
    }
    if let Some(c) = value.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(Error::invalid(
            field,
            format!("'{value}' contains {c:?}, which is not printable ASCII"),
            format!("copy the {field} exactly, without spaces or line breaks"),
        ));
    }
    Ok(())
}

/// The values an LMS admin hands a tool vendor for one registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Handoff {
    /// The registration.
    pub registration_id: String,
    /// The tool's name.
    pub tool: String,
    /// The platform's name.
    pub platform: String,
    /// Issuer (`iss`).
    pub issuer: String,
    /// client_id.
    pub client_id: String,
    /// Deployment ids.
    pub deployment_ids: Vec<String>,
    /// Deployment ids with their labels.
    pub deployments: Vec<Deployment>,
    /// OIDC auth endpoint.
    pub auth_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Token audience, only when it differs from the token URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub token_audience: Option<String>,
    /// Platform JWKS URL (with `{client_id}` filled in).
    pub jwks_url: String,
    /// What is missing or unresolved: say so before sending.
    pub findings: Vec<Finding>,
}

impl Handoff {
    /// The hand-off of `registration` on `platform`.
    pub fn new(registration: &Registration, platform: &Platform) -> Handoff {
        let client_id = &registration.client_id;
        let fill = |url: &str| fill_client_id(url, client_id);
        let mut findings = vec![];
        if registration.deployments.is_empty() {
            findings.push(
                Finding::new(
                    "no-deployment-id",
                    Severity::Warning,
                    "no deployment id is recorded: launches carry one, and the tool rejects \
                 unknown ones (\"Deployment not found\")",
                    "record it on the registration (Canvas shows it in the app's settings, Moodle \
                 under \"View configuration details\")",
                )
                .with_remedy(Remedy::AddDeployment {
                    registration: registration.id.clone(),
                    deployment_id: None,
                }),
            );
        }
        for (field, url) in [
            ("auth_url", &platform.spec.auth_url),
            ("token_url", &platform.spec.token_url),
            ("jwks_url", &platform.spec.jwks_url),
        ] {
            for p in placeholders_in(url).into_iter().filter(|p| *p != CLIENT_ID) {
                findings.push(
                    Finding::new(
                        "unresolved-placeholder",
                        Severity::Error,
                        format!("the {field} still holds the placeholder {p}"),
                        format!("put the real value in the platform's {field}"),
                    )
                    .at(format!("$.{field}"))
                    .with_remedy(Remedy::UpdatePlatform {
                        platform: platform.id.clone(),
                        field: Some(field.to_string()),
                    }),
                );
            }
        }
        let audience = platform
            .spec
            .token_audience
            .as_deref()
            .map(fill)
            .filter(|a| *a != fill(&platform.spec.token_url));
        Handoff {
            registration_id: registration.id.clone(),
            tool: registration.tool_name.clone(),
            platform: platform.spec.name.clone(),
            issuer: platform.spec.issuer.clone(),
            client_id: client_id.clone(),
            deployment_ids: registration
                .deployments
                .iter()
                .map(|d| d.deployment_id.clone())
                .collect(),
            deployments: registration.deployments.clone(),
            auth_url: fill(&platform.spec.auth_url),
            token_url: fill(&platform.spec.token_url),
            token_audience: audience,
            jwks_url: fill(&platform.spec.jwks_url),
            findings,
        }
    }

    /// Plain text for an e-mail to the tool vendor.
    pub fn to_text(&self) -> String {
        let mut rows: Vec<(&str, String)> = vec![
            ("Issuer (iss)", self.issuer.clone()),
            ("Client ID", self.client_id.clone()),
        ];
        if self.deployments.is_empty() {
            rows.push(("Deployment ID", "(none recorded yet)".into()));
        }
        for (i, d) in self.deployments.iter().enumerate() {
            let label = if i == 0 {
                if self.deployments.len() > 1 {
                    "Deployment IDs"
                } else {
                    "Deployment ID"
                }
            } else {
                ""
            };
            let value = match &d.label {
                Some(l) => format!("{}  ({l})", d.deployment_id),
                None => d.deployment_id.clone(),
            };
            rows.push((label, value));
        }
        rows.push(("OIDC auth endpoint", self.auth_url.clone()));
        rows.push(("Access token URL", self.token_url.clone()));
        if let Some(aud) = &self.token_audience {
            rows.push(("Token audience (aud)", aud.clone()));
        }
        rows.push(("Platform JWKS URL", self.jwks_url.clone()));
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 2;
        let mut out = format!(
            "LTI 1.3 registration of {} on {}\n\n",
            self.tool, self.platform
        );
        for (key, value) in rows {
            let key = if key.is_empty() {
                String::new()
            } else {
                format!("{key}:")
            };
            out.push_str(&format!("{key:<width$}{value}\n", width = width + 1));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{NewPlatform, PlatformFamily};

    fn platform(family: PlatformFamily, base: Option<&str>) -> Platform {
        let spec = NewPlatform::from_preset("Acme", family, base)
            .resolve()
            .unwrap();
        Platform {
            id: "p1".into(),
            spec,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn registration(client_id: &str, deployments: &[(&str, Option<&str>)]) -> Registration {
        Registration {
            id: "r1234abcd".into(),
            tool_id: "t1".into(),
            tool_name: "Quiz".into(),
            platform_id: "p1".into(),
            platform_name: "Acme".into(),
            issuer: "https://canvas.instructure.com".into(),
            client_id: client_id.into(),
            deployments: deployments
                .iter()
                .map(|(d, l)| Deployment {
                    deployment_id: d.to_string(),
                    label: l.map(String::from),
                    added_at: Utc::now(),
                })
                .collect(),
            canvas: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn deployment_ids_are_checked_and_duplicates_named() {
        let new = |ids: &[&str]| NewRegistration {
            tool: "Quiz".into(),
            platform: "Acme".into(),
            client_id: " 10000000000001 ".into(),
            deployments: ids.iter().map(|d| NewDeployment::new(d)).collect(),
        };
        let ok = new(&["1:abc", " 2:def "]).validated().unwrap();
        assert_eq!(ok.client_id, "10000000000001");
        assert_eq!(ok.deployments[1].deployment_id, "2:def");
        let err = new(&["1:abc", "1:abc"])
            .validated()
            .unwrap_err()
            .to_string();
        assert!(err.contains("'1:abc' is given twice"), "{err}");
        let err = new(&["has space"]).validated().unwrap_err().to_string();
        assert!(err.starts_with("deployment id:"), "{err}");
        let err = new(&[""]).validated().unwrap_err().to_string();
        assert!(err.starts_with("deployment id: it is empty"), "{err}");
        let mut bad = new(&[]);
        bad.client_id = "x".repeat(256);
        assert!(bad
            .validated()
            .unwrap_err()
            .to_string()
            .starts_with("client_id:"));
    }

    #[test]
    fn handoff_fills_the_client_id_and_lists_every_value() {
        let p = platform(PlatformFamily::Blackboard, None);
        let r = registration(
            "6a1b2c3d-0000-4000-8000-000000000001",
            &[("d-1", Some("Main campus")), ("d-2", None)],
        );
        let h = Handoff::new(&r, &p);
        assert_eq!(
            h.jwks_url,
            "https://developer.blackboard.com/api/v1/management/applications/6a1b2c3d-0000-4000-8000-000000000001/jwks.json"
        );
        assert!(h.findings.is_empty(), "{:?}", h.findings);
        let text = h.to_text();
        for value in [
            "https://blackboard.com",
            "6a1b2c3d-0000-4000-8000-000000000001",
            "d-1  (Main campus)",
            "d-2",
            "https://developer.blackboard.com/api/v1/gateway/oidcauth",
            "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken",
            &h.jwks_url,
        ] {
            assert!(text.contains(value), "{value} missing from:\n{text}");
        }
        assert!(
            !text.contains("audience"),
            "no audience line unless it differs"
        );
        assert!(
            !text.contains('{'),
            "no placeholder may reach the vendor:\n{text}"
        );
    }

    #[test]
    fn handoff_names_the_brightspace_audience_and_missing_deployments() {
        let p = platform(
            PlatformFamily::Brightspace,
            Some("https://x.brightspace.com"),
        );
        let h = Handoff::new(&registration("abc", &[]), &p);
        assert_eq!(
            h.token_audience.as_deref(),
            Some("https://api.brightspace.com/auth/token")
        );
        assert!(h.to_text().contains("Token audience (aud):"));
        assert_eq!(h.findings.len(), 1);
        assert_eq!(h.findings[0].code, "no-deployment-id");
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["deployment_ids"], serde_json::json!([]));
    }

    #[test]
    fn handoff_flags_placeholders_only_the_platform_can_fill() {
        let p = platform(PlatformFamily::Sakai, Some("https://sakai.example.edu"));
        let h = Handoff::new(&registration("abc", &[("1", None)]), &p);
        assert_eq!(h.findings.len(), 1, "{:?}", h.findings);
        assert_eq!(h.findings[0].code, "unresolved-placeholder");
        assert_eq!(h.findings[0].severity, Severity::Error);
        assert!(h.findings[0].fix.contains("token_url"));
        assert_eq!(
            h.findings[0].remedies,
            [Remedy::UpdatePlatform {
                platform: p.id.clone(),
                field: Some("token_url".into())
            }]
        );
    }
}
