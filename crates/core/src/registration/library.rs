//! A registration as the tool libraries read it: pylti1.3's `ToolConfJsonFile`, the object
//! ltijs's `registerPlatform` (and LTIAAS's `POST /admin/platforms`) takes, and django-lti's
//! registration and deployment fields. Facts: `reference/formats.md` §2–3.

use serde_json::{json, Value};

use super::Registration;
use crate::error::{Error, Result};
use crate::jwk::Jwk;
use crate::kid;
use crate::platform::{fill_client_id, Platform};
use crate::remedy::Remedy;

/// The key files a pylti1.3 configuration names, relative to the configuration's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFiles {
    /// The tool's private key (PEM). pylti1.3 reads it when the configuration loads.
    pub private_key_file: String,
    /// The tool's public key (PEM), from which pylti1.3 serves its JWKS.
    pub public_key_file: String,
}

impl Default for KeyFiles {
    fn default() -> Self {
        KeyFiles {
            private_key_file: "private.key".into(),
            public_key_file: "public.key".into(),
        }
    }
}

/// Why a key cannot sign for pylti1.3, or `None` when it can: pylti1.3 always signs with the
/// RFC 7638 thumbprint of its key as the kid, so a key filed under another kid is one the
/// platform never finds (Canvas answers `KidNotFound` to every token request).
pub fn pylti1p3_kid_problem(jwk: &Jwk) -> Option<String> {
    let thumbprint = kid::thumbprint_of(&jwk.n, &jwk.e);
    (thumbprint != jwk.kid).then(|| {
        format!(
            "its kid '{}' is not the key's RFC 7638 thumbprint ({thumbprint}), and pylti1.3 \
             always signs with the thumbprint as the kid: the platform would find no key for \
             its tokens (Canvas answers KidNotFound)",
            jwk.kid
        )
    })
}

/// pylti1.3's `ToolConfJsonFile` for one registration (one issuer, a list of client ids, as
/// pylti1.3 recommends for Canvas). `current` is the tool's signing key: refused, with the fix,
/// when its kid is not its thumbprint.
pub fn pylti1p3_config(
    registration: &Registration,
    platform: &Platform,
    tool_name: &str,
    current: &Jwk,
    files: &KeyFiles,
) -> Result<Value> {
    if let Some(problem) = pylti1p3_kid_problem(current) {
        return Err(Error::invalid(
            "kid",
            problem,
            "rotate to a key whose kid is its thumbprint: \
             generate a next key with the thumbprint kid scheme, then rotate",
        )
        .with_remedy(Remedy::GenerateKey {
            tool: tool_name.to_string(),
            next: true,
        })
        .with_remedy(Remedy::Rotate {
            tool: tool_name.to_string(),
        }));
    }
    Ok(json!({
        registration.issuer.clone(): [{
            "default": true,
            "client_id": registration.client_id,
            "auth_login_url": platform.spec.auth_url,
            "auth_token_url": platform.spec.token_url,
            "auth_audience": platform.spec.token_audience,
            "key_set_url": fill_client_id(&platform.spec.jwks_url, &registration.client_id),
            "key_set": null,
            "private_key_file": files.private_key_file,
            "public_key_file": files.public_key_file,
            "deployment_ids": deployment_ids(registration),
        }]
    }))
}

/// The object ltijs's `Provider.registerPlatform` takes (LTIAAS's platform record too). ltijs
/// keeps no deployment ids.
pub fn ltijs_platform(registration: &Registration, platform: &Platform) -> Value {
    let mut object = json!({
        "url": registration.issuer,
        "name": platform.spec.name,
        "clientId": registration.client_id,
        "authenticationEndpoint": platform.spec.auth_url,
        "accesstokenEndpoint": platform.spec.token_url,
        "authConfig": {
            "method": "JWK_SET",
            "key": fill_client_id(&platform.spec.jwks_url, &registration.client_id),
        },
    });
    if let (Some(audience), Some(map)) = (&platform.spec.token_audience, object.as_object_mut()) {
        map.insert("authorizationServer".into(), json!(audience));
    }
    object
}

/// django-lti's `LtiRegistration` fields and its `LtiDeployment` rows, as the admin or a data
/// migration fills them.
pub fn django_lti(registration: &Registration, platform: &Platform) -> Value {
    json!({
        "registration": {
            "name": format!("{} on {}", registration.tool_name, platform.spec.name),
            "issuer": registration.issuer,
            "client_id": registration.client_id,
            "audience": platform.spec.token_audience,
            "auth_url": platform.spec.auth_url,
            "token_url": platform.spec.token_url,
            "keyset_url": fill_client_id(&platform.spec.jwks_url, &registration.client_id),
            "is_active": true,
        },
        "deployments": registration
            .deployments
            .iter()
            .map(|d| json!({ "deployment_id": d.deployment_id, "is_active": true }))
            .collect::<Vec<_>>(),
    })
}

fn deployment_ids(registration: &Registration) -> Vec<&str> {
    registration
        .deployments
        .iter()
        .map(|d| d.deployment_id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::key::{KeyPair, KeySize};
    use crate::platform::{NewPlatform, PlatformFamily};
    use crate::registration::Deployment;

    fn fixtures() -> (Registration, Platform) {
        let spec = NewPlatform::from_preset(
            "Acme Brightspace",
            PlatformFamily::Brightspace,
            Some("https://acme.brightspace.com"),
        )
        .resolve()
        .unwrap();
        let now = Utc::now();
        let platform = Platform {
            id: "p1".into(),
            spec,
            created_at: now,
            updated_at: now,
        };
        let registration = Registration {
            id: "r1".into(),
            tool_id: "t1".into(),
            tool_name: "Quiz".into(),
            platform_id: "p1".into(),
            platform_name: "Acme Brightspace".into(),
            issuer: platform.spec.issuer.clone(),
            client_id: "c-123".into(),
            deployments: ["d-1", "d-2"]
                .into_iter()
                .map(|id| Deployment {
                    deployment_id: id.into(),
                    label: None,
                    added_at: now,
                })
                .collect(),
            canvas: None,
            created_at: now,
            updated_at: now,
        };
        (registration, platform)
    }

    fn key(kid: Option<&str>) -> Jwk {
        let public = KeyPair::generate(KeySize::Bits2048).unwrap().public_key();
        let kid = kid.map_or_else(|| kid::thumbprint(&public), str::to_string);
        Jwk::new(&kid, &public)
    }

    #[test]
    fn pylti1p3_lists_the_registration_under_its_issuer() {
        let (reg, platform) = fixtures();
        let config =
            pylti1p3_config(&reg, &platform, "Quiz", &key(None), &KeyFiles::default()).unwrap();
        let entry = &config[&reg.issuer][0];
        assert_eq!(entry["client_id"], "c-123");
        assert_eq!(entry["deployment_ids"], json!(["d-1", "d-2"]));
        assert_eq!(entry["auth_token_url"], platform.spec.token_url.as_str());
        assert_eq!(entry["private_key_file"], "private.key");
        assert_eq!(entry["key_set_url"], platform.spec.jwks_url.as_str());
        // Brightspace's token audience differs from its token URL.
        assert!(platform.spec.token_audience.is_some());
        assert_eq!(entry["auth_audience"], json!(platform.spec.token_audience));
    }

    #[test]
    fn pylti1p3_refuses_a_key_whose_kid_is_not_its_thumbprint() {
        let (reg, platform) = fixtures();
        for kid in [
            "2026-12-03T10:00:00Z",
            "0b7a2f4e-6a63-4c0e-9d53-1c2b3a4d5e6f",
            "prod-key-1",
        ] {
            let err = pylti1p3_config(
                &reg,
                &platform,
                "Quiz",
                &key(Some(kid)),
                &KeyFiles::default(),
            )
            .unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("thumbprint") && text.contains("KidNotFound"),
                "{text}"
            );
            assert!(
                err.remedies()
                    .iter()
                    .any(|r| matches!(r, Remedy::Rotate { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn ltijs_takes_the_jwks_url_and_the_audience_as_authorization_server() {
        let (reg, platform) = fixtures();
        let object = ltijs_platform(&reg, &platform);
        assert_eq!(object["url"], reg.issuer.as_str());
        assert_eq!(object["clientId"], "c-123");
        assert_eq!(
            object["authConfig"],
            json!({"method": "JWK_SET", "key": platform.spec.jwks_url})
        );
        assert_eq!(
            object["authorizationServer"],
            json!(platform.spec.token_audience)
        );
    }

    #[test]
    fn django_lti_has_the_model_fields_and_every_deployment() {
        let (reg, platform) = fixtures();
        let fields = django_lti(&reg, &platform);
        for field in [
            "name",
            "issuer",
            "client_id",
            "audience",
            "auth_url",
            "token_url",
            "keyset_url",
            "is_active",
        ] {
            assert!(
                fields["registration"].get(field).is_some(),
                "no {field}: {fields}"
            );
        }
        assert_eq!(fields["deployments"][1]["deployment_id"], "d-2");
    }
}
