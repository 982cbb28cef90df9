//! Registration and deployment rows; each change is one transaction, audited under its id.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, TransactionBehavior};

use super::platforms::{find_platform, registration_holding};
use super::{is_unique_violation, log_subject, new_id, parse_time, Store};
use crate::error::{Error, Result};

const REGISTRATION_SELECT: &str = "SELECT r.id, r.tool_id, t.name, r.platform_id, p.name, \
    r.issuer, r.client_id, r.created_at, r.updated_at, r.canvas_account_id, r.canvas_registration_id, r.rowid
    FROM registrations r JOIN tools t ON t.id = r.tool_id JOIN platforms p ON p.id = r.platform_id";

pub(super) fn load_registrations(
    conn: &Connection,
    filter: &str,
    args: &[&str],
) -> Result<Vec<crate::registration::Registration>> {
    // Sorted here rather than by SQLite: its ORDER BY took 30 of 47 ms for 10,000.
    let mut stmt = conn.prepare(&format!("{REGISTRATION_SELECT} {filter}"))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        let row: i64 = r.get(11)?;
        let registration = crate::registration::Registration {
            id: r.get(0)?,
            tool_id: r.get(1)?,
            tool_name: r.get(2)?,
            platform_id: r.get(3)?,
            platform_name: r.get(4)?,
            issuer: r.get(5)?,
            client_id: r.get(6)?,
            deployments: vec![],
            canvas: match (r.get(9)?, r.get(10)?) {
                (Some(account_id), Some(registration_id)) => {
                    Some(crate::registration::CanvasLink {
                        account_id,
                        registration_id,
                    })
                }
                _ => None,
            },
            created_at: parse_time(r.get(7)?)?,
            updated_at: parse_time(r.get(8)?)?,
        };
        Ok((row, registration))
    })?;
    let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    // By platform, then tool, in natural order, oldest first within each (the row id breaks
    // ties): the few distinct names are ranked once, rather than compared again for every pair
    // of registrations.
    let platforms = natural_ranks(rows.iter().map(|(_, r)| r.platform_name.as_str()));
    let tools = natural_ranks(rows.iter().map(|(_, r)| r.tool_name.as_str()));
    let mut keyed: Vec<_> = rows
        .into_iter()
        .map(|(row, r)| {
            let key = (
                platforms[&r.platform_name],
                tools[&r.tool_name],
                r.created_at,
                row,
            );
            (key, r)
        })
        .collect();
    keyed.sort_unstable_by_key(|a| a.0);
    let mut out: Vec<_> = keyed.into_iter().map(|(_, r)| r).collect();
    // Every listed registration's deployments in one query, not one query per registration.
    // Unfiltered, every deployment is wanted: no subquery to match them against.
    let within = if filter.trim().is_empty() {
        String::new()
    } else {
        format!("WHERE d.registration_id IN (SELECT r.id FROM registrations r {filter})")
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT d.registration_id, d.deployment_id, d.label, d.added_at FROM deployments d
         {within} ORDER BY d.added_at, d.rowid"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        Ok((
            r.get::<_, String>(0)?,
            crate::registration::Deployment {
                deployment_id: r.get(1)?,
                label: r.get(2)?,
                added_at: parse_time(r.get(3)?)?,
            },
        ))
    })?;
    let mut deployments: std::collections::HashMap<String, Vec<_>> =
        std::collections::HashMap::new();
    for row in rows {
        let (registration_id, deployment) = row?;
        deployments
            .entry(registration_id)
            .or_default()
            .push(deployment);
    }
    for reg in &mut out {
        reg.deployments = deployments.remove(&reg.id).unwrap_or_default();
    }
    Ok(out)
}

/// Each distinct name's place in natural order, case ignored ("P2" before "P10").
fn natural_ranks<'a>(
    names: impl Iterator<Item = &'a str>,
) -> std::collections::HashMap<String, usize> {
    let mut distinct: Vec<&str> = names.collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.sort_by(|a, b| natord::compare_ignore_case(a, b));
    distinct
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n.to_string(), i))
        .collect()
}

fn find_registration(conn: &Connection, id: &str) -> Result<crate::registration::Registration> {
    load_registrations(conn, "WHERE r.id = ?1", &[id])?
        .pop()
        .ok_or_else(|| Error::RegistrationNotFound {
            registration: id.to_string(),
        })
}

pub(super) fn touch_registration(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE registrations SET updated_at = ?1 WHERE id = ?2",
        params![now.to_rfc3339(), id],
    )?;
    Ok(())
}

fn insert_deployment(
    conn: &Connection,
    registration_id: &str,
    deployment: &crate::registration::NewDeployment,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO deployments (registration_id, deployment_id, label, added_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            registration_id,
            deployment.deployment_id,
            deployment.label,
            now.to_rfc3339()
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::DeploymentExists {
                registration: registration_id.into(),
                deployment_id: deployment.deployment_id.clone(),
            }
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// (issuer, client_id) must be no registration's but `except`'s.
fn ensure_client_id_free(
    conn: &Connection,
    issuer: &str,
    client_id: &str,
    except: &str,
) -> Result<()> {
    match registration_holding(conn, issuer, client_id, except)? {
        Some(existing) => Err(Error::DuplicateRegistration {
            issuer: issuer.into(),
            client_id: client_id.into(),
            existing,
        }),
        None => Ok(()),
    }
}

/// A write refused by the database's own (issuer, client_id) uniqueness, as the error
/// [`ensure_client_id_free`] gives; any other failure as it is.
fn duplicate_or(e: rusqlite::Error, issuer: &str, client_id: &str) -> Error {
    if is_unique_violation(&e) {
        Error::DuplicateRegistration {
            issuer: issuer.into(),
            client_id: client_id.into(),
            existing: "(another)".into(),
        }
    } else {
        e.into()
    }
}

/// Logs the removal of `reg` with its deployment ids, under its id.
pub(super) fn log_registration_removed(
    conn: &Connection,
    reg: &crate::registration::Registration,
    now: DateTime<Utc>,
) -> Result<()> {
    let detail = format!(
        "registration on {}, client_id {}, with {} deployment id(s)",
        reg.platform_name,
        reg.client_id,
        reg.deployments.len()
    );
    let tool = Some(reg.tool_id.as_str());
    log_subject(conn, now, "registration removed", tool, &reg.id, &detail)
}

fn deployment_detail(deployment: &crate::registration::NewDeployment) -> String {
    match &deployment.label {
        Some(label) => format!("deployment {} ({label})", deployment.deployment_id),
        None => format!("deployment {}", deployment.deployment_id),
    }
}

/// Registers a tool on a platform inside the caller's transaction and answers the
/// registration's id. (issuer, client_id) must be new.
pub(super) fn insert_registration_in(
    conn: &Connection,
    tool_id: &str,
    platform_id: &str,
    registration: &crate::registration::NewRegistration,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id(conn, 'r', "registrations")?;
    insert_registration_as_in(conn, &id, tool_id, platform_id, registration, now)?;
    Ok(id)
}

/// Registers a tool on a platform under `id` inside the caller's transaction, as
/// [`insert_registration_in`] does.
pub(super) fn insert_registration_as_in(
    conn: &Connection,
    id: &str,
    tool_id: &str,
    platform_id: &str,
    registration: &crate::registration::NewRegistration,
    now: DateTime<Utc>,
) -> Result<()> {
    let platform = find_platform(conn, platform_id)?;
    let client_id = &registration.client_id;
    ensure_client_id_free(conn, &platform.spec.issuer, client_id, "")?;
    conn.execute(
        "INSERT INTO registrations (id, tool_id, platform_id, issuer, client_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![id, tool_id, platform.id, platform.spec.issuer, client_id, now.to_rfc3339()],
    )
    .map_err(|e| duplicate_or(e, &platform.spec.issuer, client_id))?;
    let detail = format!(
        "registration on {} ({}), client_id {client_id}",
        platform.spec.name, platform.spec.issuer
    );
    log_subject(conn, now, "registration added", Some(tool_id), id, &detail)?;
    for deployment in &registration.deployments {
        add_deployment_in(conn, tool_id, id, deployment, now)?;
    }
    Ok(())
}

/// Records a deployment id of a registration inside the caller's transaction, and logs it.
pub(super) fn add_deployment_in(
    conn: &Connection,
    tool_id: &str,
    registration_id: &str,
    deployment: &crate::registration::NewDeployment,
    now: DateTime<Utc>,
) -> Result<()> {
    insert_deployment(conn, registration_id, deployment, now)?;
    let detail = deployment_detail(deployment);
    log_subject(
        conn,
        now,
        "deployment added",
        Some(tool_id),
        registration_id,
        &detail,
    )
}

fn link_in(
    conn: &Connection,
    tool_id: &str,
    registration_id: &str,
    link: &crate::registration::CanvasLink,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE registrations SET canvas_account_id = ?2, canvas_registration_id = ?3
         WHERE id = ?1",
        params![registration_id, link.account_id, link.registration_id],
    )?;
    let detail = format!(
        "Canvas account {}, registration {}",
        link.account_id, link.registration_id
    );
    log_subject(
        conn,
        now,
        "Canvas registration linked",
        Some(tool_id),
        registration_id,
        &detail,
    )
}

impl Store {
    /// Registers a tool on a platform with its first deployment ids. (issuer, client_id) must
    /// be new; the database enforces it too. `registration` is checked already.
    pub fn insert_registration(
        &mut self,
        tool_id: &str,
        platform_id: &str,
        registration: &crate::registration::NewRegistration,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_registration_in(&tx, tool_id, platform_id, registration, now)?;
        tx.commit()?;
        find_registration(&self.conn, &id)
    }

    /// Registers a tool on a platform as [`Store::insert_registration`] does, remembering where
    /// the registration lives in Canvas, in one transaction.
    pub fn insert_canvas_registration(
        &mut self,
        tool_id: &str,
        platform_id: &str,
        registration: &crate::registration::NewRegistration,
        link: &crate::registration::CanvasLink,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_registration_in(&tx, tool_id, platform_id, registration, now)?;
        link_in(&tx, tool_id, &id, link, now)?;
        tx.commit()?;
        find_registration(&self.conn, &id)
    }

    /// Remembers where a registration lives in Canvas. Logged.
    pub fn link_canvas_registration(
        &mut self,
        registration_id: &str,
        link: &crate::registration::CanvasLink,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reg = find_registration(&tx, registration_id)?;
        if reg.canvas.as_ref() != Some(link) {
            link_in(&tx, &reg.tool_id, registration_id, link, now)?;
            touch_registration(&tx, registration_id, now)?;
        }
        tx.commit()?;
        find_registration(&self.conn, registration_id)
    }

    /// Gives a recorded deployment id the label `label`. Logged; the same label writes nothing.
    pub fn label_deployment(
        &mut self,
        registration_id: &str,
        deployment_id: &str,
        label: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reg = find_registration(&tx, registration_id)?;
        let Some(before) = reg
            .deployments
            .iter()
            .find(|d| d.deployment_id == deployment_id)
        else {
            return Err(Error::DeploymentNotFound {
                registration: registration_id.to_string(),
                deployment_id: deployment_id.to_string(),
            });
        };
        if before.label.as_deref() == Some(label) {
            return Ok(reg);
        }
        tx.execute(
            "UPDATE deployments SET label = ?3 WHERE registration_id = ?1 AND deployment_id = ?2",
            params![registration_id, deployment_id, label],
        )?;
        touch_registration(&tx, registration_id, now)?;
        let detail = format!("{deployment_id} labelled '{label}'");
        let tool = Some(reg.tool_id.as_str());
        log_subject(
            &tx,
            now,
            "deployment labelled",
            tool,
            registration_id,
            &detail,
        )?;
        tx.commit()?;
        find_registration(&self.conn, registration_id)
    }

    /// Registrations, optionally only a tool's and/or a platform's (ids).
    pub fn registrations(
        &self,
        tool_id: Option<&str>,
        platform_id: Option<&str>,
    ) -> Result<Vec<crate::registration::Registration>> {
        let (filter, args): (&str, Vec<&str>) = match (tool_id, platform_id) {
            (None, None) => ("", vec![]),
            (Some(t), None) => ("WHERE r.tool_id = ?1", vec![t]),
            (None, Some(p)) => ("WHERE r.platform_id = ?1", vec![p]),
            (Some(t), Some(p)) => ("WHERE r.tool_id = ?1 AND r.platform_id = ?2", vec![t, p]),
        };
        load_registrations(&self.conn, filter, &args)
    }

    /// Every registration in brief, by tool name in natural order and then oldest first (the
    /// order [`Self::registrations`] gives within a platform). Three plain scans, joined here:
    /// SQLite's join on the tools' text keys, its sort and a count per row took 42 ms of
    /// 10,000 registrations, these take under half.
    pub fn registration_briefs(&self) -> Result<Vec<crate::registration::RegistrationBrief>> {
        let mut stmt = self.conn.prepare("SELECT id, name FROM tools")?;
        let tool_names = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<std::collections::HashMap<_, _>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT registration_id, count(*) FROM deployments GROUP BY registration_id",
        )?;
        let counts = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
            .collect::<rusqlite::Result<std::collections::HashMap<_, _>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT id, tool_id, platform_id, client_id, created_at, rowid FROM registrations",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                crate::registration::RegistrationBrief {
                    id: r.get(0)?,
                    tool_id: r.get(1)?,
                    tool_name: String::new(),
                    platform_id: r.get(2)?,
                    client_id: r.get(3)?,
                    deployment_count: 0,
                },
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        for (brief, _, _) in &mut out {
            // A registration's tool always exists (a foreign key, removed with its tool).
            brief.tool_name = tool_names.get(&brief.tool_id).cloned().unwrap_or_default();
            brief.deployment_count = counts.get(&brief.id).copied().unwrap_or(0);
        }
        let tools = natural_ranks(out.iter().map(|(b, _, _)| b.tool_name.as_str()));
        // Created-at compared as stored text, as SQLite's ORDER BY compares it for the list;
        // the row id makes every key distinct.
        let mut keyed: Vec<_> = out
            .into_iter()
            .map(|(brief, at, row)| ((tools[&brief.tool_name], at, row), brief))
            .collect();
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(keyed.into_iter().map(|(_, brief)| brief).collect())
    }

    /// One registration by id.
    pub fn registration(&self, id: &str) -> Result<crate::registration::Registration> {
        find_registration(&self.conn, id)
    }

    /// Changes a registration's client_id and/or moves it to another platform (taking that
    /// platform's issuer); (issuer, client_id) must stay unique. `client_id` is checked
    /// already; `None` keeps a value. Logs what changed; a change to nothing writes nothing.
    pub fn update_registration(
        &mut self,
        id: &str,
        client_id: Option<&str>,
        platform_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = find_registration(&tx, id)?;
        let platform = find_platform(&tx, platform_id.unwrap_or(&before.platform_id))?;
        let client_id = client_id.unwrap_or(&before.client_id);
        let mut changes = Vec::new();
        if client_id != before.client_id {
            changes.push(format!("client_id {} -> {client_id}", before.client_id));
        }
        if platform.id != before.platform_id {
            changes.push(format!(
                "platform {} -> {} ({})",
                before.platform_name, platform.spec.name, platform.spec.issuer
            ));
        }
        if changes.is_empty() {
            return Ok(before);
        }
        ensure_client_id_free(&tx, &platform.spec.issuer, client_id, id)?;
        tx.execute(
            "UPDATE registrations SET client_id = ?2, platform_id = ?3, issuer = ?4, updated_at = ?5
             WHERE id = ?1",
            params![id, client_id, platform.id, platform.spec.issuer, now.to_rfc3339()],
        )
        .map_err(|e| duplicate_or(e, &platform.spec.issuer, client_id))?;
        let detail = changes.join(", ");
        let tool = Some(before.tool_id.as_str());
        log_subject(&tx, now, "registration changed", tool, id, &detail)?;
        tx.commit()?;
        find_registration(&self.conn, id)
    }

    /// Removes a registration and its deployment ids.
    pub fn delete_registration(&mut self, id: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reg = find_registration(&tx, id)?;
        tx.execute("DELETE FROM registrations WHERE id = ?1", [id])?;
        log_registration_removed(&tx, &reg, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Records a deployment id on a registration; it must be new there.
    pub fn add_deployment(
        &mut self,
        registration_id: &str,
        deployment: &crate::registration::NewDeployment,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reg = find_registration(&tx, registration_id)?;
        add_deployment_in(&tx, &reg.tool_id, &reg.id, deployment, now)?;
        touch_registration(&tx, &reg.id, now)?;
        tx.commit()?;
        find_registration(&self.conn, registration_id)
    }

    /// Removes a deployment id from a registration.
    pub fn remove_deployment(
        &mut self,
        registration_id: &str,
        deployment_id: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reg = find_registration(&tx, registration_id)?;
        let n = tx.execute(
            "DELETE FROM deployments WHERE registration_id = ?1 AND deployment_id = ?2",
            [&reg.id, deployment_id],
        )?;
        if n == 0 {
            return Err(Error::DeploymentNotFound {
                registration: reg.id,
                deployment_id: deployment_id.into(),
            });
        }
        touch_registration(&tx, &reg.id, now)?;
        let detail = format!("deployment {deployment_id}");
        log_subject(
            &tx,
            now,
            "deployment removed",
            Some(&reg.tool_id),
            &reg.id,
            &detail,
        )?;
        tx.commit()?;
        find_registration(&self.conn, registration_id)
    }
}
