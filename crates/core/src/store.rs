//! The SQLite store: tools, public key records and the audit log. Never private key bytes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::error::{Error, Result};
use crate::key::PublicKey;
use crate::pending::{OpKind, PendingOp};
use crate::profile::StoredProfile;
use crate::rotation::{self, Policy, RotationPlan};
use crate::status::KeyStatus;
use crate::tool::{NewTool, Tool, ToolSummary};

/// Each entry migrates the schema from version `index` to `index + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_tools_and_keys.sql"),
    include_str!("migrations/0002_key_rotation.sql"),
    include_str!("migrations/0003_tool_profile.sql"),
    include_str!("migrations/0004_platforms.sql"),
    include_str!("migrations/0005_checks.sql"),
    include_str!("migrations/0006_keychain_ops.sql"),
];

/// How long a connection waits for another one's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A key row: the public facts of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// Owning tool.
    pub tool_id: String,
    /// Key id.
    pub kid: String,
    /// Modulus size.
    pub bits: u32,
    /// The public key.
    pub public: PublicKey,
    /// Life-cycle state.
    pub status: KeyStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Since when it has been in the published JWKS.
    pub published_at: DateTime<Utc>,
    /// When it started signing.
    pub signing_from: Option<DateTime<Utc>>,
    /// When it stopped signing.
    pub signing_to: Option<DateTime<Utc>>,
    /// When its overlap window ends (previous keys).
    pub unpublish_after: Option<DateTime<Utc>>,
    /// When it was retired.
    pub retired_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// When.
    pub at: DateTime<Utc>,
    /// The OS user.
    pub actor: String,
    /// What happened, e.g. `key generated`.
    pub action: String,
    /// The key concerned.
    pub kid: Option<String>,
    /// More words.
    pub detail: String,
}

/// The database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The data directory: `LTIKEYS_DATA_DIR` if set, else the OS's per-user data directory.
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("LTIKEYS_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "LTI Key Manager", "ltikeys")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or(Error::NoDataDir)
}

fn actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

fn parse_time(s: String) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })
}

fn tool_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Tool> {
    let uris: String = row.get("redirect_uris")?;
    let profile: String = row.get("profile")?;
    let profile: StoredProfile = serde_json::from_str(&profile).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(Tool {
        id: row.get("id")?,
        name: row.get("name")?,
        description: row.get("description")?,
        domain: row.get("domain")?,
        login_url: row.get("login_url")?,
        launch_url: row.get("launch_url")?,
        redirect_uris: serde_json::from_str(&uris).unwrap_or_default(),
        jwks_url: row.get("jwks_url")?,
        privacy_level: profile.privacy_level,
        canvas_tool_id: profile.canvas_tool_id,
        icon_url: profile.icon_url,
        custom_fields: profile.custom_fields,
        scopes: profile.scopes,
        placements: profile.placements,
        created_at: parse_time(row.get("created_at")?)?,
    })
}

fn key_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRecord> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let decode = |col: &str| -> rusqlite::Result<Vec<u8>> {
        let text: String = row.get(col)?;
        URL_SAFE_NO_PAD.decode(text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })
    };
    let status: String = row.get("status")?;
    Ok(KeyRecord {
        tool_id: row.get("tool_id")?,
        kid: row.get("kid")?,
        bits: row.get("bits")?,
        public: PublicKey::from_components(&decode("n")?, &decode("e")?),
        status: status.parse().map_err(|e: Error| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                e.to_string().into(),
            )
        })?,
        created_at: parse_time(row.get("created_at")?)?,
        published_at: parse_time(row.get("published_at")?)?,
        signing_from: opt_time(row.get("signing_from")?)?,
        signing_to: opt_time(row.get("signing_to")?)?,
        unpublish_after: opt_time(row.get("unpublish_after")?)?,
        retired_at: opt_time(row.get("retired_at")?)?,
        revoked_at: opt_time(row.get("revoked_at")?)?,
    })
}

fn opt_time(s: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    s.map(parse_time).transpose()
}

const KEY_COLUMNS: &str = "tool_id, kid, bits, n, e, status, created_at, published_at, \
    signing_from, signing_to, unpublish_after, retired_at, revoked_at";

fn load_keys(conn: &Connection, tool_id: &str) -> Result<Vec<KeyRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {KEY_COLUMNS} FROM keys WHERE tool_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let rows = stmt.query_map([tool_id], key_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn find_key(keys: Vec<KeyRecord>, tool_id: &str, kid: &str) -> Result<KeyRecord> {
    keys.into_iter()
        .find(|k| k.kid == kid)
        .ok_or_else(|| Error::KeyNotFound {
            tool: tool_id.into(),
            kid: kid.into(),
        })
}

fn set_status(
    conn: &Connection,
    tool_id: &str,
    kid: &str,
    status: KeyStatus,
    column: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        &format!("UPDATE keys SET status = ?1, {column} = ?2 WHERE tool_id = ?3 AND kid = ?4"),
        params![status.as_str(), now.to_rfc3339(), tool_id, kid],
    )?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, migrating it to the newest schema.
    /// On unix a new directory is the owner's only (0700).
    pub fn open_dir(dir: &Path) -> Result<Store> {
        create_private_dir(dir).map_err(|source| Error::Io {
            action: "creating the data directory",
            path: dir.to_path_buf(),
            source,
        })?;
        Store::open(&dir.join("ltikeys.sqlite3"))
    }

    /// Opens (creating if needed) the database file, migrating it to the newest schema. On
    /// unix the file and its -wal and -shm files are the owner's only (0600).
    pub fn open(path: &Path) -> Result<Store> {
        keep_private(path)?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        use_wal(&conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder the database lives in.
    pub fn data_dir(&self) -> &Path {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
    }

    /// Adds a tool; the name must be new.
    pub fn insert_tool(&mut self, tool: &NewTool, now: DateTime<Utc>) -> Result<Tool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_tool_name_free(&tx, &tool.name, "")?;
        let id = new_tool_id(&tx, std::iter::repeat_with(|| short_id('t')))?;
        let uris = serde_json::to_string(&tool.redirect_uris).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO tools (id, name, description, domain, login_url, launch_url, redirect_uris, jwks_url, profile, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            params![
                id,
                tool.name,
                tool.description,
                tool.domain,
                tool.login_url,
                tool.launch_url,
                uris,
                tool.jwks_url,
                StoredProfile::of(tool).to_json()?,
                now.to_rfc3339()
            ],
        )?;
        log_event(&tx, now, "tool added", Some(&id), None, &tool.name)?;
        tx.commit()?;
        self.tool(&id)
    }

    /// Replaces a tool's fields (its id and keys stay); the name must stay unique. Logs which
    /// fields changed; saving an unchanged tool writes and logs nothing.
    pub fn update_tool(&mut self, id: &str, tool: &NewTool, now: DateTime<Utc>) -> Result<Tool> {
        let old = self.tool(id)?;
        if old.id != id {
            return Err(Error::ToolNotFound { tool: id.into() });
        }
        let changed = tool.changed_fields(&old);
        if changed.is_empty() {
            return Ok(old);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_tool_name_free(&tx, &tool.name, id)?;
        let uris = serde_json::to_string(&tool.redirect_uris).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "UPDATE tools SET name = ?2, description = ?3, domain = ?4, login_url = ?5,
                 launch_url = ?6, redirect_uris = ?7, jwks_url = ?8, profile = ?9, updated_at = ?10
             WHERE id = ?1",
            params![
                id,
                tool.name,
                tool.description,
                tool.domain,
                tool.login_url,
                tool.launch_url,
                uris,
                tool.jwks_url,
                StoredProfile::of(tool).to_json()?,
                now.to_rfc3339()
            ],
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

    /// All tools, by name.
    pub fn tools(&self) -> Result<Vec<ToolSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.name, t.domain,
                    (SELECT COUNT(*) FROM keys k WHERE k.tool_id = t.id),
                    (SELECT kid FROM keys k WHERE k.tool_id = t.id AND k.status = 'current')
             FROM tools t ORDER BY t.name COLLATE NOCASE",
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
            })
    }

    /// The keys of a tool, oldest first.
    pub fn keys(&self, tool_id: &str) -> Result<Vec<KeyRecord>> {
        load_keys(&self.conn, tool_id)
    }

    /// A tool's rotation policy.
    pub fn policy(&self, tool_id: &str) -> Result<Policy> {
        Store::policy_in(&self.conn, tool_id)
    }

    /// Sets a tool's rotation policy.
    pub fn set_policy(&mut self, tool_id: &str, policy: &Policy, now: DateTime<Utc>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE tools SET pre_publish_secs = ?1, overlap_secs = ?2, rotate_every_secs = ?3, updated_at = ?4 WHERE id = ?5",
            params![policy.pre_publish_secs, policy.overlap_secs, policy.rotate_every_secs, now.to_rfc3339(), tool_id],
        )?;
        let detail = format!(
            "pre-publish {}, overlap {}, rotate every {}",
            rotation::human(policy.pre_publish_secs),
            rotation::human(policy.overlap_secs),
            policy
                .rotate_every_secs
                .map(rotation::human)
                .unwrap_or_else(|| "off".into())
        );
        log_event(
            &tx,
            now,
            "rotation policy set",
            Some(tool_id),
            None,
            &detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Rotates a tool's keys in one transaction, planning against the keys as they are inside it
    /// (so two concurrent rotations each see the other's result): the oldest next key becomes
    /// current, the current key becomes previous until its overlap window ends.
    pub fn rotate(&mut self, tool_id: &str, now: DateTime<Utc>) -> Result<RotationPlan> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let keys = load_keys(&tx, tool_id)?;
        let policy = Store::policy_in(&tx, tool_id)?;
        let plan = rotation::plan_rotation(&keys, &policy, now)?;
        let promote = plan.promote.clone().ok_or_else(|| {
            Error::invalid(
                "tool",
                "it has no next key to promote",
                "generate one with `ltikeys key new --next`",
            )
        })?;
        if let Some(demote) = &plan.demote {
            tx.execute(
                "UPDATE keys SET status = 'previous', signing_to = ?1, unpublish_after = ?2 WHERE tool_id = ?3 AND kid = ?4",
                params![now.to_rfc3339(), plan.unpublish_after.to_rfc3339(), tool_id, demote],
            )?;
            let detail = format!(
                "current -> previous, published until {}",
                plan.unpublish_after.to_rfc3339()
            );
            log_event(
                &tx,
                now,
                "key deactivated",
                Some(tool_id),
                Some(demote),
                &detail,
            )?;
        }
        set_status(
            &tx,
            tool_id,
            &promote,
            KeyStatus::Current,
            "signing_from",
            now,
        )?;
        let detail = if plan.lead_time_skipped {
            "next -> current (pre-publish lead time skipped)"
        } else {
            "next -> current"
        };
        log_event(
            &tx,
            now,
            "key activated",
            Some(tool_id),
            Some(&promote),
            detail,
        )?;
        tx.commit()?;
        Ok(plan)
    }

    /// Retires a previous key (unpublishes it), refusing inside its overlap window unless forced.
    pub fn retire(
        &mut self,
        tool_id: &str,
        kid: &str,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<KeyRecord> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key = find_key(load_keys(&tx, tool_id)?, tool_id, kid)?;
        rotation::check_retire(&key, now, force)?;
        set_status(&tx, tool_id, kid, KeyStatus::Retired, "retired_at", now)?;
        let early = key.unpublish_after.is_some_and(|t| t > now);
        let detail = if early {
            "previous -> retired (forced inside the overlap window)"
        } else {
            "previous -> retired"
        };
        log_event(&tx, now, "key retired", Some(tool_id), Some(kid), detail)?;
        tx.commit()?;
        find_key(self.keys(tool_id)?, tool_id, kid)
    }

    /// Revokes a key: unpublished at once, never signs again. A revoked current key hands
    /// signing to the oldest next key, if there is one. Returns the kid promoted, if any.
    /// The removal of its private key, `purge`, is announced in the same transaction.
    pub fn revoke(
        &mut self,
        tool_id: &str,
        kid: &str,
        now: DateTime<Utc>,
        purge: &PendingOp,
    ) -> Result<Option<String>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let keys = load_keys(&tx, tool_id)?;
        let key = find_key(keys.clone(), tool_id, kid)?;
        rotation::check_revoke(&key)?;
        announce_purge(&tx, purge)?;
        if key.status == KeyStatus::Current {
            tx.execute(
                "UPDATE keys SET signing_to = ?1 WHERE tool_id = ?2 AND kid = ?3",
                params![now.to_rfc3339(), tool_id, kid],
            )?;
        }
        set_status(&tx, tool_id, kid, KeyStatus::Revoked, "revoked_at", now)?;
        let detail = format!("{} -> revoked", key.status.as_str());
        log_event(&tx, now, "key revoked", Some(tool_id), Some(kid), &detail)?;
        let mut promoted = None;
        if key.status == KeyStatus::Current {
            if let Some(next) = rotation::next_key(&keys) {
                set_status(
                    &tx,
                    tool_id,
                    &next.kid,
                    KeyStatus::Current,
                    "signing_from",
                    now,
                )?;
                log_event(
                    &tx,
                    now,
                    "key activated",
                    Some(tool_id),
                    Some(&next.kid),
                    "next -> current (the current key was revoked)",
                )?;
                promoted = Some(next.kid.clone());
            }
        }
        tx.commit()?;
        Ok(promoted)
    }

    /// Keeps a JWKS check result.
    pub fn save_check(&mut self, check: &crate::check::JwksCheck) -> Result<()> {
        let json = serde_json::to_string(check).map_err(|e| {
            Error::invalid(
                "check",
                format!("could not be encoded ({e})"),
                "report this",
            )
        })?;
        self.conn.execute(
            "INSERT INTO checks (url, checked_at, result) VALUES (?1, ?2, ?3)",
            params![check.url, check.checked_at.to_rfc3339(), json],
        )?;
        Ok(())
    }

    /// The last check of each URL, newest first.
    pub fn last_checks(&self) -> Result<Vec<crate::check::JwksCheck>> {
        let mut stmt = self.conn.prepare(
            "SELECT result FROM checks WHERE id IN (SELECT MAX(id) FROM checks GROUP BY url)
             ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = vec![];
        for row in rows {
            // A result this version cannot read is skipped rather than failing the list.
            if let Ok(check) = serde_json::from_str(&row?) {
                out.push(check);
            }
        }
        Ok(out)
    }

    fn policy_in(conn: &Connection, tool_id: &str) -> Result<Policy> {
        Ok(conn.query_row(
            "SELECT pre_publish_secs, overlap_secs, rotate_every_secs FROM tools WHERE id = ?1",
            [tool_id],
            |r| {
                Ok(Policy {
                    pre_publish_secs: r.get(0)?,
                    overlap_secs: r.get(1)?,
                    rotate_every_secs: r.get(2)?,
                })
            },
        )?)
    }

    /// One key.
    pub fn key(&self, tool_id: &str, kid: &str) -> Result<Option<KeyRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {KEY_COLUMNS} FROM keys WHERE tool_id = ?1 AND kid = ?2"),
                [tool_id, kid],
                key_from_row,
            )
            .optional()?)
    }

    /// Adds a key: `current` when the tool has no current key, else `next`. One transaction,
    /// which also ends the pending operation `finishing` (the kid's reservation), if given.
    pub fn insert_key(
        &mut self,
        tool_id: &str,
        kid: &str,
        public: &PublicKey,
        now: DateTime<Utc>,
        action: &str,
        finishing: Option<&str>,
    ) -> Result<KeyRecord> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(op) = finishing {
            tx.execute("DELETE FROM keychain_ops WHERE id = ?1", [op])?;
        }
        let taken: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM keys WHERE tool_id = ?1 AND kid = ?2)",
            [tool_id, kid],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::KidExists { kid: kid.into() });
        }
        let has_current: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM keys WHERE tool_id = ?1 AND status = 'current')",
            [tool_id],
            |r| r.get(0),
        )?;
        let status = if has_current {
            KeyStatus::Next
        } else {
            KeyStatus::Current
        };
        tx.execute(
            "INSERT INTO keys (tool_id, kid, alg, bits, n, e, status, created_at, published_at, signing_from)
             VALUES (?1, ?2, 'RS256', ?3, ?4, ?5, ?6, ?7, ?7, CASE WHEN ?6 = 'current' THEN ?7 END)",
            params![
                tool_id,
                kid,
                public.bits(),
                public.n_b64(),
                public.e_b64(),
                status.as_str(),
                now.to_rfc3339()
            ],
        )?;
        log_event(
            &tx,
            now,
            action,
            Some(tool_id),
            Some(kid),
            &format!("{} bits, {}", public.bits(), status.as_str()),
        )?;
        tx.commit()?;
        self.key(tool_id, kid)?.ok_or_else(|| Error::KeyNotFound {
            tool: tool_id.into(),
            kid: kid.into(),
        })
    }

    /// Removes a key row and logs it, announcing `purge` (the removal of its private key) in the
    /// same transaction.
    pub fn delete_key(
        &mut self,
        tool_id: &str,
        kid: &str,
        now: DateTime<Utc>,
        purge: &PendingOp,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        announce_purge(&tx, purge)?;
        let n = tx.execute(
            "DELETE FROM keys WHERE tool_id = ?1 AND kid = ?2",
            [tool_id, kid],
        )?;
        if n == 0 {
            return Err(Error::KeyNotFound {
                tool: tool_id.into(),
                kid: kid.into(),
            });
        }
        log_event(&tx, now, "key deleted", Some(tool_id), Some(kid), "")?;
        tx.commit()?;
        Ok(())
    }

    /// Reserves a kid for a key about to be written to the keychain: refused when a key of the
    /// tool has it, or another operation holds it. The check and the reservation are one
    /// transaction, so of two processes wanting one kid exactly one gets it.
    pub fn reserve_kid(&mut self, op: &PendingOp) -> Result<()> {
        self.announce_unless(op, "SELECT 1 FROM keys WHERE tool_id = ?1 AND kid = ?2")
    }

    /// Announces the removal of an orphan entry's private key: refused when a live key (not
    /// revoked) has the kid by now, or another operation holds it.
    pub fn announce_orphan_purge(&mut self, op: &PendingOp) -> Result<()> {
        self.announce_unless(
            op,
            "SELECT 1 FROM keys WHERE tool_id = ?1 AND kid = ?2 AND status <> 'revoked'",
        )
    }

    /// Records `op` unless a key row matches `taken` (a query on tool id and kid), in one
    /// transaction.
    fn announce_unless(&mut self, op: &PendingOp, taken: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let taken: bool = tx.query_row(
            &format!("SELECT EXISTS({taken})"),
            [&op.tool_id, &op.kid],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::KidExists {
                kid: op.kid.clone(),
            });
        }
        insert_op(&tx, op)?;
        tx.commit()?;
        Ok(())
    }

    /// The keychain operations announced and not yet finished, oldest first.
    pub fn pending_ops(&self) -> Result<Vec<PendingOp>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, tool_id, kid, started_at FROM keychain_ops ORDER BY started_at, id",
        )?;
        let rows = stmt.query_map([], op_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One announced operation, if it is still pending.
    pub fn pending_op(&self, id: &str) -> Result<Option<PendingOp>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, kind, tool_id, kid, started_at FROM keychain_ops WHERE id = ?1",
                [id],
                op_from_row,
            )
            .optional()?)
    }

    /// Marks an operation finished.
    pub fn finish_op(&mut self, id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM keychain_ops WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Appends an event to the audit log.
    pub fn log(
        &mut self,
        now: DateTime<Utc>,
        action: &str,
        tool_id: Option<&str>,
        kid: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        log_event(&self.conn, now, action, tool_id, kid, detail)
    }

    /// The audit log of a tool, oldest first.
    pub fn events(&self, tool_id: &str) -> Result<Vec<Event>> {
        self.events_where("tool_id", tool_id)
    }

    /// The audit log entries whose `column` (`tool_id` or `subject`) is `value`, oldest first.
    fn events_where(&self, column: &'static str, value: &str) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT at, actor, action, kid, detail FROM events WHERE {column} = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([value], |r| {
            Ok(Event {
                at: parse_time(r.get(0)?)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                kid: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

// Platforms, registrations and deployments. Each change is one transaction with an audit event
// whose `subject` is the platform or registration id.

const PLATFORM_COLUMNS: &str = "id, name, family, base_url, issuer, auth_url, token_url, \
    token_audience, jwks_url, openid_configuration_url, created_at, updated_at";

fn platform_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<crate::platform::Platform> {
    let family: String = row.get("family")?;
    Ok(crate::platform::Platform {
        id: row.get("id")?,
        name: row.get("name")?,
        family: family.parse().map_err(|e: Error| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                e.to_string().into(),
            )
        })?,
        base_url: row.get("base_url")?,
        issuer: row.get("issuer")?,
        auth_url: row.get("auth_url")?,
        token_url: row.get("token_url")?,
        token_audience: row.get("token_audience")?,
        jwks_url: row.get("jwks_url")?,
        openid_configuration_url: row.get("openid_configuration_url")?,
        created_at: parse_time(row.get("created_at")?)?,
        updated_at: parse_time(row.get("updated_at")?)?,
    })
}

/// A short id: `prefix` + 8 random hex digits.
fn short_id(prefix: char) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// A fresh short id (`prefix` + 8 hex digits) not yet used in `table`.
fn new_id(conn: &Connection, prefix: char, table: &str) -> Result<String> {
    first_unused(
        conn,
        &format!("SELECT EXISTS(SELECT 1 FROM {table} WHERE id = ?1)"),
        std::iter::repeat_with(|| short_id(prefix)),
    )
}

/// The first of `candidates` that is no tool's id and no tool's name (in any case):
/// [`Store::tool`] takes an id or a name, and the two must never meet.
fn new_tool_id(conn: &Connection, candidates: impl IntoIterator<Item = String>) -> Result<String> {
    // `name` compares without case (COLLATE NOCASE).
    first_unused(
        conn,
        "SELECT EXISTS(SELECT 1 FROM tools WHERE id = ?1 OR name = ?1)",
        candidates,
    )
}

/// The first of `candidates` for which the query `used` (given it as ?1) answers false.
fn first_unused(
    conn: &Connection,
    used: &str,
    candidates: impl IntoIterator<Item = String>,
) -> Result<String> {
    for candidate in candidates {
        if !conn.query_row(used, [&candidate], |r| r.get::<_, bool>(0))? {
            return Ok(candidate);
        }
    }
    Err(Error::invalid("id", "no free id was found", "try again"))
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

fn log_subject(
    conn: &Connection,
    now: DateTime<Utc>,
    action: &str,
    tool_id: Option<&str>,
    subject: &str,
    detail: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO events (at, actor, action, tool_id, kid, detail, subject)
         VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)",
        params![now.to_rfc3339(), actor(), action, tool_id, detail, subject],
    )?;
    Ok(())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn find_platform(conn: &Connection, id_or_name: &str) -> Result<crate::platform::Platform> {
    conn.query_row(
        &format!(
            "SELECT {PLATFORM_COLUMNS} FROM platforms WHERE id = ?1 UNION ALL
             SELECT {PLATFORM_COLUMNS} FROM platforms WHERE name = ?1 AND id <> ?1 LIMIT 1"
        ),
        [id_or_name],
        platform_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::PlatformNotFound {
        platform: id_or_name.to_string(),
    })
}

fn ensure_platform_name_free(conn: &Connection, name: &str, except: &str) -> Result<()> {
    let taken: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM platforms WHERE name = ?1 AND id <> ?2)",
        [name, except],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::PlatformExists { name: name.into() });
    }
    Ok(())
}

/// The registration that holds (issuer, client_id), other than `except`.
fn registration_holding(
    conn: &Connection,
    issuer: &str,
    client_id: &str,
    except: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM registrations WHERE issuer = ?1 AND client_id = ?2 AND id <> ?3",
            [issuer, client_id, except],
            |r| r.get(0),
        )
        .optional()?)
}

fn load_deployments(
    conn: &Connection,
    registration_id: &str,
) -> Result<Vec<crate::registration::Deployment>> {
    let mut stmt = conn.prepare(
        "SELECT deployment_id, label, added_at FROM deployments
         WHERE registration_id = ?1 ORDER BY added_at, rowid",
    )?;
    let rows = stmt.query_map([registration_id], |r| {
        Ok(crate::registration::Deployment {
            deployment_id: r.get(0)?,
            label: r.get(1)?,
            added_at: parse_time(r.get(2)?)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const REGISTRATION_SELECT: &str = "SELECT r.id, r.tool_id, t.name, r.platform_id, p.name, \
    r.issuer, r.client_id, r.created_at, r.updated_at
    FROM registrations r JOIN tools t ON t.id = r.tool_id JOIN platforms p ON p.id = r.platform_id";

fn load_registrations(
    conn: &Connection,
    filter: &str,
    args: &[&str],
) -> Result<Vec<crate::registration::Registration>> {
    let mut stmt = conn.prepare(&format!(
        "{REGISTRATION_SELECT} {filter} ORDER BY p.name COLLATE NOCASE, t.name COLLATE NOCASE, r.created_at"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        Ok(crate::registration::Registration {
            id: r.get(0)?,
            tool_id: r.get(1)?,
            tool_name: r.get(2)?,
            platform_id: r.get(3)?,
            platform_name: r.get(4)?,
            issuer: r.get(5)?,
            client_id: r.get(6)?,
            deployments: vec![],
            created_at: parse_time(r.get(7)?)?,
            updated_at: parse_time(r.get(8)?)?,
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    for reg in &mut out {
        reg.deployments = load_deployments(conn, &reg.id)?;
    }
    Ok(out)
}

fn find_registration(conn: &Connection, id: &str) -> Result<crate::registration::Registration> {
    load_registrations(conn, "WHERE r.id = ?1", &[id])?
        .pop()
        .ok_or_else(|| Error::RegistrationNotFound {
            registration: id.to_string(),
        })
}

fn touch_registration(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<()> {
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

fn deployment_detail(deployment: &crate::registration::NewDeployment) -> String {
    match &deployment.label {
        Some(label) => format!("deployment {} ({label})", deployment.deployment_id),
        None => format!("deployment {}", deployment.deployment_id),
    }
}

impl Store {
    /// Adds a platform; the name must be new (case-insensitive). `spec` is checked already.
    pub fn insert_platform(
        &mut self,
        spec: &crate::platform::PlatformSpec,
        now: DateTime<Utc>,
        action: &str,
    ) -> Result<crate::platform::Platform> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_platform_name_free(&tx, &spec.name, "")?;
        let id = new_id(&tx, 'p', "platforms")?;
        tx.execute(
            &format!(
                "INSERT INTO platforms ({PLATFORM_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)"
            ),
            params![
                id,
                spec.name,
                spec.family.as_str(),
                spec.base_url,
                spec.issuer,
                spec.auth_url,
                spec.token_url,
                spec.token_audience,
                spec.jwks_url,
                spec.openid_configuration_url,
                now.to_rfc3339()
            ],
        )?;
        let detail = format!("{} ({}), issuer {}", spec.name, spec.family, spec.issuer);
        log_subject(&tx, now, action, None, &id, &detail)?;
        tx.commit()?;
        find_platform(&self.conn, &id)
    }

    /// All platforms, by name.
    pub fn platforms(&self) -> Result<Vec<crate::platform::Platform>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PLATFORM_COLUMNS} FROM platforms ORDER BY name COLLATE NOCASE"
        ))?;
        let rows = stmt.query_map([], platform_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A platform by id or, failing that, by name (case-insensitive).
    pub fn platform(&self, id_or_name: &str) -> Result<crate::platform::Platform> {
        find_platform(&self.conn, id_or_name)
    }

    /// Replaces a platform's values. Its registrations follow a new issuer; a new issuer that
    /// would give two registrations the same (issuer, client_id) is refused.
    pub fn update_platform(
        &mut self,
        id: &str,
        spec: &crate::platform::PlatformSpec,
        now: DateTime<Utc>,
        action: &str,
        detail: &str,
    ) -> Result<crate::platform::Platform> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = find_platform(&tx, id)?;
        ensure_platform_name_free(&tx, &spec.name, id)?;
        if before.issuer != spec.issuer {
            let mut stmt =
                tx.prepare("SELECT client_id FROM registrations WHERE platform_id = ?1")?;
            let clients = stmt
                .query_map([id], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            drop(stmt);
            for client_id in clients {
                if let Some(existing) = registration_holding(&tx, &spec.issuer, &client_id, "")? {
                    return Err(Error::DuplicateRegistration {
                        issuer: spec.issuer.clone(),
                        client_id,
                        existing,
                    });
                }
            }
        }
        tx.execute(
            "UPDATE platforms SET name = ?2, family = ?3, base_url = ?4, issuer = ?5,
                auth_url = ?6, token_url = ?7, token_audience = ?8, jwks_url = ?9,
                openid_configuration_url = ?10, updated_at = ?11
             WHERE id = ?1",
            params![
                id,
                spec.name,
                spec.family.as_str(),
                spec.base_url,
                spec.issuer,
                spec.auth_url,
                spec.token_url,
                spec.token_audience,
                spec.jwks_url,
                spec.openid_configuration_url,
                now.to_rfc3339()
            ],
        )?;
        log_subject(&tx, now, action, None, id, detail)?;
        tx.commit()?;
        find_platform(&self.conn, id)
    }

    /// Removes a platform that no registration uses.
    pub fn delete_platform(&mut self, id: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let platform = find_platform(&tx, id)?;
        let count: u32 = tx.query_row(
            "SELECT COUNT(*) FROM registrations WHERE platform_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        if count > 0 {
            return Err(Error::PlatformInUse {
                platform: platform.name,
                count,
            });
        }
        tx.execute("DELETE FROM platforms WHERE id = ?1", [id])?;
        log_subject(&tx, now, "platform removed", None, id, &platform.name)?;
        tx.commit()?;
        Ok(())
    }

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
        let platform = find_platform(&tx, platform_id)?;
        let client_id = &registration.client_id;
        let duplicate = |existing: String| Error::DuplicateRegistration {
            issuer: platform.issuer.clone(),
            client_id: client_id.clone(),
            existing,
        };
        if let Some(existing) = registration_holding(&tx, &platform.issuer, client_id, "")? {
            return Err(duplicate(existing));
        }
        let id = new_id(&tx, 'r', "registrations")?;
        tx.execute(
            "INSERT INTO registrations (id, tool_id, platform_id, issuer, client_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![id, tool_id, platform.id, platform.issuer, client_id, now.to_rfc3339()],
        )
        .map_err(|e| {
            if is_unique_violation(&e) {
                duplicate(String::from("(another)"))
            } else {
                e.into()
            }
        })?;
        let detail = format!(
            "registration on {} ({}), client_id {client_id}",
            platform.name, platform.issuer
        );
        log_subject(&tx, now, "registration added", Some(tool_id), &id, &detail)?;
        for deployment in &registration.deployments {
            insert_deployment(&tx, &id, deployment, now)?;
            let detail = deployment_detail(deployment);
            log_subject(&tx, now, "deployment added", Some(tool_id), &id, &detail)?;
        }
        tx.commit()?;
        find_registration(&self.conn, &id)
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

    /// One registration by id.
    pub fn registration(&self, id: &str) -> Result<crate::registration::Registration> {
        find_registration(&self.conn, id)
    }

    /// Removes a registration and its deployment ids.
    pub fn delete_registration(&mut self, id: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reg = find_registration(&tx, id)?;
        tx.execute("DELETE FROM registrations WHERE id = ?1", [id])?;
        let detail = format!(
            "registration on {}, client_id {}, with {} deployment id(s)",
            reg.platform_name,
            reg.client_id,
            reg.deployments.len()
        );
        log_subject(
            &tx,
            now,
            "registration removed",
            Some(&reg.tool_id),
            id,
            &detail,
        )?;
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
        insert_deployment(&tx, &reg.id, deployment, now)?;
        touch_registration(&tx, &reg.id, now)?;
        let detail = deployment_detail(deployment);
        log_subject(
            &tx,
            now,
            "deployment added",
            Some(&reg.tool_id),
            &reg.id,
            &detail,
        )?;
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

    /// The audit log of a platform or registration (by id), oldest first.
    pub fn subject_events(&self, subject: &str) -> Result<Vec<Event>> {
        self.events_where("subject", subject)
    }
}

fn op_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PendingOp> {
    let kind: String = row.get(1)?;
    Ok(PendingOp {
        id: row.get(0)?,
        kind: OpKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                format!("unknown keychain operation '{kind}'").into(),
            )
        })?,
        tool_id: row.get(2)?,
        kid: row.get(3)?,
        started_at: parse_time(row.get(4)?)?,
    })
}

/// Records an operation; a kid another operation holds is refused.
fn insert_op(conn: &Connection, op: &PendingOp) -> Result<()> {
    conn.execute(
        "INSERT INTO keychain_ops (id, kind, tool_id, kid, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            op.id,
            op.kind.as_str(),
            op.tool_id,
            op.kid,
            op.started_at.to_rfc3339()
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::KidBusy {
                kid: op.kid.clone(),
            }
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// Announces a purge, taking over an unfinished purge of the same kid (removing an entry twice
/// is harmless).
fn announce_purge(conn: &Connection, op: &PendingOp) -> Result<()> {
    conn.execute(
        "DELETE FROM keychain_ops WHERE tool_id = ?1 AND kid = ?2 AND kind = 'purge'",
        [&op.tool_id, &op.kid],
    )?;
    insert_op(conn, op)
}

/// Creates `dir` and its parents where missing; on unix `dir` itself, when new, is the owner's
/// only (0700). Several processes may do this at once.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        result => result,
    }
}

/// On unix, makes the database file the owner's only before SQLite opens it: a new one is
/// created 0600 (SQLite gives the -wal and -shm files the database's mode), and an existing
/// database, -wal or -shm file open to others (made by an earlier version) is tightened where
/// the OS allows.
fn keep_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(Error::Io {
                    action: "creating the database",
                    path: path.to_path_buf(),
                    source: e,
                })
            }
            _ => {}
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let Ok(meta) = std::fs::metadata(&file) else {
                continue;
            };
            if meta.permissions().mode() & 0o077 != 0 {
                // Best effort: a file of another user's stays as it is.
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn log_event(
    conn: &Connection,
    now: DateTime<Utc>,
    action: &str,
    tool_id: Option<&str>,
    kid: Option<&str>,
    detail: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO events (at, actor, action, tool_id, kid, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now.to_rfc3339(), actor(), action, tool_id, kid, detail],
    )?;
    Ok(())
}

/// Switches the database to WAL. While other processes open or migrate the same new file,
/// SQLite can answer this with SQLITE_BUSY at once, without waiting in the busy handler: it is
/// tried again until [`BUSY_TIMEOUT`].
fn use_wal(conn: &Connection) -> Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)) {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result.map(drop).map_err(Error::from),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Brings the schema to [`SCHEMA_VERSION`] in one IMMEDIATE transaction that reads the version
/// inside it, so that processes opening a new database at once migrate it once, one after the
/// other.
fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).unwrap();
        (dir, store)
    }

    fn new_tool(name: &str) -> NewTool {
        NewTool {
            name: name.into(),
            ..NewTool::default()
        }
    }

    #[test]
    fn migrates_once_and_reopens() {
        let (dir, store) = store();
        drop(store);
        let store = Store::open_dir(dir.path()).unwrap();
        let v: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[cfg(unix)]
    #[test]
    fn the_data_directory_and_the_database_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        let files = [
            "ltikeys.sqlite3",
            "ltikeys.sqlite3-wal",
            "ltikeys.sqlite3-shm",
        ];
        let store = Store::open_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "a new data directory");
        for name in files {
            assert_eq!(mode(&dir.join(name)), 0o600, "a new {name}");
        }
        drop(store);

        // A database an earlier version left readable by all is tightened when opened.
        let db = dir.join(files[0]);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _store = Store::open_dir(&dir).unwrap();
        for name in files {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name} after reopening");
        }
    }

    #[test]
    fn refuses_a_newer_schema() {
        let (dir, store) = store();
        store.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        let err = Store::open_dir(dir.path()).err().unwrap();
        assert!(
            matches!(err, Error::SchemaTooNew { found: 99, .. }),
            "{err}"
        );
    }

    #[test]
    fn tool_names_are_unique_ignoring_case_and_found_by_id_or_name() {
        let (_dir, mut store) = store();
        let now = Utc::now();
        let t = store.insert_tool(&new_tool("Quiz"), now).unwrap();
        assert!(matches!(
            store.insert_tool(&new_tool("quiz"), now),
            Err(Error::ToolExists { .. })
        ));
        assert_eq!(store.tool(&t.id).unwrap().name, "Quiz");
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
        assert_eq!(store.tool(&poll.id).unwrap().name, "Poll");
        assert_eq!(store.tool(&quiz.id).unwrap().name, "Quiz");
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
    fn first_key_is_current_later_ones_next() {
        let (_dir, mut store) = store();
        let now = Utc::now();
        let t = store.insert_tool(&new_tool("Quiz"), now).unwrap();
        let pk = PublicKey::from_components(&[0xc0; 256], &[1, 0, 1]);
        let a = store
            .insert_key(&t.id, "a", &pk, now, "key generated", None)
            .unwrap();
        let b = store
            .insert_key(&t.id, "b", &pk, now, "key generated", None)
            .unwrap();
        assert_eq!(a.status, KeyStatus::Current);
        assert_eq!(b.status, KeyStatus::Next);
        assert_eq!(a.bits, 2048);
        assert_eq!(
            a.public, pk,
            "the public key must round-trip through the database"
        );
        assert!(matches!(
            store.insert_key(&t.id, "a", &pk, now, "key generated", None),
            Err(Error::KidExists { .. })
        ));
        let summary = &store.tools().unwrap()[0];
        assert_eq!(
            (summary.key_count, summary.current_kid.as_deref()),
            (2, Some("a"))
        );
        let actions: Vec<_> = store
            .events(&t.id)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["tool added", "key generated", "key generated"]);
    }

    #[test]
    fn the_database_allows_one_current_key_per_tool() {
        let (_dir, mut store) = store();
        let t = store.insert_tool(&new_tool("Quiz"), Utc::now()).unwrap();
        let pk = PublicKey::from_components(&[0xc0; 256], &[1, 0, 1]);
        store
            .insert_key(&t.id, "a", &pk, Utc::now(), "x", None)
            .unwrap();
        store
            .insert_key(&t.id, "b", &pk, Utc::now(), "x", None)
            .unwrap();
        let err = store
            .conn
            .execute("UPDATE keys SET status = 'current' WHERE kid = 'b'", [])
            .unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
    }
}
