//! The JWTs of LTI 1.3, as the tool signs them and as platforms send them: decoding (bounded),
//! what kind a token is, the client assertion a tool signs ([`assertion`]), the token-endpoint
//! test ([`endpoint`]) and the inspector ([`inspect`]).

pub mod assertion;
pub mod endpoint;
pub mod inspect;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{Error, Result};

pub use assertion::ClientAssertion;
pub use endpoint::{GrantedToken, TokenOutcome, TokenTest};
pub use inspect::{Inspection, KidSearch, RegistrationMatch, SignatureCheck, SignatureStatus};

/// The longest JWT read from a paste, a file or stdin: an id_token is a few KB.
pub const MAX_JWT_BYTES: usize = 64 * 1024;

/// The LTI claims the inspector reads.
pub const MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
/// The LTI version claim.
pub const VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
/// The deployment id claim.
pub const DEPLOYMENT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
/// The launch's target link URI.
pub const TARGET_LINK_URI: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
/// The resource link of a resource-link launch.
pub const RESOURCE_LINK: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
/// The deep-linking settings of a deep-linking request.
pub const DEEP_LINKING_SETTINGS: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
/// The content items of a deep-linking response.
pub const CONTENT_ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
/// The `data` a deep-linking response echoes from the request's settings.
pub const DL_DATA: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/data";

/// A JWT split and decoded, not verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
    /// `header.claims`, the signed bytes.
    pub signing_input: String,
    /// The signature as sent (base64url).
    pub signature: String,
}

impl Jwt {
    /// A header member as a string.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    /// A claim as a string.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A numeric date claim (`exp`, `iat`, `nbf`) in seconds.
    pub fn claim_time(&self, name: &str) -> Option<i64> {
        let v = self.claims.get(name)?;
        v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
    }

    /// `aud` as a list (a string is a list of one).
    pub fn audiences(&self) -> Vec<&str> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        }
    }
}

fn invalid(problem: impl Into<String>, fix: &str) -> Error {
    Error::invalid("JWT", problem, fix).at("jwt")
}

/// Splits and decodes a JWT as pasted: surrounding white space, quotes and a `Bearer ` prefix
/// are dropped. Refused, naming the part, when it is over [`MAX_JWT_BYTES`], not three
/// base64url parts, or a part is not a JSON object.
pub fn decode(text: &str) -> Result<Jwt> {
    if text.len() > MAX_JWT_BYTES {
        return Err(invalid(
            format!(
                "it is {} bytes, more than the {} KiB a JWT of LTI can be",
                text.len(),
                MAX_JWT_BYTES / 1024
            ),
            "paste the token alone (header.claims.signature)",
        ));
    }
    let mut token = text.trim().trim_start_matches('\u{feff}').trim();
    token = token.trim_matches(|c| c == '"' || c == '\'');
    for prefix in ["Bearer ", "bearer "] {
        token = token.strip_prefix(prefix).unwrap_or(token).trim();
    }
    if token.is_empty() {
        return Err(invalid(
            "it is empty",
            "paste a JWT: three base64url parts joined by dots",
        ));
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        let found = if parts.len() == 5 {
            "five parts: an encrypted JWE, which LTI does not use".to_string()
        } else {
            format!("{} part(s) separated by dots", parts.len())
        };
        return Err(invalid(
            format!("it has {found}, not the three of a signed JWT"),
            "paste the whole token: header.claims.signature",
        ));
    }
    let part = |i: usize, name: &str| -> Result<Map<String, Value>> {
        let bytes = URL_SAFE_NO_PAD
            .decode(parts[i].trim_end_matches('='))
            .map_err(|e| {
                invalid(
                    format!("its {name} is not base64url ({e})"),
                    "copy the token again: a character was changed or cut off",
                )
            })?;
        match crate::input::json(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(other) => Err(invalid(
                format!("its {name} is JSON but not an object ({other:.40})"),
                "paste a JWT of LTI: its header and claims are JSON objects",
            )),
            Err(e) => Err(invalid(
                format!("its {name} cannot be read: {e}"),
                "copy the token again: it was cut off or changed",
            )),
        }
    };
    let header = part(0, "header")?;
    let claims = part(1, "claims")?;
    URL_SAFE_NO_PAD
        .decode(parts[2].trim_end_matches('='))
        .map_err(|e| {
            invalid(
                format!("its signature is not base64url ({e})"),
                "copy the token again: the signature was cut off",
            )
        })?;
    Ok(Jwt {
        header,
        claims,
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature: parts[2].trim_end_matches('=').to_string(),
    })
}

/// What a token is, from its header and claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Platform → tool: a resource-link launch (id_token).
    ResourceLinkRequest,
    /// Platform → tool: a deep-linking request (id_token).
    DeepLinkingRequest,
    /// Platform → tool: a submission review launch (id_token).
    SubmissionReviewRequest,
    /// Platform → tool: a launch of another message type (id_token).
    OtherLaunch,
    /// Tool → platform: the deep-linking response.
    DeepLinkingResponse,
    /// Tool → platform: the client assertion of a token request.
    ClientAssertion,
    /// Platform → admin's browser → tool: a Dynamic Registration token.
    RegistrationToken,
    /// Platform → tool and back: an `lti_message_hint` (opaque, HMAC-signed).
    MessageHint,
    /// Nothing says what it is.
    Unknown,
}

impl TokenKind {
    /// What the token is, from its claims (the message type first).
    pub fn of(jwt: &Jwt) -> TokenKind {
        match jwt.claim_str(MESSAGE_TYPE) {
            Some("LtiResourceLinkRequest") => return TokenKind::ResourceLinkRequest,
            Some("LtiDeepLinkingRequest") => return TokenKind::DeepLinkingRequest,
            Some("LtiSubmissionReviewRequest") => return TokenKind::SubmissionReviewRequest,
            Some("LtiDeepLinkingResponse") => return TokenKind::DeepLinkingResponse,
            Some(_) => return TokenKind::OtherLaunch,
            None => {}
        }
        let alg = jwt.header_str("alg").unwrap_or("");
        if alg.starts_with("HS") {
            return TokenKind::MessageHint;
        }
        // A client assertion: iss and sub (the same client_id, when it is right) and a jti.
        if jwt.claim_str("iss").is_some()
            && jwt.claim_str("sub").is_some()
            && jwt.claims.contains_key("jti")
        {
            return TokenKind::ClientAssertion;
        }
        if jwt.claims.contains_key("initiated_at")
            || (jwt.claims.contains_key("uuid") && jwt.claims.contains_key("user_id"))
        {
            return TokenKind::RegistrationToken;
        }
        TokenKind::Unknown
    }

    /// Whether a platform signs it (with its JWKS).
    pub fn from_platform(self) -> bool {
        matches!(
            self,
            TokenKind::ResourceLinkRequest
                | TokenKind::DeepLinkingRequest
                | TokenKind::SubmissionReviewRequest
                | TokenKind::OtherLaunch
        )
    }

    /// Whether the tool signs it (with its own key).
    pub fn from_tool(self) -> bool {
        matches!(
            self,
            TokenKind::DeepLinkingResponse | TokenKind::ClientAssertion
        )
    }

    /// In plain words, with who sends it to whom.
    pub fn label(self) -> &'static str {
        match self {
            TokenKind::ResourceLinkRequest => {
                "a resource-link launch (LtiResourceLinkRequest id_token, platform → tool)"
            }
            TokenKind::DeepLinkingRequest => {
                "a deep-linking request (LtiDeepLinkingRequest id_token, platform → tool)"
            }
            TokenKind::SubmissionReviewRequest => {
                "a submission review launch (LtiSubmissionReviewRequest id_token, platform → tool)"
            }
            TokenKind::OtherLaunch => "a launch id_token (platform → tool)",
            TokenKind::DeepLinkingResponse => {
                "a deep-linking response (LtiDeepLinkingResponse, tool → platform)"
            }
            TokenKind::ClientAssertion => "a client assertion (tool → platform token endpoint)",
            TokenKind::RegistrationToken => {
                "a Dynamic Registration token (platform → tool's registration page)"
            }
            TokenKind::MessageHint => "an lti_message_hint (opaque to the tool)",
            TokenKind::Unknown => "a JWT of no kind LTI names",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    }

    fn jwt(header: Value, claims: Value) -> String {
        format!("{}.{}.c2ln", b64(&header), b64(&claims))
    }

    #[test]
    fn decodes_what_is_pasted_around_a_token() {
        let t = jwt(
            serde_json::json!({"alg": "RS256", "kid": "k1"}),
            serde_json::json!({"iss": "a"}),
        );
        for pasted in [t.clone(), format!("  Bearer {t}\n"), format!("\"{t}\"")] {
            let d = decode(&pasted).unwrap();
            assert_eq!(d.header_str("kid"), Some("k1"));
            assert_eq!(d.claim_str("iss"), Some("a"));
        }
    }

    #[test]
    fn refuses_what_is_not_a_signed_jwt_naming_the_part() {
        let cases = [
            ("", "empty"),
            ("a.b", "2 part(s)"),
            ("a.b.c.d.e", "JWE"),
            ("!!.e30.c2ln", "header is not base64url"),
            (
                &format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode("[1]")),
                "not an object",
            ),
            (
                &format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode("{")),
                "claims cannot be read: it is not JSON",
            ),
            (
                &format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode("[".repeat(100))),
                "claims cannot be read: it nests arrays and objects deeper than 64",
            ),
        ];
        for (text, expected) in cases {
            let err = decode(text).unwrap_err().to_string();
            assert!(
                err.starts_with("JWT: ") && err.contains(expected),
                "{text}: {err}"
            );
        }
        let huge = "a".repeat(MAX_JWT_BYTES + 1);
        assert!(decode(&huge).unwrap_err().to_string().contains("KiB"));
        let deep = format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode("[".repeat(5000)));
        assert!(
            decode(&deep).is_err(),
            "deep nesting is an error, not a stack overflow"
        );
    }

    #[test]
    fn the_kind_comes_from_the_claims() {
        let kind = |h: Value, c: Value| TokenKind::of(&decode(&jwt(h, c)).unwrap());
        let rs = serde_json::json!({"alg": "RS256"});
        assert_eq!(
            kind(
                rs.clone(),
                serde_json::json!({MESSAGE_TYPE: "LtiDeepLinkingResponse"})
            ),
            TokenKind::DeepLinkingResponse
        );
        assert_eq!(
            kind(
                rs.clone(),
                serde_json::json!({"iss": "c", "sub": "c", "jti": "1"})
            ),
            TokenKind::ClientAssertion
        );
        assert_eq!(
            kind(
                serde_json::json!({"alg": "HS256"}),
                serde_json::json!({"verifier": "x"})
            ),
            TokenKind::MessageHint
        );
        assert_eq!(kind(rs, serde_json::json!({})), TokenKind::Unknown);
    }
}
