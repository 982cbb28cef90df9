//! A registration bundle's import: every record it brings, written in one transaction.

use chrono::{DateTime, Utc};
use rusqlite::TransactionBehavior;

use super::checks::insert_check_in;
use super::keys::insert_key_as_in;
use super::platforms::insert_platform_in;
use super::registrations::{add_deployment_in, insert_registration_in, touch_registration};
use super::tools::{fresh_tool_id, insert_tool_in};
use super::Store;
use crate::check::JwksCheck;
use crate::error::Result;
use crate::key::KeyRecord;
use crate::platform::PlatformSpec;
use crate::registration::{NewDeployment, NewRegistration};
use crate::tool::ToolProfile;

/// A record an import uses: one here already (by id), or a new one.
pub enum Target<T> {
    /// This one, here already.
    Existing(String),
    /// A new one.
    New(T),
}

/// What an import writes.
pub struct BundleWrite {
    /// The tool, and the id a new one gets (chosen before its keys reach the keychain).
    pub tool: Target<(String, ToolProfile)>,
    /// The platform.
    pub platform: Target<PlatformSpec>,
    /// The registration (a new one with all the bundle's deployment ids).
    pub registration: Target<NewRegistration>,
    /// Deployment ids added to a registration here already.
    pub deployments: Vec<NewDeployment>,
    /// Keys added to the tool, with their status and dates.
    pub keys: Vec<KeyRecord>,
    /// Check results added.
    pub checks: Vec<JwksCheck>,
    /// The keychain reservations the import ends (of the private keys it wrote).
    pub finishing: Vec<String>,
}

/// The ids of what an import wrote or matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleWritten {
    /// The tool's.
    pub tool_id: String,
    /// The platform's.
    pub platform_id: String,
    /// The registration's.
    pub registration_id: String,
}

impl Store {
    /// A tool id no tool has yet, for a tool a bundle import is about to create.
    pub fn fresh_tool_id(&self) -> Result<String> {
        fresh_tool_id(&self.conn)
    }

    /// Writes an import: all of it or, on any failure, nothing.
    pub fn import_bundle(
        &mut self,
        write: &BundleWrite,
        now: DateTime<Utc>,
    ) -> Result<BundleWritten> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let tool_id = match &write.tool {
            Target::Existing(id) => id.clone(),
            Target::New((id, profile)) => {
                insert_tool_in(&tx, id, profile, now)?;
                id.clone()
            }
        };
        let platform_id = match &write.platform {
            Target::Existing(id) => id.clone(),
            Target::New(spec) => insert_platform_in(&tx, spec, now, "platform imported")?,
        };
        let registration_id = match &write.registration {
            Target::Existing(id) => {
                for deployment in &write.deployments {
                    add_deployment_in(&tx, &tool_id, id, deployment, now)?;
                }
                if !write.deployments.is_empty() {
                    touch_registration(&tx, id, now)?;
                }
                id.clone()
            }
            Target::New(registration) => {
                insert_registration_in(&tx, &tool_id, &platform_id, registration, now)?
            }
        };
        for key in &write.keys {
            insert_key_as_in(&tx, &tool_id, key, now, "key imported from a bundle")?;
        }
        for check in &write.checks {
            insert_check_in(&tx, check)?;
        }
        for op in &write.finishing {
            tx.execute("DELETE FROM keychain_ops WHERE id = ?1", [op])?;
        }
        tx.commit()?;
        Ok(BundleWritten {
            tool_id,
            platform_id,
            registration_id,
        })
    }
}
