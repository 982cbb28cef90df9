//! The SQLite store: opening, migrating, ids and the audit log. Never private key bytes.

mod bundles;
mod checks;
mod keys;
mod platforms;
mod registrations;
mod team;
mod tools;
mod watch;

pub use bundles::{BundleWrite, BundleWritten, Target};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, TransactionBehavior};

use crate::error::{Error, Result};

pub use watch::DataWatch;

/// Each entry migrates the schema from version `index` to `index + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_tools_and_keys.sql"),
    include_str!("../migrations/0002_key_rotation.sql"),
    include_str!("../migrations/0003_tool_profile.sql"),
    include_str!("../migrations/0004_platforms.sql"),
    include_str!("../migrations/0005_checks.sql"),
    include_str!("../migrations/0006_keychain_ops.sql"),
    include_str!("../migrations/0007_public_only_keys.sql"),
    include_str!("../migrations/0008_canvas_registrations.sql"),
    include_str!("../migrations/0009_team.sql"),
    include_str!("../migrations/0010_token_removals.sql"),
];

/// How long a connection waits for another one's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

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
pub(crate) struct Store {
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

/// The OS user, as the audit log names who acted.
pub(crate) fn actor() -> String {
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

fn opt_time(s: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    s.map(parse_time).transpose()
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, migrating it to the newest schema.
    /// On unix a new directory is the owner's only (0700).
    /// A path that is there but is not a directory is refused by name.
    pub fn open_dir(dir: &Path) -> Result<Store> {
        if let Ok(meta) = std::fs::metadata(dir) {
            if !meta.is_dir() {
                return Err(Error::invalid(
                    "data directory",
                    format!("{} is a file, not a directory", dir.display()),
                    "give --data-dir (or LTIKEYS_DATA_DIR) a directory, or a path where one can \
                     be created",
                )
                .at("data_dir"));
            }
        }
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
        // Names sort the way people count: "P2" before "P10", case ignored.
        conn.create_collation("NATURAL_NOCASE", natord::compare_ignore_case)?;
        use_wal(&conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The folder the database lives in.
    pub fn data_dir(&self) -> &Path {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
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

    /// Appends an event about a platform or registration (`subject`, its id) to the audit log.
    pub fn log_subject(
        &mut self,
        now: DateTime<Utc>,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        log_subject(&self.conn, now, action, None, subject, detail)
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

    /// The audit log of a platform or registration (by id), oldest first.
    pub fn subject_events(&self, subject: &str) -> Result<Vec<Event>> {
        self.events_where("subject", subject)
    }
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
    let done = usize::try_from(version).map_err(|_| Error::Unreadable {
        what: format!("schema version {version}"),
        problem: "no version of LTI Key Manager writes a negative schema version".into(),
        fix: "restore the data directory from a backup".into(),
    })?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod test_support {
    use super::*;
    use crate::tool::ToolProfile;

    pub(super) fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).unwrap();
        (dir, store)
    }

    pub(super) fn new_tool(name: &str) -> ToolProfile {
        ToolProfile {
            name: name.into(),
            ..ToolProfile::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::store;
    use super::*;

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
    fn refuses_a_negative_schema_version() {
        let (dir, store) = store();
        store.conn.pragma_update(None, "user_version", -1).unwrap();
        drop(store);
        let err = Store::open_dir(dir.path()).err().unwrap();
        assert!(matches!(err, Error::Unreadable { .. }), "{err}");
        assert!(err.to_string().contains("schema version -1"), "{err}");
    }
}
