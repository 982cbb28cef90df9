//! JWKS check results: each one kept, the last of each URL read back.

use rusqlite::params;

use super::Store;
use crate::error::{Error, Result};

impl Store {
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
}
