//! JWKS check results: the latest of each URL kept, the last one read back.

use rusqlite::{params, Connection};

use super::Store;
use crate::error::{Error, Result};

/// How many results of one URL are kept: a URL checked every minute for years, or 500 URLs
/// checked over and over, would otherwise grow the database without end.
pub const CHECKS_KEPT_PER_URL: u32 = 20;

/// Keeps a JWKS check result, and drops that URL's results older than the
/// [`CHECKS_KEPT_PER_URL`] newest (by when they were made: a bundle brings older ones), inside
/// the caller's transaction.
pub(super) fn insert_check_in(conn: &Connection, check: &crate::check::JwksCheck) -> Result<()> {
    let json = serde_json::to_string(check).map_err(|e| {
        Error::invalid(
            "check",
            format!("could not be encoded ({e})"),
            "report this",
        )
    })?;
    conn.execute(
        "INSERT INTO checks (url, checked_at, result) VALUES (?1, ?2, ?3)",
        params![check.url, check.checked_at.to_rfc3339(), json],
    )?;
    conn.execute(
        "DELETE FROM checks WHERE url = ?1 AND id NOT IN
           (SELECT id FROM checks WHERE url = ?1 ORDER BY checked_at DESC, id DESC LIMIT ?2)",
        params![check.url, CHECKS_KEPT_PER_URL],
    )?;
    Ok(())
}

impl Store {
    /// Keeps a JWKS check result.
    pub fn save_check(&mut self, check: &crate::check::JwksCheck) -> Result<()> {
        insert_check_in(&self.conn, check)
    }

    /// The last check of each URL (by when it was made: a bundle brings older ones), newest
    /// first.
    pub fn last_checks(&self) -> Result<Vec<crate::check::JwksCheck>> {
        let mut stmt = self.conn.prepare(
            "SELECT url, result FROM (
               SELECT url, result, checked_at, id, row_number() OVER
                 (PARTITION BY url ORDER BY checked_at DESC, id DESC) AS latest
               FROM checks)
             WHERE latest = 1 ORDER BY checked_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = vec![];
        for row in rows {
            let (url, result) = row?;
            let check = serde_json::from_str(&result).map_err(|e| Error::Unreadable {
                what: format!("the last check of {url}"),
                problem: e.to_string(),
                fix: "check that URL again: the new result replaces it".into(),
            })?;
            out.push(check);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::super::test_support::store;
    use super::*;
    use crate::check::{JwksCheck, JwksRole};

    fn check(url: &str) -> JwksCheck {
        JwksCheck {
            url: url.into(),
            role: JwksRole::Tool,
            checked_at: Utc::now(),
            status: Some(200),
            final_url: None,
            redirects: vec![],
            content_type: None,
            cache_control: None,
            max_age: None,
            latency_ms: None,
            bytes: 0,
            keys: vec![],
            findings: vec![],
        }
    }

    #[test]
    fn only_the_newest_results_of_each_url_are_kept() {
        let (_dir, mut store) = store();
        let busy = "https://busy.example/jwks";
        store
            .save_check(&check("https://quiet.example/jwks"))
            .unwrap();
        for n in 0..CHECKS_KEPT_PER_URL + 5 {
            let mut result = check(busy);
            result.bytes = u64::from(n);
            store.save_check(&result).unwrap();
        }
        let count = |store: &Store, url: &str| -> u32 {
            store
                .conn
                .query_row("SELECT count(*) FROM checks WHERE url = ?1", [url], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        assert_eq!(count(&store, busy), CHECKS_KEPT_PER_URL);
        // A result older than all of them (a bundle's) goes first, not one of the newest.
        let mut old = check(busy);
        old.checked_at = Utc::now() - chrono::Duration::days(365);
        old.bytes = 999;
        store.save_check(&old).unwrap();
        assert_eq!(count(&store, busy), CHECKS_KEPT_PER_URL);
        let oldest_kept: u64 = store
            .conn
            .query_row(
                "SELECT min(json_extract(result, '$.bytes')) FROM checks WHERE url = ?1",
                [busy],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(oldest_kept, 5, "the 20 newest are kept: 5 to 24");
        assert_eq!(
            count(&store, "https://quiet.example/jwks"),
            1,
            "other URLs untouched"
        );
        let last = store.last_checks().unwrap();
        let busy_last = last.iter().find(|c| c.url == busy).unwrap();
        assert_eq!(
            busy_last.bytes,
            u64::from(CHECKS_KEPT_PER_URL + 4),
            "the newest is kept"
        );
    }

    #[test]
    fn the_last_check_is_the_newest_made_not_the_newest_kept() {
        let (_dir, mut store) = store();
        let url = "https://tool.example/jwks";
        let mut local = check(url);
        local.bytes = 1;
        store.save_check(&local).unwrap();
        // A bundle brings a result from a year ago, kept after the local one.
        let mut brought = check(url);
        brought.checked_at = Utc::now() - chrono::Duration::days(365);
        brought.bytes = 2;
        store.save_check(&brought).unwrap();
        let last = store.last_checks().unwrap();
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].bytes, 1, "the local result, made last");
    }

    #[test]
    fn an_unreadable_last_check_is_an_error_until_its_url_is_checked_again() {
        let (_dir, mut store) = store();
        let url = "https://tool.example/jwks";
        store
            .save_check(&check("https://other.example/jwks"))
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO checks (url, checked_at, result) VALUES (?1, ?2, 'not json')",
                [url, Utc::now().to_rfc3339().as_str()],
            )
            .unwrap();
        let err = store.last_checks().unwrap_err();
        assert!(matches!(err, Error::Unreadable { .. }), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("the last check of {url}")),
            "the error names the URL: {err}"
        );
        store.save_check(&check(url)).unwrap();
        let urls: Vec<_> = store
            .last_checks()
            .unwrap()
            .into_iter()
            .map(|c| c.url)
            .collect();
        assert_eq!(
            urls,
            [url, "https://other.example/jwks"],
            "the new result replaces the unreadable one"
        );
    }
}
