//! Platform rows; each change is one transaction, audited with the platform id as subject.

use chrono::{DateTime, Utc};
use rusqlite::types::ToSqlOutput;
use rusqlite::{params, Connection, OptionalExtension, ToSql, TransactionBehavior};

use super::{log_subject, new_id, parse_time, Store};
use crate::error::{Error, Result};
use crate::platform::{Platform, PlatformFamily, PlatformSpec};

const PLATFORM_COLUMNS: &str = "id, name, family, base_url, issuer, auth_url, token_url, \
    token_audience, jwks_url, openid_configuration_url, created_at, updated_at";

fn platform_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Platform> {
    Ok(Platform {
        id: row.get("id")?,
        spec: spec_from_row(row)?,
        created_at: parse_time(row.get("created_at")?)?,
        updated_at: parse_time(row.get("updated_at")?)?,
    })
}

fn spec_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PlatformSpec> {
    let family: String = row.get("family")?;
    Ok(PlatformSpec {
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
    })
}

/// A platform row's values, for the named parameters of its INSERT and UPDATE: `:id`, a
/// column's name for each value of the spec, and `:now`.
fn spec_params<'a>(
    id: &'a dyn ToSql,
    spec: &'a PlatformSpec,
    now: &'a dyn ToSql,
) -> [(&'static str, &'a dyn ToSql); 11] {
    [
        (":id", id),
        (":name", &spec.name),
        (":family", &spec.family),
        (":base_url", &spec.base_url),
        (":issuer", &spec.issuer),
        (":auth_url", &spec.auth_url),
        (":token_url", &spec.token_url),
        (":token_audience", &spec.token_audience),
        (":jwks_url", &spec.jwks_url),
        (":openid_configuration_url", &spec.openid_configuration_url),
        (":now", now),
    ]
}

/// A family is stored as its code (`canvas-cloud`, `moodle`, ...).
impl ToSql for PlatformFamily {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

pub(super) fn find_platform(conn: &Connection, id_or_name: &str) -> Result<Platform> {
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
pub(super) fn registration_holding(
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

/// Adds a platform inside the caller's transaction and answers its id; the name must be new.
pub(super) fn insert_platform_in(
    conn: &Connection,
    spec: &PlatformSpec,
    now: DateTime<Utc>,
    action: &str,
) -> Result<String> {
    let id = new_id(conn, 'p', "platforms")?;
    insert_platform_as_in(conn, &id, spec, now, action)?;
    Ok(id)
}

/// Adds a platform under `id` inside the caller's transaction; the name must be new.
pub(super) fn insert_platform_as_in(
    conn: &Connection,
    id: &str,
    spec: &PlatformSpec,
    now: DateTime<Utc>,
    action: &str,
) -> Result<()> {
    ensure_platform_name_free(conn, &spec.name, "")?;
    conn.execute(
        &format!(
            "INSERT INTO platforms ({PLATFORM_COLUMNS})
             VALUES (:id, :name, :family, :base_url, :issuer, :auth_url, :token_url,
                 :token_audience, :jwks_url, :openid_configuration_url, :now, :now)"
        ),
        &spec_params(&id, spec, &now.to_rfc3339()),
    )?;
    let detail = format!("{} ({}), issuer {}", spec.name, spec.family, spec.issuer);
    log_subject(conn, now, action, None, id, &detail)
}

impl Store {
    /// Adds a platform; the name must be new (case-insensitive). `spec` is checked already.
    pub fn insert_platform(
        &mut self,
        spec: &PlatformSpec,
        now: DateTime<Utc>,
        action: &str,
    ) -> Result<Platform> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_platform_in(&tx, spec, now, action)?;
        tx.commit()?;
        find_platform(&self.conn, &id)
    }

    /// All platforms, by name.
    pub fn platforms(&self) -> Result<Vec<Platform>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PLATFORM_COLUMNS} FROM platforms ORDER BY name COLLATE NATURAL_NOCASE"
        ))?;
        let rows = stmt.query_map([], platform_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every platform with its registrations, read at one moment (one read transaction).
    pub fn platform_index(&self) -> Result<crate::platform::PlatformIndex> {
        let read = self.conn.unchecked_transaction()?;
        let platforms = self.platforms()?;
        let registrations = self.registration_briefs()?;
        read.commit()?;
        Ok(crate::platform::PlatformIndex::new(
            platforms,
            registrations,
        ))
    }

    /// A platform by id or, failing that, by name (case-insensitive).
    pub fn platform(&self, id_or_name: &str) -> Result<Platform> {
        find_platform(&self.conn, id_or_name)
    }

    /// Replaces a platform's values. Its registrations follow a new issuer; a new issuer that
    /// would give two registrations the same (issuer, client_id) is refused.
    pub fn update_platform(
        &mut self,
        id: &str,
        spec: &PlatformSpec,
        now: DateTime<Utc>,
        action: &str,
        detail: &str,
    ) -> Result<Platform> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = find_platform(&tx, id)?;
        ensure_platform_name_free(&tx, &spec.name, id)?;
        if before.spec.issuer != spec.issuer {
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
            "UPDATE platforms SET name = :name, family = :family, base_url = :base_url,
                issuer = :issuer, auth_url = :auth_url, token_url = :token_url,
                token_audience = :token_audience, jwks_url = :jwks_url,
                openid_configuration_url = :openid_configuration_url, updated_at = :now
             WHERE id = :id",
            &spec_params(&id, spec, &now.to_rfc3339()),
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
                platform: platform.spec.name,
                count,
            });
        }
        tx.execute("DELETE FROM platforms WHERE id = ?1", [id])?;
        // Its API token is to go from the keychain: see `token_removals`.
        tx.execute(
            "INSERT OR REPLACE INTO token_removals (platform_id, removed_at) VALUES (?1, ?2)",
            params![id, now.to_rfc3339()],
        )?;
        log_subject(&tx, now, "platform removed", None, id, &platform.spec.name)?;
        tx.commit()?;
        Ok(())
    }

    /// The platforms whose API token is still to be removed from the keychain: removed here,
    /// and the keychain has not confirmed the token's removal yet.
    pub fn token_removals(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT platform_id FROM token_removals ORDER BY removed_at")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The keychain removed the platform's API token, or a platform with this id is back (a
    /// team's sync) and its token is its own again: nothing more to remove.
    pub fn token_removal_done(&mut self, platform_id: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM token_removals WHERE platform_id = ?1",
            [platform_id],
        )?;
        Ok(())
    }
}
