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

    /// Every registration in brief: what the platforms page shows of each.
    pub fn registration_briefs(&self) -> Result<Vec<crate::registration::RegistrationBrief>> {
        self.store.registration_briefs()
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

/// A registration made through Canvas's registrations API, and what is left to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct CanvasRegistered {
    /// The registration as recorded here (client_id, the deployments Canvas listed).
    pub registration: crate::registration::Registration,
    /// The registration as Canvas returned it.
    pub canvas: crate::canvas::registrations::CanvasRegistration,
    /// The deployments Canvas listed (none when it could not list them: see `notes`).
    pub deployments: Vec<crate::canvas::registrations::CanvasDeployment>,
    /// The steps left, in plain words.
    pub notes: Vec<String>,
}

/// A registration's deployments as Canvas lists them, and what was recorded from them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct CanvasDeploymentsSynced {
    /// The registration after recording.
    pub registration: crate::registration::Registration,
    /// Every deployment Canvas listed.
    pub deployments: Vec<crate::canvas::registrations::CanvasDeployment>,
    /// The deployment ids recorded by this sync.
    pub added: Vec<String>,
    /// The deployment ids whose label was set from Canvas's context name.
    pub labelled: Vec<String>,
}

/// A registration as Canvas holds it, against the tool's configuration here.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct CanvasRegistrationStatus {
    /// The registration here.
    pub registration: crate::registration::Registration,
    /// The registration in Canvas.
    pub canvas: crate::canvas::registrations::CanvasRegistration,
    /// The configuration members Canvas holds otherwise than the tool here: what an update
    /// would change. Empty when Canvas is up to date.
    pub differences: Vec<String>,
}

/// Where a linked registration's Canvas calls go.
struct CanvasTarget {
    registration: crate::registration::Registration,
    link: crate::registration::CanvasLink,
    base: String,
    token: zeroize::Zeroizing<String>,
}

impl Vault {
    /// The address of the Canvas a platform is, for its API: the platform's base URL.
    fn canvas_base(&self, platform: &crate::platform::Platform) -> Result<String> {
        if !platform.spec.family.is_canvas() {
            return Err(Error::invalid(
                "platform",
                format!(
                    "'{}' is a {} platform, and only Canvas has this registrations API",
                    platform.spec.name,
                    platform.spec.family.label()
                ),
                "register through Dynamic Registration instead (`ltikeys dynreg serve`), or \
                 add the registration by hand",
            )
            .at("platform"));
        }
        platform.spec.base_url.clone().ok_or_else(|| {
            Error::invalid(
                "Canvas URL",
                format!(
                    "platform '{}' does not say where its Canvas is",
                    platform.spec.name
                ),
                "give the Canvas address you sign in at, e.g. https://school.instructure.com \
                 (--canvas-url, or the field in the window); it is kept on the platform",
            )
            .at("canvas_url")
        })
    }

    /// Keeps `url` as the address of a Canvas platform's instance (its base URL), where its API
    /// answers. Logged when it changes.
    pub fn set_canvas_url(
        &mut self,
        platform: &str,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::platform::Platform> {
        let current = self.store.platform(platform)?;
        let fix = "give the Canvas address you sign in at, e.g. https://school.instructure.com";
        crate::input::validate_url("Canvas URL", url.trim()).map_err(|e| e.at("canvas_url"))?;
        let mut parsed = url::Url::parse(url.trim())
            .map_err(|e| Error::invalid("Canvas URL", format!("not a URL ({e})"), fix))?;
        parsed.set_path("");
        parsed.set_query(None);
        parsed.set_fragment(None);
        let base = parsed.as_str().trim_end_matches('/').to_string();
        if current.spec.base_url.as_deref() == Some(base.as_str()) {
            return Ok(current);
        }
        let mut after = current.spec.clone();
        after.base_url = Some(base.clone());
        let detail = format!("Canvas URL {base}");
        self.store
            .update_platform(&current.id, &after, now, "platform updated", &detail)
    }

    fn canvas_target(&self, registration: &str) -> Result<CanvasTarget> {
        let registration = self.store.registration(registration.trim())?;
        let platform = self.store.platform(&registration.platform_id)?;
        let base = self.canvas_base(&platform)?;
        let link = registration.canvas.clone().ok_or_else(|| {
            Error::invalid(
                "registration",
                format!(
                    "{} was not made through Canvas's registrations API here",
                    registration.id
                ),
                "link it to Canvas first: give the root account id (`ltikeys canvas deployments \
                 REG --account ID`), and it is found by its client_id",
            )
            .at("account")
        })?;
        let token = self.api_token(&platform)?;
        Ok(CanvasTarget {
            registration,
            link,
            base,
            token,
        })
    }

    /// Creates the tool's registration on a Canvas account through Canvas's registrations API
    /// (one call: Canvas makes the developer key and binds it, on unless `on` is false), records
    /// it here with the client_id Canvas gave, and records the deployments Canvas lists.
    pub fn canvas_register(
        &mut self,
        tool: &str,
        platform: &str,
        account: &str,
        on: bool,
        client: &crate::http::HttpClient,
        now: DateTime<Utc>,
    ) -> Result<CanvasRegistered> {
        use crate::canvas::registrations::{validated_account, CanvasApi};
        let account = validated_account(account)?;
        let tool = self.store.tool(tool)?;
        let platform = self.store.platform(platform)?;
        let base = self.canvas_base(&platform)?;
        let configuration = self.canvas_export_api(&tool.id)?;
        let token = self.api_token(&platform)?;
        let api = CanvasApi::new(client, &base, &token)?;
        let made = api.create(&account, &tool.profile.name, &configuration, on)?;
        let link = crate::registration::CanvasLink {
            account_id: account.clone(),
            registration_id: made.id.clone(),
        };
        let new = crate::registration::NewRegistration {
            tool: tool.id.clone(),
            platform: platform.id.clone(),
            client_id: made.client_id.clone(),
            deployments: vec![],
        }
        .validated()?;
        let registration = self
            .store
            .insert_canvas_registration(&tool.id, &platform.id, &new, &link, now)
            .map_err(|e| {
                Error::invalid(
                    "registration",
                    format!(
                        "Canvas made registration {} (client_id {}) on account {account}, but it \
                         could not be recorded here: {e}",
                        made.id, made.client_id
                    ),
                    format!(
                        "record it by hand: `ltikeys registration add --tool {} --platform {} \
                         --client-id {}`",
                        tool.id, platform.id, made.client_id
                    ),
                )
            })?;
        let mut notes = Vec::new();
        if !on {
            notes.push(
                "the registration is off in Canvas: turn it on when the tool is ready".to_string(),
            );
        }
        let (registration, deployments) = match api.deployments(&account, &made.id) {
            Ok(listed) => {
                let synced = self.record_canvas_deployments(&registration.id, &listed, now)?;
                (synced.registration, listed)
            }
            Err(e) => {
                notes.push(format!(
                    "the deployments could not be listed yet ({e}); install the app in Canvas \
                     (Settings → Apps → + App → By Client ID {}) and add its deployment id",
                    made.client_id
                ));
                (registration, vec![])
            }
        };
        if deployments.is_empty() && notes.len() == usize::from(!on) {
            notes.push(format!(
                "Canvas has no deployment yet: install the app on an account or course \
                 (Settings → Apps → + App → By Client ID {}), then sync the deployments",
                made.client_id
            ));
        }
        Ok(CanvasRegistered {
            registration,
            canvas: made,
            deployments,
            notes,
        })
    }

    /// Links a registration recorded here to the one Canvas holds on `account` with its
    /// client_id, so that its deployments can be synced and it can be turned on or off.
    pub fn canvas_link(
        &mut self,
        registration: &str,
        account: &str,
        client: &crate::http::HttpClient,
        now: DateTime<Utc>,
    ) -> Result<crate::registration::Registration> {
        use crate::canvas::registrations::{validated_account, CanvasApi};
        let account = validated_account(account)?;
        let reg = self.store.registration(registration.trim())?;
        let platform = self.store.platform(&reg.platform_id)?;
        let base = self.canvas_base(&platform)?;
        let token = self.api_token(&platform)?;
        let found =
            CanvasApi::new(client, &base, &token)?.by_client_id(&account, &reg.client_id)?;
        let link = crate::registration::CanvasLink {
            account_id: account,
            registration_id: found.id,
        };
        self.store.link_canvas_registration(&reg.id, &link, now)
    }

    /// Lists the registration's deployments in Canvas and records the new ones, labelled with
    /// their context's name; a recorded one without a label gets that name.
    pub fn canvas_deployments(
        &mut self,
        registration: &str,
        client: &crate::http::HttpClient,
        now: DateTime<Utc>,
    ) -> Result<CanvasDeploymentsSynced> {
        let target = self.canvas_target(registration)?;
        let listed =
            crate::canvas::registrations::CanvasApi::new(client, &target.base, &target.token)?
                .deployments(&target.link.account_id, &target.link.registration_id)?;
        self.record_canvas_deployments(&target.registration.id, &listed, now)
    }

    fn record_canvas_deployments(
        &mut self,
        registration: &str,
        listed: &[crate::canvas::registrations::CanvasDeployment],
        now: DateTime<Utc>,
    ) -> Result<CanvasDeploymentsSynced> {
        let mut reg = self.store.registration(registration)?;
        let (mut added, mut labelled) = (Vec::new(), Vec::new());
        for deployment in listed.iter().filter(|d| d.active) {
            let label = deployment.label();
            match reg
                .deployments
                .iter()
                .find(|d| d.deployment_id == deployment.deployment_id)
            {
                None => {
                    let new = crate::registration::NewDeployment {
                        deployment_id: deployment.deployment_id.clone(),
                        label: Some(label),
                    }
                    .validated()?;
                    reg = self.store.add_deployment(&reg.id, &new, now)?;
                    added.push(deployment.deployment_id.clone());
                }
                Some(known) if known.label.is_none() => {
                    let label: String = label.chars().take(200).collect();
                    reg = self.store.label_deployment(
                        &reg.id,
                        &deployment.deployment_id,
                        &label,
                        now,
                    )?;
                    labelled.push(deployment.deployment_id.clone());
                }
                Some(_) => {}
            }
        }
        Ok(CanvasDeploymentsSynced {
            registration: reg,
            deployments: listed.to_vec(),
            added,
            labelled,
        })
    }

    /// Turns the registration on or off for its Canvas account; returns the state Canvas
    /// reports. Logged.
    pub fn canvas_switch(
        &mut self,
        registration: &str,
        on: bool,
        client: &crate::http::HttpClient,
        now: DateTime<Utc>,
    ) -> Result<crate::canvas::registrations::BindingState> {
        use crate::canvas::registrations::{BindingState, CanvasApi};
        let target = self.canvas_target(registration)?;
        let wanted = if on {
            BindingState::On
        } else {
            BindingState::Off
        };
        let state = CanvasApi::new(client, &target.base, &target.token)?.bind(
            &target.link.account_id,
            &target.link.registration_id,
            wanted,
        )?;
        self.store.log_subject(
            now,
            "Canvas registration switched",
            &target.registration.id,
            &format!(
                "turned {} on account {}",
                state.as_str(),
                target.link.account_id
            ),
        )?;
        Ok(state)
    }

    /// The registration as Canvas holds it, and where its configuration differs from the tool
    /// here.
    pub fn canvas_status(
        &self,
        registration: &str,
        client: &crate::http::HttpClient,
    ) -> Result<CanvasRegistrationStatus> {
        let target = self.canvas_target(registration)?;
        let canvas =
            crate::canvas::registrations::CanvasApi::new(client, &target.base, &target.token)?
                .get(&target.link.account_id, &target.link.registration_id)?;
        let ours = self.canvas_export_api(&target.registration.tool_id)?;
        let differences = canvas
            .configuration
            .as_ref()
            .map(|theirs| crate::canvas::registrations::configuration_differences(&ours, theirs))
            .unwrap_or_else(|| vec!["configuration".into()]);
        Ok(CanvasRegistrationStatus {
            registration: target.registration,
            canvas,
            differences,
        })
    }

    /// Replaces the configuration Canvas holds with the tool's configuration here. Logged.
    pub fn canvas_update(
        &mut self,
        registration: &str,
        client: &crate::http::HttpClient,
        now: DateTime<Utc>,
    ) -> Result<CanvasRegistrationStatus> {
        let target = self.canvas_target(registration)?;
        let ours = self.canvas_export_api(&target.registration.tool_id)?;
        let canvas =
            crate::canvas::registrations::CanvasApi::new(client, &target.base, &target.token)?
                .update(&target.link.account_id, &target.link.registration_id, &ours)?;
        let differences = canvas
            .configuration
            .as_ref()
            .map(|theirs| crate::canvas::registrations::configuration_differences(&ours, theirs))
            .unwrap_or_default();
        self.store.log_subject(
            now,
            "Canvas configuration updated",
            &target.registration.id,
            &format!(
                "registration {} on account {}",
                target.link.registration_id, target.link.account_id
            ),
        )?;
        Ok(CanvasRegistrationStatus {
            registration: target.registration,
            canvas,
            differences,
        })
    }
}
