//! Whether the database changed: a cheap question the window asks when it regains the focus,
//! instead of reloading every screen each time.

use std::path::Path;

use rusqlite::Connection;

use super::{Store, BUSY_TIMEOUT};
use crate::error::Result;

/// A connection of its own over the database that never writes, kept open to answer whether
/// the data changed since it last looked: SQLite's `data_version` goes up each time another
/// connection commits, from this process or any other (the command line, a second window).
pub struct DataWatch {
    conn: Connection,
}

impl DataWatch {
    /// Over the database in the data directory `dir`, creating and migrating it if needed.
    pub fn open(dir: &Path) -> Result<DataWatch> {
        let path = Store::open_dir(dir)?.path;
        let conn = Connection::open(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(DataWatch { conn })
    }

    /// A number that stays the same while nobody commits to the database, and changes when
    /// someone does. Only its equality means anything.
    pub fn stamp(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::new_tool;
    use super::*;
    use chrono::Utc;

    #[test]
    fn the_stamp_holds_while_nothing_is_written_and_moves_with_each_commit_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let watch = DataWatch::open(dir.path()).unwrap();
        let first = watch.stamp().unwrap();
        assert_eq!(watch.stamp().unwrap(), first, "nothing was written");

        // A read by another connection is not a change.
        let mut other = Store::open_dir(dir.path()).unwrap();
        other.tools().unwrap();
        assert_eq!(watch.stamp().unwrap(), first, "a read is not a change");

        other.insert_tool(&new_tool("Quiz"), Utc::now()).unwrap();
        let second = watch.stamp().unwrap();
        assert_ne!(second, first, "a commit on another connection");
        assert_eq!(watch.stamp().unwrap(), second);

        // A connection opened after the watch, as each command of the app opens its own.
        drop(other);
        let mut later = Store::open_dir(dir.path()).unwrap();
        later.insert_tool(&new_tool("Survey"), Utc::now()).unwrap();
        assert_ne!(
            watch.stamp().unwrap(),
            second,
            "a commit on a later connection"
        );
    }
}
