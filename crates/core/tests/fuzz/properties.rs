//! Properties that hold for every input proptest makes up: the readers never panic, what the
//! app writes it reads back unchanged, and the depth and size caps sit exactly where they say.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ltikeys_core::check::{self, JwksRole};
use ltikeys_core::input::{self, MAX_JSON_DEPTH};
use ltikeys_core::jwk::{Jwk, Jwks};
use ltikeys_core::key::PublicKey;
use ltikeys_core::{canvas, token};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Short binary fractions: serde_json (without its float_roundtrip feature) reads longer
        // ones back only to the nearest last digit.
        any::<i16>().prop_map(|i| Value::from(f64::from(i) / 8.0)),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn any_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-z_]{1,12}", any_json(), 0..8)
        .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_are_read_or_refused_in_words(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(problem) = input::json(&bytes) {
            prop_assert!(problem.starts_with("it "), "{problem}");
        }
        let text = String::from_utf8_lossy(&bytes);
        for finding in canvas::lint_str(&text) {
            prop_assert!(!finding.message.is_empty() && !finding.fix.is_empty());
        }
        if let Err(e) = token::decode(&text) {
            prop_assert!(e.to_string().starts_with("JWT: "), "{e}");
        }
        let (_, findings) = check::analyse(&super::fetched(&bytes), JwksRole::Tool, None);
        prop_assert!(findings.len() <= check::MAX_FINDINGS + 1);
    }

    #[test]
    fn json_the_app_can_write_it_reads_back(value in any_json()) {
        let text = serde_json::to_vec(&value).unwrap();
        prop_assert_eq!(input::json(&text).unwrap(), value.clone());
        let with_bom = [&b"\xEF\xBB\xBF"[..], &text].concat();
        prop_assert_eq!(input::json(&with_bom).unwrap(), value);
    }

    #[test]
    fn nesting_is_accepted_up_to_the_cap_and_refused_past_it(depth in 1usize..400, object in any::<bool>()) {
        let (open, close) = if object { ("{\"a\":", "}") } else { ("[", "]") };
        let text = format!("{}0{}", open.repeat(depth), close.repeat(depth));
        match input::json(text.as_bytes()) {
            Ok(_) => prop_assert!(depth <= MAX_JSON_DEPTH),
            Err(problem) => {
                prop_assert!(depth > MAX_JSON_DEPTH, "{problem}");
                prop_assert!(problem.contains("deeper than 64 levels"), "{problem}");
            }
        }
    }

    #[test]
    fn a_token_decodes_to_the_header_and_claims_it_was_made_of(
        header in any_object(),
        claims in any_object(),
        signature in prop::collection::vec(any::<u8>(), 1..300),
    ) {
        let part = |m: &Map<String, Value>| URL_SAFE_NO_PAD.encode(serde_json::to_vec(m).unwrap());
        let text = format!("{}.{}.{}", part(&header), part(&claims), URL_SAFE_NO_PAD.encode(&signature));
        let jwt = token::decode(&text).unwrap();
        prop_assert_eq!(&jwt.header, &header);
        prop_assert_eq!(&jwt.claims, &claims);
    }

    #[test]
    fn a_published_key_set_is_read_back_kid_for_kid(
        kids in prop::collection::btree_set("[A-Za-z0-9_-]{1,40}", 1..12),
    ) {
        // One public key under every kid: the rules read kids, sizes and fields, not the math.
        let public = PublicKey::from_components(&[0xc5; 256], &[1, 0, 1]);
        let jwks = Jwks { keys: kids.iter().map(|kid| Jwk::new(kid, &public)).collect() };
        let body = jwks.to_pretty_json();
        let (keys, findings) = check::analyse(&super::fetched(body.as_bytes()), JwksRole::Tool, None);
        let read: Vec<String> = keys.iter().filter_map(|k| k.kid.clone()).collect();
        prop_assert_eq!(read, kids.iter().cloned().collect::<Vec<_>>());
        prop_assert!(keys.iter().all(|k| k.bits == Some(2048)));
        let errors: Vec<_> = findings
            .iter()
            .filter(|f| f.severity == ltikeys_core::finding::Severity::Error)
            .collect();
        prop_assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn any_json_document_is_imported_or_refused_naming_a_field(doc in any_json()) {
        match canvas::import(&doc, Some("Fuzzed")) {
            Ok(imported) => prop_assert_eq!(imported.tool.name.as_str(), "Fuzzed"),
            Err(e) => prop_assert!(e.to_string().contains(": "), "{e}"),
        }
    }
}
