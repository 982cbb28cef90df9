//! Tools: adding, listing, changing and removing them, and their Canvas JSON out and in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Vault;
use crate::canvas::{self, CanvasConfig, CanvasImported};
use crate::error::Result;
use crate::jwk::Jwk;
use crate::key::KeyStatus;
use crate::pending::{self, OpKind, OpLock, Removal};
use crate::tool::{Tool, ToolProfile, ToolSummary};

/// What removing a tool removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ToolRemoval {
    /// The tool's id.
    pub tool_id: String,
    /// The tool's name.
    pub tool: String,
    /// Its keys, each with what became of its private key.
    pub keys: Vec<RemovedKey>,
    /// How many registrations went with it.
    pub registrations: u32,
    /// How many deployment ids those registrations had.
    pub deployments: u32,
}

/// A key removed with its tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RemovedKey {
    /// The key.
    pub kid: String,
    /// Whether its private key left the keychain (else it does at the next start).
    pub private_key: Removal,
}

impl Vault {
    /// Adds a tool after checking every field.
    pub fn add_tool(&mut self, tool: ToolProfile, now: DateTime<Utc>) -> Result<Tool> {
        let tool = tool.validated()?;
        self.store.insert_tool(&tool, now)
    }

    /// All tools.
    pub fn tools(&self) -> Result<Vec<ToolSummary>> {
        self.store.tools()
    }

    /// A tool by id or name.
    pub fn tool(&self, id_or_name: &str) -> Result<Tool> {
        self.store.tool(id_or_name)
    }

    /// Replaces a tool's editable fields after checking every one; its id and keys stay. Start
    /// from the tool's `profile` and change what the user changed. Logs the changed fields.
    pub fn update_tool(
        &mut self,
        tool: &str,
        edit: ToolProfile,
        now: DateTime<Utc>,
    ) -> Result<Tool> {
        let current = self.store.tool(tool)?;
        let edit = edit.validated()?;
        self.store.update_tool(&current.id, &edit, now)
    }

    /// Removes a tool with its keys and rotation policy, and each key's private key from the
    /// keychain. A tool that has registrations is refused unless `remove_registrations`, which
    /// removes them (and their deployment ids) too. The records go in one transaction that
    /// announces each private key's removal, so a removal the keychain refuses now (or a kill
    /// after the commit) is finished at the next start: see [`Vault::repair`]. Logged.
    pub fn remove_tool(
        &mut self,
        tool: &str,
        remove_registrations: bool,
        now: DateTime<Utc>,
    ) -> Result<ToolRemoval> {
        let tool = self.store.tool(tool)?;
        let dir = self.store.data_dir().to_path_buf();
        let mut locks = Vec::new();
        let deleted = self
            .store
            .delete_tool(&tool.id, remove_registrations, now, &mut |kid| {
                let lock = OpLock::acquire(&dir)?;
                let op = lock.op(OpKind::Purge, &tool.id, kid, now);
                locks.push(lock);
                Ok(op)
            })?;
        pending::pause_point("tool-removed");
        let keys = deleted
            .purges
            .iter()
            .map(|op| RemovedKey {
                kid: op.kid.clone(),
                private_key: self.purge(op),
            })
            .collect();
        drop(locks);
        Ok(ToolRemoval {
            tool_id: tool.id,
            tool: deleted.name,
            keys,
            registrations: deleted.registrations,
            deployments: deleted.deployments,
        })
    }

    /// The tool's Canvas developer-key JSON: `public_jwk_url` when the tool has a JWKS URL,
    /// else the public JWK of its current key (an error naming the fix when it has neither).
    pub fn canvas_export(&self, tool: &str) -> Result<CanvasConfig> {
        let (tool, current) = self.canvas_key(tool)?;
        canvas::export(&tool, current.as_ref())
    }

    /// The tool's configuration in the form Canvas's registration API takes (see
    /// [`canvas::export_api`]).
    pub fn canvas_export_api(&self, tool: &str) -> Result<serde_json::Value> {
        let (tool, current) = self.canvas_key(tool)?;
        canvas::export_api(&tool, current.as_ref())
    }

    /// The tool, and its current key when Canvas is to get the key itself (no JWKS URL).
    fn canvas_key(&self, tool: &str) -> Result<(Tool, Option<Jwk>)> {
        let tool = self.store.tool(tool)?;
        let current = match tool.profile.jwks_url {
            Some(_) => None,
            None => self
                .store
                .keys(&tool.id)?
                .into_iter()
                .find(|k| k.status == KeyStatus::Current)
                .map(|k| Jwk::new(&k.kid, &k.public)),
        };
        Ok((tool, current))
    }

    /// The tool's Dynamic Registration tool configuration (see [`crate::dynreg`]).
    pub fn dynreg_export(&self, tool: &str) -> Result<serde_json::Value> {
        crate::dynreg::tool_configuration(&self.store.tool(tool)?)
    }

    /// Adds a tool from a Canvas configuration, with what was found on the way (see
    /// [`canvas::import`]): a document with lint errors still imports.
    pub fn import_canvas(
        &mut self,
        doc: &serde_json::Value,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CanvasImported> {
        let imported = canvas::import(doc, name)?;
        let tool = self.store.insert_tool(&imported.tool, now)?;
        Ok(CanvasImported {
            tool,
            findings: imported.findings,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::super::test_support::{add_tool, request, vault};
    use super::super::GenerateKey;
    use super::*;
    use crate::error::Error;
    use crate::pending::RepairKind;
    use crate::platform::{NewPlatform, PlatformFamily};
    use crate::registration::{NewDeployment, NewRegistration};
    use crate::remedy::Remedy;
    use crate::secret::{self, SecretStore};

    fn key(vault: &mut Vault, tool: &str, kid: &str) {
        let request = GenerateKey {
            tool: tool.into(),
            ..request(Some(kid))
        };
        vault
            .generate_key(&request, Utc::now(), &mut |_| {})
            .unwrap();
    }

    fn actions(vault: &Vault, tool_id: &str) -> Vec<(String, Option<String>)> {
        let events = vault.store.events(tool_id).unwrap();
        events.into_iter().map(|e| (e.action, e.kid)).collect()
    }

    fn register(vault: &mut Vault, deployments: &[&str]) -> crate::registration::Registration {
        vault
            .add_platform(
                NewPlatform::from_preset("Acme Canvas", PlatformFamily::CanvasCloud, None),
                Utc::now(),
            )
            .unwrap();
        vault
            .add_registration(
                NewRegistration {
                    tool: "Quiz".into(),
                    platform: "Acme Canvas".into(),
                    client_id: "10000000000001".into(),
                    deployments: deployments.iter().map(|d| NewDeployment::new(d)).collect(),
                },
                Utc::now(),
            )
            .unwrap()
    }

    #[test]
    fn removing_a_tool_removes_its_keys_and_their_private_keys_and_logs_it() {
        let (_d, secrets, mut vault, quiz) = vault();
        key(&mut vault, "Quiz", "a");
        key(&mut vault, "Quiz", "b");
        let poll = add_tool(&mut vault, "Poll");
        key(&mut vault, "Poll", "p");

        let removed = vault.remove_tool("quiz", false, Utc::now()).unwrap();
        assert_eq!(
            (removed.tool_id.as_str(), removed.tool.as_str()),
            (quiz.id.as_str(), "Quiz")
        );
        let gone = Removal {
            removed: true,
            reason: None,
        };
        assert_eq!(
            removed.keys,
            [
                RemovedKey {
                    kid: "a".into(),
                    private_key: gone.clone()
                },
                RemovedKey {
                    kid: "b".into(),
                    private_key: gone
                }
            ]
        );
        assert_eq!((removed.registrations, removed.deployments), (0, 0));

        assert_eq!(vault.tool(&quiz.id).unwrap_err().kind(), "tool_not_found");
        assert!(
            vault.store.keys(&quiz.id).unwrap().is_empty(),
            "no key row is left"
        );
        assert!(
            secrets
                .get(&secret::account(&quiz.id, "a"))
                .unwrap()
                .is_none()
                && secrets
                    .get(&secret::account(&quiz.id, "b"))
                    .unwrap()
                    .is_none(),
            "no private key of the tool is left in the keychain"
        );
        assert!(
            secrets
                .get(&secret::account(&poll.id, "p"))
                .unwrap()
                .is_some(),
            "another tool's key stays"
        );
        assert_eq!(vault.keys("Poll").unwrap().len(), 1);
        assert!(
            vault.store.pending_ops().unwrap().is_empty(),
            "every removal finished"
        );
        assert!(vault.repair(Utc::now()).unwrap().is_empty());
        let log = actions(&vault, &quiz.id);
        assert_eq!(
            log[log.len() - 3..],
            [
                ("key deleted".to_string(), Some("a".to_string())),
                ("key deleted".to_string(), Some("b".to_string())),
                ("tool removed".to_string(), None),
            ],
            "the audit log keeps what was removed: {log:?}"
        );

        // The name is free again, for a tool with nothing of the old one's.
        let again = add_tool(&mut vault, "Quiz");
        assert_ne!(again.id, quiz.id);
        assert!(vault.keys("Quiz").unwrap().is_empty());
    }

    #[test]
    fn a_tool_with_registrations_is_refused_unless_they_go_with_it() {
        let (_d, secrets, mut vault, quiz) = vault();
        key(&mut vault, "Quiz", "a");
        let reg = register(&mut vault, &["1:abc", "2:def"]);

        let err = vault.remove_tool("Quiz", false, Utc::now()).unwrap_err();
        assert!(
            matches!(&err, Error::ToolHasRegistrations { tool, count: 1 } if tool == "Quiz"),
            "{err}"
        );
        assert_eq!(err.kind(), "tool_has_registrations");
        assert_eq!(
            err.remedies(),
            [Remedy::RemoveToolWithRegistrations {
                tool: "Quiz".into()
            }]
        );
        assert_eq!(
            vault.tool("Quiz").unwrap().id,
            quiz.id,
            "nothing was removed"
        );
        assert_eq!(vault.keys("Quiz").unwrap().len(), 1);
        assert_eq!(secrets.len(), 1);
        assert_eq!(vault.registration(&reg.id).unwrap().deployments.len(), 2);
        assert!(
            vault.store.pending_ops().unwrap().is_empty(),
            "no removal announced"
        );

        let removed = vault.remove_tool("Quiz", true, Utc::now()).unwrap();
        assert_eq!((removed.registrations, removed.deployments), (1, 2));
        assert_eq!(removed.keys.len(), 1);
        assert!(secrets.is_empty());
        assert_eq!(
            vault.registration(&reg.id).unwrap_err().kind(),
            "registration_not_found"
        );
        assert!(vault.registrations(None, None).unwrap().is_empty());
        let log = vault.subject_events(&reg.id).unwrap();
        assert_eq!(
            log.last().map(|e| e.action.as_str()),
            Some("registration removed"),
            "{log:?}"
        );
        // Its platform has no registration left, and can go too.
        vault.remove_platform("Acme Canvas", Utc::now()).unwrap();
    }

    #[test]
    fn a_private_key_the_keychain_refuses_to_remove_is_removed_at_the_next_repair() {
        let (_d, secrets, mut vault, quiz) = vault();
        key(&mut vault, "Quiz", "a");
        secrets.fail.store(true, Ordering::SeqCst);
        let removed = vault.remove_tool("Quiz", false, Utc::now()).unwrap();
        assert!(!removed.keys[0].private_key.removed);
        assert!(
            removed.keys[0].private_key.reason.is_some(),
            "says why it is still there"
        );
        assert_eq!(vault.tool("Quiz").unwrap_err().kind(), "tool_not_found");
        assert_eq!(
            vault.store.pending_ops().unwrap().len(),
            1,
            "announced, not finished"
        );

        secrets.fail.store(false, Ordering::SeqCst);
        let repairs = vault.repair(Utc::now()).unwrap();
        assert_eq!(repairs.len(), 1, "{repairs:?}");
        assert_eq!(repairs[0].kind, RepairKind::PrivateKeyRemoved);
        assert_eq!(
            (repairs[0].tool.as_str(), repairs[0].kid.as_str()),
            (quiz.id.as_str(), "a"),
            "the tool is gone: it is named by its id"
        );
        assert_eq!(repairs[0].error, None);
        assert!(secrets.is_empty());
        assert!(vault.store.pending_ops().unwrap().is_empty());
    }

    #[test]
    fn an_unknown_tool_is_not_found() {
        let (_d, _s, mut vault, _quiz) = vault();
        let err = vault.remove_tool("nope", true, Utc::now()).unwrap_err();
        assert_eq!(err.kind(), "tool_not_found");
    }
}
