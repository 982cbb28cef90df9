//! A team: tools, platforms, registrations and keys shared through OpenBao (or HashiCorp
//! Vault). The server holds the truth; each data directory is its offline cache.
//!
//! What lives where (README "Team"):
//! - KV v2 under the team's mount (default `lti/`): one document per tool (`tools/<id>`),
//!   per tool its keys (`keys/<id>`: kid → Transit version, status, times, the policy), per
//!   platform (`platforms/<id>`) and per registration (`registrations/<tool id>/<id>`, with its
//!   deployment ids and their labels). Every write is check-and-set.
//! - Transit: one RSA key per tool (`lti-<tool id>`), one version per kid. Signing names the
//!   version the keys document marks current, never Transit's latest.
//! - The OS keychain: only the admin's credential.

pub mod client;
#[cfg(any(test, feature = "test-server"))]
pub mod dev_server;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::key::{KeyRecord, KeyStatus, PublicKey};
use crate::platform::PlatformSpec;
use crate::rotation::Policy;
use crate::tool::Tool;

pub use client::{Bao, Identity, TransitKey, Versioned};

/// The KV mount a team uses unless it chooses another.
pub const DEFAULT_MOUNT: &str = "lti";
/// The Transit mount a team uses unless it chooses another.
pub const DEFAULT_TRANSIT: &str = "transit";

/// The keychain account of a data directory's team credential. It holds no `/`, so it never
/// reads as a key's account.
pub fn credential_account(credential_id: &str) -> String {
    format!("team-credential:{credential_id}")
}

/// How an admin authenticates to the team's server. Kept in the OS keychain, never in the
/// database, and never shown again.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// A token.
    Token(String),
    /// An AppRole: a role id and its secret id, exchanged for a token at each use.
    AppRole {
        /// The role id.
        role_id: String,
        /// The secret id.
        secret_id: String,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Token(_) => f.write_str("Credential::Token(..)"),
            Credential::AppRole { role_id, .. } => write!(f, "Credential::AppRole({role_id}, ..)"),
        }
    }
}

impl Drop for Credential {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        match self {
            Credential::Token(token) => token.zeroize(),
            Credential::AppRole { secret_id, .. } => secret_id.zeroize(),
        }
    }
}

impl Credential {
    /// A client of `address` with this credential (an AppRole logs in first).
    pub fn client(&self, address: &str) -> Result<Bao> {
        match self {
            Credential::Token(token) => {
                Bao::new(address, zeroize::Zeroizing::new(token.trim().to_string()))
            }
            Credential::AppRole { role_id, secret_id } => {
                if role_id.trim().is_empty() || secret_id.trim().is_empty() {
                    return Err(Error::invalid(
                        "AppRole",
                        "the role id or the secret id is empty",
                        "give both the role id and the secret id",
                    ));
                }
                Bao::login_approle(address, role_id, secret_id)
            }
        }
    }

    /// As stored in the keychain.
    pub fn to_secret(&self) -> zeroize::Zeroizing<Vec<u8>> {
        zeroize::Zeroizing::new(serde_json::to_vec(self).unwrap_or_default())
    }

    /// From the keychain.
    pub fn from_secret(bytes: &[u8]) -> Result<Credential> {
        serde_json::from_slice(bytes).map_err(|_| {
            Error::invalid(
                "team credential",
                "the keychain entry of the team credential cannot be read",
                "connect to the team again with a credential",
            )
        })
    }
}

/// A data directory's team: where the server is and who this admin is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamConfig {
    /// The server, e.g. `https://bao.example.edu:8200`.
    pub address: String,
    /// The KV v2 mount of the team's documents.
    pub mount: String,
    /// The Transit mount of the tools' keys.
    pub transit_mount: String,
    /// The name this admin's writes are stamped with.
    pub actor: String,
    /// The keychain entry of the credential (see [`credential_account`]).
    pub credential_id: String,
    /// When this data directory was connected.
    #[ts(type = "string")]
    pub connected_at: DateTime<Utc>,
    /// When it last synced.
    #[ts(type = "string | null")]
    pub synced_at: Option<DateTime<Utc>>,
}

/// What a shared document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// A tool's profile.
    Tool,
    /// A tool's keys and rotation policy.
    Keys,
    /// A platform.
    Platform,
    /// A registration with its deployment ids.
    Registration,
}

impl DocKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Tool => "tool",
            DocKind::Keys => "keys",
            DocKind::Platform => "platform",
            DocKind::Registration => "registration",
        }
    }

    /// From its stored name.
    pub fn parse(text: &str) -> Option<DocKind> {
        Some(match text {
            "tool" => DocKind::Tool,
            "keys" => DocKind::Keys,
            "platform" => DocKind::Platform,
            "registration" => DocKind::Registration,
            _ => return None,
        })
    }
}

/// A document's KV path.
pub fn tool_path(tool_id: &str) -> String {
    format!("tools/{tool_id}")
}
/// The KV path of a tool's keys document.
pub fn keys_path(tool_id: &str) -> String {
    format!("keys/{tool_id}")
}
/// The KV path of a platform's document.
pub fn platform_path(platform_id: &str) -> String {
    format!("platforms/{platform_id}")
}
/// The KV path of a registration's document: under its tool, so that a tool's server policy
/// can read its registrations and no other tool's.
pub fn registration_path(tool_id: &str, registration_id: &str) -> String {
    format!("registrations/{tool_id}/{registration_id}")
}
/// The Transit key of a tool.
pub fn transit_key_name(tool_id: &str) -> String {
    format!("lti-{tool_id}")
}

/// A document as this data directory last synced it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncedDoc {
    /// Its KV path.
    pub path: String,
    /// What it is.
    pub kind: DocKind,
    /// The local record's id (a tool's for keys).
    pub local_id: String,
    /// The KV version it had.
    pub version: u64,
    /// Its record, as synced.
    pub record: Value,
}

/// The stamp every write carries: who and when (KV v2 does not say who wrote a version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The admin's name.
    pub updated_by: String,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// A KV document: what it is, its record and its stamp.
pub fn envelope(kind: DocKind, record: &Value, stamp: &Stamp) -> Value {
    serde_json::json!({
        "kind": kind.as_str(),
        "record": record,
        "updated_by": stamp.updated_by,
        "updated_at": stamp.updated_at,
    })
}

/// The record and stamp of a KV document read back.
pub fn open_envelope(path: &str, data: &Value) -> Result<(Value, Stamp)> {
    let record = data.get("record").cloned().ok_or_else(|| {
        Error::invalid(
            "team document",
            format!("{path} holds no record"),
            "it was not written by LTI Key Manager: remove it or move it elsewhere in the mount",
        )
    })?;
    let stamp = Stamp {
        updated_by: data["updated_by"].as_str().unwrap_or("someone").to_string(),
        updated_at: data["updated_at"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
    };
    Ok((record, stamp))
}

/// Reads a record of a document.
pub fn decode<T: serde::de::DeserializeOwned>(path: &str, record: &Value) -> Result<T> {
    serde_json::from_value(record.clone()).map_err(|e| {
        Error::invalid(
            "team document",
            format!("{path} could not be read ({e})"),
            "it may have been written by a newer version: update LTI Key Manager",
        )
    })
}

/// A tool's document: its profile (the id is the path's).
pub fn tool_record(tool: &Tool) -> Value {
    serde_json::to_value(tool).unwrap_or(Value::Null)
}

/// A platform's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformRecord {
    /// Its id.
    pub id: String,
    /// Its values.
    #[serde(flatten)]
    pub spec: PlatformSpec,
}

/// A deployment id with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRecord {
    /// The deployment_id.
    pub deployment_id: String,
    /// What it is.
    pub label: Option<String>,
}

/// A registration's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRecord {
    /// Its id.
    pub id: String,
    /// The tool's id.
    pub tool_id: String,
    /// The platform's id.
    pub platform_id: String,
    /// The client_id.
    pub client_id: String,
    /// Its deployment ids, oldest first.
    pub deployments: Vec<DeploymentRecord>,
}

/// One key in a tool's keys document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamKey {
    /// The kid.
    pub kid: String,
    /// The Transit version that holds its private half.
    pub version: u32,
    /// Where it is in its life.
    pub status: KeyStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Since when it is published.
    pub published_at: DateTime<Utc>,
    /// When it started signing.
    pub signing_from: Option<DateTime<Utc>>,
    /// When it stopped signing.
    pub signing_to: Option<DateTime<Utc>>,
    /// When its overlap ends.
    pub unpublish_after: Option<DateTime<Utc>>,
    /// When it was retired.
    pub retired_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A tool's keys document: which Transit version each kid is, and the rotation policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysRecord {
    /// The Transit key.
    pub transit_key: String,
    /// Whether the team opted in to exporting its private halves (fixed at creation).
    pub exportable: bool,
    /// The rotation policy.
    pub policy: Policy,
    /// The keys, oldest first.
    pub keys: Vec<TeamKey>,
}

impl TeamKey {
    /// The key of a local record at a Transit version.
    pub fn of(record: &KeyRecord, version: u32) -> TeamKey {
        TeamKey {
            kid: record.kid.clone(),
            version,
            status: record.status,
            created_at: record.created_at,
            published_at: record.published_at,
            signing_from: record.signing_from,
            signing_to: record.signing_to,
            unpublish_after: record.unpublish_after,
            retired_at: record.retired_at,
            revoked_at: record.revoked_at,
        }
    }

    /// The local record of this key, with its public half (from Transit).
    pub fn record(&self, tool_id: &str, public: PublicKey) -> KeyRecord {
        KeyRecord {
            tool_id: tool_id.to_string(),
            kid: self.kid.clone(),
            alg: "RS256".into(),
            bits: public.bits(),
            public,
            status: self.status,
            created_at: self.created_at,
            published_at: self.published_at,
            signing_from: self.signing_from,
            signing_to: self.signing_to,
            unpublish_after: self.unpublish_after,
            retired_at: self.retired_at,
            revoked_at: self.revoked_at,
            public_only: false,
        }
    }
}

/// The ACL policy of a tool's server: sign with the tool's Transit key and read its public
/// versions, read the tool's documents and its registrations (and the platforms, which hold
/// nothing secret). No export, no key changes, no writes.
pub fn server_policy(config: &TeamConfig, tool: &Tool) -> String {
    let kv = &config.mount;
    let transit = &config.transit_mount;
    let key = transit_key_name(&tool.id);
    let id = &tool.id;
    format!(
        r#"# The server of LTI tool '{name}' ({id}): signs with its Transit key and reads its
# documents. It cannot export the key, change it, or write anything.
path "{transit}/sign/{key}" {{
  capabilities = ["update"]
}}
path "{transit}/sign/{key}/*" {{
  capabilities = ["update"]
}}
path "{transit}/keys/{key}" {{
  capabilities = ["read"]
}}
path "{kv}/data/tools/{id}" {{
  capabilities = ["read"]
}}
path "{kv}/data/keys/{id}" {{
  capabilities = ["read"]
}}
path "{kv}/data/registrations/{id}/*" {{
  capabilities = ["read"]
}}
path "{kv}/metadata/registrations/{id}/" {{
  capabilities = ["list"]
}}
path "{kv}/data/platforms/*" {{
  capabilities = ["read"]
}}
"#,
        name = tool.profile.name,
    )
}

/// The ACL policy of the team's admins: read and write every document under the mount (their
/// writes are check-and-set by this app), make, rotate, import into and sign with the tools'
/// Transit keys and read their public halves, and write each tool server's policy. No export
/// of a private key, no key deletion, nothing else on the server.
pub fn admin_policy(config: &TeamConfig) -> String {
    let kv = &config.mount;
    let transit = &config.transit_mount;
    format!(
        r#"# The admins of the LTI team on {kv}/ and {transit}/ (a Transit mount of the team's own):
# every shared document, the tools' Transit keys (no export, no deletion), and the tool
# servers' policies.
path "{kv}/data/*" {{
  capabilities = ["create", "read", "update"]
}}
path "{kv}/metadata/*" {{
  capabilities = ["read", "list"]
}}
path "{transit}/keys/+" {{
  capabilities = ["create", "read", "update"]
}}
path "{transit}/keys/+/rotate" {{
  capabilities = ["update"]
}}
path "{transit}/keys/+/config" {{
  capabilities = ["update"]
  # Only retiring versions: never exportable, never deletable.
  allowed_parameters = {{
    "min_decryption_version" = []
  }}
}}
path "{transit}/keys/+/import" {{
  capabilities = ["update"]
}}
path "{transit}/keys/+/import_version" {{
  capabilities = ["update"]
}}
path "{transit}/wrapping_key" {{
  capabilities = ["read"]
}}
path "{transit}/sign/*" {{
  capabilities = ["update"]
}}
path "sys/policies/acl/lti-server-*" {{
  capabilities = ["create", "read", "update"]
}}
"#
    )
}

/// The name the admins' policy is written under.
pub const ADMIN_POLICY_NAME: &str = "lti-admin";

/// The name the server policy of a tool is written under.
pub fn server_policy_name(tool_id: &str) -> String {
    format!("lti-server-{tool_id}")
}
