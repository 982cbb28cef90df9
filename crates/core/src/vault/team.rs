//! The team's operations: connect, push a tool, sync both ways with check-and-set, keys made,
//! rotated and signed with in Transit, and the policy of a tool's server.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::Vault;
use crate::error::{Error, Result};
use crate::key::{KeyRecord, KeyStatus, PublicKey};
use crate::kid::KidScheme;
use crate::rotation::{self, RotationPlan};
use crate::secret;
use crate::team::{
    self, Bao, Credential, DeploymentRecord, DocKind, KeysRecord, PlatformRecord,
    RegistrationRecord, Stamp, SyncedDoc, TeamConfig, TeamKey,
};
use crate::tool::Tool;

/// How many documents a sync reads from the server at once.
const SYNC_READS_AT_ONCE: usize = 16;

/// Where this data directory stands with its team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamStatus {
    /// The connection.
    pub team: TeamConfig,
    /// Whether the server answered, and as whom.
    pub reachable: bool,
    /// Why it did not, and the fix.
    pub problem: Option<String>,
    /// The credential's display name and policies, when the server answered.
    pub identity: Option<String>,
    /// Shared documents, by kind.
    pub documents: BTreeMap<String, u32>,
    /// Shared records changed here since the last sync (paths).
    pub local_changes: Vec<String>,
    /// The ids of the tools shared with the team.
    pub shared_tools: Vec<String>,
}

/// A document a sync could not bring together: both sides changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamConflictInfo {
    /// Its KV path.
    pub path: String,
    /// What it is, in words.
    pub what: String,
    /// Who wrote the server's version.
    pub by: String,
    /// When.
    pub at: String,
    /// The server's version.
    #[ts(type = "number")]
    pub version: u64,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamSynced {
    /// Documents brought here (paths).
    pub pulled: Vec<String>,
    /// Documents sent to the server (paths).
    pub pushed: Vec<String>,
    /// Documents changed on both sides: neither side was overwritten.
    pub conflicts: Vec<TeamConflictInfo>,
    /// Documents already the same on both sides.
    pub unchanged: u32,
}

/// What pushing a tool into the team did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamPushed {
    /// The tool's name.
    pub tool: String,
    /// The Transit key that now holds its private keys.
    pub transit_key: String,
    /// Kids imported into Transit, each with its Transit version.
    pub imported: Vec<(String, u32)>,
    /// Kids whose private key was removed from this machine's keychain.
    pub removed_from_keychain: Vec<String>,
    /// Documents written (paths).
    pub written: Vec<String>,
}

/// A key made in Transit for a team tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamKeyMade {
    /// The kid.
    pub kid: String,
    /// Its status: current when the tool had no current key, else next.
    pub status: KeyStatus,
    /// Its Transit version.
    pub version: u32,
}

fn stamp(team: &TeamConfig, now: DateTime<Utc>) -> Stamp {
    Stamp {
        updated_by: team.actor.clone(),
        updated_at: now,
    }
}

fn doc_what(kind: DocKind, id: &str) -> String {
    match kind {
        DocKind::Tool => format!("tool {id}"),
        DocKind::Keys => format!("the keys of tool {id}"),
        DocKind::Platform => format!("platform {id}"),
        DocKind::Registration => format!("registration {id}"),
    }
}

fn registration_record(r: &crate::registration::Registration) -> RegistrationRecord {
    RegistrationRecord {
        id: r.id.clone(),
        tool_id: r.tool_id.clone(),
        platform_id: r.platform_id.clone(),
        client_id: r.client_id.clone(),
        deployments: r
            .deployments
            .iter()
            .map(|d| DeploymentRecord {
                deployment_id: d.deployment_id.clone(),
                label: d.label.clone(),
            })
            .collect(),
    }
}

fn to_value<T: Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

/// Adds a key made or imported now at a Transit version: current when the tool has no
/// current key (it signs at once), else next (published, not yet signing). Answers its status.
fn add_key(keys: &mut KeysRecord, kid: &str, version: u32, now: DateTime<Utc>) -> KeyStatus {
    let has_current = keys.keys.iter().any(|k| k.status == KeyStatus::Current);
    let status = if has_current {
        KeyStatus::Next
    } else {
        KeyStatus::Current
    };
    keys.keys.push(TeamKey {
        kid: kid.to_string(),
        version,
        status,
        created_at: now,
        published_at: now,
        signing_from: (!has_current).then_some(now),
        signing_to: None,
        unpublish_after: None,
        retired_at: None,
        revoked_at: None,
    });
    status
}

/// The kind and local id a KV path names.
fn parse_path(path: &str) -> Option<(DocKind, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["tools", id] => Some((DocKind::Tool, (*id).to_string())),
        ["keys", id] => Some((DocKind::Keys, (*id).to_string())),
        ["platforms", id] => Some((DocKind::Platform, (*id).to_string())),
        ["registrations", _, id] => Some((DocKind::Registration, (*id).to_string())),
        _ => None,
    }
}

/// The order records are written in, so that each finds what it refers to.
fn apply_order(kind: DocKind) -> u8 {
    match kind {
        DocKind::Platform => 0,
        DocKind::Tool => 1,
        DocKind::Keys => 2,
        DocKind::Registration => 3,
    }
}

impl Vault {
    /// The team this data directory is connected to, with a client holding its credential.
    fn team_client(&self) -> Result<(TeamConfig, Bao)> {
        let team = self.store.team()?.ok_or_else(|| {
            Error::invalid(
                "team",
                "this data directory is not connected to a team",
                "connect it first, with the server's address, the mount and a credential",
            )
        })?;
        let token = self
            .secrets
            .get(&team::credential_account(&team.credential_id))?
            .ok_or_else(|| {
                Error::invalid(
                    "team credential",
                    "the keychain no longer holds this data directory's team credential",
                    "connect to the team again with a credential",
                )
            })?;
        let bao = Credential::from_secret(&token)?.client(&team.address)?;
        Ok((team, bao))
    }

    /// The team connection, if any, without asking the server.
    pub fn team(&self) -> Result<Option<TeamConfig>> {
        self.store.team()
    }

    /// Connects this data directory to a team: checks the credential and the engines (enabling
    /// them where the credential may), keeps the credential in the OS keychain and the rest in
    /// the database. `actor` is the name this admin's writes carry (the OS user by default).
    pub fn team_connect(
        &mut self,
        address: &str,
        mount: &str,
        actor: Option<&str>,
        credential: Credential,
        now: DateTime<Utc>,
    ) -> Result<TeamStatus> {
        let mount = mount.trim().trim_matches('/');
        if mount.is_empty() || mount.contains(['/', ' ']) {
            return Err(Error::invalid(
                "mount",
                format!("'{mount}' is not a mount name"),
                "give a single path segment such as lti",
            )
            .at("mount"));
        }
        let bao = credential.client(address)?;
        bao.identity()?;
        bao.ensure_mounts(mount, team::DEFAULT_TRANSIT)?;
        let previous = self.store.team()?;
        let credential_id = previous
            .as_ref()
            .map(|t| t.credential_id.clone())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        self.secrets.put(
            &team::credential_account(&credential_id),
            &credential.to_secret(),
        )?;
        let actor = actor
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from)
            .unwrap_or_else(crate::store::actor);
        let config = TeamConfig {
            address: bao.address().to_string(),
            mount: mount.to_string(),
            transit_mount: team::DEFAULT_TRANSIT.to_string(),
            actor,
            credential_id,
            connected_at: now,
            synced_at: previous.and_then(|p| p.synced_at),
        };
        self.store.set_team(&config, now)?;
        self.team_status()
    }

    /// Where this data directory stands with its team. An unreachable or sealed server is
    /// reported in the answer, not as an error: the local records stay usable.
    pub fn team_status(&self) -> Result<TeamStatus> {
        let (team, bao) = self.team_client()?;
        let (reachable, problem, identity) = match bao.identity() {
            Ok(id) => (
                true,
                None,
                Some(format!(
                    "{} (policies: {})",
                    id.display_name,
                    id.policies.join(", ")
                )),
            ),
            Err(e) => (false, Some(e.to_string()), None),
        };
        let mut documents = BTreeMap::new();
        let mut local_changes = Vec::new();
        let mut shared_tools = Vec::new();
        for doc in self.store.synced_docs()? {
            if doc.kind == DocKind::Tool && !doc.record.is_null() {
                shared_tools.push(doc.local_id.clone());
            }
            if !doc.record.is_null() {
                *documents.entry(doc.kind.as_str().to_string()).or_insert(0) += 1;
            }
            if self
                .local_record(doc.kind, &doc.local_id)?
                .unwrap_or(Value::Null)
                != doc.record
            {
                local_changes.push(doc.path.clone());
            }
        }
        Ok(TeamStatus {
            team,
            reachable,
            problem,
            identity,
            documents,
            local_changes,
            shared_tools,
        })
    }

    /// The record of a shared document as this data directory has it now; `None` when the
    /// local record is gone.
    fn local_record(&self, kind: DocKind, id: &str) -> Result<Option<Value>> {
        let found = match kind {
            DocKind::Tool => match self.store.tool(id) {
                Ok(tool) if tool.id == id => Some(team::tool_record(&tool)),
                Ok(_) | Err(Error::ToolNotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            DocKind::Platform => match self.store.platform(id) {
                Ok(p) if p.id == id => Some(to_value(&PlatformRecord {
                    id: p.id.clone(),
                    spec: p.spec,
                })),
                Ok(_) | Err(Error::PlatformNotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            DocKind::Registration => match self.store.registration(id) {
                Ok(r) => Some(to_value(&registration_record(&r))),
                Err(Error::RegistrationNotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            DocKind::Keys => {
                if !self.store.tools()?.iter().any(|t| t.id == id) {
                    return Ok(None);
                }
                let synced = self.store.synced_doc(&team::keys_path(id))?;
                let exportable = synced
                    .as_ref()
                    .and_then(|d| d.record["exportable"].as_bool())
                    .unwrap_or(false);
                Some(to_value(&self.local_keys_record(id, exportable)?))
            }
        };
        Ok(found)
    }

    /// A team tool's keys document as this data directory has it.
    fn local_keys_record(&self, tool_id: &str, exportable: bool) -> Result<KeysRecord> {
        let versions = self.store.team_keys(tool_id)?;
        let keys = self
            .store
            .keys(tool_id)?
            .iter()
            .filter_map(|k| versions.get(&k.kid).map(|(_, v)| TeamKey::of(k, *v)))
            .collect();
        Ok(KeysRecord {
            transit_key: team::transit_key_name(tool_id),
            exportable,
            policy: self.store.policy(tool_id)?,
            keys,
        })
    }

    /// Writes one document with check-and-set against the version this data directory last
    /// synced (0: it must not exist yet), and records it as synced. A stale write is refused
    /// with who changed the document and when.
    #[allow(clippy::too_many_arguments)]
    fn put_doc(
        &mut self,
        bao: &Bao,
        team: &TeamConfig,
        path: &str,
        kind: DocKind,
        local_id: &str,
        record: Value,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let cas = self.store.synced_doc(path)?.map_or(0, |d| d.version);
        let data = team::envelope(kind, &record, &stamp(team, now));
        match bao.kv_put(&team.mount, path, &data, cas)? {
            Some(version) => {
                self.store.set_synced_doc(&SyncedDoc {
                    path: path.to_string(),
                    kind,
                    local_id: local_id.to_string(),
                    version,
                    record,
                })?;
                Ok(version)
            }
            None => Err(self.conflict(bao, team, path, kind, local_id)),
        }
    }

    fn conflict(&self, bao: &Bao, team: &TeamConfig, path: &str, kind: DocKind, id: &str) -> Error {
        let info = self.conflict_info(bao, team, path, kind, id);
        Error::TeamConflict {
            what: info.what,
            path: info.path,
            version: info.version,
            by: info.by,
            at: info.at,
        }
    }

    fn conflict_info(
        &self,
        bao: &Bao,
        team: &TeamConfig,
        path: &str,
        kind: DocKind,
        id: &str,
    ) -> TeamConflictInfo {
        let (version, by, at) = match bao.kv_get(&team.mount, path) {
            Ok(Some(current)) => match team::open_envelope(path, &current.data) {
                Ok((_, stamp)) => (
                    current.version,
                    stamp.updated_by,
                    stamp.updated_at.to_rfc3339(),
                ),
                Err(_) => (current.version, "someone".into(), "an unknown time".into()),
            },
            _ => (0, "someone".into(), "an unknown time".into()),
        };
        TeamConflictInfo {
            path: path.to_string(),
            what: doc_what(kind, id),
            by,
            at,
            version,
        }
    }

    /// Moves a local tool into the team: its keys into Transit (wrapped for the server, never in
    /// the clear), its profile, keys document, registrations and their platforms into KV; then
    /// its private keys out of this machine's keychain. A tool pushed before is pushed again
    /// (its local changes, with check-and-set).
    pub fn team_push(
        &mut self,
        tool: &str,
        exportable: bool,
        now: DateTime<Utc>,
    ) -> Result<TeamPushed> {
        let (team, bao) = self.team_client()?;
        let tool = self.store.tool(tool)?;
        let keys = self.store.keys(&tool.id)?;
        let versions = self.store.team_keys(&tool.id)?;
        let transit_key = team::transit_key_name(&tool.id);
        for key in &keys {
            if key.public_only && key.status.is_published() && !versions.contains_key(&key.kid) {
                return Err(Error::invalid(
                    "key",
                    format!(
                        "key '{}' of tool '{}' is public only: its private half is not here, so it \
                         cannot go into the team's Transit key",
                        key.kid, tool.profile.name
                    ),
                    "import its private key first, or rotate it out and retire it",
                ));
            }
        }
        // Each local key with a private half here, oldest first, becomes a Transit version.
        let existing = match bao.transit_key(&team.transit_mount, &transit_key) {
            Ok(k) => Some(k),
            Err(Error::Team {
                status: Some(404), ..
            }) => None,
            Err(Error::Team { problem, .. }) if problem.contains("no Transit key") => None,
            Err(e) => return Err(e),
        };
        let mut in_transit: Vec<PublicKey> = existing
            .as_ref()
            .map(|k| k.versions.values().cloned().collect())
            .unwrap_or_default();
        let mut removable = Vec::new();
        for key in keys.iter().filter(|k| !versions.contains_key(&k.kid)) {
            if key.public_only || matches!(key.status, KeyStatus::Retired | KeyStatus::Revoked) {
                continue;
            }
            if in_transit.contains(&key.public) {
                removable.push(key.kid.clone());
                continue;
            }
            let pair = self.private_key(&tool, key)?;
            let first = existing.is_none() && in_transit.is_empty();
            bao.transit_import(&team.transit_mount, &transit_key, &pair, first, exportable)?;
            in_transit.push(key.public.clone());
            removable.push(key.kid.clone());
        }
        let transit = if in_transit.is_empty() {
            None
        } else {
            Some(bao.transit_key(&team.transit_mount, &transit_key)?)
        };
        let version_of = |public: &PublicKey| {
            transit.as_ref().and_then(|t| {
                t.versions
                    .iter()
                    .find(|(_, p)| *p == public)
                    .map(|(v, _)| *v)
            })
        };
        let mut team_keys = Vec::new();
        let mut imported = Vec::new();
        for key in &keys {
            let version = match versions.get(&key.kid) {
                Some((_, v)) => Some(*v),
                None => version_of(&key.public),
            };
            if let Some(version) = version {
                if !versions.contains_key(&key.kid) {
                    imported.push((key.kid.clone(), version));
                }
                team_keys.push((key.clone(), version));
            }
        }
        let policy = self.store.policy(&tool.id)?;
        self.store
            .apply_team_keys(&tool.id, &transit_key, &team_keys, &policy, now)?;
        let exportable = transit.as_ref().map_or(exportable, |t| t.exportable);
        let mut written = Vec::new();
        let registrations = self.store.registrations(Some(&tool.id), None)?;
        let platforms: BTreeSet<String> = registrations
            .iter()
            .map(|r| r.platform_id.clone())
            .collect();
        for platform_id in &platforms {
            written.extend(self.push_platform(&bao, &team, platform_id, now)?);
        }
        let path = team::tool_path(&tool.id);
        if self.push_if_changed(
            &bao,
            &team,
            &path,
            DocKind::Tool,
            &tool.id,
            team::tool_record(&tool),
            now,
        )? {
            written.push(path);
        }
        let path = team::keys_path(&tool.id);
        let record = to_value(&self.local_keys_record(&tool.id, exportable)?);
        if self.push_if_changed(&bao, &team, &path, DocKind::Keys, &tool.id, record, now)? {
            written.push(path);
        }
        for registration in &registrations {
            written.extend(self.push_registration(&bao, &team, registration, now)?);
        }
        // Only now, with everything on the server, do the private keys leave this machine.
        let mut removed_from_keychain = Vec::new();
        for kid in removable {
            self.secrets.delete(&secret::account(&tool.id, &kid))?;
            removed_from_keychain.push(kid);
        }
        self.store.log(
            now,
            "tool pushed to the team",
            Some(&tool.id),
            None,
            &format!(
                "{} documents written, {} keys into {transit_key}",
                written.len(),
                imported.len()
            ),
        )?;
        Ok(TeamPushed {
            tool: tool.profile.name,
            transit_key,
            imported,
            removed_from_keychain,
            written,
        })
    }

    /// Sends a platform's document unless the server has it as it is here; answers its path
    /// when it was written.
    fn push_platform(
        &mut self,
        bao: &Bao,
        team: &TeamConfig,
        platform_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let platform = self.store.platform(platform_id)?;
        let record = to_value(&PlatformRecord {
            id: platform.id.clone(),
            spec: platform.spec,
        });
        let path = team::platform_path(platform_id);
        let written = self.push_if_changed(
            bao,
            team,
            &path,
            DocKind::Platform,
            platform_id,
            record,
            now,
        )?;
        Ok(written.then_some(path))
    }

    /// Sends a registration's document unless the server has it as it is here; answers its
    /// path when it was written.
    fn push_registration(
        &mut self,
        bao: &Bao,
        team: &TeamConfig,
        registration: &crate::registration::Registration,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let path = team::registration_path(&registration.tool_id, &registration.id);
        let record = to_value(&registration_record(registration));
        let kind = DocKind::Registration;
        let written =
            self.push_if_changed(bao, team, &path, kind, &registration.id, record, now)?;
        Ok(written.then_some(path))
    }

    /// Writes a document unless the server has exactly this record already; answers whether it
    /// wrote. A document there already that this data directory never synced is adopted when
    /// it is the same, refused as a conflict otherwise.
    #[allow(clippy::too_many_arguments)]
    fn push_if_changed(
        &mut self,
        bao: &Bao,
        team: &TeamConfig,
        path: &str,
        kind: DocKind,
        local_id: &str,
        record: Value,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let synced = self.store.synced_doc(path)?;
        if synced.as_ref().is_some_and(|s| s.record == record) {
            return Ok(false);
        }
        if synced.is_none() {
            if let Some(remote) = bao.kv_get(&team.mount, path)? {
                let (remote_record, _) = team::open_envelope(path, &remote.data)?;
                if remote_record == record {
                    self.store.set_synced_doc(&SyncedDoc {
                        path: path.to_string(),
                        kind,
                        local_id: local_id.to_string(),
                        version: remote.version,
                        record,
                    })?;
                    return Ok(false);
                }
                return Err(self.conflict(bao, team, path, kind, local_id));
            }
        }
        self.put_doc(bao, team, path, kind, local_id, record, now)?;
        Ok(true)
    }

    /// Brings this data directory and the team together: documents changed only on the server
    /// are brought here, documents changed only here are sent (check-and-set), documents changed
    /// on both sides are reported and left as they are on each side.
    pub fn team_sync(&mut self, now: DateTime<Utc>) -> Result<TeamSynced> {
        let (team, bao) = self.team_client()?;
        let mut remote_paths: Vec<String> = Vec::new();
        for folder in ["platforms/", "tools/", "keys/"] {
            for name in bao.kv_list(&team.mount, folder, false)? {
                remote_paths.push(format!("{folder}{name}"));
            }
        }
        for tool in bao.kv_list(&team.mount, "registrations/", true)? {
            for name in bao.kv_list(&team.mount, &format!("registrations/{tool}"), false)? {
                remote_paths.push(format!("registrations/{tool}{name}"));
            }
        }
        let synced: BTreeMap<String, SyncedDoc> = self
            .store
            .synced_docs()?
            .into_iter()
            .map(|d| (d.path.clone(), d))
            .collect();
        let mut paths: Vec<(DocKind, String, String)> = remote_paths
            .iter()
            .chain(synced.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|p| parse_path(p).map(|(kind, id)| (kind, id, p.clone())))
            .collect();
        paths.sort_by_key(|(kind, _, path)| (apply_order(*kind), path.clone()));
        // Every document is read first, several at a time (one round trip each); then each is
        // compared and applied in order, every write still with check-and-set.
        let every_path: Vec<String> = paths.iter().map(|(_, _, path)| path.clone()).collect();
        let remotes = bao.kv_get_many(&team.mount, &every_path, SYNC_READS_AT_ONCE)?;
        let mut outcome = TeamSynced::default();
        for ((kind, id, path), remote) in paths.into_iter().zip(remotes) {
            // A record removed here, or a removal on the server (a tombstone), is null.
            let local = self.local_record(kind, &id)?.unwrap_or(Value::Null);
            let known = synced.get(&path);
            let Some(remote) = remote else {
                // Never written to the server (or removed there by hand): nothing to do.
                outcome.unchanged += 1;
                continue;
            };
            let (remote_record, _) = team::open_envelope(&path, &remote.data)?;
            if local == remote_record {
                // The same on both sides (two admins made the same change, or a removal here
                // followed one there): only the version is noted.
                if known.is_none_or(|k| k.version != remote.version || k.record != local) {
                    self.store.set_synced_doc(&SyncedDoc {
                        path: path.clone(),
                        kind,
                        local_id: id,
                        version: remote.version,
                        record: local,
                    })?;
                }
                outcome.unchanged += 1;
                continue;
            }
            let changed_here = known.is_some_and(|k| local != k.record);
            let changed_there = known.is_none_or(|k| remote.version != k.version);
            match (changed_here, changed_there) {
                (false, false) => outcome.unchanged += 1,
                (false, true) => {
                    self.apply_doc(&bao, &team, kind, &id, &path, &remote_record, now)?;
                    self.store.set_synced_doc(&SyncedDoc {
                        path: path.clone(),
                        kind,
                        local_id: id,
                        version: remote.version,
                        record: remote_record,
                    })?;
                    outcome.pulled.push(path);
                }
                (true, false) => match self.put_doc(&bao, &team, &path, kind, &id, local, now) {
                    Ok(_) => outcome.pushed.push(path),
                    Err(Error::TeamConflict { .. }) => outcome
                        .conflicts
                        .push(self.conflict_info(&bao, &team, &path, kind, &id)),
                    Err(e) => return Err(e),
                },
                (true, true) => outcome
                    .conflicts
                    .push(self.conflict_info(&bao, &team, &path, kind, &id)),
            }
        }
        // Registrations added here to a team tool since, with their platforms, join the team.
        for doc in self.store.synced_docs()? {
            if doc.kind != DocKind::Tool {
                continue;
            }
            for registration in self.store.registrations(Some(&doc.local_id), None)? {
                let path = team::registration_path(&doc.local_id, &registration.id);
                if self.store.synced_doc(&path)?.is_some() {
                    continue;
                }
                if self
                    .store
                    .synced_doc(&team::platform_path(&registration.platform_id))?
                    .is_none()
                {
                    let platform = registration.platform_id.clone();
                    outcome
                        .pushed
                        .extend(self.push_platform(&bao, &team, &platform, now)?);
                }
                outcome
                    .pushed
                    .extend(self.push_registration(&bao, &team, &registration, now)?);
            }
        }
        self.store.team_synced(now)?;
        Ok(outcome)
    }

    /// Writes here a record as the team has it.
    #[allow(clippy::too_many_arguments)]
    fn apply_doc(
        &mut self,
        bao: &Bao,
        team: &TeamConfig,
        kind: DocKind,
        id: &str,
        path: &str,
        record: &Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if record.is_null() {
            return self.apply_removal(kind, id, now);
        }
        match kind {
            DocKind::Tool => {
                let tool: Tool = team::decode(path, record)?;
                self.store.apply_team_tool(&tool, now)
            }
            DocKind::Platform => {
                let platform: PlatformRecord = team::decode(path, record)?;
                self.store.apply_team_platform(&platform, now)
            }
            DocKind::Registration => {
                let registration: RegistrationRecord = team::decode(path, record)?;
                self.store.apply_team_registration(&registration, now)
            }
            DocKind::Keys => {
                let keys: KeysRecord = team::decode(path, record)?;
                self.apply_keys(bao, team, id, &keys, now)
            }
        }
    }

    /// Removes here a record the team removed. A platform still used here stays (its
    /// registrations here say why); a record already gone is fine.
    fn apply_removal(&mut self, kind: DocKind, id: &str, now: DateTime<Utc>) -> Result<()> {
        let removed = match kind {
            DocKind::Tool => self.remove_tool(id, true, now).map(drop),
            DocKind::Platform => self.store.delete_platform(id, now),
            DocKind::Registration => self.store.delete_registration(id, now),
            // A tool's keys go with the tool.
            DocKind::Keys => Ok(()),
        };
        match removed {
            Err(
                Error::ToolNotFound { .. }
                | Error::PlatformNotFound { .. }
                | Error::RegistrationNotFound { .. }
                | Error::PlatformInUse { .. },
            ) => Ok(()),
            other => other,
        }
    }

    /// Writes here a tool's keys as its keys document has them, each public half read from its
    /// Transit version (retired versions are gone from Transit: their public halves stay as
    /// this data directory had them).
    fn apply_keys(
        &mut self,
        bao: &Bao,
        team: &TeamConfig,
        tool_id: &str,
        keys: &KeysRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let transit = if keys.keys.is_empty() {
            None
        } else {
            Some(bao.transit_key(&team.transit_mount, &keys.transit_key)?)
        };
        let local: BTreeMap<String, KeyRecord> = self
            .store
            .keys(tool_id)?
            .into_iter()
            .map(|k| (k.kid.clone(), k))
            .collect();
        let mut records = Vec::new();
        for key in &keys.keys {
            let public = transit
                .as_ref()
                .and_then(|t| t.versions.get(&key.version).cloned())
                .or_else(|| local.get(&key.kid).map(|k| k.public.clone()));
            let Some(public) = public else {
                continue;
            };
            records.push((key.record(tool_id, public), key.version));
        }
        self.store
            .apply_team_keys(tool_id, &keys.transit_key, &records, &keys.policy, now)
    }

    /// A team tool's keys document, checked to be the version this data directory last synced:
    /// a key change made elsewhere since is refused, so that two admins never each think
    /// their rotation happened.
    fn current_keys_doc(
        &self,
        bao: &Bao,
        team: &TeamConfig,
        tool: &Tool,
    ) -> Result<(KeysRecord, u64)> {
        let path = team::keys_path(&tool.id);
        let synced = self.store.synced_doc(&path)?.ok_or_else(|| {
            Error::invalid(
                "tool",
                format!("tool '{}' is not shared with the team", tool.profile.name),
                "push it to the team first",
            )
        })?;
        match bao.kv_get(&team.mount, &path)? {
            Some(remote) if remote.version == synced.version => {
                let keys = team::decode(&path, &synced.record)?;
                Ok((keys, synced.version))
            }
            _ => Err(self.conflict(bao, team, &path, DocKind::Keys, &tool.profile.name)),
        }
    }

    /// Writes a team tool's new keys document (check-and-set), then its keys here.
    fn commit_keys(
        &mut self,
        bao: &Bao,
        team: &TeamConfig,
        tool: &Tool,
        keys: &KeysRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let path = team::keys_path(&tool.id);
        self.put_doc(
            bao,
            team,
            &path,
            DocKind::Keys,
            &tool.id,
            to_value(keys),
            now,
        )?;
        self.apply_keys(bao, team, &tool.id, keys, now)
    }

    /// Whether a tool is shared with the team.
    pub fn is_team_tool(&self, tool: &str) -> Result<bool> {
        let tool = self.store.tool(tool)?;
        self.store.is_team_tool(&tool.id)
    }

    /// Makes a key for a team tool as a new version of its Transit key: current when the tool
    /// has no current key, else next (published, not yet signing).
    pub fn team_generate_key(
        &mut self,
        tool: &str,
        bits: u32,
        kid_scheme: KidScheme,
        now: DateTime<Utc>,
    ) -> Result<TeamKeyMade> {
        let (team, bao) = self.team_client()?;
        let tool = self.store.tool(tool)?;
        crate::key::KeySize::try_from(bits)?;
        let (mut keys, _) = self.current_keys_doc(&bao, &team, &tool)?;
        let version = if keys.keys.is_empty()
            && bao
                .transit_key(&team.transit_mount, &keys.transit_key)
                .is_err()
        {
            bao.transit_create(
                &team.transit_mount,
                &keys.transit_key,
                bits,
                keys.exportable,
            )?;
            1
        } else {
            bao.transit_rotate(&team.transit_mount, &keys.transit_key)?
        };
        let transit = bao.transit_key(&team.transit_mount, &keys.transit_key)?;
        let public = transit
            .versions
            .get(&version)
            .cloned()
            .ok_or_else(|| Error::Crypto("the new Transit version has no public key"))?;
        let kid = kid_scheme.kid(&public, now);
        let status = add_key(&mut keys, &kid, version, now);
        self.commit_keys(&bao, &team, &tool, &keys, now)?;
        self.store.log(
            now,
            "key generated in the team",
            Some(&tool.id),
            Some(&kid),
            &format!(
                "{bits} bits, {}, Transit version {version}",
                status.as_str()
            ),
        )?;
        Ok(TeamKeyMade {
            kid,
            status,
            version,
        })
    }

    /// Imports a private key into a team tool: wrapped into a new version of its Transit key
    /// (never kept here), current when the tool has no current key, else next.
    pub(super) fn team_import_key(
        &mut self,
        tool: &Tool,
        key: &crate::key::KeyPair,
        kid: &str,
        now: DateTime<Utc>,
    ) -> Result<TeamKeyMade> {
        let (team, bao) = self.team_client()?;
        let (mut keys, _) = self.current_keys_doc(&bao, &team, tool)?;
        if keys.keys.iter().any(|k| k.kid == kid) {
            return Err(Error::KidExists { kid: kid.into() });
        }
        let exists = bao
            .transit_key(&team.transit_mount, &keys.transit_key)
            .is_ok();
        bao.transit_import(
            &team.transit_mount,
            &keys.transit_key,
            key,
            !exists,
            keys.exportable,
        )?;
        let public = key.public_key();
        let version = bao
            .transit_key(&team.transit_mount, &keys.transit_key)?
            .versions
            .into_iter()
            .filter(|(_, p)| *p == public)
            .map(|(v, _)| v)
            .max()
            .ok_or(Error::Crypto("the imported key is not in Transit"))?;
        let status = add_key(&mut keys, kid, version, now);
        self.commit_keys(&bao, &team, tool, &keys, now)?;
        self.store.log(
            now,
            "key imported into the team",
            Some(&tool.id),
            Some(kid),
            &format!(
                "{} bits, {}, Transit version {version}",
                public.bits(),
                status.as_str()
            ),
        )?;
        Ok(TeamKeyMade {
            kid: kid.to_string(),
            status,
            version,
        })
    }

    /// Rotates a team tool's keys as a local rotation does, in its keys document: the next key
    /// becomes current (signing moves to its Transit version), the current one previous.
    pub fn team_rotate(&mut self, tool: &str, now: DateTime<Utc>) -> Result<RotationPlan> {
        let (team, bao) = self.team_client()?;
        let tool = self.store.tool(tool)?;
        let (mut keys, _) = self.current_keys_doc(&bao, &team, &tool)?;
        let records: Vec<KeyRecord> = self.store.keys(&tool.id)?;
        let plan = rotation::plan_rotation(&records, &keys.policy, now)?;
        let promote = plan.promote.clone().ok_or_else(|| {
            Error::invalid(
                "tool",
                "it has no next key to promote",
                "generate a next key first",
            )
        })?;
        for key in &mut keys.keys {
            if Some(&key.kid) == plan.demote.as_ref() {
                key.status = KeyStatus::Previous;
                key.signing_to = Some(now);
                key.unpublish_after = Some(plan.unpublish_after);
            } else if key.kid == promote {
                key.status = KeyStatus::Current;
                key.signing_from = Some(now);
            }
        }
        self.commit_keys(&bao, &team, &tool, &keys, now)?;
        self.store.log(
            now,
            "keys rotated in the team",
            Some(&tool.id),
            Some(&promote),
            "next -> current",
        )?;
        Ok(plan)
    }

    /// Rotates a team tool as [`Vault::rotate`] does a local one: when no next key is waiting,
    /// one of the current key's size is made in Transit first. Answers the plan and the kid
    /// made, if any.
    pub(super) fn team_rotate_generating(
        &mut self,
        tool: &Tool,
        now: DateTime<Utc>,
    ) -> Result<(RotationPlan, Option<String>)> {
        let keys = self.store.keys(&tool.id)?;
        let mut generated = None;
        if rotation::next_key(&keys).is_none() {
            let current = rotation::current_key(&keys).ok_or_else(|| {
                Error::invalid(
                    "tool",
                    "it has no current key to rotate from",
                    "generate its first key",
                )
            })?;
            let made =
                self.team_generate_key(&tool.id, current.bits, KidScheme::Thumbprint, now)?;
            generated = Some(made.kid);
        }
        let plan = self.team_rotate(&tool.id, now)?;
        Ok((plan, generated))
    }

    /// Revokes a team key: unpublished at once; a revoked current key hands signing to the
    /// oldest next key (one is made in Transit when none waits). Versions below every live
    /// key's stop signing in Transit too. Answers the kid that signs now, when it changed.
    pub(super) fn team_revoke(
        &mut self,
        tool: &Tool,
        record: &KeyRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let was_current = record.status == KeyStatus::Current;
        if was_current && rotation::next_key(&self.store.keys(&tool.id)?).is_none() {
            self.team_generate_key(&tool.id, record.bits, KidScheme::Thumbprint, now)?;
        }
        let (team, bao) = self.team_client()?;
        let (mut keys, _) = self.current_keys_doc(&bao, &team, tool)?;
        let promoted = if was_current {
            keys.keys
                .iter()
                .filter(|k| k.status == KeyStatus::Next)
                .min_by_key(|k| k.created_at)
                .map(|k| k.kid.clone())
        } else {
            None
        };
        for key in &mut keys.keys {
            if key.kid == record.kid {
                if key.status == KeyStatus::Current {
                    key.signing_to = Some(now);
                }
                key.status = KeyStatus::Revoked;
                key.revoked_at = Some(now);
            } else if Some(&key.kid) == promoted.as_ref() {
                key.status = KeyStatus::Current;
                key.signing_from = Some(now);
            }
        }
        self.commit_keys(&bao, &team, tool, &keys, now)?;
        self.raise_min_version(&bao, &team, &keys)?;
        self.store.log(
            now,
            "key revoked in the team",
            Some(&tool.id),
            Some(&record.kid),
            &format!("{} -> revoked", record.status.as_str()),
        )?;
        Ok(promoted)
    }

    /// Stops Transit from signing with any version older than every published key's.
    fn raise_min_version(&self, bao: &Bao, team: &TeamConfig, keys: &KeysRecord) -> Result<()> {
        let lowest_live = keys
            .keys
            .iter()
            .filter(|k| k.status.is_published())
            .map(|k| k.version)
            .min();
        if let Some(lowest) = lowest_live {
            let transit = bao.transit_key(&team.transit_mount, &keys.transit_key)?;
            if lowest > transit.min_decryption_version {
                bao.transit_set_min_version(&team.transit_mount, &keys.transit_key, lowest)?;
            }
        }
        Ok(())
    }

    /// Retires a previous key of a team tool: unpublished, and its Transit version (with every
    /// older one no live key uses) stops signing for good (`min_decryption_version`).
    pub fn team_retire(
        &mut self,
        tool: &str,
        kid: &str,
        force: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (team, bao) = self.team_client()?;
        let tool = self.store.tool(tool)?;
        let (mut keys, _) = self.current_keys_doc(&bao, &team, &tool)?;
        let record = self.record(&tool, kid)?;
        rotation::check_retire(&record, now, force)?;
        for key in &mut keys.keys {
            if key.kid == kid {
                key.status = KeyStatus::Retired;
                key.retired_at = Some(now);
            }
        }
        self.commit_keys(&bao, &team, &tool, &keys, now)?;
        self.raise_min_version(&bao, &team, &keys)?;
        self.store.log(
            now,
            "key retired in the team",
            Some(&tool.id),
            Some(kid),
            "previous -> retired",
        )?;
        Ok(())
    }

    /// Signs with a team key through Transit, naming the key's own version; `None` when the
    /// key is not a team key.
    pub(super) fn team_sign(
        &self,
        tool: &Tool,
        kid: &str,
        message: &[u8],
    ) -> Result<Option<Vec<u8>>> {
        let versions = self.store.team_keys(&tool.id)?;
        let Some((transit_key, version)) = versions.get(kid) else {
            return Ok(None);
        };
        let (team, bao) = self.team_client()?;
        bao.transit_sign(&team.transit_mount, transit_key, *version, message)
            .map(Some)
    }

    /// The ACL policy of the team's admins (see [`team::admin_policy`]); written to the server
    /// under [`team::ADMIN_POLICY_NAME`] when `write`.
    pub fn team_admin_policy(&self, write: bool) -> Result<(String, String)> {
        let (team, bao) = self.team_client()?;
        let hcl = team::admin_policy(&team);
        if write {
            bao.write_policy(team::ADMIN_POLICY_NAME, &hcl)?;
        }
        Ok((team::ADMIN_POLICY_NAME.to_string(), hcl))
    }

    /// The ACL policy of a tool's server (see [`team::server_policy`]); written to the server
    /// under [`team::server_policy_name`] when `write`.
    pub fn team_policy(&self, tool: &str, write: bool) -> Result<(String, String)> {
        let (team, bao) = self.team_client()?;
        let tool = self.store.tool(tool)?;
        let hcl = team::server_policy(&team, &tool);
        let name = team::server_policy_name(&tool.id);
        if write {
            bao.write_policy(&name, &hcl)?;
        }
        Ok((name, hcl))
    }
}
