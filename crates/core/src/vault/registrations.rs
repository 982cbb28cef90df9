//! Registrations and their deployment ids: thin calls over the store, checked by `registration`.

use chrono::{DateTime, Utc};

use super::Vault;
use crate::error::Result;

impl Vault {
    /// Registers a tool on a platform. (issuer, client_id) must be new.
    pub fn add_registration(
        &mut self,
        registration: crate::registration::NewRegistration,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let registration = registration.validated()?;
        let tool = self.store.tool(&registration.tool)?;
        let platform = self.store.platform(&registration.platform)?;
        self.store
            .insert_registration(&tool.id, &platform.id, &registration, now)
    }

    /// Registrations, optionally of one tool and/or one platform (ids or names).
    pub fn registrations(
        &self,
        tool: Option<&str>,
        platform: Option<&str>,
    ) -> Result<Vec<crate::registration::Registration>> {
        let tool_id = tool.map(|t| self.store.tool(t)).transpose()?.map(|t| t.id);
        let platform_id = platform
            .map(|p| self.store.platform(p))
            .transpose()?
            .map(|p| p.id);
        self.store
            .registrations(tool_id.as_deref(), platform_id.as_deref())
    }

    /// One registration by id.
    pub fn registration(&self, id: &str) -> Result<crate::registration::Registration> {
        self.store.registration(id.trim())
    }

    /// Changes a registration's client_id (checked as on add) and/or the platform it is on;
    /// refused when another registration has the resulting (issuer, client_id). Logged.
    pub fn update_registration(
        &mut self,
        registration: &str,
        update: crate::registration::RegistrationUpdate,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let update = update.validated()?;
        let platform_id = update
            .platform
            .as_deref()
            .map(|p| self.store.platform(p))
            .transpose()?
            .map(|p| p.id);
        self.store.update_registration(
            registration.trim(),
            update.client_id.as_deref(),
            platform_id.as_deref(),
            now,
        )
    }

    /// Removes a registration and its deployment ids.
    pub fn remove_registration(&mut self, id: &str, now: DateTime<Utc>) -> Result<()> {
        self.store.delete_registration(id.trim(), now)
    }

    /// Records a deployment id (with an optional label) on a registration.
    pub fn add_deployment(
        &mut self,
        registration: &str,
        deployment: crate::registration::NewDeployment,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        let deployment = deployment.validated()?;
        self.store
            .add_deployment(registration.trim(), &deployment, now)
    }

    /// Removes a deployment id from a registration.
    pub fn remove_deployment(
        &mut self,
        registration: &str,
        deployment_id: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        self.store
            .remove_deployment(registration.trim(), deployment_id.trim(), now)
    }

    /// The six values (and the audience, where it differs) to hand the tool vendor.
    pub fn handoff(&self, registration: &str) -> Result<crate::registration::Handoff> {
        let reg = self.store.registration(registration.trim())?;
        let platform = self.store.platform(&reg.platform_id)?;
        Ok(crate::registration::Handoff::new(&reg, &platform))
    }
}
