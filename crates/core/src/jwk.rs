//! Public JWKs and JWK Sets with the RFC 7517 member names, RS256 and `use: sig` always set.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::key::PublicKey;

/// A public RSA JWK as LTI platforms want it: kty, kid, alg, use, n, e and nothing private.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Jwk {
    /// Always `RSA`.
    pub kty: String,
    /// The key id.
    pub kid: String,
    /// Always `RS256`.
    pub alg: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: String,
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
}

impl Jwk {
    /// The JWK of a public key under a kid.
    pub fn new(kid: &str, public: &PublicKey) -> Self {
        Jwk {
            kty: "RSA".into(),
            kid: kid.into(),
            alg: "RS256".into(),
            use_: "sig".into(),
            n: public.n_b64(),
            e: public.e_b64(),
        }
    }

    /// Pretty JSON, as shown and exported.
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("a JWK holds only strings, which always encode as JSON")
    }

    /// The RSA public key it holds; refused unless `kty` is RSA and `n`, `e` are base64url.
    pub fn public_key(&self) -> crate::error::Result<PublicKey> {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine as _;
        let bad = |problem: String| {
            crate::error::Error::invalid(
                format!("JWK '{}'", self.kid),
                problem,
                "give an RSA public JWK with base64url n and e",
            )
        };
        if self.kty != "RSA" {
            return Err(bad(format!("its kty is '{}', not RSA", self.kty)));
        }
        let n = URL_SAFE_NO_PAD
            .decode(&self.n)
            .map_err(|e| bad(format!("its n is not base64url ({e})")))?;
        let e = URL_SAFE_NO_PAD
            .decode(&self.e)
            .map_err(|e| bad(format!("its e is not base64url ({e})")))?;
        Ok(PublicKey::from_components(&n, &e))
    }
}

/// A JWK Set: `{"keys": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Jwks {
    /// The keys, in publishing order.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// The key with this kid.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Pretty JSON, as published.
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("a JWK Set holds only strings and lists, which always encode as JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeyPair, KeySize};

    #[test]
    fn jwk_has_exactly_the_public_members() {
        let key = KeyPair::generate(KeySize::Bits2048).unwrap();
        let jwk = Jwk::new("k1", &key.public_key());
        let value = serde_json::to_value(&jwk).unwrap();
        let mut members: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        members.sort();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(value["kty"], "RSA");
        assert_eq!(value["alg"], "RS256");
        assert_eq!(value["use"], "sig");
        assert_eq!(
            jwk.n.len(),
            342,
            "a 2048-bit modulus is 342 base64url characters"
        );
    }

    #[test]
    fn jwks_wraps_keys_and_finds_by_kid() {
        let key = KeyPair::generate(KeySize::Bits2048).unwrap();
        let set = Jwks {
            keys: vec![
                Jwk::new("a", &key.public_key()),
                Jwk::new("b", &key.public_key()),
            ],
        };
        let value: serde_json::Value = serde_json::from_str(&set.to_pretty_json()).unwrap();
        assert_eq!(value["keys"].as_array().unwrap().len(), 2);
        assert_eq!(set.find("b").unwrap().kid, "b");
        assert!(set.find("c").is_none());
    }
}
