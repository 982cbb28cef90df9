//! Key ids: the RFC 7638 thumbprint, an ISO-8601 timestamp, a UUID, or the user's own.

use aws_lc_rs::digest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::key::PublicKey;

/// How a new key's kid is made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum KidScheme {
    /// RFC 7638 SHA-256 thumbprint: deterministic, what pylti1.3 computes.
    #[default]
    Thumbprint,
    /// ISO-8601 UTC timestamp to the second, as Canvas names its own keys.
    Timestamp,
    /// A random UUID.
    Uuid,
}

impl std::str::FromStr for KidScheme {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "thumbprint" => Ok(KidScheme::Thumbprint),
            "timestamp" => Ok(KidScheme::Timestamp),
            "uuid" => Ok(KidScheme::Uuid),
            other => Err(Error::invalid(
                "kid scheme",
                format!("'{other}' is not a kid scheme"),
                "use thumbprint, timestamp or uuid, or give a custom kid",
            )),
        }
    }
}

impl KidScheme {
    /// The kid this scheme gives a key made at `now`.
    pub fn kid(self, public: &PublicKey, now: DateTime<Utc>) -> String {
        match self {
            KidScheme::Thumbprint => thumbprint(public),
            KidScheme::Timestamp => now.to_rfc3339_opts(SecondsFormat::Secs, true),
            KidScheme::Uuid => uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// The RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key.
pub fn thumbprint(public: &PublicKey) -> String {
    thumbprint_of(&public.n_b64(), &public.e_b64())
}

/// The RFC 7638 thumbprint from a JWK's `n` and `e` members.
pub fn thumbprint_of(n: &str, e: &str) -> String {
    // The members in lexicographic order, no white space (RFC 7638 section 3.2).
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
}

/// Checks a kid given by the user.
pub fn validate_custom(kid: &str) -> Result<()> {
    if kid.is_empty() {
        return Err(Error::invalid(
            "kid",
            "it is empty",
            "give a kid of 1 to 128 characters, or leave it out to use the kid scheme",
        ));
    }
    if kid.len() > 128 {
        return Err(Error::invalid(
            "kid",
            format!("it is {} characters long", kid.len()),
            "use at most 128 characters",
        ));
    }
    if let Some(bad) = kid
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\\' | '/'))
    {
        return Err(Error::invalid(
            "kid",
            format!("it contains {bad:?}"),
            "use letters, digits and . _ - : + = only (no spaces, quotes, slashes)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_kids_are_iso8601_utc_seconds() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T19:05:07.123Z")
            .unwrap()
            .with_timezone(&Utc);
        let pk = PublicKey::from_components(&[0xc0, 1], &[1, 0, 1]);
        assert_eq!(KidScheme::Timestamp.kid(&pk, now), "2026-11-22T19:05:07Z");
    }

    #[test]
    fn uuid_kids_are_random_v4() {
        let pk = PublicKey::from_components(&[0xc0, 1], &[1, 0, 1]);
        let a = KidScheme::Uuid.kid(&pk, Utc::now());
        let b = KidScheme::Uuid.kid(&pk, Utc::now());
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }

    #[test]
    fn thumbprint_is_deterministic_and_43_chars() {
        let pk = PublicKey::from_components(&[0xc0, 1, 2, 3], &[1, 0, 1]);
        let t = KidScheme::Thumbprint.kid(&pk, Utc::now());
        assert_eq!(t, thumbprint(&pk));
        assert_eq!(t.len(), 43);
        assert!(
            !t.contains(['+', '/', '=']),
            "must be base64url without padding: {t}"
        );
    }

    #[test]
    fn custom_kids_are_checked() {
        validate_custom("2026-11-22T19:05:07Z").unwrap();
        validate_custom("key-1.a_b").unwrap();
        for bad in ["", "has space", "quo\"te", "a/b", &"x".repeat(129)] {
            let err = validate_custom(bad).unwrap_err();
            assert!(err.to_string().starts_with("kid:"), "{err}");
        }
    }

    #[test]
    fn unknown_scheme_names_the_choices() {
        let err = "sha1".parse::<KidScheme>().unwrap_err();
        assert!(err.to_string().contains("thumbprint, timestamp or uuid"));
    }
}
