//! Registration bundles: everything a colleague needs to set up one registration, as a folder
//! or a zip. `bundle.json` lists every other file with its SHA-256; the files are the tool's
//! public keys, its exports for the platform and for tool libraries, the platform's values, the
//! last check results and a README with the human steps. A private key only when asked for,
//! encrypted.

mod archive;
mod import;
mod readme;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::check::JwksCheck;
use crate::error::{Error, Result};
use crate::jwk::{Jwk, Jwks};
use crate::key::{KeyRecord, KeyStatus};
use crate::platform::{Platform, PlatformFamily};
use crate::registration::Registration;
use crate::tool::{Tool, ToolProfile};

pub use archive::{
    is_zip as is_zip_path, read, write, MAX_BUNDLE_BYTES, MAX_FILES, MAX_FILE_BYTES,
};
pub use import::{
    BundleContents, BundleKeyIn, BundlePlan, Difference, KeyPlan, PlanAction, RecordPlan,
};

/// What `bundle.json` says it is.
pub const FORMAT: &str = "ltikeys-registration-bundle";
/// The newest bundle format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's file name.
pub const MANIFEST: &str = "bundle.json";
/// The README's file name.
pub const README: &str = "README.md";
/// The tool's profile.
pub const TOOL_FILE: &str = "tool.json";
/// The platform's values and the registration's.
pub const PLATFORM_FILE: &str = "platform.json";
/// The tool's published keys.
pub const JWKS_FILE: &str = "jwks.json";
/// The last checks of the tool's and the platform's JWKS URLs.
pub const CHECKS_FILE: &str = "checks.json";
/// Canvas's developer-key paste JSON.
pub const CANVAS_FILE: &str = "canvas-developer-key.json";
/// The form of the Canvas configuration Canvas's registration API takes.
pub const CANVAS_API_FILE: &str = "canvas-registration.json";
/// The Dynamic Registration tool configuration.
pub const DYNREG_FILE: &str = "lti-tool-configuration.json";
/// pylti1.3's `ToolConfJsonFile`.
pub const PYLTI1P3_FILE: &str = "pylti1p3.json";
/// ltijs's `registerPlatform` object.
pub const LTIJS_FILE: &str = "ltijs-platform.json";
/// django-lti's registration fields.
pub const DJANGO_LTI_FILE: &str = "django-lti.json";

/// `bundle.json`: what is inside, with a SHA-256 of every other file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The bundle format version; a reader refuses a newer one.
    pub format_version: u32,
    /// When it was made.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// The app that made it, e.g. "ltikeys 0.1.0".
    pub created_by: String,
    /// The tool's name.
    pub tool: String,
    /// The platform's name.
    pub platform: String,
    /// The platform's issuer.
    pub issuer: String,
    /// The client_id the platform gave the tool.
    pub client_id: String,
    /// The tool's published keys: their kids, status, dates and files.
    pub keys: Vec<BundleKey>,
    /// Every file but `bundle.json`, with its SHA-256.
    pub files: Vec<BundleFile>,
    /// Exports that could not be made for this registration, and why.
    pub omitted: Vec<Omitted>,
}

/// One of the tool's published keys in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BundleKey {
    /// The key id.
    pub kid: String,
    /// Its life-cycle state where the bundle was made.
    pub status: KeyStatus,
    /// Modulus size.
    pub bits: u32,
    /// When it was generated or imported.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// Since when it has been published.
    #[ts(type = "string")]
    pub published_at: DateTime<Utc>,
    /// When it started signing.
    #[ts(type = "string | null")]
    pub signing_from: Option<DateTime<Utc>>,
    /// When it stopped signing.
    #[ts(type = "string | null")]
    pub signing_to: Option<DateTime<Utc>>,
    /// When its overlap window ends.
    #[ts(type = "string | null")]
    pub unpublish_after: Option<DateTime<Utc>>,
    /// Its public JWK file.
    pub jwk_file: String,
    /// Its public key PEM (SPKI) file.
    pub pem_file: String,
    /// Its encrypted private key (PKCS#8 PEM) file, when the bundle holds it.
    pub private_file: Option<String>,
}

/// A file in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BundleFile {
    /// Its name in the bundle (no folders).
    pub path: String,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
    /// What it is, in a few words.
    pub what: String,
}

/// An export not in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Omitted {
    /// The file it would have been.
    pub path: String,
    /// Why it is not there, and how to get it.
    pub reason: String,
}

/// `platform.json`: the platform's values and the registration's, as a tool's server needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlatformFile {
    /// The platform's name where the bundle was made.
    pub name: String,
    /// Which LMS it is.
    pub family: PlatformFamily,
    /// The instance's base URL.
    pub base_url: Option<String>,
    /// The `iss` of its launches.
    pub issuer: String,
    /// The client_id it gave the tool.
    pub client_id: String,
    /// The deployment ids, with their labels.
    pub deployments: Vec<DeploymentFile>,
    /// OIDC auth endpoint.
    pub auth_url: String,
    /// OAuth2 token endpoint.
    pub token_url: String,
    /// The platform's JWKS URL (any `{client_id}` filled in).
    pub jwks_url: String,
    /// The `aud` of the tool's client assertions.
    pub audience: String,
    /// The token audience when it differs from the token URL.
    pub token_audience: Option<String>,
    /// Where the platform publishes its OpenID configuration.
    pub openid_configuration_url: Option<String>,
}

/// A deployment id in `platform.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeploymentFile {
    /// The deployment_id the platform sends.
    pub deployment_id: String,
    /// What it is.
    pub label: Option<String>,
}

/// The current private key, encrypted, to put in a bundle.
pub struct PrivatePart {
    /// Its kid.
    pub kid: String,
    /// PKCS#8 PEM encrypted with the user's passphrase.
    pub pem: Zeroizing<String>,
}

/// What a bundle is made from.
pub struct BundleSource<'a> {
    /// The registration.
    pub registration: &'a Registration,
    /// Its tool.
    pub tool: &'a Tool,
    /// Its platform.
    pub platform: &'a Platform,
    /// The tool's published keys.
    pub keys: &'a [KeyRecord],
    /// The last checks of the tool's and the platform's JWKS URLs.
    pub checks: Vec<JwksCheck>,
    /// The current private key, when asked for.
    pub private: Option<PrivatePart>,
    /// The app that makes it, e.g. "ltikeys 0.1.0".
    pub created_by: &'a str,
    /// When.
    pub now: DateTime<Utc>,
}

/// A bundle in memory: its manifest and its files (private ones flagged).
pub struct Bundle {
    /// `bundle.json`.
    pub manifest: Manifest,
    files: BTreeMap<String, Zeroizing<Vec<u8>>>,
    private: Vec<String>,
}

impl Bundle {
    /// Makes the bundle of a registration. Exports that do not apply or cannot be made (a Canvas
    /// file for another LMS, a tool missing what an export needs) are left out and listed in
    /// [`Manifest::omitted`] with the reason.
    pub fn build(source: BundleSource<'_>) -> Result<Bundle> {
        let BundleSource {
            registration,
            tool,
            platform,
            keys,
            checks,
            private,
            created_by,
            now,
        } = source;
        let mut bundle = Bundle {
            manifest: Manifest {
                format: FORMAT.into(),
                format_version: FORMAT_VERSION,
                created_at: now,
                created_by: created_by.into(),
                tool: tool.profile.name.clone(),
                platform: platform.spec.name.clone(),
                issuer: registration.issuer.clone(),
                client_id: registration.client_id.clone(),
                keys: vec![],
                files: vec![],
                omitted: vec![],
            },
            files: BTreeMap::new(),
            private: vec![],
        };
        let published: Vec<&KeyRecord> = keys.iter().filter(|k| k.status.is_published()).collect();
        let jwks = Jwks {
            keys: published
                .iter()
                .map(|k| Jwk::new(&k.kid, &k.public))
                .collect(),
        };
        let current = published.iter().find(|k| k.status == KeyStatus::Current);

        bundle.add_json(TOOL_FILE, "the tool's profile", &tool.profile)?;
        bundle.add_json(
            PLATFORM_FILE,
            "the platform's values and the registration's",
            &platform_file(registration, platform),
        )?;
        bundle.add_text(
            JWKS_FILE,
            "the tool's published keys (JWKS)",
            jwks.to_pretty_json(),
        );
        let mut names = KeyFileNames::default();
        for (key, jwk) in published.iter().zip(&jwks.keys) {
            let stem = names.stem(&key.kid);
            let jwk_file = format!("public_jwk.{stem}.json");
            let pem_file = format!("public.{stem}.pem");
            bundle.add_text(
                &jwk_file,
                &format!("public JWK of {}", key.kid),
                jwk.to_pretty_json(),
            );
            bundle.add_text(
                &pem_file,
                &format!("public key of {} (PEM)", key.kid),
                key.public.to_spki_pem()?,
            );
            let private_file = match &private {
                Some(part) if part.kid == key.kid => {
                    let name = format!("private.{stem}.pem");
                    bundle.add_private(
                        &name,
                        &format!("private key of {} (encrypted PKCS#8)", key.kid),
                        part.pem.as_bytes(),
                    );
                    Some(name)
                }
                _ => None,
            };
            bundle.manifest.keys.push(BundleKey {
                kid: key.kid.clone(),
                status: key.status,
                bits: key.bits,
                created_at: key.created_at,
                published_at: key.published_at,
                signing_from: key.signing_from,
                signing_to: key.signing_to,
                unpublish_after: key.unpublish_after,
                jwk_file,
                pem_file,
                private_file,
            });
        }
        if let Some(part) = &private {
            if !bundle.manifest.keys.iter().any(|k| k.kid == part.kid) {
                return Err(Error::invalid(
                    "private key",
                    format!("'{}' is not one of the tool's published keys", part.kid),
                    "include the current key's private key",
                ));
            }
        }

        if platform.spec.family.is_canvas() {
            let jwk = current.map(|k| Jwk::new(&k.kid, &k.public));
            match crate::canvas::export(tool, jwk.as_ref()) {
                Ok(config) => bundle.add_text(
                    CANVAS_FILE,
                    "Canvas developer key JSON (paste into Developer Keys → + LTI Key → Paste JSON)",
                    config.to_pretty_json(),
                ),
                Err(e) => bundle.omit(CANVAS_FILE, &e.to_string()),
            }
            match crate::canvas::export_api(tool, jwk.as_ref()) {
                Ok(config) => bundle.add_json(
                    CANVAS_API_FILE,
                    "Canvas registration (the form the Apps page and the lti_registrations API take)",
                    &config,
                )?,
                Err(e) => bundle.omit(CANVAS_API_FILE, &e.to_string()),
            }
        }

        match crate::dynreg::tool_configuration(tool) {
            Ok(config) => bundle.add_json(
                DYNREG_FILE,
                "the LTI Dynamic Registration tool configuration (OIDC client registration)",
                &config,
            )?,
            Err(e) => bundle.omit(DYNREG_FILE, &e.to_string()),
        }
        bundle.add_libraries(registration, platform, tool, current.copied())?;
        bundle.add_json(CHECKS_FILE, "the last checks of the JWKS URLs", &checks)?;
        let readme = readme::render(&bundle.manifest, registration, platform, &tool.profile);
        bundle.add_text(README, "the steps on both sides", readme);
        bundle.manifest.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(bundle)
    }

    /// The tool-library configs: pylti1.3's names the current key's PEM files in the bundle
    /// (the private one only when it is in), so it loads as it is.
    fn add_libraries(
        &mut self,
        registration: &Registration,
        platform: &Platform,
        tool: &Tool,
        current: Option<&KeyRecord>,
    ) -> Result<()> {
        use crate::registration::library;
        match current {
            None => self.omit(
                PYLTI1P3_FILE,
                &format!(
                    "tool '{}' has no current key to sign with",
                    tool.profile.name
                ),
            ),
            Some(key) => {
                let entry = self.manifest.keys.iter().find(|k| k.kid == key.kid);
                let files = library::KeyFiles {
                    private_key_file: entry
                        .and_then(|k| k.private_file.clone())
                        .unwrap_or_else(|| "private.key".into()),
                    public_key_file: entry
                        .map(|k| k.pem_file.clone())
                        .unwrap_or_else(|| "public.key".into()),
                };
                let jwk = Jwk::new(&key.kid, &key.public);
                match library::pylti1p3_config(
                    registration,
                    platform,
                    &tool.profile.name,
                    &jwk,
                    &files,
                ) {
                    Ok(config) => self.add_json(
                        PYLTI1P3_FILE,
                        "pylti1.3 ToolConfJsonFile (the tool's server puts its private key where \
                         private_key_file says)",
                        &config,
                    )?,
                    Err(e) => self.omit(PYLTI1P3_FILE, &e.to_string()),
                }
            }
        }
        self.add_json(
            LTIJS_FILE,
            "ltijs registerPlatform object (LTIAAS platform record)",
            &library::ltijs_platform(registration, platform),
        )?;
        self.add_json(
            DJANGO_LTI_FILE,
            "django-lti registration and deployment fields",
            &library::django_lti(registration, platform),
        )
    }

    /// Every file but `bundle.json`, by name.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
    }

    /// The manifest's bytes.
    pub fn manifest_bytes(&self) -> Result<Vec<u8>> {
        to_pretty(&self.manifest, MANIFEST)
    }

    /// Whether the named file holds a private key (written owner-only).
    pub fn is_private(&self, name: &str) -> bool {
        self.private.iter().any(|p| p == name)
    }

    fn add_json(&mut self, name: &str, what: &str, value: &impl Serialize) -> Result<()> {
        let bytes = to_pretty(value, name)?;
        self.add(name, what, bytes);
        Ok(())
    }

    fn add_text(&mut self, name: &str, what: &str, text: String) {
        let mut bytes = text.into_bytes();
        if !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        self.add(name, what, bytes);
    }

    fn add_private(&mut self, name: &str, what: &str, bytes: &[u8]) {
        self.private.push(name.to_string());
        self.add(name, what, bytes.to_vec());
    }

    fn add(&mut self, name: &str, what: &str, bytes: Vec<u8>) {
        self.manifest.files.push(BundleFile {
            path: name.to_string(),
            sha256: sha256_hex(&bytes),
            bytes: bytes.len() as u64,
            what: what.to_string(),
        });
        self.files.insert(name.to_string(), Zeroizing::new(bytes));
    }

    fn omit(&mut self, name: &str, reason: &str) {
        self.manifest.omitted.push(Omitted {
            path: name.to_string(),
            reason: reason.to_string(),
        });
    }
}

/// The file-name stems of the keys' files: the kid with anything but letters, digits, `.`, `_`
/// and `-` made `_` (a timestamp kid's colons cannot be in a Windows file name), made unique.
#[derive(Default)]
struct KeyFileNames {
    used: Vec<String>,
}

impl KeyFileNames {
    fn stem(&mut self, kid: &str) -> String {
        let base: String = kid
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut stem = base.clone();
        let mut n = 2;
        while self.used.contains(&stem) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        self.used.push(stem.clone());
        stem
    }
}

fn platform_file(registration: &Registration, platform: &Platform) -> PlatformFile {
    let spec = &platform.spec;
    PlatformFile {
        name: spec.name.clone(),
        family: spec.family,
        base_url: spec.base_url.clone(),
        issuer: registration.issuer.clone(),
        client_id: registration.client_id.clone(),
        deployments: registration
            .deployments
            .iter()
            .map(|d| DeploymentFile {
                deployment_id: d.deployment_id.clone(),
                label: d.label.clone(),
            })
            .collect(),
        auth_url: spec.auth_url.clone(),
        token_url: spec.token_url.clone(),
        jwks_url: crate::platform::fill_client_id(&spec.jwks_url, &registration.client_id),
        audience: platform.audience().to_string(),
        token_audience: spec.token_audience.clone(),
        openid_configuration_url: spec.openid_configuration_url.clone(),
    }
}

impl PlatformFile {
    /// The platform's values to create it from, under `name`.
    pub fn spec(&self, name: &str) -> crate::platform::PlatformSpec {
        crate::platform::PlatformSpec {
            name: name.to_string(),
            family: self.family,
            base_url: self.base_url.clone(),
            issuer: self.issuer.clone(),
            auth_url: self.auth_url.clone(),
            token_url: self.token_url.clone(),
            token_audience: self.token_audience.clone(),
            jwks_url: self.jwks_url.clone(),
            openid_configuration_url: self.openid_configuration_url.clone(),
        }
    }
}

/// The tool profile a bundle's `tool.json` holds.
pub type ToolFile = ToolProfile;

fn to_pretty(value: &impl Serialize, name: &str) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| {
        Error::invalid(
            name.to_string(),
            format!("could not be encoded ({e})"),
            "report this",
        )
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}
