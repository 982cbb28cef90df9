//! Key rows and their status changes, and the keychain operations announced in `keychain_ops`.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{is_unique_violation, log_event, opt_time, parse_time, Store};
use crate::error::{Error, Result};
use crate::key::{KeyRecord, KeyStatus, PublicKey};
use crate::pending::{OpKind, PendingOp};
use crate::rotation::{self, Policy, RotationPlan};

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
        alg: row.get("alg")?,
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
        public_only: row.get("public_only")?,
    })
}

const KEY_COLUMNS: &str = "tool_id, kid, alg, bits, n, e, status, created_at, published_at, \
    signing_from, signing_to, unpublish_after, retired_at, revoked_at, public_only";

pub(super) fn load_keys(conn: &Connection, tool_id: &str) -> Result<Vec<KeyRecord>> {
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

/// Adds a key with the status and dates it had elsewhere (a registration bundle's), inside the
/// caller's transaction; the kid must be new for the tool.
pub(super) fn insert_key_as_in(
    conn: &Connection,
    tool_id: &str,
    key: &KeyRecord,
    now: DateTime<Utc>,
    action: &str,
) -> Result<()> {
    let taken: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM keys WHERE tool_id = ?1 AND kid = ?2)",
        [tool_id, &key.kid],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::KidExists {
            kid: key.kid.clone(),
        });
    }
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339());
    conn.execute(
        &format!(
            "INSERT INTO keys ({KEY_COLUMNS})
             VALUES (?1, ?2, 'RS256', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        ),
        params![
            tool_id,
            key.kid,
            key.public.bits(),
            key.public.n_b64(),
            key.public.e_b64(),
            key.status.as_str(),
            key.created_at.to_rfc3339(),
            key.published_at.to_rfc3339(),
            time(key.signing_from),
            time(key.signing_to),
            time(key.unpublish_after),
            time(key.retired_at),
            time(key.revoked_at),
            key.public_only,
        ],
    )?;
    let how = if key.public_only { ", public only" } else { "" };
    let detail = format!("{} bits, {}{how}", key.public.bits(), key.status.as_str());
    log_event(conn, now, action, Some(tool_id), Some(&key.kid), &detail)
}

impl Store {
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
                "generate a next key first",
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
pub(super) fn announce_purge(conn: &Connection, op: &PendingOp) -> Result<()> {
    conn.execute(
        "DELETE FROM keychain_ops WHERE tool_id = ?1 AND kid = ?2 AND kind = 'purge'",
        [&op.tool_id, &op.kid],
    )?;
    insert_op(conn, op)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{new_tool, store};
    use super::*;

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
