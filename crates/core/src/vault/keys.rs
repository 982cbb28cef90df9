//! Keys: generated or imported into both halves; repaired, listed, exported, signed with, deleted.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Vault;
use crate::error::{Error, Result};
use crate::jwk::{Jwk, Jwks};
use crate::key::{
    self, KeyImported, KeyInfo, KeyPair, KeySize, KeyStatus, PemKey, PrivateKeyState,
};
use crate::kid::{self, KidScheme};
use crate::pending::{self, OpKind, OpLock, Orphan, PendingOp, Removal, Repair, RepairKind};
use crate::secret;
use crate::tool::Tool;

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

impl Vault {
    /// Generates a key, stores its private half in the keychain and its record in the database,
    /// both or neither. `progress` hears each stage.
    pub fn generate_key(
        &mut self,
        request: &GenerateKey,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(KeygenStage),
    ) -> Result<KeyInfo> {
        self.generate_key_unless_cancelled(request, now, &AtomicBool::new(false), progress)
    }

    /// [`Vault::generate_key`] that the user may stop while the primes are searched: once
    /// `cancelled` is set it fails with [`Error::Cancelled`] and stores nothing. Storing, which
    /// is quick, is never cut short.
    pub fn generate_key_unless_cancelled(
        &mut self,
        request: &GenerateKey,
        now: DateTime<Utc>,
        cancelled: &AtomicBool,
        progress: &mut dyn FnMut(KeygenStage),
    ) -> Result<KeyInfo> {
        let tool = self.store.tool(&request.tool)?;
        let size = KeySize::try_from(request.bits)?;
        if self.store.is_team_tool(&tool.id)? {
            if request.kid.as_deref().is_some_and(|k| !k.trim().is_empty()) {
                return Err(Error::invalid(
                    "kid",
                    "a team key's kid is made from its public key",
                    "leave the kid out, or pick a kid scheme",
                ));
            }
            progress(KeygenStage::Generating);
            let made = self.team_generate_key(&tool.id, request.bits, request.kid_scheme, now)?;
            progress(KeygenStage::Done);
            let record = self.record(&tool, &made.kid)?;
            return Ok(KeyInfo::new(record, PrivateKeyState::Transit));
        }
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
        let key = KeyPair::generate_raced(size, key::default_racers(), cancelled)?;
        let kid = match custom {
            Some(kid) => kid.to_string(),
            None => request.kid_scheme.kid(&key.public_key(), now),
        };
        progress(KeygenStage::Storing);
        let info = self.store_key(&tool, &kid, &key, now, "key generated")?;
        progress(KeygenStage::Done);
        Ok(info)
    }

    /// Imports a PEM private key under a given kid, or one made by `scheme`; the notes say what
    /// else the file held and was passed over.
    pub fn import_key(
        &mut self,
        tool: &str,
        pem: &str,
        passphrase: Option<&[u8]>,
        kid: Option<&str>,
        scheme: KidScheme,
        now: DateTime<Utc>,
    ) -> Result<KeyImported> {
        let tool = self.store.tool(tool)?;
        let PemKey { key, notes } = KeyPair::read_pem(pem, passphrase)?;
        let kid = match kid {
            Some(kid) => {
                kid::validate_custom(kid)?;
                kid.to_string()
            }
            None => scheme.kid(&key.public_key(), now),
        };
        if self.store.is_team_tool(&tool.id)? {
            let made = self.team_import_key(&tool, &key, &kid, now)?;
            let record = self.record(&tool, &made.kid)?;
            let key = KeyInfo::new(record, PrivateKeyState::Transit);
            return Ok(KeyImported { key, notes });
        }
        let key = self.store_key(&tool, &kid, &key, now, "key imported")?;
        Ok(KeyImported { key, notes })
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
    pub(super) fn store_key(
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
            Ok(record) => Ok(KeyInfo::new(record, PrivateKeyState::Present)),
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
    pub(super) fn purge(&mut self, op: &PendingOp) -> Removal {
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
            .map_or_else(|_| op.tool_id.clone(), |t| t.profile.name);
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
        let team_keys = self.store.team_keys(&tool.id)?;
        let mut keychain_down = false;
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let state = if record.public_only {
                PrivateKeyState::PublicOnly
            } else if team_keys.contains_key(&record.kid) {
                PrivateKeyState::Transit
            } else if keychain_down {
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
            out.push(KeyInfo::new(record, state));
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
        if let Some(signature) = self.team_sign(&tool, kid, message)? {
            return Ok(signature);
        }
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
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::super::test_support::{request, vault};
    use super::*;
    use crate::secret::SecretStore;

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
        assert_eq!(info.key.status, KeyStatus::Current);
        assert_eq!(secrets.len(), 1);
        let jwk = vault.jwk(&tool.id, &info.key.kid).unwrap();
        assert_eq!(kid::thumbprint_of(&jwk.n, &jwk.e), info.key.kid);
        let sig = vault.sign("Quiz", &info.key.kid, b"m").unwrap();
        let pk =
            crate::key::PublicKey::from_components(&base64_decode(&jwk.n), &base64_decode(&jwk.e));
        assert!(
            pk.verify_rs256(b"m", &sig),
            "the stored private key must match the JWK"
        );
    }

    #[test]
    fn a_cancelled_generation_stores_nothing_and_says_so() {
        let (_d, secrets, mut vault, tool) = vault();
        let mut stages = vec![];
        let err = vault
            .generate_key_unless_cancelled(
                &request(None),
                Utc::now(),
                &AtomicBool::new(true),
                &mut |s| stages.push(s),
            )
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::Cancelled, "{err}");
        assert_eq!(
            err.to_string(),
            "key generation was cancelled; nothing was kept"
        );
        assert_eq!(stages, [KeygenStage::Generating]);
        assert_eq!(secrets.len(), 0);
        assert!(vault.keys(&tool.id).unwrap().is_empty());
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
            .delete(&secret::account(&tool.id, &info.key.kid))
            .unwrap();
        let keys = vault.keys("Quiz").unwrap();
        assert_eq!(keys[0].private_key, PrivateKeyState::Missing);
        let out = _d.path().join("key.pem");
        let err = vault
            .export_private("Quiz", &info.key.kid, None, &out, false, Utc::now())
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
        assert_eq!(
            (a.key.status, b.key.status),
            (KeyStatus::Current, KeyStatus::Next)
        );
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
            .export_private("Quiz", &info.key.kid, None, &nowhere, false, Utc::now())
            .is_err());
        let taken = d.path().join("taken.pem");
        std::fs::write(&taken, "keep").unwrap();
        assert!(vault
            .export_private("Quiz", &info.key.kid, None, &taken, false, Utc::now())
            .is_err());
        assert_eq!(exported(&vault), 0, "nothing was exported, nothing audited");
        assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep");
        vault
            .export_private(
                "Quiz",
                &info.key.kid,
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
        assert!(info.notes.is_empty());
        let info = info.key;
        assert_eq!(info.key.kid, kid::thumbprint(&original.public_key()));
        let out = _d.path().join("key.pem");
        vault
            .export_private(
                "Quiz",
                &info.key.kid,
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
