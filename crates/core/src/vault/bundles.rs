//! Registration bundles: made from the store (and, when asked, the keychain), and imported into
//! both, all or nothing.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::Vault;
use crate::bundle::{
    self, Bundle, BundleContents, BundleFile, BundlePlan, BundleSource, Difference, KeyPlan,
    Omitted, PlanAction, PrivatePart, RecordPlan,
};
use crate::error::{Error, Result};
use crate::key::{KeyPair, KeyRecord, KeyStatus};
use crate::pending::{OpKind, OpLock};
use crate::registration::{NewDeployment, NewRegistration, Registration};
use crate::remedy::Remedy;
use crate::secret;
use crate::store::{BundleWrite, Target};

/// What [`Vault::export_bundle`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BundleExported {
    /// Where.
    pub path: String,
    /// A zip (else a folder).
    pub zip: bool,
    /// The files, `bundle.json` aside.
    pub files: Vec<BundleFile>,
    /// What was left out, and why.
    pub omitted: Vec<Omitted>,
    /// The kid whose private key is inside, when one is.
    pub private_key: Option<String>,
}

/// What [`Vault::import_bundle`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BundleImported {
    /// What was written (or, on a dry run, would be).
    pub plan: BundlePlan,
    /// The registration's id here (`None` on a dry run that would create it).
    pub registration_id: Option<String>,
    /// The tool's id here (`None` on a dry run that would create it).
    pub tool_id: Option<String>,
    /// Whether anything was written.
    pub written: bool,
}

impl Vault {
    /// The bundle of a registration, in memory; with `passphrase`, the tool's current private
    /// key goes in, encrypted with it.
    pub fn bundle(
        &self,
        registration: &str,
        passphrase: Option<&[u8]>,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> Result<Bundle> {
        let registration = self.store.registration(registration)?;
        let tool = self.store.tool(&registration.tool_id)?;
        let platform = self.store.platform(&registration.platform_id)?;
        let keys = self.store.keys(&tool.id)?;
        let private = match passphrase {
            None => None,
            Some(passphrase) => {
                let current = keys
                    .iter()
                    .find(|k| k.status == KeyStatus::Current)
                    .ok_or_else(|| {
                        Error::invalid(
                            "private key",
                            format!("tool '{}' has no current key to include", tool.profile.name),
                            "generate a key for the tool, or export the bundle without its \
                             private key",
                        )
                    })?;
                let key = self.private_key(&tool, current)?;
                Some(PrivatePart {
                    kid: current.kid.clone(),
                    pem: key.to_pkcs8_pem(Some(passphrase))?,
                })
            }
        };
        let jwks_urls = [
            tool.profile.jwks_url.clone(),
            Some(crate::platform::fill_client_id(
                &platform.spec.jwks_url,
                &registration.client_id,
            )),
        ];
        let checks = self
            .store
            .last_checks()?
            .into_iter()
            .filter(|c| jwks_urls.iter().flatten().any(|u| *u == c.url))
            .collect();
        Bundle::build(BundleSource {
            registration: &registration,
            tool: &tool,
            platform: &platform,
            keys: &keys,
            checks,
            private,
            created_by,
            now,
        })
    }

    /// Writes the bundle of a registration to `out` (a zip when it ends in `.zip`, else a new
    /// folder), logged once written.
    pub fn export_bundle(
        &mut self,
        registration: &str,
        out: &Path,
        passphrase: Option<&[u8]>,
        overwrite: bool,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> Result<BundleExported> {
        let bundle = self.bundle(registration, passphrase, created_by, now)?;
        bundle::write(&bundle, out, overwrite)?;
        let reg = self.store.registration(registration)?;
        let private_key = bundle
            .manifest
            .keys
            .iter()
            .find(|k| k.private_file.is_some())
            .map(|k| k.kid.clone());
        let how = match &private_key {
            Some(kid) => format!(
                "to {}, with the private key of {kid} (encrypted)",
                out.display()
            ),
            None => format!("to {}", out.display()),
        };
        self.store
            .log(now, "bundle exported", Some(&reg.tool_id), None, &how)?;
        Ok(BundleExported {
            path: out.display().to_string(),
            zip: bundle::is_zip_path(out),
            files: bundle.manifest.files.clone(),
            omitted: bundle.manifest.omitted.clone(),
            private_key,
        })
    }

    /// Reads, verifies and plans the import of the bundle at `path`; writes nothing.
    pub fn plan_bundle_import(&self, path: &Path) -> Result<BundlePlan> {
        let contents = BundleContents::parse(&bundle::read(path)?)?;
        Ok(self.plan(&contents)?.plan)
    }

    /// Imports the bundle at `path`: checksums first, then the plan (refused on a conflict),
    /// then everything in one transaction, its private key (when the bundle has one) into the
    /// keychain first under a reservation. `dry_run` stops after the plan.
    pub fn import_bundle(
        &mut self,
        path: &Path,
        passphrase: Option<&[u8]>,
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<BundleImported> {
        let contents = BundleContents::parse(&bundle::read(path)?)?;
        let planned = self.plan(&contents)?;
        if dry_run || !planned.plan.writes {
            return Ok(BundleImported {
                registration_id: planned.registration_id.clone(),
                tool_id: planned.tool_id.clone(),
                plan: planned.plan,
                written: false,
            });
        }
        // Decrypt every private key first: a wrong passphrase writes nothing.
        let mut privates = vec![];
        for key in &contents.keys {
            let (Some(pem), true) = (&key.private_pem, planned.creates_kid(&key.entry.kid)) else {
                continue;
            };
            let passphrase = passphrase.ok_or_else(|| {
                Error::invalid(
                    "passphrase",
                    format!(
                        "the bundle holds the private key of '{}', encrypted, and no passphrase \
                         was given",
                        key.entry.kid
                    ),
                    "give the passphrase the bundle was exported with",
                )
                .at("passphrase")
                .with_remedy(Remedy::Give {
                    field: "passphrase".into(),
                })
            })?;
            let pair = KeyPair::from_pem(pem, Some(passphrase))?;
            if pair.public_key() != key.public {
                return Err(Error::invalid(
                    "bundle",
                    format!(
                        "the private key in {} is not the key of kid '{}'",
                        key.entry.private_file.as_deref().unwrap_or("?"),
                        key.entry.kid
                    ),
                    "do not import this bundle: ask for it again",
                ));
            }
            privates.push((key.entry.kid.clone(), pair.to_pkcs8_der()?));
        }
        let tool_id = match &planned.tool_id {
            Some(id) => id.clone(),
            None => self.store.fresh_tool_id()?,
        };
        // Reserve each kid, then write its private key; the import's transaction ends the
        // reservations, and one cut short is undone at the next start.
        let mut locks = vec![];
        let mut written: Vec<(String, String)> = vec![];
        let mut finishing = vec![];
        let stored: Result<()> = (|| {
            for (kid, der) in &privates {
                let lock = OpLock::acquire(self.store.data_dir())?;
                let op = lock.op(OpKind::Store, &tool_id, kid, now);
                self.store.reserve_kid(&op)?;
                finishing.push(op.id.clone());
                locks.push(lock);
                let account = secret::account(&tool_id, kid);
                self.secrets.put(&account, der)?;
                written.push((account, op.id.clone()));
            }
            Ok(())
        })();
        let result = stored.and_then(|()| {
            let write = planned.write(&contents, &tool_id, finishing.clone());
            self.store.import_bundle(&write, now)
        });
        match result {
            Ok(ids) => Ok(BundleImported {
                plan: planned.plan,
                registration_id: Some(ids.registration_id),
                tool_id: Some(ids.tool_id),
                written: true,
            }),
            Err(err) => {
                for (account, op) in &written {
                    if self.secrets.delete(account).is_ok() {
                        let _ = self.store.finish_op(op);
                    }
                }
                for op in &finishing {
                    if !written.iter().any(|(_, w)| w == op) {
                        let _ = self.store.finish_op(op);
                    }
                }
                Err(err)
            }
        }
    }

    /// What importing `contents` would do here; refused on a conflict.
    fn plan(&self, contents: &BundleContents) -> Result<Planned> {
        let m = &contents.manifest;
        let conflict = |problem: String, fix: &str| Error::invalid("bundle", problem, fix);

        let registration = self
            .store
            .registrations(None, None)?
            .into_iter()
            .find(|r| r.issuer == m.issuer && r.client_id == m.client_id);

        // The tool: by name.
        let tool = match self.store.tool(&contents.tool.name) {
            Ok(tool) => Some(tool),
            Err(Error::ToolNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        if let (Some(reg), Some(tool)) = (&registration, &tool) {
            if reg.tool_id != tool.id {
                return Err(conflict(
                    format!(
                        "the registration {} / {} is here already, for tool '{}', not '{}'",
                        m.issuer, m.client_id, reg.tool_name, tool.profile.name
                    ),
                    "remove or move that registration here first",
                ));
            }
        }
        if let (Some(reg), None) = (&registration, &tool) {
            return Err(conflict(
                format!(
                    "the registration {} / {} is here already, for tool '{}'",
                    m.issuer, m.client_id, reg.tool_name
                ),
                "rename that tool here to the bundle's name, or remove the registration",
            ));
        }
        let tool_plan = match &tool {
            None => created(&contents.tool.name),
            Some(here) => matched(
                &here.profile.name,
                "name",
                differences(&here.profile, &contents.tool)?,
            ),
        };

        // The platform: the registration's; else one with the same issuer and endpoints; else
        // a new one under the bundle's name.
        let bundle_spec = contents.platform.spec(&contents.platform.name);
        let platform = match &registration {
            Some(reg) => Some((self.store.platform(&reg.platform_id)?, "the registration")),
            None => self
                .store
                .platforms()?
                .into_iter()
                .find(|p| {
                    p.spec.issuer == bundle_spec.issuer
                        && p.spec.auth_url == bundle_spec.auth_url
                        && p.spec.token_url == bundle_spec.token_url
                        && crate::platform::fill_client_id(&p.spec.jwks_url, &m.client_id)
                            == bundle_spec.jwks_url
                })
                .map(|p| (p, "issuer and endpoints")),
        };
        if platform.is_none() {
            if let Ok(named) = self.store.platform(&contents.platform.name) {
                return Err(conflict(
                    format!(
                        "a platform named '{}' is here already, with issuer {} and other \
                         endpoints than the bundle's",
                        named.spec.name, named.spec.issuer
                    ),
                    "rename that platform here, then import again",
                ));
            }
        }
        let platform_plan = match &platform {
            None => created(&contents.platform.name),
            Some((here, by)) => {
                let mut here_spec = here.spec.clone();
                here_spec.jwks_url =
                    crate::platform::fill_client_id(&here_spec.jwks_url, &m.client_id);
                let mut theirs = bundle_spec.clone();
                theirs.name.clone_from(&here.spec.name);
                matched(&here.spec.name, by, differences(&here_spec, &theirs)?)
            }
        };

        // The registration and its deployment ids.
        let bundle_deployments: Vec<NewDeployment> = contents
            .platform
            .deployments
            .iter()
            .map(|d| NewDeployment {
                deployment_id: d.deployment_id.clone(),
                label: d.label.clone(),
            })
            .collect();
        let deployments_added: Vec<NewDeployment> = match &registration {
            None => bundle_deployments.clone(),
            Some(reg) => bundle_deployments
                .iter()
                .filter(|d| {
                    !reg.deployments
                        .iter()
                        .any(|h| h.deployment_id == d.deployment_id)
                })
                .cloned()
                .collect(),
        };
        let registration_plan = match &registration {
            None => created(&m.client_id),
            Some(reg) => matched(&reg.client_id, "issuer and client_id", vec![]),
        };

        // The keys: by kid, the same public key.
        let keys_here: Vec<KeyRecord> = match &tool {
            Some(t) => self.store.keys(&t.id)?,
            None => vec![],
        };
        let mut key_plans = vec![];
        let mut new_keys = vec![];
        for key in &contents.keys {
            let entry = &key.entry;
            match keys_here.iter().find(|k| k.kid == entry.kid) {
                Some(here) if here.public == key.public => key_plans.push(KeyPlan {
                    kid: entry.kid.clone(),
                    status: entry.status,
                    action: PlanAction::Match,
                    private_key: false,
                }),
                Some(_) => {
                    return Err(conflict(
                        format!(
                            "tool '{}' has a key with kid '{}' here already, and it is another \
                             key than the bundle's",
                            contents.tool.name, entry.kid
                        ),
                        "the same kid cannot name two keys: remove one of them first",
                    ))
                }
                None => {
                    if entry.status == KeyStatus::Current {
                        if let Some(cur) = keys_here.iter().find(|k| k.status == KeyStatus::Current)
                        {
                            return Err(conflict(
                                format!(
                                    "tool '{}' signs with '{}' here, and the bundle's current key \
                                     is '{}'",
                                    contents.tool.name, cur.kid, entry.kid
                                ),
                                "import the bundle into a data directory without this tool, or \
                                 rotate here to agree with it first",
                            ));
                        }
                    }
                    key_plans.push(KeyPlan {
                        kid: entry.kid.clone(),
                        status: entry.status,
                        action: PlanAction::Create,
                        private_key: key.private_pem.is_some(),
                    });
                    new_keys.push(entry.kid.clone());
                }
            }
        }

        let checks_here = self.store.last_checks()?;
        let new_checks: Vec<_> = contents
            .checks
            .iter()
            .filter(|c| {
                !checks_here
                    .iter()
                    .any(|h| h.url == c.url && h.checked_at >= c.checked_at)
            })
            .cloned()
            .collect();

        let mut notes = vec![];
        for name in &contents.unlisted {
            notes.push(format!("{name} is not listed in bundle.json: ignored"));
        }
        for o in &m.omitted {
            notes.push(format!("the bundle has no {}: {}", o.path, o.reason));
        }
        let writes = tool.is_none()
            || platform.is_none()
            || registration.is_none()
            || !deployments_added.is_empty()
            || !new_keys.is_empty()
            || !new_checks.is_empty();
        let needs_passphrase = key_plans.iter().any(|k| k.private_key);
        Ok(Planned {
            plan: BundlePlan {
                created_by: m.created_by.clone(),
                created_at: m.created_at,
                tool: tool_plan,
                platform: platform_plan,
                registration: registration_plan,
                deployments_added: deployments_added
                    .iter()
                    .map(|d| d.deployment_id.clone())
                    .collect(),
                keys: key_plans,
                checks: u32::try_from(new_checks.len()).unwrap_or(u32::MAX),
                needs_passphrase,
                writes,
                notes,
            },
            tool_id: tool.map(|t| t.id),
            platform_id: platform.map(|(p, _)| p.id),
            registration: registration.clone(),
            deployments_added,
            bundle_deployments,
            new_keys,
            new_checks,
            registration_id: registration.map(|r| r.id),
        })
    }
}

/// A plan and what carrying it out needs.
struct Planned {
    plan: BundlePlan,
    tool_id: Option<String>,
    platform_id: Option<String>,
    registration: Option<Registration>,
    registration_id: Option<String>,
    deployments_added: Vec<NewDeployment>,
    bundle_deployments: Vec<NewDeployment>,
    new_keys: Vec<String>,
    new_checks: Vec<crate::check::JwksCheck>,
}

impl Planned {
    fn creates_kid(&self, kid: &str) -> bool {
        self.new_keys.iter().any(|k| k == kid)
    }

    fn write(
        &self,
        contents: &BundleContents,
        tool_id: &str,
        finishing: Vec<String>,
    ) -> BundleWrite {
        let tool = match &self.tool_id {
            Some(id) => Target::Existing(id.clone()),
            None => Target::New((tool_id.to_string(), contents.tool.clone())),
        };
        let platform = match &self.platform_id {
            Some(id) => Target::Existing(id.clone()),
            None => Target::New(contents.platform.spec(&contents.platform.name)),
        };
        let (registration, deployments) = match &self.registration {
            Some(reg) => (
                Target::Existing(reg.id.clone()),
                self.deployments_added.clone(),
            ),
            None => (
                Target::New(NewRegistration {
                    tool: tool_id.to_string(),
                    platform: String::new(),
                    client_id: contents.manifest.client_id.clone(),
                    deployments: self.bundle_deployments.clone(),
                }),
                vec![],
            ),
        };
        let keys = contents
            .keys
            .iter()
            .filter(|k| self.creates_kid(&k.entry.kid))
            .map(|k| KeyRecord {
                tool_id: tool_id.to_string(),
                kid: k.entry.kid.clone(),
                alg: "RS256".into(),
                bits: k.public.bits(),
                public: k.public.clone(),
                status: k.entry.status,
                created_at: k.entry.created_at,
                published_at: k.entry.published_at,
                signing_from: k.entry.signing_from,
                signing_to: k.entry.signing_to,
                unpublish_after: k.entry.unpublish_after,
                retired_at: None,
                revoked_at: None,
                public_only: k.private_pem.is_none(),
            })
            .collect();
        BundleWrite {
            tool,
            platform,
            registration,
            deployments,
            keys,
            checks: self.new_checks.clone(),
            finishing,
        }
    }
}

fn created(name: &str) -> RecordPlan {
    RecordPlan {
        name: name.to_string(),
        action: PlanAction::Create,
        matched_by: None,
        differences: vec![],
    }
}

fn matched(name: &str, by: &str, differences: Vec<Difference>) -> RecordPlan {
    RecordPlan {
        name: name.to_string(),
        action: PlanAction::Match,
        matched_by: Some(by.to_string()),
        differences,
    }
}

/// The top-level fields whose JSON differs between the record here and the bundle's.
fn differences(here: &impl Serialize, bundle: &impl Serialize) -> Result<Vec<Difference>> {
    let json = |v: serde_json::Result<serde_json::Value>| {
        v.map_err(|e| {
            Error::invalid(
                "bundle",
                format!("could not be compared ({e})"),
                "report this",
            )
        })
    };
    let here = json(serde_json::to_value(here))?;
    let bundle = json(serde_json::to_value(bundle))?;
    let (Some(here), Some(bundle)) = (here.as_object(), bundle.as_object()) else {
        return Ok(vec![]);
    };
    let text = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "(none)".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let mut fields: Vec<&String> = here.keys().chain(bundle.keys()).collect();
    fields.sort();
    fields.dedup();
    Ok(fields
        .into_iter()
        .filter(|f| here.get(*f) != bundle.get(*f))
        .map(|f| Difference {
            field: f.clone(),
            here: text(here.get(f)),
            bundle: text(bundle.get(f)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    use super::super::test_support::{request, vault};
    use super::*;
    use crate::platform::{NewPlatform, PlatformFamily};
    use crate::secret::MemoryStore;
    use crate::store::Store;

    /// A vault with a registration of "Quiz" whose current key's private half is in the
    /// keychain; returns the bundle zip it exported, with that private key, into `out`.
    fn exported(out: &Path) -> std::path::PathBuf {
        let (_dir, _secrets, mut vault, tool) = vault();
        let now = Utc::now();
        vault
            .generate_key(&request(None), now, &mut |_| {})
            .unwrap();
        let platform = vault
            .add_platform(
                NewPlatform::from_preset(
                    "Acme Moodle",
                    PlatformFamily::Moodle,
                    Some("https://moodle.acme.edu"),
                ),
                now,
            )
            .unwrap();
        let reg = vault
            .add_registration(
                NewRegistration {
                    tool: tool.id.clone(),
                    platform: platform.id,
                    client_id: "client-1".into(),
                    deployments: vec![NewDeployment::new("1")],
                },
                now,
            )
            .unwrap();
        let zip = out.join("quiz.zip");
        vault
            .export_bundle(&reg.id, &zip, Some(b"correct horse"), false, "test", now)
            .unwrap();
        zip
    }

    fn empty_vault() -> (tempfile::TempDir, Arc<MemoryStore>, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::default());
        let vault = Vault::new(
            Store::open_dir(dir.path()).unwrap(),
            Box::new(secrets.clone()),
        );
        (dir, secrets, vault)
    }

    fn nothing_written(vault: &Vault, secrets: &MemoryStore) {
        assert!(vault.tools().unwrap().is_empty(), "a tool was written");
        assert!(
            vault.platforms().unwrap().is_empty(),
            "a platform was written"
        );
        assert!(secrets.is_empty(), "a private key stayed in the keychain");
        assert!(
            vault.store.pending_ops().unwrap().is_empty(),
            "a reservation stayed"
        );
    }

    #[test]
    fn a_keychain_that_refuses_the_private_key_leaves_nothing_written() {
        let out = tempfile::tempdir().unwrap();
        let zip = exported(out.path());
        let (_dir, secrets, mut vault) = empty_vault();
        secrets.fail.store(true, Ordering::SeqCst);
        vault
            .import_bundle(&zip, Some(b"correct horse"), false, Utc::now())
            .unwrap_err();
        secrets.fail.store(false, Ordering::SeqCst);
        nothing_written(&vault, &secrets);
    }

    #[test]
    fn a_database_that_fails_after_the_keychain_write_takes_the_private_key_back_out() {
        let out = tempfile::tempdir().unwrap();
        let zip = exported(out.path());
        let (dir, secrets, mut vault) = empty_vault();
        // Every key insert fails, after the tool, platform and registration rows are written in
        // the same transaction and the private key is in the keychain.
        rusqlite::Connection::open(dir.path().join("ltikeys.sqlite3"))
            .unwrap()
            .execute_batch(
                "CREATE TRIGGER no_keys BEFORE INSERT ON keys BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            )
            .unwrap();
        let err = vault
            .import_bundle(&zip, Some(b"correct horse"), false, Utc::now())
            .unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
        nothing_written(&vault, &secrets);

        rusqlite::Connection::open(dir.path().join("ltikeys.sqlite3"))
            .unwrap()
            .execute_batch("DROP TRIGGER no_keys;")
            .unwrap();
        let done = vault
            .import_bundle(&zip, Some(b"correct horse"), false, Utc::now())
            .unwrap();
        assert!(done.written);
        assert_eq!(secrets.len(), 1, "the private key is in the keychain once");
    }
}
