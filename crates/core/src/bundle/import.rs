//! Reading a bundle back: the manifest's format and version first, then every listed file's
//! SHA-256, then the records inside; and the plan of what an import would write.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use super::{
    sha256_hex, BundleKey, Manifest, PlatformFile, ToolFile, CHECKS_FILE, FORMAT, FORMAT_VERSION,
    MANIFEST, PLATFORM_FILE, TOOL_FILE,
};
use crate::check::JwksCheck;
use crate::error::{Error, Result};
use crate::jwk::Jwk;
use crate::key::PublicKey;

/// A bundle read and verified: its manifest, records and keys.
pub struct BundleContents {
    /// `bundle.json`.
    pub manifest: Manifest,
    /// `tool.json`.
    pub tool: ToolFile,
    /// `platform.json`.
    pub platform: PlatformFile,
    /// The published keys, in the manifest's order.
    pub keys: Vec<BundleKeyIn>,
    /// `checks.json`.
    pub checks: Vec<JwksCheck>,
    /// Files in the bundle that `bundle.json` does not list: ignored.
    pub unlisted: Vec<String>,
}

/// A key read from a bundle.
pub struct BundleKeyIn {
    /// What the manifest says of it.
    pub entry: BundleKey,
    /// Its public key, from its JWK file.
    pub public: PublicKey,
    /// Its encrypted private key PEM, when the bundle holds it.
    pub private_pem: Option<Zeroizing<String>>,
}

fn refuse(problem: String, fix: &str) -> Error {
    Error::invalid("bundle", problem, fix)
}

const FIX_CHANGED: &str = "do not import it: ask for the bundle again, or export it again from \
                           the app that made it";

impl BundleContents {
    /// Verifies and reads the files of a bundle (from [`super::read`]). Refused, before anything
    /// else is read: no `bundle.json`, another format, a newer format version (named), a listed
    /// file missing or changed (named).
    pub fn parse(files: &BTreeMap<String, Zeroizing<Vec<u8>>>) -> Result<BundleContents> {
        let manifest_bytes = files.get(MANIFEST).ok_or_else(|| {
            refuse(
                format!("it has no {MANIFEST}, so it is not a registration bundle"),
                "import a folder or zip exported with Export bundle (ltikeys bundle export)",
            )
        })?;
        let value = crate::input::json(manifest_bytes)
            .map_err(|e| refuse(format!("{MANIFEST} cannot be read: {e}"), FIX_CHANGED))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(refuse(
                format!("{MANIFEST} does not describe a registration bundle (format is not \"{FORMAT}\")"),
                "import a folder or zip exported with Export bundle (ltikeys bundle export)",
            ));
        }
        match value.get("format_version").and_then(|v| v.as_u64()) {
            Some(v) if v <= u64::from(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(refuse(
                    format!(
                        "it is in bundle format version {v}, made by a newer LTI Key Manager; \
                         this one reads versions up to {FORMAT_VERSION}"
                    ),
                    "update LTI Key Manager, or ask for the bundle to be exported by the \
                     version you have",
                ))
            }
            None => {
                return Err(refuse(
                    format!("{MANIFEST} has no format_version"),
                    FIX_CHANGED,
                ))
            }
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| refuse(format!("{MANIFEST} cannot be read ({e})"), FIX_CHANGED))?;
        for file in &manifest.files {
            let bytes = files.get(&file.path).ok_or_else(|| {
                refuse(
                    format!("{} is listed in {MANIFEST} but missing", file.path),
                    FIX_CHANGED,
                )
            })?;
            if sha256_hex(bytes) != file.sha256 {
                return Err(refuse(
                    format!(
                        "{} was changed after the bundle was made (its SHA-256 is not the one in \
                         {MANIFEST})",
                        file.path
                    ),
                    FIX_CHANGED,
                ));
            }
        }
        let listed = |name: &str| manifest.files.iter().any(|f| f.path == name);
        let unlisted = files
            .keys()
            .filter(|name| name.as_str() != MANIFEST && !listed(name))
            .cloned()
            .collect();
        let read = |name: &str| -> Result<&[u8]> {
            if !listed(name) {
                return Err(refuse(
                    format!("{MANIFEST} does not list {name}"),
                    FIX_CHANGED,
                ));
            }
            files
                .get(name)
                .map(|b| b.as_slice())
                .ok_or_else(|| refuse(format!("{name} is missing"), FIX_CHANGED))
        };
        let json = |name: &str| -> Result<serde_json::Value> {
            crate::input::json(read(name)?)
                .map_err(|e| refuse(format!("{name} cannot be read: {e}"), FIX_CHANGED))
        };
        let tool: ToolFile = serde_json::from_value(json(TOOL_FILE)?)
            .map_err(|e| refuse(format!("{TOOL_FILE} cannot be read ({e})"), FIX_CHANGED))?;
        let platform: PlatformFile = serde_json::from_value(json(PLATFORM_FILE)?)
            .map_err(|e| refuse(format!("{PLATFORM_FILE} cannot be read ({e})"), FIX_CHANGED))?;
        let checks: Vec<JwksCheck> = serde_json::from_value(json(CHECKS_FILE)?)
            .map_err(|e| refuse(format!("{CHECKS_FILE} cannot be read ({e})"), FIX_CHANGED))?;
        let invalid = |file: &str, e: Error| {
            refuse(
                format!("{file} holds a value this app does not accept: {e}"),
                FIX_CHANGED,
            )
        };
        let tool = tool.validated().map_err(|e| invalid(TOOL_FILE, e))?;
        platform
            .spec(&platform.name)
            .validated()
            .map_err(|e| invalid(PLATFORM_FILE, e))?;
        crate::registration::NewRegistration {
            tool: tool.name.clone(),
            platform: platform.name.clone(),
            client_id: platform.client_id.clone(),
            deployments: platform
                .deployments
                .iter()
                .map(|d| crate::registration::NewDeployment {
                    deployment_id: d.deployment_id.clone(),
                    label: d.label.clone(),
                })
                .collect(),
        }
        .validated()
        .map_err(|e| invalid(PLATFORM_FILE, e))?;
        if platform.issuer != manifest.issuer || platform.client_id != manifest.client_id {
            return Err(refuse(
                format!("{PLATFORM_FILE} and {MANIFEST} name different registrations"),
                FIX_CHANGED,
            ));
        }
        let mut keys = Vec::with_capacity(manifest.keys.len());
        for entry in &manifest.keys {
            let jwk: Jwk = serde_json::from_value(json(&entry.jwk_file)?).map_err(|e| {
                refuse(
                    format!("{} cannot be read ({e})", entry.jwk_file),
                    FIX_CHANGED,
                )
            })?;
            if jwk.kid != entry.kid {
                return Err(refuse(
                    format!(
                        "{} holds kid '{}', not '{}'",
                        entry.jwk_file, jwk.kid, entry.kid
                    ),
                    FIX_CHANGED,
                ));
            }
            let public = jwk.public_key()?;
            let private_pem = match &entry.private_file {
                Some(name) => {
                    let text = std::str::from_utf8(read(name)?).map_err(|_| {
                        refuse(format!("{name} is not a PEM text file"), FIX_CHANGED)
                    })?;
                    Some(Zeroizing::new(text.to_string()))
                }
                None => None,
            };
            keys.push(BundleKeyIn {
                entry: entry.clone(),
                public,
                private_pem,
            });
        }
        Ok(BundleContents {
            manifest,
            tool,
            platform,
            keys,
            checks,
            unlisted,
        })
    }

    /// Whether the bundle holds a private key.
    pub fn has_private_key(&self) -> bool {
        self.keys.iter().any(|k| k.private_pem.is_some())
    }
}

/// What an import does with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    /// It is new here: it is created.
    Create,
    /// It is here already: it is kept as it is here (differences are listed).
    Match,
}

/// A field whose value here differs from the bundle's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Difference {
    /// The field.
    pub field: String,
    /// Its value here.
    pub here: String,
    /// Its value in the bundle.
    pub bundle: String,
}

/// What an import does with a tool, a platform or a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordPlan {
    /// Its name (a registration: its client_id).
    pub name: String,
    /// Created or matched.
    pub action: PlanAction,
    /// What it matched here, in words ("name", "issuer and client_id", ...).
    pub matched_by: Option<String>,
    /// Where the record here differs from the bundle's; the record here is kept.
    pub differences: Vec<Difference>,
}

/// What an import does with a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyPlan {
    /// The key id.
    pub kid: String,
    /// Its status in the bundle, which it keeps.
    pub status: crate::key::KeyStatus,
    /// Created or matched (the same public key under the same kid).
    pub action: PlanAction,
    /// Whether its private key comes too (it signs here); otherwise it is public only.
    pub private_key: bool,
}

/// What importing a bundle writes, shown before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BundlePlan {
    /// When and by what the bundle was made.
    pub created_by: String,
    /// When the bundle was made.
    #[ts(type = "string")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The tool.
    pub tool: RecordPlan,
    /// The platform.
    pub platform: RecordPlan,
    /// The registration.
    pub registration: RecordPlan,
    /// Deployment ids added to the registration.
    pub deployments_added: Vec<String>,
    /// The keys.
    pub keys: Vec<KeyPlan>,
    /// Check results added.
    pub checks: u32,
    /// Whether the bundle holds a private key (its passphrase is needed to import).
    pub needs_passphrase: bool,
    /// Whether anything would be written.
    pub writes: bool,
    /// What is worth knowing (files ignored, exports the bundle left out).
    pub notes: Vec<String>,
}
