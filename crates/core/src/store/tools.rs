//! Tool rows: adding, changing and finding tools, with names and ids that never meet.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, ToSql, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::keys::{announce_purge, load_keys};
use super::registrations::{load_registrations, log_registration_removed};
use super::{first_unused, log_event, parse_time, short_id, Store};
use crate::error::{Error, Result};
use crate::lti::PrivacyLevel;
use crate::pending::PendingOp;
use crate::placement::Placement;
use crate::tool::{CustomFields, Eula, Tool, ToolProfile, ToolSummary};

/// The profile fields of a tool as one JSON column of the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
struct StoredProfile {
    privacy_level: PrivacyLevel,
    canvas_tool_id: Option<String>,
    icon_url: Option<String>,
    custom_fields: CustomFields,
    scopes: Vec<String>,
    placements: Vec<Placement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eula: Option<Eula>,
}

impl StoredProfile {
    /// The fields of a profile this column holds.
    fn of(tool: &ToolProfile) -> Self {
        StoredProfile {
            privacy_level: tool.privacy_level,
            canvas_tool_id: tool.canvas_tool_id.clone(),
            icon_url: tool.icon_url.clone(),
            custom_fields: tool.custom_fields.clone(),
            scopes: tool.scopes.clone(),
            placements: tool.placements.clone(),
            eula: tool.eula.clone(),
        }
    }

    /// The column's JSON text.
    fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| {
            Error::invalid(
                "tool profile",
                format!("could not be encoded ({e})"),
                "report this",
            )
        })
    }
}

/// The redirect URIs as the column's JSON text.
fn uris_json(uris: &[String]) -> String {
    serde_json::to_string(uris).expect("a list of strings always encodes as JSON")
}

/// A tool row; the inner error when one of its JSON columns cannot be read.
fn tool_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Tool>> {
    let id: String = row.get("id")?;
    let profile = match profile_from_row(row, &id)? {
        Ok(profile) => profile,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(Tool {
        id,
        profile,
        created_at: parse_time(row.get("created_at")?)?,
    }))
}

/// The profile of tool `id`'s row: its own columns and the JSON `profile` column.
fn profile_from_row(row: &rusqlite::Row<'_>, id: &str) -> rusqlite::Result<Result<ToolProfile>> {
    let name: String = row.get("name")?;
    let unreadable = |what: &str, e: serde_json::Error| Error::Unreadable {
        what: format!("the {what} of tool '{name}' ({id})"),
        problem: e.to_string(),
        fix: "restore the data directory from a backup, or open it with the newer version of \
              LTI Key Manager that wrote it"
            .into(),
    };
    let uris: String = row.get("redirect_uris")?;
    let redirect_uris = match serde_json::from_str(&uris) {
        Ok(uris) => uris,
        Err(e) => return Ok(Err(unreadable("redirect URIs", e))),
    };
    let stored: String = row.get("profile")?;
    let stored: StoredProfile = match serde_json::from_str(&stored) {
        Ok(stored) => stored,
        Err(e) => return Ok(Err(unreadable("profile", e))),
    };
    Ok(Ok(ToolProfile {
        name,
        description: row.get("description")?,
        domain: row.get("domain")?,
        login_url: row.get("login_url")?,
        launch_url: row.get("launch_url")?,
        redirect_uris,
        jwks_url: row.get("jwks_url")?,
        privacy_level: stored.privacy_level,
        canvas_tool_id: stored.canvas_tool_id,
        icon_url: stored.icon_url,
        custom_fields: stored.custom_fields,
        scopes: stored.scopes,
        placements: stored.placements,
        eula: stored.eula,
    }))
}

/// A tool row's values, for the named parameters of its INSERT and UPDATE.
struct ToolColumns<'a> {
    id: &'a str,
    profile: &'a ToolProfile,
    redirect_uris: String,
    stored: String,
    now: String,
}

impl<'a> ToolColumns<'a> {
    fn new(id: &'a str, profile: &'a ToolProfile, now: DateTime<Utc>) -> Result<Self> {
        Ok(ToolColumns {
            id,
            profile,
            redirect_uris: uris_json(&profile.redirect_uris),
            stored: StoredProfile::of(profile).to_json()?,
            now: now.to_rfc3339(),
        })
    }

    /// `:id`, a column's name for each profile column, and `:now`.
    fn params(&self) -> [(&'static str, &dyn ToSql); 10] {
        let p = self.profile;
        [
            (":id", &self.id),
            (":name", &p.name),
            (":description", &p.description),
            (":domain", &p.domain),
            (":login_url", &p.login_url),
            (":launch_url", &p.launch_url),
            (":redirect_uris", &self.redirect_uris),
            (":jwks_url", &p.jwks_url),
            (":profile", &self.stored),
            (":now", &self.now),
        ]
    }
}

/// What [`Store::delete_tool`] removed with a tool.
pub(crate) struct DeletedTool {
    /// The tool's name.
    pub name: String,
    /// The removal of each of its keys' private keys, announced in the deleting transaction.
    pub purges: Vec<PendingOp>,
    /// How many registrations went with it.
    pub registrations: u32,
    /// How many deployment ids those had.
    pub deployments: u32,
}

impl Store {
    /// Adds a tool; the name must be new.
    pub fn insert_tool(&mut self, tool: &ToolProfile, now: DateTime<Utc>) -> Result<Tool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = fresh_tool_id(&tx)?;
        insert_tool_in(&tx, &id, tool, now)?;
        tx.commit()?;
        self.tool(&id)
    }

    /// Replaces a tool's fields (its id and keys stay); the name must stay unique. Logs which
    /// fields changed; saving an unchanged tool writes and logs nothing.
    pub fn update_tool(
        &mut self,
        id: &str,
        tool: &ToolProfile,
        now: DateTime<Utc>,
    ) -> Result<Tool> {
        let old = self.tool(id)?;
        if old.id != id {
            return Err(Error::ToolNotFound { tool: id.into() });
        }
        let changed = tool.changed_fields(&old.profile);
        if changed.is_empty() {
            return Ok(old);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_tool_name_free(&tx, &tool.name, id)?;
        tx.execute(
            "UPDATE tools SET name = :name, description = :description, domain = :domain,
                 login_url = :login_url, launch_url = :launch_url, redirect_uris = :redirect_uris,
                 jwks_url = :jwks_url, profile = :profile, updated_at = :now
             WHERE id = :id",
            &ToolColumns::new(id, tool, now)?.params(),
        )?;
        log_event(
            &tx,
            now,
            "tool changed",
            Some(id),
            None,
            &changed.join(", "),
        )?;
        tx.commit()?;
        self.tool(id)
    }

    /// Removes a tool with its keys and rotation policy, and with its registrations and their
    /// deployment ids when `with_registrations` (a tool that has registrations is refused
    /// otherwise). One transaction, which also announces the removal of each key's private key:
    /// `purge` makes that operation for a kid. Each key, each registration and the tool are
    /// logged.
    pub fn delete_tool(
        &mut self,
        id: &str,
        with_registrations: bool,
        now: DateTime<Utc>,
        purge: &mut dyn FnMut(&str) -> Result<PendingOp>,
    ) -> Result<DeletedTool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let name: String = tx
            .query_row("SELECT name FROM tools WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::ToolNotFound { tool: id.into() })?;
        let registrations = load_registrations(&tx, "WHERE r.tool_id = ?1", &[id])?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        if !registrations.is_empty() && !with_registrations {
            return Err(Error::ToolHasRegistrations {
                tool: name,
                count: count(registrations.len()),
            });
        }
        let mut purges = Vec::new();
        for key in load_keys(&tx, id)? {
            let op = purge(&key.kid)?;
            announce_purge(&tx, &op)?;
            log_event(
                &tx,
                now,
                "key deleted",
                Some(id),
                Some(&key.kid),
                "with its tool",
            )?;
            purges.push(op);
        }
        for reg in &registrations {
            log_registration_removed(&tx, reg, now)?;
        }
        // Keys, registrations and their deployment ids go with the row (ON DELETE CASCADE).
        tx.execute("DELETE FROM tools WHERE id = ?1", [id])?;
        let deployments = count(registrations.iter().map(|r| r.deployments.len()).sum());
        let detail = format!(
            "{name}, with {} key(s) and {} registration(s) ({deployments} deployment id(s))",
            purges.len(),
            registrations.len()
        );
        log_event(&tx, now, "tool removed", Some(id), None, &detail)?;
        tx.commit()?;
        Ok(DeletedTool {
            name,
            purges,
            registrations: count(registrations.len()),
            deployments,
        })
    }

    /// All tools, by name.
    pub fn tools(&self) -> Result<Vec<ToolSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.name, t.domain,
                    (SELECT COUNT(*) FROM keys k WHERE k.tool_id = t.id),
                    (SELECT kid FROM keys k WHERE k.tool_id = t.id AND k.status = 'current')
             FROM tools t ORDER BY t.name COLLATE NATURAL_NOCASE",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ToolSummary {
                id: r.get(0)?,
                name: r.get(1)?,
                domain: r.get(2)?,
                key_count: r.get(3)?,
                current_kid: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A tool by id or, failing that, by name (case-insensitive).
    pub fn tool(&self, id_or_name: &str) -> Result<Tool> {
        self.conn
            .query_row(
                "SELECT * FROM tools WHERE id = ?1 UNION ALL
                 SELECT * FROM tools WHERE name = ?1 AND id <> ?1 LIMIT 1",
                [id_or_name],
                tool_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::ToolNotFound {
                tool: id_or_name.to_string(),
            })?
    }
}

/// The first of `candidates` that is no tool's id and no tool's name (in any case):
/// [`Store::tool`] takes an id or a name, and the two must never meet.
/// A tool id no tool has (nor as its name).
pub(super) fn fresh_tool_id(conn: &Connection) -> Result<String> {
    new_tool_id(conn, std::iter::repeat_with(|| short_id('t')))
}

/// Adds a tool under `id` inside the caller's transaction; the name must be new.
pub(super) fn insert_tool_in(
    conn: &Connection,
    id: &str,
    tool: &ToolProfile,
    now: DateTime<Utc>,
) -> Result<()> {
    ensure_tool_name_free(conn, &tool.name, "")?;
    conn.execute(
        "INSERT INTO tools (id, name, description, domain, login_url, launch_url, redirect_uris, jwks_url, profile, created_at, updated_at)
         VALUES (:id, :name, :description, :domain, :login_url, :launch_url, :redirect_uris, :jwks_url, :profile, :now, :now)",
        &ToolColumns::new(id, tool, now)?.params(),
    )?;
    log_event(conn, now, "tool added", Some(id), None, &tool.name)
}

fn new_tool_id(conn: &Connection, candidates: impl IntoIterator<Item = String>) -> Result<String> {
    // `name` compares without case (COLLATE NOCASE).
    first_unused(
        conn,
        "SELECT EXISTS(SELECT 1 FROM tools WHERE id = ?1 OR name = ?1)",
        candidates,
    )
}

/// A tool's name must be new (in any case) and no other tool's id (in any case either):
/// [`Store::tool`] takes an id or a name, and each must find one tool.
fn ensure_tool_name_free(conn: &Connection, name: &str, except: &str) -> Result<()> {
    let taken: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM tools WHERE name = ?1 AND id <> ?2)",
        [name, except],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::ToolExists { name: name.into() });
    }
    let holder: Option<String> = conn
        .query_row(
            "SELECT name FROM tools WHERE id = ?1 COLLATE NOCASE AND id <> ?2",
            [name, except],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(holder) = holder {
        return Err(Error::invalid(
            "name",
            format!("'{name}' is the id of tool '{holder}'"),
            "choose another name: a tool is found by its id or its name, so no name may be \
             another tool's id",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{new_tool, store};
    use super::*;

    #[test]
    fn tool_names_are_unique_ignoring_case_and_found_by_id_or_name() {
        let (_dir, mut store) = store();
        let now = Utc::now();
        let t = store.insert_tool(&new_tool("Quiz"), now).unwrap();
        assert!(matches!(
            store.insert_tool(&new_tool("quiz"), now),
            Err(Error::ToolExists { .. })
        ));
        assert_eq!(store.tool(&t.id).unwrap().profile.name, "Quiz");
        assert_eq!(store.tool("QUIZ").unwrap().id, t.id);
        assert!(matches!(
            store.tool("nope"),
            Err(Error::ToolNotFound { .. })
        ));
    }

    #[test]
    fn a_tool_name_may_not_be_another_tools_id() {
        let (_dir, mut store) = store();
        let now = Utc::now();
        let quiz = store.insert_tool(&new_tool("Quiz"), now).unwrap();
        let is_name_error = |err: &Error| {
            matches!(err, Error::Invalid { field, .. } if field == "name")
                && err.to_string().contains("is the id of tool 'Quiz'")
        };
        for name in [quiz.id.clone(), quiz.id.to_uppercase()] {
            let err = store.insert_tool(&new_tool(&name), now).unwrap_err();
            assert!(is_name_error(&err), "adding a tool named {name}: {err}");
        }
        let poll = store.insert_tool(&new_tool("Poll"), now).unwrap();
        let err = store
            .update_tool(&poll.id, &new_tool(&quiz.id.to_uppercase()), now)
            .unwrap_err();
        assert!(is_name_error(&err), "renaming to another tool's id: {err}");
        assert_eq!(store.tool(&poll.id).unwrap().profile.name, "Poll");
        assert_eq!(store.tool(&quiz.id).unwrap().profile.name, "Quiz");
    }

    #[test]
    fn a_new_tool_id_is_no_tools_name() {
        let (_dir, mut store) = store();
        let now = Utc::now();
        // A name shaped like an id is fine while no tool has that id...
        let named = store.insert_tool(&new_tool("T0123ABCD"), now).unwrap();
        assert_eq!(store.tool("t0123abcd").unwrap().id, named.id);
        // ...and that id is then never given to a tool.
        let candidates = [
            "t0123abcd".to_string(),
            named.id.clone(),
            "t0123abce".into(),
        ];
        assert_eq!(
            new_tool_id(&store.conn, candidates).unwrap(),
            "t0123abce",
            "an id equal to a tool's name or id is skipped"
        );
    }

    #[test]
    fn a_tool_whose_json_columns_cannot_be_read_is_an_error_naming_them() {
        let (_dir, mut store) = store();
        let t = store.insert_tool(&new_tool("Quiz"), Utc::now()).unwrap();
        let set = |store: &Store, column: &str, value: &str| {
            store
                .conn
                .execute(
                    &format!("UPDATE tools SET {column} = ?2 WHERE id = ?1"),
                    [t.id.as_str(), value],
                )
                .unwrap();
        };
        for (column, valid, what) in [
            ("redirect_uris", "[]", "redirect URIs"),
            ("profile", "{}", "profile"),
        ] {
            set(&store, column, "not json");
            let err = store.tool(&t.id).unwrap_err();
            assert!(matches!(err, Error::Unreadable { .. }), "{column}: {err}");
            assert_eq!(err.kind(), "database");
            assert!(
                err.to_string()
                    .contains(&format!("the {what} of tool 'Quiz' ({})", t.id)),
                "the error names the column and the tool: {err}"
            );
            set(&store, column, valid);
            assert_eq!(
                store.tool(&t.id).unwrap().profile.name,
                "Quiz",
                "{column} readable again"
            );
        }
    }
}
