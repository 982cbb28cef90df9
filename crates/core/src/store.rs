//! The SQLite store: tools, public key records and the audit log. Never private key bytes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::error::{Error, Result};
use crate::key::PublicKey;
use crate::status::KeyStatus;
use crate::tool::{NewTool, Tool, ToolSummary};

/// Each entry migrates the schema from version `index` to `index + 1`. Append only.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_tools_and_keys.sql")];

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
    Ok(Tool {
        id: row.get("id")?,
        name: row.get("name")?,
        description: row.get("description")?,
        domain: row.get("domain")?,
        login_url: row.get("login_url")?,
        launch_url: row.get("launch_url")?,
        redirect_uris: serde_json::from_str(&uris).unwrap_or_default(),
        jwks_url: row.get("jwks_url")?,
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
    })
}

const KEY_COLUMNS: &str = "tool_id, kid, bits, n, e, status, created_at";

impl Store {
    /// Opens (creating if needed) the database in `dir`, migrating it to the newest schema.
    pub fn open_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            action: "creating the data directory",
            path: dir.to_path_buf(),
            source,
        })?;
        Store::open(&dir.join("ltikeys.sqlite3"))
    }

    /// Opens (creating if needed) the database file, migrating it to the newest schema.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
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

    /// Adds a tool; the name must be new.
    pub fn insert_tool(&mut self, tool: &NewTool, now: DateTime<Utc>) -> Result<Tool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM tools WHERE name = ?1)",
            [&tool.name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::ToolExists {
                name: tool.name.clone(),
            });
        }
        let id = loop {
            let candidate = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
            let used: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM tools WHERE id = ?1)",
                [&candidate],
                |r| r.get(0),
            )?;
            if !used {
                break candidate;
            }
        };
        let uris = serde_json::to_string(&tool.redirect_uris).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO tools (id, name, description, domain, login_url, launch_url, redirect_uris, jwks_url, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            params![
                id,
                tool.name,
                tool.description,
                tool.domain,
                tool.login_url,
                tool.launch_url,
                uris,
                tool.jwks_url,
                now.to_rfc3339()
            ],
        )?;
        log_event(&tx, now, "tool added", Some(&id), None, &tool.name)?;
        tx.commit()?;
        self.tool(&id)
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
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {KEY_COLUMNS} FROM keys WHERE tool_id = ?1 ORDER BY created_at, rowid"
        ))?;
        let rows = stmt.query_map([tool_id], key_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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

    /// Adds a key: `current` when the tool has no current key, else `next`. One transaction.
    pub fn insert_key(
        &mut self,
        tool_id: &str,
        kid: &str,
        public: &PublicKey,
        now: DateTime<Utc>,
        action: &str,
    ) -> Result<KeyRecord> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
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
            "INSERT INTO keys (tool_id, kid, alg, bits, n, e, status, created_at)
             VALUES (?1, ?2, 'RS256', ?3, ?4, ?5, ?6, ?7)",
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

    /// Removes a key row and logs it.
    pub fn delete_key(&mut self, tool_id: &str, kid: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
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
        let mut stmt = self.conn.prepare(
            "SELECT at, actor, action, kid, detail FROM events WHERE tool_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([tool_id], |r| {
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
    fn first_key_is_current_later_ones_next() {
        let (_dir, mut store) = store();
        let now = Utc::now();
        let t = store.insert_tool(&new_tool("Quiz"), now).unwrap();
        let pk = PublicKey::from_components(&[0xc0; 256], &[1, 0, 1]);
        let a = store
            .insert_key(&t.id, "a", &pk, now, "key generated")
            .unwrap();
        let b = store
            .insert_key(&t.id, "b", &pk, now, "key generated")
            .unwrap();
        assert_eq!(a.status, KeyStatus::Current);
        assert_eq!(b.status, KeyStatus::Next);
        assert_eq!(a.bits, 2048);
        assert_eq!(
            a.public, pk,
            "the public key must round-trip through the database"
        );
        assert!(matches!(
            store.insert_key(&t.id, "a", &pk, now, "key generated"),
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
        store.insert_key(&t.id, "a", &pk, Utc::now(), "x").unwrap();
        store.insert_key(&t.id, "b", &pk, Utc::now(), "x").unwrap();
        let err = store
            .conn
            .execute("UPDATE keys SET status = 'current' WHERE kid = 'b'", [])
            .unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
    }
}
