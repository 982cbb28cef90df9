//! The team's local side: where the server is, each shared document as last synced, the Transit
//! version of each team key, and the records a sync brings, written under their team ids.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::keys::insert_key_as_in;
use super::platforms::insert_platform_as_in;
use super::registrations::insert_registration_as_in;
use super::tools::insert_tool_in;
use super::{log_event, log_subject, opt_time, parse_time, Store};
use crate::error::{Error, Result};
use crate::key::KeyRecord;
use crate::registration::{NewDeployment, NewRegistration};
use crate::rotation::Policy;
use crate::team::{DocKind, PlatformRecord, RegistrationRecord, SyncedDoc, TeamConfig};
use crate::tool::Tool;

impl Store {
    /// The team this data directory is connected to, if any.
    pub fn team(&self) -> Result<Option<TeamConfig>> {
        Ok(self
            .conn
            .query_row(
                "SELECT address, mount, transit_mount, actor, credential_id, connected_at, synced_at
                 FROM team",
                [],
                |r| {
                    Ok(TeamConfig {
                        address: r.get(0)?,
                        mount: r.get(1)?,
                        transit_mount: r.get(2)?,
                        actor: r.get(3)?,
                        credential_id: r.get(4)?,
                        connected_at: parse_time(r.get(5)?)?,
                        synced_at: opt_time(r.get(6)?)?,
                    })
                },
            )
            .optional()?)
    }

    /// Connects this data directory to a team (replacing any earlier connection).
    pub fn set_team(&mut self, team: &TeamConfig, now: DateTime<Utc>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR REPLACE INTO team
                 (id, address, mount, transit_mount, actor, credential_id, connected_at, synced_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                team.address,
                team.mount,
                team.transit_mount,
                team.actor,
                team.credential_id,
                team.connected_at.to_rfc3339(),
                team.synced_at.map(|t| t.to_rfc3339()),
            ],
        )?;
        let detail = format!("{} (mount {}/) as {}", team.address, team.mount, team.actor);
        log_event(&tx, now, "team connected", None, None, &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Notes the end of a sync.
    pub fn team_synced(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute("UPDATE team SET synced_at = ?1", [now.to_rfc3339()])?;
        Ok(())
    }

    /// Every shared document as last synced, by path.
    pub fn synced_docs(&self) -> Result<Vec<SyncedDoc>> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, kind, local_id, version, synced FROM team_docs ORDER BY path")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut docs = Vec::new();
        for row in rows {
            let (path, kind, local_id, version, synced) = row?;
            let kind = DocKind::parse(&kind).ok_or_else(|| Error::Unreadable {
                what: format!("the team document {path}"),
                problem: format!("its kind '{kind}' is unknown"),
                fix: "update LTI Key Manager".into(),
            })?;
            let record = serde_json::from_str(&synced).map_err(|e| Error::Unreadable {
                what: format!("the team document {path}"),
                problem: format!("its synced copy is not JSON ({e})"),
                fix: "sync again after reconnecting the team".into(),
            })?;
            docs.push(SyncedDoc {
                path,
                kind,
                local_id,
                version: u64::try_from(version).unwrap_or(0),
                record,
            });
        }
        Ok(docs)
    }

    /// One shared document as last synced.
    pub fn synced_doc(&self, path: &str) -> Result<Option<SyncedDoc>> {
        Ok(self.synced_docs()?.into_iter().find(|d| d.path == path))
    }

    /// Records a shared document as synced at `version`.
    pub fn set_synced_doc(&mut self, doc: &SyncedDoc) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO team_docs (path, kind, local_id, version, synced)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                doc.path,
                doc.kind.as_str(),
                doc.local_id,
                i64::try_from(doc.version).unwrap_or(i64::MAX),
                doc.record.to_string(),
            ],
        )?;
        Ok(())
    }

    /// Whether a tool is shared with the team.
    pub fn is_team_tool(&self, tool_id: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM team_docs WHERE kind = 'tool' AND local_id = ?1)",
            [tool_id],
            |r| r.get(0),
        )?)
    }

    /// The Transit key and version of each team key of a tool, by kid.
    pub fn team_keys(&self, tool_id: &str) -> Result<BTreeMap<String, (String, u32)>> {
        let mut stmt = self.conn.prepare(
            "SELECT kid, transit_key, transit_version FROM team_keys WHERE tool_id = ?1",
        )?;
        let rows = stmt.query_map([tool_id], |r| {
            Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes a tool as the team has it, under its team id: added, or its profile replaced.
    pub fn apply_team_tool(&mut self, tool: &Tool, now: DateTime<Utc>) -> Result<()> {
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM tools WHERE id = ?1)",
            [&tool.id],
            |r| r.get(0),
        )?;
        if exists {
            self.update_tool(&tool.id, &tool.profile, now)?;
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_tool_in(&tx, &tool.id, &tool.profile, now)?;
        // The same tool on every machine: added when it was added on the first.
        tx.execute(
            "UPDATE tools SET created_at = ?2 WHERE id = ?1",
            params![tool.id, tool.created_at.to_rfc3339()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Writes a platform as the team has it, under its team id.
    pub fn apply_team_platform(
        &mut self,
        platform: &PlatformRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM platforms WHERE id = ?1)",
            [&platform.id],
            |r| r.get(0),
        )?;
        if exists {
            let detail = format!("{} from the team", platform.spec.name);
            self.update_platform(
                &platform.id,
                &platform.spec,
                now,
                "platform synced",
                &detail,
            )?;
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_platform_as_in(&tx, &platform.id, &platform.spec, now, "platform synced")?;
        tx.commit()?;
        Ok(())
    }

    /// Writes a registration as the team has it, under its team id: its client_id, platform
    /// and exactly its deployment ids with their labels.
    pub fn apply_team_registration(
        &mut self,
        registration: &RegistrationRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deployments: Vec<NewDeployment> = registration
            .deployments
            .iter()
            .map(|d| NewDeployment {
                deployment_id: d.deployment_id.clone(),
                label: d.label.clone(),
            })
            .collect();
        let exists: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM registrations WHERE id = ?1)",
            [&registration.id],
            |r| r.get(0),
        )?;
        if exists {
            let issuer: String = tx.query_row(
                "SELECT issuer FROM platforms WHERE id = ?1",
                [&registration.platform_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE registrations SET client_id = ?2, platform_id = ?3, issuer = ?4, updated_at = ?5
                 WHERE id = ?1",
                params![
                    registration.id,
                    registration.client_id,
                    registration.platform_id,
                    issuer,
                    now.to_rfc3339()
                ],
            )?;
            tx.execute(
                "DELETE FROM deployments WHERE registration_id = ?1",
                [&registration.id],
            )?;
            for d in &deployments {
                tx.execute(
                    "INSERT INTO deployments (registration_id, deployment_id, label, added_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![registration.id, d.deployment_id, d.label, now.to_rfc3339()],
                )?;
            }
            let detail = format!(
                "client_id {}, {} deployment ids, from the team",
                registration.client_id,
                deployments.len()
            );
            log_subject(
                &tx,
                now,
                "registration synced",
                Some(&registration.tool_id),
                &registration.id,
                &detail,
            )?;
        } else {
            let new = NewRegistration {
                tool: registration.tool_id.clone(),
                platform: registration.platform_id.clone(),
                client_id: registration.client_id.clone(),
                deployments,
            };
            insert_registration_as_in(
                &tx,
                &registration.id,
                &registration.tool_id,
                &registration.platform_id,
                &new,
                now,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces a team tool's keys and policy with the team's: each key with its status, dates
    /// and Transit version. In one transaction, so that the tool never shows two current keys.
    pub fn apply_team_keys(
        &mut self,
        tool_id: &str,
        transit_key: &str,
        keys: &[(KeyRecord, u32)],
        policy: &Policy,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM keys WHERE tool_id = ?1", [tool_id])?;
        for (key, version) in keys {
            insert_key_as_in(&tx, tool_id, key, now, "key synced from the team")?;
            tx.execute(
                "INSERT INTO team_keys (tool_id, kid, transit_key, transit_version) VALUES (?1, ?2, ?3, ?4)",
                params![tool_id, key.kid, transit_key, version],
            )?;
        }
        tx.execute(
            "UPDATE tools SET pre_publish_secs = ?2, overlap_secs = ?3, rotate_every_secs = ?4 WHERE id = ?1",
            params![
                tool_id,
                policy.pre_publish_secs,
                policy.overlap_secs,
                policy.rotate_every_secs
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}
