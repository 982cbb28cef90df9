//! The tool's tokens: the client assertion signed with the current key, the token-endpoint
//! test, the JWT inspector over every registration, and a kid looked up in a key set.

use chrono::{DateTime, Utc};

use super::Vault;
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::key::{KeyRecord, KeyStatus};
use crate::platform::{fill_client_id, Platform};
use crate::registration::Registration;
use crate::remedy::Remedy;
use crate::token::assertion::{self, AssertionFor};
use crate::token::endpoint::{self, TestContext};
use crate::token::inspect::{self, Candidate};
use crate::token::{self, ClientAssertion, Inspection, KidSearch, TokenTest};
use crate::tool::Tool;

/// Where a kid is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySetSource {
    /// A JWKS URL, fetched.
    Url(String),
    /// A JWKS document as text (a paste or a file).
    Text(String),
}

impl Vault {
    fn registration_parts(&self, registration: &str) -> Result<(Registration, Platform, Tool)> {
        let registration = self.registration(registration)?;
        let platform = self.store.platform(&registration.platform_id)?;
        let tool = self.store.tool(&registration.tool_id)?;
        Ok((registration, platform, tool))
    }

    /// The client assertion the tool sends for `registration`, signed with its current key
    /// (see [`assertion::sign`]), with the deployment id claim when one is given.
    pub fn client_assertion(
        &self,
        registration: &str,
        deployment_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ClientAssertion> {
        let (registration, platform, tool) = self.registration_parts(registration)?;
        let current = self
            .store
            .keys(&tool.id)?
            .into_iter()
            .find(|k| k.status == KeyStatus::Current)
            .ok_or_else(|| {
                Error::invalid(
                    "key",
                    format!(
                        "tool '{}' has no current key to sign the client assertion with",
                        tool.profile.name
                    ),
                    "generate a key for the tool",
                )
                .with_remedy(Remedy::GenerateKey {
                    tool: tool.profile.name.clone(),
                    next: false,
                })
            })?;
        if current.public_only {
            return Err(Error::invalid(
                "key",
                format!(
                    "the current key '{}' of tool '{}' is public only: its private half is on \
                     another machine",
                    current.kid, tool.profile.name
                ),
                "import the private key, or rotate to a key made here",
            )
            .with_remedy(Remedy::ImportPrivateKey {
                tool: tool.profile.name.clone(),
                kid: Some(current.kid.clone()),
            }));
        }
        let token_url = fill_client_id(&platform.spec.token_url, &registration.client_id);
        let audience = fill_client_id(platform.audience(), &registration.client_id);
        let what = AssertionFor {
            client_id: &registration.client_id,
            audience: &audience,
            token_url: &token_url,
            deployment_id: deployment_id.map(str::trim).filter(|d| !d.is_empty()),
        };
        if self.store.team_keys(&tool.id)?.contains_key(&current.kid) {
            return assertion::sign_with(&current.kid, what, now, |input| {
                self.team_sign(&tool, &current.kid, input)?
                    .ok_or(Error::Crypto("team signing"))
            });
        }
        let key = self.private_key(&tool, &current)?;
        assertion::sign(&key, &current.kid, what, now)
    }

    /// Signs a client assertion for `registration`, posts it to the platform's token endpoint
    /// with the tool's scopes, and explains the answer (see [`endpoint::test`]).
    pub fn token_test(
        &self,
        client: &HttpClient,
        registration: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenTest> {
        let (reg, _, tool) = self.registration_parts(registration)?;
        let assertion = self.client_assertion(registration, None, now)?;
        let platform = self.store.platform(&reg.platform_id)?;
        let ctx = TestContext {
            registration: reg.id.clone(),
            tool: tool.profile.name.clone(),
            tool_jwks_url: tool.profile.jwks_url.clone(),
            platform: platform.spec.name.clone(),
            client_id: reg.client_id.clone(),
            audience: assertion.claims["aud"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            kid: assertion.kid.clone(),
        };
        Ok(endpoint::test(
            client,
            &assertion.token,
            &assertion.token_url,
            &tool.profile.scopes,
            &ctx,
        ))
    }

    /// Inspects a pasted JWT against every registration (see [`inspect::inspect`]). With a
    /// client, key sets are fetched; without, only the tool's own keys are used.
    pub fn inspect_jwt(
        &self,
        text: &str,
        client: Option<&HttpClient>,
        now: DateTime<Utc>,
    ) -> Result<Inspection> {
        let jwt = token::decode(text)?;
        let registrations = self.registrations(None, None)?;
        let mut parts: Vec<(Registration, Platform, Tool, Vec<KeyRecord>)> = Vec::new();
        for r in registrations {
            let platform = self.store.platform(&r.platform_id)?;
            let tool = self.store.tool(&r.tool_id)?;
            let keys = self.store.keys(&tool.id)?;
            parts.push((r, platform, tool, keys));
        }
        let candidates: Vec<Candidate<'_>> = parts
            .iter()
            .map(|(registration, platform, tool, keys)| Candidate {
                registration,
                platform,
                tool,
                keys,
            })
            .collect();
        let fetch = client.map(|client| {
            move |url: &str| -> std::result::Result<Vec<u8>, String> {
                let fetched = client.fetch(url).map_err(|e| e.to_string())?;
                if (200..300).contains(&fetched.status) {
                    Ok(fetched.body)
                } else {
                    Err(format!("it answered HTTP {}", fetched.status))
                }
            }
        });
        Ok(inspect::inspect(
            &jwt,
            &candidates,
            fetch.as_ref().map(|f| f as inspect::Fetch<'_>),
            now,
        ))
    }

    /// Looks for `kid` in a key set: fetched from a URL with `client`, or given as text.
    pub fn find_kid(
        &self,
        client: &HttpClient,
        source: &KeySetSource,
        kid: &str,
    ) -> Result<KidSearch> {
        let kid = kid.trim();
        if kid.is_empty() {
            return Err(Error::invalid("kid", "it is empty", "give the kid to look for").at("kid"));
        }
        match source {
            KeySetSource::Text(text) => {
                if text.len() > 1024 * 1024 {
                    return Err(Error::invalid(
                        "JWKS",
                        format!(
                            "it is {} bytes, more than the 1 MiB a JWKS can be",
                            text.len()
                        ),
                        "give the JWKS document alone",
                    ));
                }
                Ok(inspect::find_kid(text.as_bytes(), kid, "the given JWKS"))
            }
            KeySetSource::Url(url) => match client.fetch(url) {
                Ok(fetched) if (200..300).contains(&fetched.status) => {
                    Ok(inspect::find_kid(&fetched.body, kid, url))
                }
                Ok(fetched) => Err(Error::invalid(
                    "JWKS URL",
                    format!("{url} answered HTTP {}", fetched.status),
                    "check the URL",
                )),
                Err(e) => Err(Error::invalid(
                    "JWKS URL",
                    format!("{url} could not be fetched: {e}"),
                    "check the URL and that it answers within 10 s",
                )),
            },
        }
    }
}
