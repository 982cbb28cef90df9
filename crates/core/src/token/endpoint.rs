//! The token-endpoint test: a client assertion posted as the tool's server posts it
//! (`client_credentials` with a JWT bearer assertion), and the answer explained: the grant, or
//! the refusal mapped to its cause and fix (Canvas, Moodle and Brightspace word them
//! differently; each is matched by what it says).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::check::fetch_failure;
use crate::finding::{Finding, Severity};
use crate::http::{Fetched, HttpClient};
use crate::remedy::Remedy;

/// The `client_assertion_type` of a JWT bearer assertion (RFC 7523).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How the test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenOutcome {
    /// The platform gave an access token.
    Granted,
    /// The platform answered, and refused.
    Refused,
    /// No usable answer: the request could not be made, timed out, or the answer was cut off.
    NoAnswer,
}

/// The access token a platform granted, as much as may be shown of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GrantedToken {
    /// `token_type`, usually `Bearer`.
    pub token_type: Option<String>,
    /// `expires_in`, seconds.
    #[ts(type = "number | null")]
    pub expires_in: Option<u64>,
    /// The scopes granted (`scope`, space-separated).
    pub scopes: Vec<String>,
    /// The access token with all but its first and last four characters hidden.
    pub access_token_masked: String,
}

/// A token-endpoint test and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TokenTest {
    /// The registration tested.
    pub registration: String,
    /// The token endpoint.
    pub token_url: String,
    /// The assertion's `aud`.
    pub audience: String,
    /// The kid the assertion is signed under.
    pub kid: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// How it ended.
    pub outcome: TokenOutcome,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// The OAuth `error` code of a refusal.
    pub error: Option<String>,
    /// The platform's words (`error_description`, or the start of the body).
    pub description: Option<String>,
    /// The grant.
    pub granted: Option<GrantedToken>,
    /// Milliseconds until the answer's headers arrived.
    #[ts(type = "number | null")]
    pub latency_ms: Option<u64>,
    /// The cause of a refusal and the fix, and notes on a grant.
    pub findings: Vec<Finding>,
}

impl TokenTest {
    /// The CLI's exit status: 0 granted, 1 refused, 2 no answer.
    pub fn exit_code(&self) -> i32 {
        match self.outcome {
            TokenOutcome::Granted => 0,
            TokenOutcome::Refused => 1,
            TokenOutcome::NoAnswer => 2,
        }
    }
}

/// What the test knows of the registration, to name causes and offer fixes.
#[derive(Debug, Clone)]
pub struct TestContext {
    /// The registration's id.
    pub registration: String,
    /// The tool's name.
    pub tool: String,
    /// The tool's JWKS URL, which the platform fetches.
    pub tool_jwks_url: Option<String>,
    /// The platform's name.
    pub platform: String,
    /// The client_id.
    pub client_id: String,
    /// The assertion's `aud`.
    pub audience: String,
    /// The kid.
    pub kid: String,
}

/// The access token as it may be shown: `abcd…wxyz (812 characters)`.
pub fn mask(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 12 {
        return format!("… ({} characters)", chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail} ({} characters)", chars.len())
}

/// Posts `assertion` to `token_url` for `scopes` and explains the answer.
pub fn test(
    client: &HttpClient,
    assertion: &str,
    token_url: &str,
    scopes: &[String],
    ctx: &TestContext,
) -> TokenTest {
    let scope = scopes.join(" ");
    let fields = [
        ("grant_type", "client_credentials"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion),
        ("scope", scope.as_str()),
    ];
    let mut result = TokenTest {
        registration: ctx.registration.clone(),
        token_url: token_url.to_string(),
        audience: ctx.audience.clone(),
        kid: ctx.kid.clone(),
        scopes: scopes.to_vec(),
        outcome: TokenOutcome::NoAnswer,
        status: None,
        error: None,
        description: None,
        granted: None,
        latency_ms: None,
        findings: vec![],
    };
    match client.post_form(token_url, &fields) {
        Ok(fetched) => explain(&mut result, &fetched, ctx),
        Err(e) => {
            let mut finding = fetch_failure(&e);
            finding.code = format!("no-answer-{}", e.code());
            finding.message = format!(
                "the token endpoint {token_url} gave no usable answer: {e}. The tool's server \
                 would fail the same way."
            );
            result.findings.push(finding);
        }
    }
    result
}

fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// Reads the answer into `result`: a grant, or the refusal's cause.
pub fn explain(result: &mut TokenTest, fetched: &Fetched, ctx: &TestContext) {
    result.status = Some(fetched.status);
    result.latency_ms = Some(fetched.latency_ms);
    let text = String::from_utf8_lossy(&fetched.body);
    let json: Option<Value> = crate::input::json(&fetched.body).ok();
    let html = fetched
        .content_type
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || text.trim_start().starts_with('<');

    if (200..300).contains(&fetched.status) {
        let token = json
            .as_ref()
            .and_then(|j| j.get("access_token"))
            .and_then(Value::as_str);
        let Some(token) = token else {
            result.outcome = TokenOutcome::Refused;
            result.description = Some(clip(&text, 300));
            result.findings.push(
                Finding::new(
                    if html {
                        "html-answer"
                    } else {
                        "no-access-token"
                    },
                    Severity::Error,
                    format!(
                    "the token endpoint answered {} but with {} instead of a JSON access token: \
                     is {} the platform's token URL?",
                    fetched.status,
                    if html { "an HTML page" } else { "no access_token" },
                    result.token_url
                ),
                    "set the platform's token URL from its OpenID configuration \
                 (token_endpoint)",
                )
                .with_remedy(Remedy::UpdatePlatform {
                    platform: ctx.platform.clone(),
                    field: Some("token_url".into()),
                }),
            );
            return;
        };
        let j = json.as_ref().expect("an access token came from JSON");
        let granted: Vec<String> = j
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let missing: Vec<&String> = result
            .scopes
            .iter()
            .filter(|s| !granted.contains(s))
            .collect();
        if !missing.is_empty() && j.get("scope").is_some() {
            result.findings.push(Finding::new(
                "scope-not-granted",
                Severity::Warning,
                format!(
                    "the token does not carry {}: calls that need {} will be refused (401/403)",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
                "enable the scopes on the platform's developer key (Canvas: Developer Keys → \
                 the key → LTI Advantage Services), then test again",
            ));
        }
        result.outcome = TokenOutcome::Granted;
        result.granted = Some(GrantedToken {
            token_type: j
                .get("token_type")
                .and_then(Value::as_str)
                .map(str::to_string),
            expires_in: j.get("expires_in").and_then(Value::as_u64),
            scopes: granted,
            access_token_masked: mask(token),
        });
        return;
    }

    result.outcome = TokenOutcome::Refused;
    let error = json
        .as_ref()
        .and_then(|j| j.get("error"))
        .and_then(|e| match e {
            Value::String(s) => Some(s.clone()),
            _ => None,
        });
    let description = json
        .as_ref()
        .and_then(|j| {
            j.get("error_description")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| (!html).then(|| clip(&text, 300)))
        .filter(|d| !d.is_empty());
    result.error = error.clone();
    result.description = description.clone();
    let said = text.to_ascii_lowercase();
    let has = |needle: &str| said.contains(needle);
    let platform_said = description
        .as_deref()
        .map(|d| format!(" The platform said: \"{}\".", clip(d, 200)))
        .unwrap_or_default();

    let finding = if html {
        Finding::new(
            "html-answer",
            Severity::Error,
            format!(
                "the token endpoint answered {} with an HTML page, not JSON: the URL is a login \
                 page or a proxy's error page, not the OAuth token endpoint",
                fetched.status
            ),
            "set the platform's token URL from its OpenID configuration (token_endpoint)",
        )
        .with_remedy(Remedy::UpdatePlatform {
            platform: ctx.platform.clone(),
            field: Some("token_url".into()),
        })
    } else if has("kidnotfound")
        || has("kid not found")
        || has("unable to find public key")
        || has("keyid not found")
        || has("no key found")
    {
        let mut f = Finding::new(
            "kid-not-found",
            Severity::Error,
            format!(
                "the platform found no key with kid '{}' in the JWKS it fetched for the tool \
                 (KidNotFound): the key is not published yet, the JWKS lacks its \"keys\" \
                 wrapper, or the platform cached an older JWKS.{platform_said}",
                ctx.kid
            ),
            "run the live JWKS check of the tool's JWKS URL; publish the current key, wait out \
             the platform's cache, then test again",
        );
        if let Some(url) = &ctx.tool_jwks_url {
            f = f.with_remedy(Remedy::CheckJwks {
                url: url.clone(),
                tool: Some(ctx.tool.clone()),
            });
        }
        f.with_remedy(Remedy::PublishJwks {
            tool: Some(ctx.tool.clone()),
            jwks_url: ctx.tool_jwks_url.clone(),
        })
    } else if has("signature") {
        Finding::new(
            "signature-invalid",
            Severity::Error,
            format!(
                "the platform could not verify the assertion's signature (JWS signature \
                 invalid): the key it holds under kid '{}' is not the one that signed, or the \
                 developer key has no public key.{platform_said}",
                ctx.kid
            ),
            "publish the current key (or paste its public JWK on the developer key), check the \
             JWKS, then test again",
        )
        .with_remedy(Remedy::PublishJwks {
            tool: Some(ctx.tool.clone()),
            jwks_url: ctx.tool_jwks_url.clone(),
        })
    } else if has("client not found") || has("unknown client") {
        client_not_found(ctx, &platform_said)
    } else if error.as_deref() == Some("invalid_scope") || has("scope") {
        Finding::new(
            "invalid-scope",
            Severity::Error,
            format!(
                "the platform refused the scopes asked for ({}): each must be enabled on the \
                 developer key.{platform_said}",
                if result.scopes.is_empty() {
                    "none".to_string()
                } else {
                    result.scopes.join(", ")
                }
            ),
            "enable those scopes on the developer key, or remove the ones the tool does not \
             use from its profile",
        )
        .with_remedy(Remedy::EditTool {
            tool: ctx.tool.clone(),
            field: "scopes".into(),
        })
    } else if has("audience") || has("\"aud\"") || has(" aud ") {
        Finding::new(
            "audience-rejected",
            Severity::Error,
            format!(
                "the platform refused the assertion's audience '{}': Brightspace wants its own \
                 token audience, which differs from the token URL.{platform_said}",
                ctx.audience
            ),
            "set the platform's token audience from its registration page (Brightspace: \
             https://api.brightspace.com/auth/token)",
        )
        .with_remedy(Remedy::UpdatePlatform {
            platform: ctx.platform.clone(),
            field: Some("token_audience".into()),
        })
    } else if has("expired")
        || has("not yet valid")
        || has("in the future")
        || has("clock")
        || has("iat claim")
    {
        Finding::new(
            "clock-skew",
            Severity::Error,
            format!(
                "the platform says the assertion's time is wrong: this machine's clock and the \
                 platform's differ.{platform_said}"
            ),
            "synchronise this machine's clock (NTP), then test again",
        )
    } else if error.as_deref() == Some("invalid_client") {
        client_not_found(ctx, &platform_said)
    } else {
        match fetched.status {
            401 => Finding::new(
                "unauthorized",
                Severity::Error,
                format!(
                    "the token endpoint answered 401 Unauthorized: it did not accept the client \
                     assertion.{platform_said}"
                ),
                "check the registration's client_id and that the platform holds the tool's \
                 current key",
            ),
            405 => Finding::new(
                "method-not-allowed",
                Severity::Error,
                "the URL answered 405 Method Not Allowed to a POST: it is not the token \
                 endpoint",
                "set the platform's token URL from its OpenID configuration (token_endpoint)",
            )
            .with_remedy(Remedy::UpdatePlatform {
                platform: ctx.platform.clone(),
                field: Some("token_url".into()),
            }),
            404 => Finding::new(
                "not-found",
                Severity::Error,
                "the token URL answered 404 Not Found",
                "set the platform's token URL from its OpenID configuration (token_endpoint)",
            )
            .with_remedy(Remedy::UpdatePlatform {
                platform: ctx.platform.clone(),
                field: Some("token_url".into()),
            }),
            status => Finding::new(
                "token-refused",
                Severity::Error,
                format!("the token endpoint refused the request with {status}.{platform_said}"),
                "read the platform's words above; test again after fixing what they name",
            ),
        }
    };
    result.findings.push(finding);
}

fn client_not_found(ctx: &TestContext, platform_said: &str) -> Finding {
    Finding::new(
        "client-not-found",
        Severity::Error,
        format!(
            "the platform knows no client '{}' (Client not found): the client_id is wrong, or \
             the developer key is off or deleted. The assertion's iss and sub are that \
             client_id.{platform_said}",
            ctx.client_id
        ),
        "copy the client_id from the platform's developer key into the registration, and check \
         that the key is on",
    )
    .with_remedy(Remedy::ShowRegistration {
        registration: ctx.registration.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_ends() {
        let token = "abcdefghijklmnopqrstuvwxyz";
        let masked = mask(token);
        assert_eq!(masked, "abcd…wxyz (26 characters)");
        assert!(!masked.contains("efgh"));
        assert_eq!(mask("short"), "… (5 characters)");
    }
}
