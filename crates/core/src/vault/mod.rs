//! The vault: the operations users run, with the database and the keychain kept in step.

mod bundles;
mod checks;
mod keys;
mod platforms;
mod registrations;
mod rotation;
mod team;
mod tokens;
mod tools;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::key::{KeyPair, KeyRecord};
use crate::secret::{self, SecretStore};
use crate::store::Store;
use crate::tool::Tool;

pub use bundles::{BundleExported, BundleImported};
pub use checks::PlatformCheck;
pub use keys::{GenerateKey, KeygenStage};
pub use registrations::{
    CanvasDeploymentsSynced, CanvasRegistered, CanvasRegistrationStatus, DynregRegistered,
    LibraryFormat,
};
pub use rotation::{Revocation, RotationOutcome, RotationState};
pub use team::{TeamConflictInfo, TeamKeyMade, TeamPushed, TeamStatus, TeamSynced};
pub use tokens::KeySetSource;
pub use tools::{RemovedKey, ToolRemoval};

/// What the window shows about its environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    /// The app's version.
    pub version: String,
    /// Where the database lives.
    pub data_dir: String,
    /// Whether the OS keychain answered.
    pub keychain_available: bool,
    /// Why it did not, and the fix.
    pub keychain_message: Option<String>,
    /// Keychain operations found cut short at this start, and how finishing them went.
    pub repairs: Vec<crate::pending::Repair>,
    /// Private keys in the keychain that belong to no live key of this data directory; `null`
    /// when the keychain cannot list its entries or is unavailable.
    pub orphans: Option<Vec<crate::pending::Orphan>>,
}

/// Tools and their keys: the database plus a secret store.
pub struct Vault {
    store: Store,
    secrets: Box<dyn SecretStore>,
}

impl Vault {
    /// A vault over an open store and a secret store.
    pub(crate) fn new(store: Store, secrets: Box<dyn SecretStore>) -> Self {
        Vault { store, secrets }
    }

    /// Opens (creating and migrating if needed) the database in `dir`, with the OS keychain.
    pub fn open(dir: &Path) -> Result<Self> {
        Vault::open_with(dir, Box::new(secret::Keychain::default()))
    }

    /// Opens the database in `dir` with another secret store (an in-memory one in tests).
    pub fn open_with(dir: &Path, secrets: Box<dyn SecretStore>) -> Result<Self> {
        Ok(Vault::new(Store::open_dir(dir)?, secrets))
    }

    /// The data directory: the database, and the lock files of keychain operations in flight.
    pub fn data_dir(&self) -> &Path {
        self.store.data_dir()
    }

    /// The audit log of a tool (id or name), oldest first.
    pub fn events(&self, tool: &str) -> Result<Vec<crate::store::Event>> {
        let tool = self.store.tool(tool)?;
        self.store.events(&tool.id)
    }

    /// The audit log of a platform or registration (by id), oldest first.
    pub fn subject_events(&self, subject: &str) -> Result<Vec<crate::store::Event>> {
        self.store.subject_events(subject)
    }

    /// Whether the keychain answers.
    pub fn check_keychain(&self) -> Result<()> {
        self.secrets.check()
    }

    /// Where the data lives and whether the keychain answers; when it does, first finishes the
    /// keychain operations that were cut short ([`Vault::repair`]) and then lists the orphan
    /// private keys ([`Vault::orphans`]).
    pub fn status(&mut self, version: &str, now: DateTime<Utc>) -> Result<AppStatus> {
        let keychain = self.secrets.check();
        let (repairs, orphans) = match keychain {
            Ok(()) => {
                let repairs = self.repair(now)?;
                self.finish_token_removals(now)?;
                (repairs, self.orphans()?)
            }
            Err(_) => (Vec::new(), None),
        };
        Ok(AppStatus {
            version: version.to_string(),
            data_dir: self.store.data_dir().display().to_string(),
            keychain_available: keychain.is_ok(),
            keychain_message: keychain.err().map(|e| e.to_string()),
            repairs,
            orphans,
        })
    }

    fn record(&self, tool: &Tool, kid: &str) -> Result<KeyRecord> {
        self.store
            .key(&tool.id, kid)?
            .ok_or_else(|| Error::KeyNotFound {
                tool: tool.profile.name.clone(),
                kid: kid.into(),
            })
    }

    fn private_key(&self, tool: &Tool, record: &KeyRecord) -> Result<KeyPair> {
        if let Some((transit_key, _)) = self.store.team_keys(&tool.id)?.get(&record.kid) {
            return Err(Error::invalid(
                "key",
                format!(
                    "the private half of key '{}' is in the team's Transit key {transit_key} and \
                     never leaves the server",
                    record.kid
                ),
                "sign through the team (client assertions do); a team key cannot be exported",
            ));
        }
        let der = self
            .secrets
            .get(&secret::account(&tool.id, &record.kid))?
            .ok_or_else(|| Error::PrivateKeyMissing {
                tool: tool.profile.name.clone(),
                kid: record.kid.clone(),
            })?;
        let key = KeyPair::from_pkcs8_der(&der)?;
        if key.public_key() != record.public {
            return Err(Error::Keychain {
                reason: format!(
                    "the keychain entry for kid '{}' holds a different key than the record",
                    record.kid
                ),
            });
        }
        Ok(key)
    }
}

#[cfg(test)]
mod test_support {
    use std::sync::Arc;

    use chrono::Utc;

    use super::*;
    use crate::kid::KidScheme;
    use crate::secret::MemoryStore;
    use crate::tool::ToolProfile;

    pub(super) fn vault() -> (tempfile::TempDir, Arc<MemoryStore>, Vault, Tool) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let mut vault = Vault::new(
            Store::open_dir(dir.path()).unwrap(),
            Box::new(secrets.clone()),
        );
        let tool = add_tool(&mut vault, "Quiz");
        (dir, secrets, vault, tool)
    }

    /// Adds a tool with only a name.
    pub(super) fn add_tool(vault: &mut Vault, name: &str) -> Tool {
        let tool = ToolProfile {
            name: name.into(),
            ..ToolProfile::default()
        };
        vault.add_tool(tool, Utc::now()).unwrap()
    }

    pub(super) fn request(kid: Option<&str>) -> GenerateKey {
        GenerateKey {
            tool: "Quiz".into(),
            bits: 2048,
            kid_scheme: KidScheme::Thumbprint,
            kid: kid.map(String::from),
        }
    }
}
