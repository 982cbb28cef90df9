//! Keychain operations in flight: the database row and the lock file that keep a key's two
//! halves in step through kills, crashes and a locked keychain.
//!
//! Every keychain write or removal is announced first: a row in `keychain_ops` (committed
//! before the keychain is touched) and an exclusive lock on `locks/<op id>.lock` in the data
//! directory, held by the process doing it. The row goes in the transaction that completes the
//! change. A row whose lock nobody holds belongs to a process that died (the OS drops the lock
//! with the process, SIGKILL included): the next start undoes it (a generation) or finishes it
//! (a removal). A row whose lock is held is in flight and left alone.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// What a pending operation does to the keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// Writes a new private key; undone when cut short.
    Store,
    /// Removes a private key (revoked or deleted key, orphan entry); finished when cut short.
    Purge,
}

impl OpKind {
    /// The word stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Store => "store",
            OpKind::Purge => "purge",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "store" => Some(OpKind::Store),
            "purge" => Some(OpKind::Purge),
            _ => None,
        }
    }
}

/// A keychain operation announced in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOp {
    /// Also the name of its lock file.
    pub id: String,
    /// What it does.
    pub kind: OpKind,
    /// The tool whose key it concerns.
    pub tool_id: String,
    /// The key.
    pub kid: String,
    /// When it began.
    pub started_at: DateTime<Utc>,
}

/// The lock that says "this operation is in flight". Dropping it removes the lock file and
/// releases the lock.
pub struct OpLock {
    id: String,
    path: PathBuf,
    _file: File,
}

fn locks_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("locks")
}

fn lock_io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action: "locking",
        path: path.to_path_buf(),
        source,
    }
}

impl OpLock {
    /// A new operation id, locked by this process.
    pub fn acquire(data_dir: &Path) -> Result<OpLock> {
        let dir = locks_dir(data_dir);
        std::fs::create_dir_all(&dir).map_err(|e| lock_io(&dir, e))?;
        let id = format!("op{}", uuid::Uuid::new_v4().simple());
        let path = dir.join(format!("{id}.lock"));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| lock_io(&path, e))?;
        file.lock().map_err(|e| lock_io(&path, e))?;
        Ok(OpLock {
            id,
            path,
            _file: file,
        })
    }

    /// Takes the lock of operation `id` when no live process holds it: `None` while it is in
    /// flight.
    pub fn try_take(data_dir: &Path, id: &str) -> Result<Option<OpLock>> {
        let dir = locks_dir(data_dir);
        std::fs::create_dir_all(&dir).map_err(|e| lock_io(&dir, e))?;
        let path = dir.join(format!("{id}.lock"));
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| lock_io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(OpLock {
                id: id.to_string(),
                path,
                _file: file,
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(lock_io(&path, e)),
        }
    }

    /// The operation id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The operation this lock stands for.
    pub fn op(&self, kind: OpKind, tool_id: &str, kid: &str, now: DateTime<Utc>) -> PendingOp {
        PendingOp {
            id: self.id.clone(),
            kind,
            tool_id: tool_id.to_string(),
            kid: kid.to_string(),
            started_at: now,
        }
    }
}

impl Drop for OpLock {
    fn drop(&mut self) {
        // Removed while still locked; the lock itself goes when the file closes.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Lock files whose operation is no longer in the database and that nobody holds (left by a
/// process killed after its last commit): removed.
pub(crate) fn sweep_locks(data_dir: &Path, pending: &[PendingOp]) {
    let Ok(entries) = std::fs::read_dir(locks_dir(data_dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".lock")) else {
            continue;
        };
        if pending.iter().any(|op| op.id == id) {
            continue;
        }
        // Taking it and dropping it removes the file.
        let _ = OpLock::try_take(data_dir, id);
    }
}

/// Stops here when `LTIKEYS_PAUSE_AT` names this point, so a test can kill the process at a
/// known step of a keychain operation. Prints `paused at POINT` on stderr, then waits up to a
/// minute.
pub(crate) fn pause_point(point: &str) {
    if std::env::var_os("LTIKEYS_PAUSE_AT").is_some_and(|p| p == point) {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "paused at {point}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// What became of a private key that was to leave the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Removal {
    /// Whether it is gone from the keychain.
    pub removed: bool,
    /// Why it is still there, when it is: the removal is finished at the next start.
    pub reason: Option<String>,
}

impl Removal {
    pub(crate) fn of(outcome: Result<()>) -> Removal {
        match outcome {
            Ok(()) => Removal {
                removed: true,
                reason: None,
            },
            Err(e) => Removal {
                removed: false,
                reason: Some(e.to_string()),
            },
        }
    }
}

/// What finishing an interrupted keychain operation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RepairKind {
    /// A key generation or import cut short before its record was written: its private key, if
    /// it reached the keychain, was removed.
    GenerationUndone,
    /// The private key of a revoked or deleted key was removed, as the interrupted operation
    /// meant to.
    PrivateKeyRemoved,
}

/// One interrupted keychain operation, and how finishing it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Repair {
    /// The tool id.
    pub tool_id: String,
    /// The tool's name (its id when the tool is gone).
    pub tool: String,
    /// The key.
    pub kid: String,
    /// What it did.
    pub kind: RepairKind,
    /// Why it could not be finished yet (it is tried again at the next start).
    pub error: Option<String>,
}

/// A private key in the keychain, filed under one of this data directory's tools, that should
/// not be there: no key record has its kid, or its key was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Orphan {
    /// The tool id.
    pub tool_id: String,
    /// The tool's name.
    pub tool: String,
    /// The kid the entry is filed under.
    pub kid: String,
    /// Whether a revoked key has this kid (else no key record does).
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_cannot_be_taken_and_a_dropped_one_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let lock = OpLock::acquire(dir.path()).unwrap();
        assert!(
            OpLock::try_take(dir.path(), lock.id()).unwrap().is_none(),
            "an operation in flight is never taken over"
        );
        let path = locks_dir(dir.path()).join(format!("{}.lock", lock.id()));
        assert!(path.exists());
        drop(lock);
        assert!(!path.exists(), "the lock file goes with the lock");
    }

    #[test]
    fn the_lock_of_a_dead_operation_can_be_taken() {
        let dir = tempfile::tempdir().unwrap();
        let taken = OpLock::try_take(dir.path(), "opdead").unwrap();
        assert!(taken.is_some(), "nobody holds it");
    }

    #[test]
    fn stray_lock_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(locks_dir(dir.path())).unwrap();
        std::fs::write(locks_dir(dir.path()).join("opstray.lock"), b"").unwrap();
        let held = OpLock::acquire(dir.path()).unwrap();
        sweep_locks(dir.path(), &[]);
        let left: Vec<_> = std::fs::read_dir(locks_dir(dir.path()))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec![format!("{}.lock", held.id())], "held locks stay");
    }
}
