//! Registrations and their deployment ids: thin calls over the store, checked by `registration`.

use chrono::{DateTime, Utc};

use super::Vault;
use crate::error::{Error, Result};

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

    /// A registration as a tool library reads it (see [`LibraryFormat`]). pylti1.3's names the
    /// key files `files` (the defaults when `None`) and needs a current key whose kid is its
    /// thumbprint.
    pub fn library_config(
        &self,
        registration: &str,
        format: LibraryFormat,
        files: Option<&crate::registration::library::KeyFiles>,
    ) -> Result<serde_json::Value> {
        use crate::registration::library;
        let reg = self.store.registration(registration.trim())?;
        let platform = self.store.platform(&reg.platform_id)?;
        match format {
            LibraryFormat::Pylti1p3 => {
                let current = self
                    .store
                    .keys(&reg.tool_id)?
                    .into_iter()
                    .find(|k| k.status == crate::key::KeyStatus::Current)
                    .ok_or_else(|| Error::NoPublishedKey {
                        tool: reg.tool_name.clone(),
                    })?;
                let jwk = crate::jwk::Jwk::new(&current.kid, &current.public);
                let default = library::KeyFiles::default();
                library::pylti1p3_config(
                    &reg,
                    &platform,
                    &reg.tool_name,
                    &jwk,
                    files.unwrap_or(&default),
                )
            }
            LibraryFormat::Ltijs => Ok(library::ltijs_platform(&reg, &platform)),
            LibraryFormat::DjangoLti => Ok(library::django_lti(&reg, &platform)),
        }
    }
}

/// The tool libraries whose registration config is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum LibraryFormat {
    /// pylti1.3's `ToolConfJsonFile`.
    Pylti1p3,
    /// ltijs's `registerPlatform` object.
    Ltijs,
    /// django-lti's registration and deployment fields.
    DjangoLti,
}

/// What a Dynamic Registration recorded, and what the admin must still do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DynregRegistered {
    /// The platform (found by issuer, or added from its configuration).
    pub platform: crate::platform::Platform,
    /// Whether the platform was added by this registration.
    pub platform_added: bool,
    /// The registration, with the deployment id when the platform sent one.
    pub registration: crate::registration::Registration,
    /// The steps left on the platform's side, in plain words.
    pub notes: Vec<String>,
}

impl Vault {
    /// Runs a Dynamic Registration session for `tool` on `listener` (see
    /// [`crate::dynreg::serve::serve`]) and records the platform and the registration.
    pub fn dynamic_registration(
        &mut self,
        tool: &str,
        listener: crate::dynreg::serve::Listener,
        client: &crate::http::HttpClient,
        control: &crate::dynreg::serve::Control,
        progress: &mut dyn FnMut(&crate::dynreg::serve::Progress),
    ) -> Result<DynregRegistered> {
        let tool = self.store.tool(tool)?;
        let configuration = crate::dynreg::tool_configuration(&tool)?;
        let name = tool.profile.name.clone();
        let tool_id = tool.id.clone();
        let mut record = |url: &str,
                          found: &crate::discovery::DiscoveredPlatform,
                          answer: &crate::dynreg::serve::Answer|
         -> Result<DynregRegistered> {
            self.record_dynamic_registration(&tool_id, url, found, answer, Utc::now())
        };
        crate::dynreg::serve::serve(
            listener,
            &name,
            &configuration,
            client,
            control,
            progress,
            &mut record,
            &Utc::now,
        )
    }

    /// Records what a Dynamic Registration made: the platform by issuer (added from its
    /// configuration when new), and the registration with the deployment id it came with.
    pub fn record_dynamic_registration(
        &mut self,
        tool: &str,
        configuration_url: &str,
        found: &crate::discovery::DiscoveredPlatform,
        answer: &crate::dynreg::serve::Answer,
        now: DateTime<Utc>,
    ) -> Result<DynregRegistered> {
        let issuer = found.issuer.clone().unwrap_or_default();
        let existing = self
            .platforms()?
            .into_iter()
            .find(|p| p.spec.issuer == issuer);
        let (platform, platform_added) = match existing {
            Some(p) => (p, false),
            None => {
                let host = url::Url::parse(&issuer)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| issuer.clone());
                let taken: Vec<String> = self
                    .platforms()?
                    .into_iter()
                    .map(|p| p.spec.name.to_lowercase())
                    .collect();
                let base = format!("{} {host}", found.family.label());
                let name = (1..)
                    .map(|n| {
                        if n == 1 {
                            base.clone()
                        } else {
                            format!("{base} ({n})")
                        }
                    })
                    .find(|n| !taken.contains(&n.to_lowercase()))
                    .unwrap_or(base);
                self.apply_discovery(
                    &name,
                    configuration_url,
                    found,
                    crate::discovery::DiscoverOptions::default(),
                    now,
                )?;
                (self.platform(&name)?, true)
            }
        };
        let registration = self.add_registration(
            crate::registration::NewRegistration {
                tool: tool.to_string(),
                platform: platform.id.clone(),
                client_id: answer.client_id.clone(),
                deployments: answer
                    .deployment_id
                    .iter()
                    .map(|d| crate::registration::NewDeployment::new(d))
                    .collect(),
            },
            now,
        )?;
        let mut notes = Vec::new();
        if platform.spec.family.is_canvas() {
            notes.push(
                "Canvas sends no deployment id with the registration: turn the developer key on \
                 and install the app (Admin → Developer Keys, then Settings → Apps → + App → \
                 By Client ID), then add the deployment id Canvas shows; the JWT inspector offers \
                 to add it from the first launch"
                    .to_string(),
            );
        }
        if platform.spec.family == crate::platform::PlatformFamily::Moodle {
            notes.push(
                "Moodle keeps the tool pending until an admin activates it: Site administration \
                 → Plugins → Activity modules → External tool → Manage tools"
                    .to_string(),
            );
        }
        if answer.deployment_id.is_none() && !platform.spec.family.is_canvas() {
            notes.push(
                "the platform sent no deployment id: add it when the platform shows it".into(),
            );
        }
        Ok(DynregRegistered {
            platform,
            platform_added,
            registration,
            notes,
        })
    }
}
