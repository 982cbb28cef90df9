//! Rotation run on a tool's keys: its policy and state, rotate, retire and revoke.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Vault;
use crate::error::{Error, Result};
use crate::key::{KeyInfo, KeyPair, KeyRecord, KeySize, KeyStatus, PrivateKeyState};
use crate::kid::KidScheme;
use crate::pending::{self, OpKind, OpLock, Removal};
use crate::remedy::Remedy;
use crate::rotation::{self, Policy, RotationPlan};
use crate::tool::Tool;

impl Vault {
    /// A tool's rotation policy.
    pub fn policy(&self, tool: &str) -> Result<Policy> {
        let tool = self.store.tool(tool)?;
        self.store.policy(&tool.id)
    }

    /// Sets a tool's rotation policy after checking it.
    pub fn set_policy(&mut self, tool: &str, policy: Policy, now: DateTime<Utc>) -> Result<Policy> {
        let tool = self.store.tool(tool)?;
        let policy = policy.validated()?;
        self.store.set_policy(&tool.id, &policy, now)?;
        Ok(policy)
    }

    /// The tool's rotation state at `now`.
    pub fn rotation_state(&self, tool: &str, now: DateTime<Utc>) -> Result<RotationState> {
        let tool = self.store.tool(tool)?;
        let keys = self.store.keys(&tool.id)?;
        let policy = self.store.policy(&tool.id)?;
        Ok(RotationState {
            due_since: rotation::rotation_due(&keys, &policy, now),
            retire_ready: rotation::retire_ready(&keys, now)
                .into_iter()
                .map(|k| k.kid.clone())
                .collect(),
            plan: rotation::current_key(&keys)
                .map(|_| rotation::plan_rotation(&keys, &policy, now))
                .transpose()?,
            policy,
        })
    }

    /// Rotates: the oldest next key signs from now on (a new one of the current key's size is
    /// generated first when none is waiting, refused when that size is not one this app
    /// generates), the current key becomes previous.
    pub fn rotate(&mut self, tool: &str, now: DateTime<Utc>) -> Result<RotationOutcome> {
        let tool = self.store.tool(tool)?;
        if self.store.is_team_tool(&tool.id)? {
            let (plan, generated) = self.team_rotate_generating(&tool, now)?;
            return Ok(outcome(&tool, plan, generated));
        }
        let keys = self.store.keys(&tool.id)?;
        let policy = self.store.policy(&tool.id)?;
        let before = rotation::plan_rotation(&keys, &policy, now).map_err(|e| {
            e.with_remedy(Remedy::GenerateKey {
                tool: tool.profile.name.clone(),
                next: false,
            })
        })?;
        if let Some(kid) = &before.promote {
            // The key about to sign must be able to.
            let record = self.record(&tool, kid)?;
            match self.private_key(&tool, &record) {
                Ok(_) => {}
                Err(Error::PrivateKeyMissing { .. }) => {
                    return Err(Error::CannotPromote {
                        tool: tool.profile.name.clone(),
                        kid: kid.clone(),
                        problem: "its private key is missing from the OS keychain, so it could \
                                  not sign"
                            .into(),
                    })
                }
                Err(Error::Keychain { reason }) => {
                    return Err(Error::CannotPromote {
                        tool: tool.profile.name.clone(),
                        kid: kid.clone(),
                        problem: reason,
                    })
                }
                Err(other) => return Err(other),
            }
        }
        let mut generated = None;
        if before.promote.is_none() {
            let current = rotation::current_key(&keys)
                .expect("plan_rotation refuses a tool without a current key");
            generated = Some(self.generate_successor(&tool, current, now)?);
        }
        let mut plan = self.store.rotate(&tool.id, now)?;
        if generated.is_some() {
            plan.warnings = before.warnings;
        }
        Ok(outcome(&tool, plan, generated))
    }

    /// Retires a previous key, refusing inside its overlap window unless `force`.
    pub fn retire(
        &mut self,
        tool: &str,
        kid: &str,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<KeyInfo> {
        let tool = self.store.tool(tool)?;
        if self.store.is_team_tool(&tool.id)? {
            self.team_retire(&tool.id, kid, force, now)?;
            return Ok(KeyInfo::new(
                self.record(&tool, kid)?,
                PrivateKeyState::Transit,
            ));
        }
        let record = self.store.retire(&tool.id, kid, now, force)?;
        Ok(KeyInfo::new(record, PrivateKeyState::Unknown))
    }

    /// Revokes a key at once and removes its private key from the keychain. When it was the
    /// current key, the oldest next key takes over, or a new key of its size is generated to
    /// sign (refused when that size is not one this app generates). A
    /// removal the keychain refuses now (locked, unreachable) is said so in the result and
    /// finished at the next start ([`Vault::repair`]).
    pub fn revoke(&mut self, tool: &str, kid: &str, now: DateTime<Utc>) -> Result<Revocation> {
        let tool = self.store.tool(tool)?;
        let record = self.record(&tool, kid)?;
        rotation::check_revoke(&record)?;
        if self.store.is_team_tool(&tool.id)? {
            let signing = self.team_revoke(&tool, &record, now)?;
            return Ok(Revocation {
                kid: kid.to_string(),
                signing,
                private_key: Removal::of(Ok(())),
            });
        }
        let keys = self.store.keys(&tool.id)?;
        if record.status == KeyStatus::Current && rotation::next_key(&keys).is_none() {
            self.generate_successor(&tool, &record, now)?;
        }
        // A revoked key never signs again: its private half leaves the keychain. The removal is
        // announced in the revoking transaction, so a kill after it is finished at next start.
        let lock = OpLock::acquire(self.store.data_dir())?;
        let op = lock.op(OpKind::Purge, &tool.id, kid, now);
        let signing = self.store.revoke(&tool.id, kid, now, &op)?;
        pending::pause_point("revoked");
        let private_key = self.purge(&op);
        Ok(Revocation {
            kid: kid.to_string(),
            signing,
            private_key,
        })
    }

    /// Generates and stores a key of `current`'s size to take over signing from it, and returns
    /// its kid. Refused, before anything changes, when `current` has a size this app does not
    /// generate (an imported key): a key of another size is never put in its place silently.
    fn generate_successor(
        &mut self,
        tool: &Tool,
        current: &KeyRecord,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let size = KeySize::try_from(current.bits).map_err(|_| {
            Error::invalid(
                "key size",
                format!(
                    "the current key '{}' of tool '{}' has {} bits, a size this app does not \
                     generate, so no key of its size can take over from it",
                    current.kid, tool.profile.name, current.bits
                ),
                "add a next key first (generate one, or import one), then try again",
            )
            .with_remedy(Remedy::GenerateKey {
                tool: tool.profile.name.clone(),
                next: true,
            })
            .with_remedy(Remedy::ImportPrivateKey {
                tool: tool.profile.name.clone(),
                kid: None,
            })
        })?;
        let key = KeyPair::generate(size)?;
        let kid = KidScheme::Thumbprint.kid(&key.public_key(), now);
        self.store_key(tool, &kid, &key, now, "key generated")?;
        Ok(kid)
    }
}

/// What a rotation did, with what to deploy next: publish the JWKS and check it where the tool
/// publishes one, else paste the new key on each platform.
fn outcome(tool: &Tool, plan: RotationPlan, generated: Option<String>) -> RotationOutcome {
    let current = plan
        .promote
        .clone()
        .expect("a rotation that happened promoted a key");
    let mut reminders = vec![Remedy::PublishJwks {
        tool: Some(tool.profile.name.clone()),
        jwks_url: tool.profile.jwks_url.clone(),
    }];
    match &tool.profile.jwks_url {
        Some(url) => reminders.push(Remedy::CheckJwks {
            url: url.clone(),
            tool: Some(tool.profile.name.clone()),
        }),
        // Platforms hold a pasted public key: tokens signed from now on fail until the
        // new one is pasted.
        None => reminders.push(Remedy::PasteJwk {
            tool: tool.profile.name.clone(),
            kid: current.clone(),
        }),
    }
    RotationOutcome {
        current,
        previous: plan.demote,
        unpublish_after: plan.unpublish_after,
        generated,
        lead_time_skipped: plan.lead_time_skipped,
        warnings: plan.warnings,
        reminders,
    }
}

/// A tool's rotation state: its policy, whether rotation is due, what `rotate` would do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RotationState {
    /// The policy.
    pub policy: Policy,
    /// Since when rotation has been due, if it is.
    #[ts(type = "string | null")]
    pub due_since: Option<DateTime<Utc>>,
    /// Previous keys whose overlap window is over.
    pub retire_ready: Vec<String>,
    /// What `rotate` would do now; `None` when the tool has no current key.
    pub plan: Option<RotationPlan>,
}

/// What a revocation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Revocation {
    /// The key revoked: unpublished, never signs again.
    pub kid: String,
    /// The kid that signs now, when the revoked key was the current one.
    pub signing: Option<String>,
    /// Whether its private key left the keychain.
    pub private_key: Removal,
}

/// What a rotation did, and what to deploy next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RotationOutcome {
    /// The key that signs now.
    pub current: String,
    /// The key that stopped signing.
    pub previous: Option<String>,
    /// When the previous key may be unpublished.
    #[ts(type = "string")]
    pub unpublish_after: DateTime<Utc>,
    /// A key generated because none was waiting as next.
    pub generated: Option<String>,
    /// Whether the pre-publish lead time was skipped.
    pub lead_time_skipped: bool,
    /// Warnings, in plain words.
    pub warnings: Vec<String>,
    /// What the user must deploy now, in order.
    pub reminders: Vec<Remedy>,
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::super::test_support::{request, vault};
    use super::*;
    use crate::pending::RepairKind;
    use crate::secret::{self, SecretStore};

    #[test]
    fn rotate_refuses_a_next_key_whose_private_key_is_missing() {
        let (_d, secrets, mut vault, tool) = vault();
        vault
            .generate_key(&request(Some("cur")), Utc::now(), &mut |_| {})
            .unwrap();
        vault
            .generate_key(&request(Some("nxt")), Utc::now(), &mut |_| {})
            .unwrap();
        secrets.delete(&secret::account(&tool.id, "nxt")).unwrap();
        let later = Utc::now() + chrono::Duration::days(30);
        let err = vault.rotate("Quiz", later).unwrap_err();
        assert_eq!(err.kind(), "cannot_promote", "{err}");
        let text = err.to_string();
        assert!(text.contains("'nxt'") && text.contains("missing"), "{text}");
        assert!(
            text.contains("generate another next key") && text.contains("import"),
            "{text}"
        );
        assert_eq!(
            statuses(&vault),
            vec![
                ("cur".to_string(), KeyStatus::Current),
                ("nxt".to_string(), KeyStatus::Next)
            ],
            "nothing changed"
        );
    }

    #[test]
    fn revoke_with_a_failing_keychain_says_so_and_the_next_start_finishes_it() {
        let (_d, secrets, mut vault, tool) = vault();
        vault
            .generate_key(&request(Some("cur")), Utc::now(), &mut |_| {})
            .unwrap();
        vault
            .generate_key(&request(Some("old")), Utc::now(), &mut |_| {})
            .unwrap();
        secrets.fail.store(true, Ordering::SeqCst);
        let revocation = vault.revoke("Quiz", "old", Utc::now()).unwrap();
        assert!(!revocation.private_key.removed, "it was not removed");
        assert!(
            revocation
                .private_key
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("unavailable")),
            "{revocation:?}"
        );
        secrets.fail.store(false, Ordering::SeqCst);
        let account = secret::account(&tool.id, "old");
        assert!(secrets.get(&account).unwrap().is_some(), "still there");

        let repairs = vault.repair(Utc::now()).unwrap();
        assert_eq!(repairs.len(), 1, "{repairs:?}");
        assert_eq!(repairs[0].kind, RepairKind::PrivateKeyRemoved);
        assert!(
            secrets.get(&account).unwrap().is_none(),
            "a revoked key never keeps its private half"
        );
        assert!(secrets
            .get(&secret::account(&tool.id, "cur"))
            .unwrap()
            .is_some());
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn statuses(vault: &Vault) -> Vec<(String, KeyStatus)> {
        vault
            .keys("Quiz")
            .unwrap()
            .into_iter()
            .map(|k| (k.key.kid, k.key.status))
            .collect()
    }

    fn published(vault: &Vault) -> Vec<String> {
        vault
            .jwks("Quiz")
            .unwrap()
            .keys
            .into_iter()
            .map(|k| k.kid)
            .collect()
    }

    #[test]
    fn rotation_walks_the_status_machine_on_a_fixed_clock() {
        let (_d, secrets, mut vault, _tool) = vault();
        let day0 = t("2026-01-01T00:00:00Z");
        vault
            .generate_key(&request(Some("k1")), day0, &mut |_| {})
            .unwrap();
        vault
            .generate_key(&request(Some("k2")), t("2026-01-02T00:00:00Z"), &mut |_| {})
            .unwrap();
        assert_eq!(
            published(&vault),
            ["k1", "k2"],
            "next keys are published before they sign"
        );

        // Rotate after the lead time: k2 signs, k1 stays published through the overlap.
        let day3 = t("2026-01-03T00:00:00Z");
        let plan = vault.rotation_state("Quiz", day3).unwrap().plan.unwrap();
        assert_eq!(
            (plan.promote.as_deref(), plan.demote.as_deref()),
            (Some("k2"), Some("k1"))
        );
        let out = vault.rotate("Quiz", day3).unwrap();
        assert_eq!(
            (out.current.as_str(), out.previous.as_deref()),
            ("k2", Some("k1"))
        );
        assert!(!out.lead_time_skipped && out.generated.is_none());
        assert_eq!(out.unpublish_after, t("2026-01-10T00:00:00Z"));
        assert!(
            out.reminders.contains(&Remedy::PasteJwk {
                tool: "Quiz".into(),
                kid: "k2".into()
            }),
            "no JWKS URL: update the developer key: {:?}",
            out.reminders
        );
        assert_eq!(
            statuses(&vault),
            [
                ("k1".into(), KeyStatus::Previous),
                ("k2".into(), KeyStatus::Current)
            ]
        );
        assert_eq!(published(&vault), ["k1", "k2"]);
        let k1 = vault.keys("Quiz").unwrap().remove(0);
        assert_eq!(
            (k1.key.signing_from, k1.key.signing_to),
            (Some(day0), Some(day3))
        );

        // Retiring inside the overlap is refused with the safe time; after it, allowed.
        let err = vault
            .retire("Quiz", "k1", t("2026-01-09T00:00:00Z"), false)
            .unwrap_err();
        assert!(err.to_string().contains("2026-01-10T00:00:00Z"), "{err}");
        assert_eq!(err.kind(), "retire_too_early", "{err}");
        assert_eq!(
            vault
                .rotation_state("Quiz", t("2026-01-10T00:00:00Z"))
                .unwrap()
                .retire_ready,
            ["k1"]
        );
        vault
            .retire("Quiz", "k1", t("2026-01-10T00:00:00Z"), false)
            .unwrap();
        assert_eq!(published(&vault), ["k2"], "retired keys leave the JWKS");
        assert!(
            vault.retire("Quiz", "k2", day3, true).is_err(),
            "the current key does not retire"
        );

        // Rotating with no next key generates one, signs with it at once and says so.
        let out = vault.rotate("Quiz", t("2026-02-01T00:00:00Z")).unwrap();
        let generated = out.generated.clone().unwrap();
        assert_eq!(out.current, generated);
        assert!(out.lead_time_skipped);
        assert!(
            out.warnings[0].contains("skipping the pre-publish lead time"),
            "{:?}",
            out.warnings
        );
        assert_eq!(published(&vault), ["k2", generated.as_str()]);
        assert_eq!(secrets.len(), 3);
    }

    #[test]
    fn reminders_say_what_to_publish_and_where_as_data() {
        let (_d, _s, mut vault, _tool) = vault();
        vault
            .generate_key(&request(Some("a")), t("2026-01-01T00:00:00Z"), &mut |_| {})
            .unwrap();
        let out = vault.rotate("Quiz", t("2026-01-05T00:00:00Z")).unwrap();
        assert_eq!(
            out.reminders[0],
            Remedy::PublishJwks {
                tool: Some("Quiz".into()),
                jwks_url: None
            },
            "{:?}",
            out.reminders
        );
    }

    #[test]
    fn revocation_from_every_state() {
        let (_d, secrets, mut vault, _tool) = vault();
        let now = t("2026-01-01T00:00:00Z");
        for kid in ["a", "b", "c", "d"] {
            vault
                .generate_key(&request(Some(kid)), now, &mut |_| {})
                .unwrap();
        }
        vault.rotate("Quiz", t("2026-01-05T00:00:00Z")).unwrap(); // b current, a previous
        vault.rotate("Quiz", t("2026-01-06T00:00:00Z")).unwrap(); // c current, b previous
        vault
            .retire("Quiz", "a", t("2026-01-20T00:00:00Z"), false)
            .unwrap();
        // a retired, b previous, c current, d next
        let later = t("2026-01-21T00:00:00Z");
        vault.revoke("Quiz", "a", later).unwrap();
        vault.revoke("Quiz", "b", later).unwrap();
        vault.revoke("Quiz", "d", later).unwrap();
        assert_eq!(
            published(&vault),
            ["c"],
            "revoked keys are unpublished at once"
        );
        // Revoking the current key with no next key generates a new signing key.
        let promoted = vault.revoke("Quiz", "c", later).unwrap().signing.unwrap();
        assert_eq!(published(&vault), [promoted.as_str()]);
        let current: Vec<_> = statuses(&vault)
            .into_iter()
            .filter(|s| s.1 == KeyStatus::Current)
            .collect();
        assert_eq!(
            current,
            [(promoted.clone(), KeyStatus::Current)],
            "exactly one current key"
        );
        assert!(vault.revoke("Quiz", "a", later).is_err(), "already revoked");
        assert!(
            vault.sign("Quiz", "c", b"x").is_err(),
            "a revoked key never signs again"
        );
        assert_eq!(secrets.len(), 1, "revoked keys leave the keychain");
    }

    #[test]
    fn policy_is_validated_and_drives_due_state() {
        let (_d, _s, mut vault, _tool) = vault();
        let day0 = t("2026-01-01T00:00:00Z");
        vault
            .generate_key(&request(None), day0, &mut |_| {})
            .unwrap();
        let bad = Policy {
            overlap_secs: -5,
            ..Policy::default()
        };
        assert!(vault.set_policy("Quiz", bad, day0).is_err());
        let policy = Policy {
            rotate_every_secs: Some(30 * 86_400),
            ..Policy::default()
        };
        vault.set_policy("Quiz", policy, day0).unwrap();
        assert_eq!(vault.policy("Quiz").unwrap(), policy);
        assert_eq!(
            vault
                .rotation_state("Quiz", t("2026-01-30T00:00:00Z"))
                .unwrap()
                .due_since,
            None
        );
        assert_eq!(
            vault
                .rotation_state("Quiz", t("2026-02-01T00:00:00Z"))
                .unwrap()
                .due_since,
            Some(t("2026-01-31T00:00:00Z"))
        );
    }

    #[test]
    fn a_current_key_of_a_size_never_generated_is_not_replaced_by_another_size() {
        let (_d, secrets, mut vault, tool) = vault();
        // 2560 bits: a size a key may be imported with, but not one the app generates.
        let odd = crate::key::PublicKey::from_components(&[0xc0; 320], &[1, 0, 1]);
        let day0 = t("2026-01-01T00:00:00Z");
        vault
            .store
            .insert_key(&tool.id, "odd", &odd, day0, "key imported", None)
            .unwrap();
        let later = t("2026-02-01T00:00:00Z");
        let rotated = vault.rotate("Quiz", later).unwrap_err();
        let revoked = vault.revoke("Quiz", "odd", later).unwrap_err();
        for (what, err) in [("rotate", rotated), ("revoke", revoked)] {
            assert_eq!(err.kind(), "invalid", "{what}: {err}");
            let text = err.to_string();
            assert!(
                text.contains("'odd'") && text.contains("2560 bits"),
                "{what} names the key and its size: {text}"
            );
            assert!(
                text.contains("add a next key first"),
                "{what} says how to go on: {text}"
            );
            assert!(
                err.remedies().contains(&Remedy::GenerateKey {
                    tool: "Quiz".into(),
                    next: true
                }),
                "{what} offers to generate a next key: {:?}",
                err.remedies()
            );
        }
        assert_eq!(
            statuses(&vault),
            [("odd".to_string(), KeyStatus::Current)],
            "neither rotate nor revoke changed anything"
        );
        assert!(secrets.is_empty(), "no key of another size was generated");
    }
}
