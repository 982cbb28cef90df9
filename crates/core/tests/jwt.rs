//! A JWT signed with a generated key verifies, through jsonwebtoken, against the exported JWK.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use ltikeys_core::kid::thumbprint;
use ltikeys_core::{Jwk, Jwks, KeyPair, KeySize};

fn sign_jwt(key: &KeyPair, kid: &str, claims: &serde_json::Value) -> String {
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

#[test]
fn tokens_verify_against_the_published_jwks_by_kid() {
    let key = KeyPair::generate(KeySize::Bits2048).unwrap();
    let other = KeyPair::generate(KeySize::Bits2048).unwrap();
    let kid = thumbprint(&key.public_key());
    let jwks = Jwks {
        keys: vec![
            Jwk::new(&thumbprint(&other.public_key()), &other.public_key()),
            Jwk::new(&kid, &key.public_key()),
        ],
    };
    // What a platform does: parse the published JSON and pick the key by the header's kid.
    let published: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&jwks.to_pretty_json()).unwrap();
    let claims = serde_json::json!({"iss": "client-1", "sub": "client-1", "aud": "https://platform.example/token", "exp": 4_102_444_800u64});
    let token = sign_jwt(&key, &kid, &claims);
    let header = decode_header(&token).unwrap();
    let jwk = published
        .find(header.kid.as_deref().unwrap())
        .expect("kid must be published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["https://platform.example/token"]);
    let data =
        decode::<serde_json::Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .expect("the token must verify against the exported JWK");
    assert_eq!(data.claims["iss"], "client-1");

    // Signed by the other key under this kid: must fail.
    let forged = sign_jwt(&other, &kid, &claims);
    assert!(decode::<serde_json::Value>(
        &forged,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation
    )
    .is_err());
}
