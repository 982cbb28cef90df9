//! The operations users run: tools and keys, with the database and the keychain kept in step.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::jwk::{Jwk, Jwks};
use crate::key::{KeyPair, KeySize};
use crate::kid::{self, KidScheme};
use crate::secret::{self, SecretStore};
use crate::status::{KeyInfo, KeyStatus, PrivateKeyState};
use crate::store::{KeyRecord, Store};
use crate::tool::{NewTool, Tool, ToolSummary};

/// A request to generate a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GenerateKey {
    /// Tool id or name.
    pub tool: String,
    /// 2048, 3072 or 4096.
    pub bits: u32,
    /// How to make the kid when none is given.
    pub kid_scheme: KidScheme,
    /// A custom kid; overrides the scheme.
    pub kid: Option<String>,
}

/// Where key generation is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum KeygenStage {
    /// Searching for primes.
    Generating,
    /// Writing the private key to the keychain.
    Storing,
    /// Finished.
    Done,
}

/// Tools and their keys: the database plus a secret store.
pub struct Vault {
    store: Store,
    secrets: Box<dyn SecretStore>,
}

impl Vault {
    /// A vault over an open store and a secret store.
    pub fn new(store: Store, secrets: Box<dyn SecretStore>) -> Self {
        Vault { store, secrets }
    }

    /// Opens the store in `dir` with the OS keychain.
    pub fn open(dir: &Path) -> Result<Self> {
        Ok(Vault::new(
            Store::open_dir(dir)?,
            Box::new(secret::Keychain::default()),
        ))
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the keychain answers.
    pub fn check_keychain(&self) -> Result<()> {
        self.secrets.check()
    }

    /// Adds a tool after checking every field.
    pub fn add_tool(&mut self, tool: NewTool, now: DateTime<Utc>) -> Result<Tool> {
        let tool = tool.validated()?;
        self.store.insert_tool(&tool, now)
    }

    /// All tools.
    pub fn tools(&self) -> Result<Vec<ToolSummary>> {
        self.store.tools()
    }

    /// A tool by id or name.
    pub fn tool(&self, id_or_name: &str) -> Result<Tool> {
        self.store.tool(id_or_name)
    }

    /// Generates a key, stores its private half in the keychain and its record in the database,
    /// both or neither. `progress` hears each stage.
    pub fn generate_key(
        &mut self,
        request: &GenerateKey,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(KeygenStage),
    ) -> Result<KeyInfo> {
        let tool = self.store.tool(&request.tool)?;
        let size = KeySize::try_from(request.bits)?;
        let custom = request
            .kid
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        if let Some(kid) = custom {
            kid::validate_custom(kid)?;
            self.ensure_kid_free(&tool, kid)?;
        }
        progress(KeygenStage::Generating);
        let key = KeyPair::generate(size)?;
        let kid = match custom {
            Some(kid) => kid.to_string(),
            None => request.kid_scheme.kid(&key.public_key(), now),
        };
        progress(KeygenStage::Storing);
        let info = self.store_key(&tool, &kid, &key, now, "key generated")?;
        progress(KeygenStage::Done);
        Ok(info)
    }

    /// Imports a PEM private key under a given kid, or one made by `scheme`.
    pub fn import_key(
        &mut self,
        tool: &str,
        pem: &str,
        passphrase: Option<&[u8]>,
        kid: Option<&str>,
        scheme: KidScheme,
        now: DateTime<Utc>,
    ) -> Result<KeyInfo> {
        let tool = self.store.tool(tool)?;
        let key = KeyPair::from_pem(pem, passphrase)?;
        let kid = match kid {
            Some(kid) => {
                kid::validate_custom(kid)?;
                kid.to_string()
            }
            None => scheme.kid(&key.public_key(), now),
        };
        self.store_key(&tool, &kid, &key, now, "key imported")
    }

    fn ensure_kid_free(&self, tool: &Tool, kid: &str) -> Result<()> {
        match self.store.key(&tool.id, kid)? {
            Some(_) => Err(Error::KidExists { kid: kid.into() }),
            None => Ok(()),
        }
    }

    fn store_key(
        &mut self,
        tool: &Tool,
        kid: &str,
        key: &KeyPair,
        now: DateTime<Utc>,
        action: &str,
    ) -> Result<KeyInfo> {
        self.ensure_kid_free(tool, kid)?;
        let account = secret::account(&tool.id, kid);
        let der = key.to_pkcs8_der()?;
        self.secrets.put(&account, &der)?;
        match self
            .store
            .insert_key(&tool.id, kid, &key.public_key(), now, action)
        {
            Ok(record) => Ok(info(record, PrivateKeyState::Present)),
            Err(err) => {
                // The row is the record of the key: without it, the secret must go too.
                let _ = self.secrets.delete(&account);
                Err(err)
            }
        }
    }

    /// The keys of a tool, each with whether the keychain still holds its private key.
    pub fn keys(&self, tool: &str) -> Result<Vec<KeyInfo>> {
        let tool = self.store.tool(tool)?;
        let records = self.store.keys(&tool.id)?;
        let mut keychain_down = false;
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let state = if keychain_down {
                PrivateKeyState::Unknown
            } else {
                match self.secrets.get(&secret::account(&tool.id, &record.kid)) {
                    Ok(Some(_)) => PrivateKeyState::Present,
                    Ok(None) => PrivateKeyState::Missing,
                    Err(_) => {
                        keychain_down = true;
                        PrivateKeyState::Unknown
                    }
                }
            };
            out.push(info(record, state));
        }
        Ok(out)
    }

    /// The public JWK of one key.
    pub fn jwk(&self, tool: &str, kid: &str) -> Result<Jwk> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        Ok(Jwk::new(&record.kid, &record.public))
    }

    /// The published JWKS: the tool's next, current and previous keys.
    pub fn jwks(&self, tool: &str) -> Result<Jwks> {
        let tool = self.store.tool(tool)?;
        let keys = self
            .store
            .keys(&tool.id)?
            .into_iter()
            .filter(|k| k.status.is_published())
            .map(|k| Jwk::new(&k.kid, &k.public))
            .collect();
        Ok(Jwks { keys })
    }

    /// The private key as PKCS#8 PEM, encrypted unless `passphrase` is `None`. Logged.
    pub fn export_private(
        &mut self,
        tool: &str,
        kid: &str,
        passphrase: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<Zeroizing<String>> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        let key = self.private_key(&tool, &record)?;
        let pem = key.to_pkcs8_pem(passphrase)?;
        let how = if passphrase.is_some() {
            "encrypted"
        } else {
            "unencrypted"
        };
        self.store
            .log(now, "private key exported", Some(&tool.id), Some(kid), how)?;
        Ok(pem)
    }

    /// Signs a message with the key's private half (RS256).
    pub fn sign(&self, tool: &str, kid: &str, message: &[u8]) -> Result<Vec<u8>> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        self.private_key(&tool, &record)?.sign_rs256(message)
    }

    /// Deletes a key: its keychain entry, then its record. The signing key can be deleted only
    /// when it is the tool's last key.
    pub fn delete_key(&mut self, tool: &str, kid: &str, now: DateTime<Utc>) -> Result<()> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        if record.status == KeyStatus::Current && self.store.keys(&tool.id)?.len() > 1 {
            return Err(Error::invalid(
                "kid",
                format!("'{kid}' is the tool's current signing key and other keys depend on it"),
                "delete the tool's other keys first, or keep it until it has been rotated out",
            ));
        }
        self.secrets.delete(&secret::account(&tool.id, kid))?;
        self.store.delete_key(&tool.id, kid, now)
    }

    fn record(&self, tool: &Tool, kid: &str) -> Result<KeyRecord> {
        self.store
            .key(&tool.id, kid)?
            .ok_or_else(|| Error::KeyNotFound {
                tool: tool.name.clone(),
                kid: kid.into(),
            })
    }

    fn private_key(&self, tool: &Tool, record: &KeyRecord) -> Result<KeyPair> {
        let der = self
            .secrets
            .get(&secret::account(&tool.id, &record.kid))?
            .ok_or_else(|| Error::PrivateKeyMissing {
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

fn info(record: KeyRecord, private_key: PrivateKeyState) -> KeyInfo {
    KeyInfo {
        tool_id: record.tool_id,
        published: record.status.is_published(),
        kid: record.kid,
        alg: "RS256".into(),
        bits: record.bits,
        status: record.status,
        created_at: record.created_at,
        private_key,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    use super::*;
    use crate::secret::MemoryStore;

    struct Shared(Arc<MemoryStore>);
    impl SecretStore for Shared {
        fn put(&self, a: &str, s: &[u8]) -> Result<()> {
            self.0.put(a, s)
        }
        fn get(&self, a: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
            self.0.get(a)
        }
        fn delete(&self, a: &str) -> Result<()> {
            self.0.delete(a)
        }
        fn check(&self) -> Result<()> {
            self.0.check()
        }
    }

    fn vault() -> (tempfile::TempDir, Arc<MemoryStore>, Vault, Tool) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let mut vault = Vault::new(
            Store::open_dir(dir.path()).unwrap(),
            Box::new(Shared(secrets.clone())),
        );
        let tool = vault
            .add_tool(
                NewTool {
                    name: "Quiz".into(),
                    ..NewTool::default()
                },
                Utc::now(),
            )
            .unwrap();
        (dir, secrets, vault, tool)
    }

    fn request(kid: Option<&str>) -> GenerateKey {
        GenerateKey {
            tool: "Quiz".into(),
            bits: 2048,
            kid_scheme: KidScheme::Thumbprint,
            kid: kid.map(String::from),
        }
    }

    #[test]
    fn generate_reports_stages_and_stores_both_halves() {
        let (_d, secrets, mut vault, tool) = vault();
        let mut stages = vec![];
        let info = vault
            .generate_key(&request(None), Utc::now(), &mut |s| stages.push(s))
            .unwrap();
        assert_eq!(
            stages,
            [
                KeygenStage::Generating,
                KeygenStage::Storing,
                KeygenStage::Done
            ]
        );
        assert_eq!(info.status, KeyStatus::Current);
        assert_eq!(secrets.len(), 1);
        let jwk = vault.jwk(&tool.id, &info.kid).unwrap();
        assert_eq!(kid::thumbprint_of(&jwk.n, &jwk.e), info.kid);
        let sig = vault.sign("Quiz", &info.kid, b"m").unwrap();
        let pk =
            crate::key::PublicKey::from_components(&base64_decode(&jwk.n), &base64_decode(&jwk.e));
        assert!(
            pk.verify_rs256(b"m", &sig),
            "the stored private key must match the JWK"
        );
    }

    fn base64_decode(s: &str) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap()
    }

    #[test]
    fn a_failing_keychain_leaves_no_row() {
        let (_d, secrets, mut vault, _tool) = vault();
        secrets.fail.store(true, Ordering::SeqCst);
        let err = vault
            .generate_key(&request(None), Utc::now(), &mut |_| {})
            .unwrap_err();
        assert_eq!(err.kind(), "keychain_unavailable");
        secrets.fail.store(false, Ordering::SeqCst);
        assert!(
            vault.keys("Quiz").unwrap().is_empty(),
            "no key row without its private key"
        );
    }

    #[test]
    fn a_duplicate_kid_is_refused_before_generating() {
        let (_d, secrets, mut vault, _tool) = vault();
        vault
            .generate_key(&request(Some("k1")), Utc::now(), &mut |_| {})
            .unwrap();
        let mut stages = vec![];
        let err = vault
            .generate_key(&request(Some("k1")), Utc::now(), &mut |s| stages.push(s))
            .unwrap_err();
        assert_eq!(err.kind(), "kid_exists");
        assert!(
            stages.is_empty(),
            "no key should be generated for a taken kid"
        );
        assert_eq!(secrets.len(), 1);
    }

    #[test]
    fn missing_private_key_is_reported_not_fatal() {
        let (_d, secrets, mut vault, tool) = vault();
        let info = vault
            .generate_key(&request(None), Utc::now(), &mut |_| {})
            .unwrap();
        secrets
            .delete(&secret::account(&tool.id, &info.kid))
            .unwrap();
        let keys = vault.keys("Quiz").unwrap();
        assert_eq!(keys[0].private_key, PrivateKeyState::Missing);
        let err = vault
            .export_private("Quiz", &info.kid, None, Utc::now())
            .unwrap_err();
        assert_eq!(err.kind(), "private_key_missing");
        assert_eq!(
            vault.jwks("Quiz").unwrap().keys.len(),
            1,
            "the public half still publishes"
        );
        secrets.fail.store(true, Ordering::SeqCst);
        assert_eq!(
            vault.keys("Quiz").unwrap()[0].private_key,
            PrivateKeyState::Unknown
        );
    }

    #[test]
    fn later_keys_are_next_and_current_cannot_be_deleted_while_others_depend() {
        let (_d, secrets, mut vault, _tool) = vault();
        let a = vault
            .generate_key(&request(Some("a")), Utc::now(), &mut |_| {})
            .unwrap();
        let b = vault
            .generate_key(&request(Some("b")), Utc::now(), &mut |_| {})
            .unwrap();
        assert_eq!((a.status, b.status), (KeyStatus::Current, KeyStatus::Next));
        assert_eq!(vault.jwks("Quiz").unwrap().keys.len(), 2);
        assert!(vault.delete_key("Quiz", "a", Utc::now()).is_err());
        vault.delete_key("Quiz", "b", Utc::now()).unwrap();
        vault.delete_key("Quiz", "a", Utc::now()).unwrap();
        assert!(
            secrets.is_empty(),
            "deleting keys must remove their keychain entries"
        );
        assert!(vault.jwks("Quiz").unwrap().keys.is_empty());
    }

    #[test]
    fn import_then_export_round_trips_encrypted_and_plain() {
        let (_d, _s, mut vault, _tool) = vault();
        let original = KeyPair::generate(KeySize::Bits2048).unwrap();
        let pem = original.to_pkcs8_pem(None).unwrap();
        let info = vault
            .import_key("Quiz", &pem, None, None, KidScheme::Thumbprint, Utc::now())
            .unwrap();
        assert_eq!(info.kid, kid::thumbprint(&original.public_key()));
        let encrypted = vault
            .export_private("Quiz", &info.kid, Some(b"correct horse"), Utc::now())
            .unwrap();
        assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        let back = KeyPair::from_pem(&encrypted, Some(b"correct horse")).unwrap();
        assert_eq!(back.public_key(), original.public_key());
        assert!(KeyPair::from_pem(&encrypted, Some(b"wrong")).is_err());
    }
}
