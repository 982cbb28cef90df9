//! RFC 7638 thumbprints against the RFC's own vector and an OpenSSL-made key.

use ltikeys_core::kid::{thumbprint, thumbprint_of};
use ltikeys_core::KeyPair;

use crate::fixture;

#[test]
fn rfc7638_section_3_1_vector() {
    let jwk: serde_json::Value = serde_json::from_str(&fixture("rfc7638-example.json")).unwrap();
    let n = jwk["n"].as_str().unwrap();
    let e = jwk["e"].as_str().unwrap();
    assert_eq!(
        thumbprint_of(n, e),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn thumbprint_of_an_openssl_key_matches_an_independent_computation() {
    let key = KeyPair::from_pem(&fixture("rsa2048-pkcs1.pem"), None).unwrap();
    assert_eq!(
        thumbprint(&key.public_key()),
        fixture("rsa2048.thumbprint").trim()
    );
}
