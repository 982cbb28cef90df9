//! The operations users run: tools and keys, with the database and the keychain kept in step.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canvas::{self, CanvasConfig, CanvasImported};
use crate::check::{self, ExpectedKeys, JwksCheck, JwksRole};
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::jwk::{Jwk, Jwks};
use crate::key::{KeyPair, KeySize};
use crate::kid::{self, KidScheme};
use crate::pending::{self, OpKind, OpLock, Orphan, PendingOp, Removal, Repair, RepairKind};
use crate::rotation::{self, Policy, RotationPlan};
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

    /// Where the data lives and whether the keychain answers; when it does, first finishes the
    /// keychain operations that were cut short ([`Vault::repair`]) and then lists the orphan
    /// private keys ([`Vault::orphans`]).
    pub fn status(&mut self, version: &str, now: DateTime<Utc>) -> Result<crate::AppStatus> {
        let keychain = self.secrets.check();
        let (repairs, orphans) = match keychain {
            Ok(()) => (self.repair(now)?, self.orphans()?),
            Err(_) => (Vec::new(), None),
        };
        Ok(crate::AppStatus {
            version: version.to_string(),
            data_dir: self.store.data_dir().display().to_string(),
            keychain_available: keychain.is_ok(),
            keychain_message: keychain.err().map(|e| e.to_string()),
            repairs,
            orphans,
        })
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

    /// Replaces a tool's editable fields after checking every one; its id and keys stay. Start
    /// from `NewTool::from(&tool)` and change what the user changed. Logs the changed fields.
    pub fn update_tool(&mut self, tool: &str, edit: NewTool, now: DateTime<Utc>) -> Result<Tool> {
        let current = self.store.tool(tool)?;
        let edit = edit.validated()?;
        self.store.update_tool(&current.id, &edit, now)
    }

    /// The tool's Canvas developer-key JSON: `public_jwk_url` when the tool has a JWKS URL,
    /// else the public JWK of its current key (an error naming the fix when it has neither).
    pub fn canvas_export(&self, tool: &str) -> Result<CanvasConfig> {
        let tool = self.store.tool(tool)?;
        let current = match tool.jwks_url {
            Some(_) => None,
            None => self
                .store
                .keys(&tool.id)?
                .into_iter()
                .find(|k| k.status == KeyStatus::Current)
                .map(|k| Jwk::new(&k.kid, &k.public)),
        };
        canvas::export(&tool, current.as_ref())
    }

    /// Adds a tool from a Canvas configuration, with what was found on the way (see
    /// [`canvas::import`]): a document with lint errors still imports.
    pub fn import_canvas(
        &mut self,
        doc: &serde_json::Value,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CanvasImported> {
        let imported = canvas::import(doc, name)?;
        let tool = self.store.insert_tool(&imported.tool, now)?;
        Ok(CanvasImported {
            tool,
            findings: imported.findings,
        })
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

    /// Writes the private half to the keychain and the record to the database, both or
    /// neither. The kid is reserved first, in the transaction that checks it is free, so a
    /// process that loses the kid to another never touches the keychain; an entry it wrote is
    /// removed only under its own reservation.
    fn store_key(
        &mut self,
        tool: &Tool,
        kid: &str,
        key: &KeyPair,
        now: DateTime<Utc>,
        action: &str,
    ) -> Result<KeyInfo> {
        self.ensure_kid_free(tool, kid)?;
        let der = key.to_pkcs8_der()?;
        let lock = OpLock::acquire(self.store.data_dir())?;
        let op = lock.op(OpKind::Store, &tool.id, kid, now);
        match self.store.reserve_kid(&op) {
            Err(Error::KidBusy { .. }) => {
                // An operation on this kid was cut short: finish it, then try once more.
                self.repair_kid(&tool.id, kid, now)?;
                self.store.reserve_kid(&op)?;
            }
            other => other?,
        }
        let account = secret::account(&tool.id, kid);
        let written = self.secrets.put(&account, &der);
        if written.is_ok() {
            pending::pause_point("keychain-written");
        }
        let inserted = written.and_then(|()| {
            self.store
                .insert_key(&tool.id, kid, &key.public_key(), now, action, Some(&op.id))
        });
        match inserted {
            Ok(record) => Ok(info(record, PrivateKeyState::Present)),
            Err(err) => {
                // The reservation is ours, so is any entry under it: without the row, it goes.
                // When the keychain cannot say it is gone, the reservation stays for the next
                // start to finish.
                if self.secrets.delete(&account).is_ok() {
                    let _ = self.store.finish_op(&op.id);
                }
                Err(err)
            }
        }
    }

    /// Removes the private key an announced purge is about, and ends the purge when it is gone.
    fn purge(&mut self, op: &PendingOp) -> Removal {
        let removed = self.secrets.delete(&secret::account(&op.tool_id, &op.kid));
        if removed.is_ok() {
            // Were this to fail, the next start would remove the (already removed) entry again.
            let _ = self.store.finish_op(&op.id);
        }
        Removal::of(removed)
    }

    /// Finishes the keychain operations that were cut short (a kill, a crash, a keychain that
    /// failed half-way): an interrupted generation is undone, an interrupted removal finished.
    /// Operations still in flight in another process are left alone. Returns what was found;
    /// one that could not be finished yet carries its error and stays for the next start.
    pub fn repair(&mut self, now: DateTime<Utc>) -> Result<Vec<Repair>> {
        let ops = self.store.pending_ops()?;
        let mut repairs = Vec::new();
        for op in &ops {
            if let Some(repair) = self.repair_op(op, now)? {
                repairs.push(repair);
            }
        }
        pending::sweep_locks(self.store.data_dir(), &self.store.pending_ops()?);
        Ok(repairs)
    }

    fn repair_kid(&mut self, tool_id: &str, kid: &str, now: DateTime<Utc>) -> Result<()> {
        let ops = self.store.pending_ops()?;
        for op in ops.iter().filter(|o| o.tool_id == tool_id && o.kid == kid) {
            if let Some(Repair {
                error: Some(reason),
                ..
            }) = self.repair_op(op, now)?
            {
                return Err(Error::Keychain { reason });
            }
        }
        Ok(())
    }

    fn repair_op(&mut self, op: &PendingOp, now: DateTime<Utc>) -> Result<Option<Repair>> {
        let dir = self.store.data_dir().to_path_buf();
        let Some(_lock) = OpLock::try_take(&dir, &op.id)? else {
            return Ok(None); // in flight
        };
        // Under its lock now: still pending means its process died before finishing it.
        if self.store.pending_op(&op.id)?.is_none() {
            return Ok(None);
        }
        if op.kind == OpKind::Store && self.store.key(&op.tool_id, &op.kid)?.is_some() {
            // The record was written: the generation completed.
            self.store.finish_op(&op.id)?;
            return Ok(None);
        }
        let tool = self
            .store
            .tool(&op.tool_id)
            .map_or_else(|_| op.tool_id.clone(), |t| t.name);
        let (kind, action) = match op.kind {
            OpKind::Store => (RepairKind::GenerationUndone, "key generation undone"),
            OpKind::Purge => (RepairKind::PrivateKeyRemoved, "private key removed"),
        };
        let removal = self.purge(op);
        if removal.removed {
            self.store.log(
                now,
                action,
                Some(&op.tool_id),
                Some(&op.kid),
                "finished at start: the operation had been cut short",
            )?;
        }
        Ok(Some(Repair {
            tool_id: op.tool_id.clone(),
            tool,
            kid: op.kid.clone(),
            kind,
            error: removal.reason,
        }))
    }

    /// Private keys in the keychain that belong to this data directory's tools but to no live
    /// key: no record has their kid, or their key was revoked. `None` when the keychain cannot
    /// list its entries. Entries of operations in flight are not orphans.
    pub fn orphans(&self) -> Result<Option<Vec<Orphan>>> {
        let Some(accounts) = self.secrets.accounts()? else {
            return Ok(None);
        };
        let tools: std::collections::HashMap<String, String> = self
            .store
            .tools()?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let pending = self.store.pending_ops()?;
        let mut orphans = Vec::new();
        for account in &accounts {
            let Some((tool_id, kid)) = secret::parse_account(account) else {
                continue;
            };
            let Some(tool) = tools.get(tool_id) else {
                continue; // another data directory's, or not ours
            };
            if pending.iter().any(|o| o.tool_id == tool_id && o.kid == kid) {
                continue;
            }
            let revoked = match self.store.key(tool_id, kid)? {
                None => false,
                Some(record) if record.status == KeyStatus::Revoked => true,
                Some(_) => continue,
            };
            orphans.push(Orphan {
                tool_id: tool_id.to_string(),
                tool: tool.clone(),
                kid: kid.to_string(),
                revoked,
            });
        }
        orphans.sort_by(|a, b| (&a.tool, &a.kid).cmp(&(&b.tool, &b.kid)));
        orphans.dedup();
        Ok(Some(orphans))
    }

    /// Removes an orphan's entry from the keychain, unless a live key has taken its kid since
    /// it was listed. Logged.
    pub fn remove_orphan(&mut self, orphan: &Orphan, now: DateTime<Utc>) -> Result<Removal> {
        let lock = OpLock::acquire(self.store.data_dir())?;
        let op = lock.op(OpKind::Purge, &orphan.tool_id, &orphan.kid, now);
        self.store.announce_orphan_purge(&op)?;
        let removal = self.purge(&op);
        if removal.removed {
            self.store.log(
                now,
                "orphan private key removed",
                Some(&orphan.tool_id),
                Some(&orphan.kid),
                if orphan.revoked {
                    "its key had been revoked"
                } else {
                    "no key record had its kid"
                },
            )?;
        }
        Ok(removal)
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

    /// Writes the private key to `out` as PKCS#8 PEM (owner-only, atomically), encrypted unless
    /// `passphrase` is `None`; an existing file is replaced only when `overwrite`. Logged once
    /// the file is written, never before.
    pub fn export_private(
        &mut self,
        tool: &str,
        kid: &str,
        passphrase: Option<&[u8]>,
        out: &Path,
        overwrite: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        let key = self.private_key(&tool, &record)?;
        let pem = key.to_pkcs8_pem(passphrase)?;
        crate::file::write_atomic(out, pem.as_bytes(), true, overwrite)?;
        let how = if passphrase.is_some() {
            "encrypted"
        } else {
            "unencrypted"
        };
        self.store
            .log(now, "private key exported", Some(&tool.id), Some(kid), how)
    }

    /// Signs a message with the key's private half (RS256).
    pub fn sign(&self, tool: &str, kid: &str, message: &[u8]) -> Result<Vec<u8>> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        self.private_key(&tool, &record)?.sign_rs256(message)
    }

    /// Deletes a key: its record, then its keychain entry (a removal the keychain could not do
    /// now is finished at the next start: see [`Vault::repair`]). The signing key can be
    /// deleted only when it is the tool's last key.
    pub fn delete_key(&mut self, tool: &str, kid: &str, now: DateTime<Utc>) -> Result<Removal> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        if record.status == KeyStatus::Current && self.store.keys(&tool.id)?.len() > 1 {
            return Err(Error::invalid(
                "kid",
                format!("'{kid}' is the tool's current signing key and other keys depend on it"),
                "delete the tool's other keys first, or keep it until it has been rotated out",
            ));
        }
        let lock = OpLock::acquire(self.store.data_dir())?;
        let op = lock.op(OpKind::Purge, &tool.id, kid, now);
        self.store.delete_key(&tool.id, kid, now, &op)?;
        Ok(self.purge(&op))
    }

    /// Checks a JWKS URL and keeps the result. With `expect_tool`, also checks that the URL
    /// publishes exactly that tool's next, current and previous keys. The role defaults to
    /// `Tool` when a tool is expected, else `Platform`.
    pub fn check_jwks(
        &mut self,
        url: &str,
        role: Option<JwksRole>,
        expect_tool: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<JwksCheck> {
        let expected = match expect_tool {
            Some(tool) => Some(ExpectedKeys::from_keys(
                &self.keys(tool)?,
                &self.jwks(tool)?,
            )),
            None => None,
        };
        let role = role.unwrap_or(if expected.is_some() {
            JwksRole::Tool
        } else {
            JwksRole::Platform
        });
        let result = check::check_jwks(&HttpClient::default(), url, role, expected.as_ref(), now);
        self.store.save_check(&result)?;
        Ok(result)
    }

    /// Checks every platform's JWKS URL, a few at a time, and keeps the results. A URL with a
    /// `{client_id}` placeholder is checked once per registration; one with another
    /// placeholder is skipped with the reason.
    pub fn check_platforms(
        &mut self,
        now: DateTime<Utc>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Vec<PlatformCheck>> {
        let registrations = self.registrations(None, None)?;
        let mut targets = vec![];
        let mut skipped = vec![];
        for platform in self.platforms()? {
            let mut urls = vec![platform.jwks_url.clone()];
            if platform.jwks_url.contains(crate::platform::CLIENT_ID) {
                urls = registrations
                    .iter()
                    .filter(|r| r.platform_id == platform.id)
                    .map(|r| crate::platform::fill_client_id(&platform.jwks_url, &r.client_id))
                    .collect();
            }
            let unresolved = |url: &String| !crate::platform::placeholders_in(url).is_empty();
            if urls.is_empty() || urls.iter().any(unresolved) {
                skipped.push(PlatformCheck {
                    platform: platform.name.clone(),
                    url: platform.jwks_url.clone(),
                    check: None,
                    skipped: Some(
                        "its JWKS URL has a placeholder; add a registration or set the URL with \
                         `ltikeys platform update`"
                            .into(),
                    ),
                });
                continue;
            }
            targets.extend(urls.into_iter().map(|url| (platform.name.clone(), url)));
        }
        let urls = targets
            .iter()
            .map(|(_, url)| (url.clone(), JwksRole::Platform))
            .collect();
        let results = check::check_many(&HttpClient::default(), urls, 4, now, progress);
        let mut out = vec![];
        for ((platform, url), result) in targets.into_iter().zip(results) {
            self.store.save_check(&result)?;
            out.push(PlatformCheck {
                platform,
                url,
                check: Some(result),
                skipped: None,
            });
        }
        out.extend(skipped);
        Ok(out)
    }

    /// The last check of each URL, newest first.
    pub fn last_checks(&self) -> Result<Vec<JwksCheck>> {
        self.store.last_checks()
    }

    /// A tool's rotation policy.
    pub fn policy(&self, tool: &str) -> Result<Policy> {
        let tool = self.store.tool(tool)?;
        self.store.policy(&tool.id)
    }

    /// Sets a tool's rotation policy after checking it.
    pub fn set_policy(&mut self, tool: &str, policy: Policy, now: DateTime<Utc>) -> Result<Policy> {
        let tool = self.store.tool(tool)?;
        let policy = policy.validated()?;
        self.store.set_policy(&tool.id, &policy, now)?;
        Ok(policy)
    }

    /// The tool's rotation state at `now`.
    pub fn rotation_state(&self, tool: &str, now: DateTime<Utc>) -> Result<RotationState> {
        let tool = self.store.tool(tool)?;
        let keys = self.store.keys(&tool.id)?;
        let policy = self.store.policy(&tool.id)?;
        Ok(RotationState {
            due_since: rotation::rotation_due(&keys, &policy, now),
            retire_ready: rotation::retire_ready(&keys, now)
                .into_iter()
                .map(|k| k.kid.clone())
                .collect(),
            plan: rotation::current_key(&keys)
                .and_then(|_| rotation::plan_rotation(&keys, &policy, now).ok()),
            policy,
        })
    }

    /// Rotates: the oldest next key signs from now on (a new one of the current key's size is
    /// generated first when none is waiting), the current key becomes previous.
    pub fn rotate(&mut self, tool: &str, now: DateTime<Utc>) -> Result<RotationOutcome> {
        let tool = self.store.tool(tool)?;
        let keys = self.store.keys(&tool.id)?;
        let policy = self.store.policy(&tool.id)?;
        let before = rotation::plan_rotation(&keys, &policy, now)?;
        if let Some(kid) = &before.promote {
            // The key about to sign must be able to.
            let record = self.record(&tool, kid)?;
            match self.private_key(&tool, &record) {
                Ok(_) => {}
                Err(Error::PrivateKeyMissing { .. }) => {
                    return Err(Error::CannotPromote {
                        tool: tool.name.clone(),
                        kid: kid.clone(),
                        problem: "its private key is missing from the OS keychain, so it could \
                                  not sign"
                            .into(),
                    })
                }
                Err(Error::Keychain { reason }) => {
                    return Err(Error::CannotPromote {
                        tool: tool.name.clone(),
                        kid: kid.clone(),
                        problem: reason,
                    })
                }
                Err(other) => return Err(other),
            }
        }
        let mut generated = None;
        if before.promote.is_none() {
            let bits = rotation::current_key(&keys).map_or(2048, |k| k.bits);
            let key = KeyPair::generate(KeySize::try_from(bits).unwrap_or(KeySize::Bits2048))?;
            let kid = KidScheme::Thumbprint.kid(&key.public_key(), now);
            self.store_key(&tool, &kid, &key, now, "key generated")?;
            generated = Some(kid);
        }
        let mut plan = self.store.rotate(&tool.id, now)?;
        if generated.is_some() {
            plan.warnings = before.warnings;
        }
        let current = plan.promote.clone().unwrap_or_default();
        let name = shell_word(&tool.name);
        let mut reminders = vec![match &tool.jwks_url {
            Some(url) => format!(
                "Publish the new JWKS at {url} now (`ltikeys jwks --tool {name}`), then check it \
                 with `ltikeys check jwks {url} --expect-tool {name}`."
            ),
            None => format!("Publish the new JWKS (`ltikeys jwks --tool {name}`)."),
        }];
        if tool.jwks_url.is_none() {
            reminders.push(format!(
                "This tool has no JWKS URL, so platforms hold a pasted public key: update the \
                 Canvas developer key's public JWK to kid {current} (`ltikeys jwk --tool {name} \
                 --kid {current}`), or tokens signed from now on will fail with \"JWS signature \
                 invalid\"."
            ));
        }
        Ok(RotationOutcome {
            current,
            previous: plan.demote,
            unpublish_after: plan.unpublish_after,
            generated,
            lead_time_skipped: plan.lead_time_skipped,
            warnings: plan.warnings,
            reminders,
        })
    }

    /// Retires a previous key, refusing inside its overlap window unless `force`.
    pub fn retire(
        &mut self,
        tool: &str,
        kid: &str,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<KeyInfo> {
        let tool = self.store.tool(tool)?;
        let record = self.store.retire(&tool.id, kid, now, force)?;
        Ok(info(record, PrivateKeyState::Unknown))
    }

    /// Revokes a key at once and removes its private key from the keychain. When it was the
    /// current key, the oldest next key takes over, or a new key is generated to sign. A
    /// removal the keychain refuses now (locked, unreachable) is said so in the result and
    /// finished at the next start ([`Vault::repair`]).
    pub fn revoke(&mut self, tool: &str, kid: &str, now: DateTime<Utc>) -> Result<Revocation> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        rotation::check_revoke(&record)?;
        let keys = self.store.keys(&tool.id)?;
        if record.status == KeyStatus::Current && rotation::next_key(&keys).is_none() {
            let key =
                KeyPair::generate(KeySize::try_from(record.bits).unwrap_or(KeySize::Bits2048))?;
            let new_kid = KidScheme::Thumbprint.kid(&key.public_key(), now);
            self.store_key(&tool, &new_kid, &key, now, "key generated")?;
        }
        // A revoked key never signs again: its private half leaves the keychain. The removal is
        // announced in the revoking transaction, so a kill after it is finished at next start.
        let lock = OpLock::acquire(self.store.data_dir())?;
        let op = lock.op(OpKind::Purge, &tool.id, kid, now);
        let signing = self.store.revoke(&tool.id, kid, now, &op)?;
        pending::pause_point("revoked");
        let private_key = self.purge(&op);
        Ok(Revocation {
            kid: kid.to_string(),
            signing,
            private_key,
        })
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

/// Platforms and registrations: thin calls over the store, with the checks of
/// `platform`, `registration` and `discovery`.
impl Vault {
    /// Adds a platform from a preset, the instance's base URL and any overrides.
    pub fn add_platform(
        &mut self,
        platform: crate::platform::NewPlatform,
        now: DateTime<Utc>,
    ) -> Result<crate::platform::Platform> {
        let spec = platform.resolve()?;
        self.store.insert_platform(&spec, now, "platform added")
    }

    /// All platforms, by name.
    pub fn platforms(&self) -> Result<Vec<crate::platform::Platform>> {
        self.store.platforms()
    }

    /// A platform by id or name.
    pub fn platform(&self, id_or_name: &str) -> Result<crate::platform::Platform> {
        self.store.platform(id_or_name)
    }

    /// Changes a platform's values; its registrations follow a new issuer.
    pub fn update_platform(
        &mut self,
        platform: &str,
        update: crate::platform::PlatformUpdate,
        now: DateTime<Utc>,
    ) -> Result<crate::platform::Platform> {
        let current = self.store.platform(platform)?;
        let before = current.spec();
        let after = update.apply(&before)?;
        let detail = crate::platform::describe_changes(&before, &after);
        self.store
            .update_platform(&current.id, &after, now, "platform updated", &detail)
    }

    /// Removes a platform that has no registrations.
    pub fn remove_platform(&mut self, platform: &str, now: DateTime<Utc>) -> Result<()> {
        let id = self.store.platform(platform)?.id;
        self.store.delete_platform(&id, now)
    }

    /// The OpenID configuration URL to read for `platform`: `url` if given, else the one the
    /// platform record holds.
    pub fn discovery_url(&self, platform: &str, url: Option<&str>) -> Result<String> {
        if let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) {
            return Ok(url.to_string());
        }
        let stored = match self.store.platform(platform) {
            Ok(p) => p.openid_configuration_url,
            Err(Error::PlatformNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        stored.ok_or_else(|| {
            Error::invalid(
                "OpenID configuration URL",
                format!("platform '{platform}' has none recorded"),
                "pass --openid-configuration URL (the platform's /.well-known/openid-configuration \
                 or Dynamic Registration configuration)",
            )
        })
    }

    /// Applies what was read from the OpenID configuration at `url` to `platform`, creating it
    /// (named `platform`) when no platform has that id or name.
    pub fn apply_discovery(
        &mut self,
        platform: &str,
        url: &str,
        found: &crate::discovery::DiscoveredPlatform,
        options: crate::discovery::DiscoverOptions,
        now: DateTime<Utc>,
    ) -> Result<crate::discovery::DiscoveryOutcome> {
        let current = match self.store.platform(platform) {
            Ok(p) => Some(p),
            Err(Error::PlatformNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let before = current.as_ref().map(crate::platform::Platform::spec);
        let plan = crate::discovery::plan(platform, before.as_ref(), found, url, options)?;
        let applied = plan.applies_any();
        let spec = plan.spec.validated()?;
        let detail = format!("from {url}: {}", plan_summary(&plan.changes));
        let stored = match (&current, applied) {
            (Some(p), true) => Some(self.store.update_platform(
                &p.id,
                &spec,
                now,
                "platform discovered",
                &detail,
            )?),
            (Some(p), false) => Some(p.clone()),
            (None, true) => Some(
                self.store
                    .insert_platform(&spec, now, "platform discovered")?,
            ),
            (None, false) => None,
        };
        Ok(crate::discovery::DiscoveryOutcome {
            url: url.to_string(),
            created: current.is_none() && applied,
            platform: stored,
            applied,
            changes: plan.changes,
            discovered: found.clone(),
            findings: plan.findings,
        })
    }

    /// Reads the OpenID configuration (`url`, else the platform's recorded one) and applies it.
    /// Slow (network): a window should fetch with [`crate::discovery::fetch`] off the UI
    /// thread and call [`Vault::apply_discovery`].
    pub fn discover_platform(
        &mut self,
        platform: &str,
        url: Option<&str>,
        options: crate::discovery::DiscoverOptions,
        registration_token: Option<&str>,
        client: &crate::http::HttpClient,
        now: DateTime<Utc>,
    ) -> Result<crate::discovery::DiscoveryOutcome> {
        let url = self.discovery_url(platform, url)?;
        let found = crate::discovery::fetch_with_token(client, &url, registration_token)?;
        self.apply_discovery(platform, &url, &found, options, now)
    }

    /// Registers a tool on a platform. (issuer, client_id) must be new.
    pub fn add_registration(
        &mut self,
        registration: crate::registration::NewRegistration,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let registration = registration.validated()?;
        let tool = self.store.tool(&registration.tool)?;
        let platform = self.store.platform(&registration.platform)?;
        self.store
            .insert_registration(&tool.id, &platform.id, &registration, now)
    }

    /// Registrations, optionally of one tool and/or one platform (ids or names).
    pub fn registrations(
        &self,
        tool: Option<&str>,
        platform: Option<&str>,
    ) -> Result<Vec<crate::registration::Registration>> {
        let tool_id = tool.map(|t| self.store.tool(t)).transpose()?.map(|t| t.id);
        let platform_id = platform
            .map(|p| self.store.platform(p))
            .transpose()?
            .map(|p| p.id);
        self.store
            .registrations(tool_id.as_deref(), platform_id.as_deref())
    }

    /// One registration by id.
    pub fn registration(&self, id: &str) -> Result<crate::registration::Registration> {
        self.store.registration(id.trim())
    }

    /// Removes a registration and its deployment ids.
    pub fn remove_registration(&mut self, id: &str, now: DateTime<Utc>) -> Result<()> {
        self.store.delete_registration(id.trim(), now)
    }

    /// Records a deployment id (with an optional label) on a registration.
    pub fn add_deployment(
        &mut self,
        registration: &str,
        deployment: crate::registration::NewDeployment,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let deployment = deployment.validated()?;
        self.store
            .add_deployment(registration.trim(), &deployment, now)
    }

    /// Removes a deployment id from a registration.
    pub fn remove_deployment(
        &mut self,
        registration: &str,
        deployment_id: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        self.store
            .remove_deployment(registration.trim(), deployment_id.trim(), now)
    }

    /// The six values (and the audience, where it differs) to hand the tool vendor.
    pub fn handoff(&self, registration: &str) -> Result<crate::registration::Handoff> {
        let reg = self.store.registration(registration.trim())?;
        let platform = self.store.platform(&reg.platform_id)?;
        Ok(crate::registration::Handoff::new(&reg, &platform))
    }
}

fn plan_summary(changes: &[crate::discovery::FieldChange]) -> String {
    let applied: Vec<&str> = changes
        .iter()
        .filter(|c| c.applied)
        .map(|c| c.field.as_str())
        .collect();
    if applied.is_empty() {
        "no change".into()
    } else {
        format!("changed {}", applied.join(", "))
    }
}

/// A name as one shell word: quoted when it holds anything but letters, digits and `-_.`.
fn shell_word(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', r"'\''"))
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
        published_at: record.published_at,
        signing_from: record.signing_from,
        signing_to: record.signing_to,
        unpublish_after: record.unpublish_after,
        retired_at: record.retired_at,
        revoked_at: record.revoked_at,
        private_key,
    }
}

/// One platform's JWKS check, or why it was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlatformCheck {
    /// The platform's name.
    pub platform: String,
    /// The URL checked.
    pub url: String,
    /// The result, when checked.
    pub check: Option<JwksCheck>,
    /// Why it was not checked.
    pub skipped: Option<String>,
}

/// A tool's rotation state: its policy, whether rotation is due, what `rotate` would do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RotationState {
    /// The policy.
    pub policy: Policy,
    /// Since when rotation has been due, if it is.
    #[ts(type = "string | null")]
    pub due_since: Option<DateTime<Utc>>,
    /// Previous keys whose overlap window is over.
    pub retire_ready: Vec<String>,
    /// What `rotate` would do now; `None` when the tool has no current key.
    pub plan: Option<RotationPlan>,
}

/// What a revocation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Revocation {
    /// The key revoked: unpublished, never signs again.
    pub kid: String,
    /// The kid that signs now, when the revoked key was the current one.
    pub signing: Option<String>,
    /// Whether its private key left the keychain.
    pub private_key: Removal,
}

/// What a rotation did, and what to deploy next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RotationOutcome {
    /// The key that signs now.
    pub current: String,
    /// The key that stopped signing.
    pub previous: Option<String>,
    /// When the previous key may be unpublished.
    #[ts(type = "string")]
    pub unpublish_after: DateTime<Utc>,
    /// A key generated because none was waiting as next.
    pub generated: Option<String>,
    /// Whether the pre-publish lead time was skipped.
    pub lead_time_skipped: bool,
    /// Warnings, in plain words.
    pub warnings: Vec<String>,
    /// What the user must deploy now.
    pub reminders: Vec<String>,
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    use super::*;
    use crate::secret::MemoryStore;
    use zeroize::Zeroizing;

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
        fn accounts(&self) -> Result<Option<Vec<String>>> {
            self.0.accounts()
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
    fn a_kid_held_by_an_operation_in_flight_is_refused_and_its_entry_left_alone() {
        let (_d, secrets, mut vault, tool) = vault();
        // Another process has reserved kid "k" and written its private key.
        let winner = OpLock::acquire(vault.store.data_dir()).unwrap();
        let op = winner.op(OpKind::Store, &tool.id, "k", Utc::now());
        vault.store.reserve_kid(&op).unwrap();
        let account = secret::account(&tool.id, "k");
        secrets.put(&account, b"winner's key").unwrap();

        let err = vault
            .generate_key(&request(Some("k")), Utc::now(), &mut |_| {})
            .unwrap_err();
        assert_eq!(err.kind(), "kid_busy", "{err}");
        assert_eq!(
            secrets.get(&account).unwrap().map(|s| s.to_vec()),
            Some(b"winner's key".to_vec()),
            "the loser never touches an entry it did not create"
        );
        assert!(
            vault.repair(Utc::now()).unwrap().is_empty(),
            "an operation in flight is not repaired"
        );
        assert_eq!(secrets.len(), 1);
    }

    #[test]
    fn a_generation_cut_short_after_the_keychain_write_is_undone_at_repair() {
        let (_d, secrets, mut vault, tool) = vault();
        let lock = OpLock::acquire(vault.store.data_dir()).unwrap();
        let op = lock.op(OpKind::Store, &tool.id, "cut", Utc::now());
        vault.store.reserve_kid(&op).unwrap();
        secrets
            .put(&secret::account(&tool.id, "cut"), b"orphaned")
            .unwrap();
        drop(lock); // the process dies: its lock goes, its row stays

        let repairs = vault.repair(Utc::now()).unwrap();
        assert_eq!(repairs.len(), 1, "{repairs:?}");
        assert_eq!(repairs[0].kind, RepairKind::GenerationUndone);
        assert_eq!(repairs[0].kid, "cut");
        assert_eq!(repairs[0].error, None);
        assert!(secrets.is_empty(), "the private key without a row is gone");
        assert!(vault.store.pending_ops().unwrap().is_empty());
        assert!(vault.repair(Utc::now()).unwrap().is_empty(), "done once");
        // The kid is free again.
        vault
            .generate_key(&request(Some("cut")), Utc::now(), &mut |_| {})
            .unwrap();
    }

    #[test]
    fn rotate_refuses_a_next_key_whose_private_key_is_missing() {
        let (_d, secrets, mut vault, tool) = vault();
        vault
            .generate_key(&request(Some("cur")), Utc::now(), &mut |_| {})
            .unwrap();
        vault
            .generate_key(&request(Some("nxt")), Utc::now(), &mut |_| {})
            .unwrap();
        secrets.delete(&secret::account(&tool.id, "nxt")).unwrap();
        let later = Utc::now() + chrono::Duration::days(30);
        let err = vault.rotate("Quiz", later).unwrap_err();
        assert_eq!(err.kind(), "cannot_promote", "{err}");
        let text = err.to_string();
        assert!(text.contains("'nxt'") && text.contains("missing"), "{text}");
        assert!(
            text.contains("--next") && text.contains("key import"),
            "{text}"
        );
        assert_eq!(
            statuses(&vault),
            vec![
                ("cur".to_string(), KeyStatus::Current),
                ("nxt".to_string(), KeyStatus::Next)
            ],
            "nothing changed"
        );
    }

    #[test]
    fn revoke_with_a_failing_keychain_says_so_and_the_next_start_finishes_it() {
        let (_d, secrets, mut vault, tool) = vault();
        vault
            .generate_key(&request(Some("cur")), Utc::now(), &mut |_| {})
            .unwrap();
        vault
            .generate_key(&request(Some("old")), Utc::now(), &mut |_| {})
            .unwrap();
        secrets.fail.store(true, Ordering::SeqCst);
        let revocation = vault.revoke("Quiz", "old", Utc::now()).unwrap();
        assert!(!revocation.private_key.removed, "it was not removed");
        assert!(
            revocation
                .private_key
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("unavailable")),
            "{revocation:?}"
        );
        secrets.fail.store(false, Ordering::SeqCst);
        let account = secret::account(&tool.id, "old");
        assert!(secrets.get(&account).unwrap().is_some(), "still there");

        let repairs = vault.repair(Utc::now()).unwrap();
        assert_eq!(repairs.len(), 1, "{repairs:?}");
        assert_eq!(repairs[0].kind, RepairKind::PrivateKeyRemoved);
        assert!(
            secrets.get(&account).unwrap().is_none(),
            "a revoked key never keeps its private half"
        );
        assert!(secrets
            .get(&secret::account(&tool.id, "cur"))
            .unwrap()
            .is_some());
    }

    #[test]
    fn orphans_are_listed_and_removed_but_live_keys_and_other_data_dirs_are_not() {
        let (_d, secrets, mut vault, tool) = vault();
        vault
            .generate_key(&request(Some("live")), Utc::now(), &mut |_| {})
            .unwrap();
        secrets
            .put(&secret::account(&tool.id, "ghost"), b"x")
            .unwrap();
        secrets.put("t99999999/other", b"x").unwrap();
        secrets.put("not-an-account", b"x").unwrap();
        let orphans = vault.orphans().unwrap().unwrap();
        assert_eq!(
            orphans,
            vec![Orphan {
                tool_id: tool.id.clone(),
                tool: "Quiz".into(),
                kid: "ghost".into(),
                revoked: false,
            }]
        );
        let removal = vault.remove_orphan(&orphans[0], Utc::now()).unwrap();
        assert!(removal.removed);
        assert!(vault.orphans().unwrap().unwrap().is_empty());
        assert!(
            secrets.get("t99999999/other").unwrap().is_some(),
            "not ours"
        );
        assert!(secrets
            .get(&secret::account(&tool.id, "live"))
            .unwrap()
            .is_some());
        // A live key is never removed as an orphan, even when asked.
        let live = Orphan {
            kid: "live".into(),
            ..orphans[0].clone()
        };
        assert_eq!(
            vault.remove_orphan(&live, Utc::now()).unwrap_err().kind(),
            "kid_exists"
        );
        assert!(secrets
            .get(&secret::account(&tool.id, "live"))
            .unwrap()
            .is_some());
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
        let out = _d.path().join("key.pem");
        let err = vault
            .export_private("Quiz", &info.kid, None, &out, false, Utc::now())
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

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn statuses(vault: &Vault) -> Vec<(String, KeyStatus)> {
        vault
            .keys("Quiz")
            .unwrap()
            .into_iter()
            .map(|k| (k.kid, k.status))
            .collect()
    }

    fn published(vault: &Vault) -> Vec<String> {
        vault
            .jwks("Quiz")
            .unwrap()
            .keys
            .into_iter()
            .map(|k| k.kid)
            .collect()
    }

    #[test]
    fn rotation_walks_the_status_machine_on_a_fixed_clock() {
        let (_d, secrets, mut vault, _tool) = vault();
        let day0 = t("2026-01-01T00:00:00Z");
        vault
            .generate_key(&request(Some("k1")), day0, &mut |_| {})
            .unwrap();
        vault
            .generate_key(&request(Some("k2")), t("2026-01-02T00:00:00Z"), &mut |_| {})
            .unwrap();
        assert_eq!(
            published(&vault),
            ["k1", "k2"],
            "next keys are published before they sign"
        );

        // Rotate after the lead time: k2 signs, k1 stays published through the overlap.
        let day3 = t("2026-01-03T00:00:00Z");
        let plan = vault.rotation_state("Quiz", day3).unwrap().plan.unwrap();
        assert_eq!(
            (plan.promote.as_deref(), plan.demote.as_deref()),
            (Some("k2"), Some("k1"))
        );
        let out = vault.rotate("Quiz", day3).unwrap();
        assert_eq!(
            (out.current.as_str(), out.previous.as_deref()),
            ("k2", Some("k1"))
        );
        assert!(!out.lead_time_skipped && out.generated.is_none());
        assert_eq!(out.unpublish_after, t("2026-01-10T00:00:00Z"));
        assert!(
            out.reminders.iter().any(|r| r.contains("public JWK")),
            "no JWKS URL: update the developer key"
        );
        assert_eq!(
            statuses(&vault),
            [
                ("k1".into(), KeyStatus::Previous),
                ("k2".into(), KeyStatus::Current)
            ]
        );
        assert_eq!(published(&vault), ["k1", "k2"]);
        let k1 = vault.keys("Quiz").unwrap().remove(0);
        assert_eq!((k1.signing_from, k1.signing_to), (Some(day0), Some(day3)));

        // Retiring inside the overlap is refused with the safe time; after it, allowed.
        let err = vault
            .retire("Quiz", "k1", t("2026-01-09T00:00:00Z"), false)
            .unwrap_err();
        assert!(err.to_string().contains("2026-01-10T00:00:00Z"), "{err}");
        assert_eq!(
            vault
                .rotation_state("Quiz", t("2026-01-10T00:00:00Z"))
                .unwrap()
                .retire_ready,
            ["k1"]
        );
        vault
            .retire("Quiz", "k1", t("2026-01-10T00:00:00Z"), false)
            .unwrap();
        assert_eq!(published(&vault), ["k2"], "retired keys leave the JWKS");
        assert!(
            vault.retire("Quiz", "k2", day3, true).is_err(),
            "the current key does not retire"
        );

        // Rotating with no next key generates one, signs with it at once and says so.
        let out = vault.rotate("Quiz", t("2026-02-01T00:00:00Z")).unwrap();
        let generated = out.generated.clone().unwrap();
        assert_eq!(out.current, generated);
        assert!(out.lead_time_skipped);
        assert!(
            out.warnings[0].contains("skipping the pre-publish lead time"),
            "{:?}",
            out.warnings
        );
        assert_eq!(published(&vault), ["k2", generated.as_str()]);
        assert_eq!(secrets.len(), 3);
    }

    #[test]
    fn reminders_quote_tool_names_for_the_shell() {
        assert_eq!(shell_word("Quiz"), "Quiz");
        assert_eq!(shell_word("Quiz Engine"), "'Quiz Engine'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        let (_d, _s, mut vault, _tool) = vault();
        vault
            .generate_key(&request(Some("a")), t("2026-01-01T00:00:00Z"), &mut |_| {})
            .unwrap();
        let out = vault.rotate("Quiz", t("2026-01-05T00:00:00Z")).unwrap();
        assert!(
            out.reminders[0].contains("`ltikeys jwks --tool Quiz`"),
            "{:?}",
            out.reminders
        );
        assert!(
            !out.reminders.iter().any(|r| r.contains("  ")),
            "no stray spaces: {:?}",
            out.reminders
        );
    }

    #[test]
    fn revocation_from_every_state() {
        let (_d, secrets, mut vault, _tool) = vault();
        let now = t("2026-01-01T00:00:00Z");
        for kid in ["a", "b", "c", "d"] {
            vault
                .generate_key(&request(Some(kid)), now, &mut |_| {})
                .unwrap();
        }
        vault.rotate("Quiz", t("2026-01-05T00:00:00Z")).unwrap(); // b current, a previous
        vault.rotate("Quiz", t("2026-01-06T00:00:00Z")).unwrap(); // c current, b previous
        vault
            .retire("Quiz", "a", t("2026-01-20T00:00:00Z"), false)
            .unwrap();
        // a retired, b previous, c current, d next
        let later = t("2026-01-21T00:00:00Z");
        vault.revoke("Quiz", "a", later).unwrap();
        vault.revoke("Quiz", "b", later).unwrap();
        vault.revoke("Quiz", "d", later).unwrap();
        assert_eq!(
            published(&vault),
            ["c"],
            "revoked keys are unpublished at once"
        );
        // Revoking the current key with no next key generates a new signing key.
        let promoted = vault.revoke("Quiz", "c", later).unwrap().signing.unwrap();
        assert_eq!(published(&vault), [promoted.as_str()]);
        let current: Vec<_> = statuses(&vault)
            .into_iter()
            .filter(|s| s.1 == KeyStatus::Current)
            .collect();
        assert_eq!(
            current,
            [(promoted.clone(), KeyStatus::Current)],
            "exactly one current key"
        );
        assert!(vault.revoke("Quiz", "a", later).is_err(), "already revoked");
        assert!(
            vault.sign("Quiz", "c", b"x").is_err(),
            "a revoked key never signs again"
        );
        assert_eq!(secrets.len(), 1, "revoked keys leave the keychain");
    }

    #[test]
    fn policy_is_validated_and_drives_due_state() {
        let (_d, _s, mut vault, _tool) = vault();
        let day0 = t("2026-01-01T00:00:00Z");
        vault
            .generate_key(&request(None), day0, &mut |_| {})
            .unwrap();
        let bad = Policy {
            overlap_secs: -5,
            ..Policy::default()
        };
        assert!(vault.set_policy("Quiz", bad, day0).is_err());
        let policy = Policy {
            rotate_every_secs: Some(30 * 86_400),
            ..Policy::default()
        };
        vault.set_policy("Quiz", policy, day0).unwrap();
        assert_eq!(vault.policy("Quiz").unwrap(), policy);
        assert_eq!(
            vault
                .rotation_state("Quiz", t("2026-01-30T00:00:00Z"))
                .unwrap()
                .due_since,
            None
        );
        assert_eq!(
            vault
                .rotation_state("Quiz", t("2026-02-01T00:00:00Z"))
                .unwrap()
                .due_since,
            Some(t("2026-01-31T00:00:00Z"))
        );
    }

    #[test]
    fn a_private_export_is_audited_only_once_the_file_is_written() {
        let (d, _s, mut vault, tool) = vault();
        let info = vault
            .generate_key(&request(None), Utc::now(), &mut |_| {})
            .unwrap();
        let exported = |vault: &Vault| {
            vault
                .store
                .events(&tool.id)
                .unwrap()
                .iter()
                .filter(|e| e.action == "private key exported")
                .count()
        };
        let nowhere = d.path().join("no such folder").join("key.pem");
        assert!(vault
            .export_private("Quiz", &info.kid, None, &nowhere, false, Utc::now())
            .is_err());
        let taken = d.path().join("taken.pem");
        std::fs::write(&taken, "keep").unwrap();
        assert!(vault
            .export_private("Quiz", &info.kid, None, &taken, false, Utc::now())
            .is_err());
        assert_eq!(exported(&vault), 0, "nothing was exported, nothing audited");
        assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep");
        vault
            .export_private(
                "Quiz",
                &info.kid,
                None,
                &d.path().join("k.pem"),
                false,
                Utc::now(),
            )
            .unwrap();
        assert_eq!(exported(&vault), 1);
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
        let out = _d.path().join("key.pem");
        vault
            .export_private(
                "Quiz",
                &info.kid,
                Some(b"correct horse"),
                &out,
                false,
                Utc::now(),
            )
            .unwrap();
        let encrypted = std::fs::read_to_string(&out).unwrap();
        assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        let back = KeyPair::from_pem(&encrypted, Some(b"correct horse")).unwrap();
        assert_eq!(back.public_key(), original.public_key());
        assert!(KeyPair::from_pem(&encrypted, Some(b"wrong")).is_err());
    }
}
