//! The client assertion a tool signs to ask a platform for an access token (LTI Advantage
//! security framework, RFC 7523): RS256 with the current key's kid, `iss` = `sub` = the
//! client_id, `aud` the platform's token audience (else its token URL), five minutes long.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use super::DEPLOYMENT_ID;
use crate::error::{Error, Result};
use crate::key::KeyPair;

/// How long a client assertion is valid.
pub const LIFETIME_SECS: i64 = 300;

/// A signed client assertion: the token and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClientAssertion {
    /// The JWT, as posted to the token endpoint.
    pub token: String,
    /// Its header.
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    /// Its claims.
    #[ts(type = "Record<string, unknown>")]
    pub claims: Value,
    /// The kid it is signed under.
    pub kid: String,
    /// Where it is to be posted.
    pub token_url: String,
    /// When it stops being valid.
    #[ts(type = "string")]
    pub expires_at: DateTime<Utc>,
}

/// What a client assertion says: who signs, for whom.
#[derive(Debug, Clone, Copy)]
pub struct AssertionFor<'a> {
    /// The registration's client_id: `iss` and `sub`.
    pub client_id: &'a str,
    /// `aud`: the platform's token audience, else its token URL.
    pub audience: &'a str,
    /// Where the assertion is posted.
    pub token_url: &'a str,
    /// The deployment id claim, when asked for.
    pub deployment_id: Option<&'a str>,
}

/// Signs a client assertion with `key` under `kid`, valid from `now` for five minutes; `jti`
/// is a fresh UUID.
pub fn sign(
    key: &KeyPair,
    kid: &str,
    what: AssertionFor<'_>,
    now: DateTime<Utc>,
) -> Result<ClientAssertion> {
    sign_with(kid, what, now, |input| key.sign_rs256(input))
}

/// Signs a client assertion under `kid` as [`sign`] does, with `signer` making the RS256
/// signature of the JWS signing input (a key held elsewhere: the team's Transit key).
pub fn sign_with(
    kid: &str,
    what: AssertionFor<'_>,
    now: DateTime<Utc>,
    signer: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
) -> Result<ClientAssertion> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let expires_at = now + Duration::seconds(LIFETIME_SECS);
    let mut claims = json!({
        "iss": what.client_id,
        "sub": what.client_id,
        "aud": what.audience,
        "iat": now.timestamp(),
        "exp": expires_at.timestamp(),
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    if let Some(deployment) = what.deployment_id {
        claims[DEPLOYMENT_ID] = json!(deployment);
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    header.typ = Some("JWT".into());
    let input = format!("{}.{}", b64_json(&header)?, b64_json(&claims)?);
    let signature = signer(input.as_bytes())?;
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    Ok(ClientAssertion {
        token,
        header: json!({"alg": "RS256", "typ": "JWT", "kid": kid}),
        claims,
        kid: kid.to_string(),
        token_url: what.token_url.to_string(),
        expires_at,
    })
}

/// A JWS part: the value as JSON, base64url without padding.
fn b64_json(value: &impl Serialize) -> Result<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let json = serde_json::to_vec(value).map_err(|_| Error::Crypto("client assertion encoding"))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeySize;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn the_assertion_verifies_with_the_public_key_and_says_who_signs_for_whom() {
        let key = KeyPair::generate(KeySize::Bits2048).unwrap();
        let now = Utc::now();
        let what = AssertionFor {
            client_id: "10000000000001",
            audience: "https://sso.canvaslms.com/login/oauth2/token",
            token_url: "https://sso.canvaslms.com/login/oauth2/token",
            deployment_id: Some("1:abc"),
        };
        let a = sign(&key, "k1", what, now).unwrap();
        let public = key.public_key();
        let decoding = DecodingKey::from_rsa_components(&public.n_b64(), &public.e_b64()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[what.audience]);
        validation.set_issuer(&[what.client_id]);
        let data = jsonwebtoken::decode::<Value>(&a.token, &decoding, &validation).unwrap();
        assert_eq!(data.header.kid.as_deref(), Some("k1"));
        assert_eq!(data.claims["sub"], "10000000000001");
        assert_eq!(data.claims[DEPLOYMENT_ID], "1:abc");
        assert_eq!(
            data.claims["exp"].as_i64().unwrap() - data.claims["iat"].as_i64().unwrap(),
            LIFETIME_SECS
        );
        let b = sign(&key, "k1", what, now).unwrap();
        assert_ne!(a.claims["jti"], b.claims["jti"], "each jti is new");
        let other = KeyPair::generate(KeySize::Bits2048).unwrap().public_key();
        let wrong = DecodingKey::from_rsa_components(&other.n_b64(), &other.e_b64()).unwrap();
        assert!(jsonwebtoken::decode::<Value>(&a.token, &wrong, &validation).is_err());
    }
}
