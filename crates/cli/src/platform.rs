//! `ltikeys platform` and `ltikeys registration`: LMS platforms, tools registered on them, their
//! deployment ids, and the hand-off of the values a tool vendor needs.

use chrono::{SecondsFormat, Utc};
use clap::{Args, Subcommand};
use ltikeys_core::platform::{presets, PlatformFamily};
use ltikeys_core::{
    DiscoverOptions, Error, Finding, HttpClient, NewDeployment, NewPlatform, NewRegistration,
    Platform, PlatformUpdate, Registration, Vault,
};

use crate::output::{errln, out, outln, print_json};

#[derive(Subcommand)]
pub enum PlatformCommand {
    /// Add a platform from a preset; prints its id.
    Add(PlatformAdd),
    /// Fill a platform from its OpenID configuration and show what changed (creates the
    /// platform when none has that name).
    Discover {
        /// Platform id or name.
        platform: String,
        /// The platform's /.well-known/openid-configuration or Dynamic Registration
        /// configuration URL (default: the one the platform record holds).
        #[arg(long = "openid-configuration", value_name = "URL")]
        url: Option<String>,
        /// The `registration_token` of a Dynamic Registration link, sent as a Bearer token
        /// (Canvas serves its registration configuration only with one).
        #[arg(long, value_name = "TOKEN")]
        registration_token: Option<String>,
        /// Take a discovered issuer that differs from the record's (registrations follow).
        #[arg(long)]
        accept_issuer: bool,
        /// Show the changes without applying them.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// List platforms.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one platform (id or name).
    Show {
        platform: String,
        #[arg(long)]
        json: bool,
    },
    /// List the presets, or show one with its note.
    Presets {
        preset: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change a platform's values ("" clears --audience and --openid-configuration).
    Update(PlatformUpdateArgs),
    /// Remove a platform that has no registrations.
    Remove { platform: String },
}

#[derive(Args)]
pub struct PlatformAdd {
    /// A name for the platform, e.g. "Acme University Canvas".
    name: String,
    /// canvas-cloud, canvas-beta, canvas-test, canvas-self-hosted, moodle, brightspace,
    /// blackboard, sakai, schoology, openedx or custom (see `ltikeys platform presets`).
    #[arg(long)]
    preset: String,
    /// The instance's address, for presets that depend on it (e.g. https://moodle.example.edu).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The issuer (iss) the platform's launches carry.
    #[arg(long, value_name = "URL")]
    issuer: Option<String>,
    /// OIDC auth endpoint.
    #[arg(long, value_name = "URL")]
    auth_url: Option<String>,
    /// Token endpoint.
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    /// Platform JWKS URL.
    #[arg(long, value_name = "URL")]
    jwks_url: Option<String>,
    /// Token audience, when it differs from the token URL (Brightspace).
    #[arg(long, value_name = "URL")]
    audience: Option<String>,
    /// OpenID configuration URL, for `platform discover`.
    #[arg(long = "openid-configuration", value_name = "URL")]
    openid_configuration: Option<String>,
    /// Print the new platform as JSON instead of its id.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct PlatformUpdateArgs {
    /// Platform id or name.
    platform: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    #[arg(long, value_name = "URL")]
    issuer: Option<String>,
    #[arg(long, value_name = "URL")]
    auth_url: Option<String>,
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    #[arg(long, value_name = "URL")]
    jwks_url: Option<String>,
    #[arg(long, value_name = "URL")]
    audience: Option<String>,
    #[arg(long = "openid-configuration", value_name = "URL")]
    openid_configuration: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum RegistrationCommand {
    /// Register a tool on a platform; prints the registration's id.
    Add {
        /// Tool id or name.
        #[arg(long)]
        tool: String,
        /// Platform id or name.
        #[arg(long)]
        platform: String,
        /// The client_id the platform gave the tool.
        #[arg(long)]
        client_id: String,
        /// A deployment id (repeat for several).
        #[arg(long = "deployment-id", value_name = "ID")]
        deployment_ids: Vec<String>,
        /// Print the new registration as JSON instead of its id.
        #[arg(long)]
        json: bool,
    },
    /// List registrations.
    List {
        /// Only this tool's (id or name).
        #[arg(long)]
        tool: Option<String>,
        /// Only this platform's (id or name).
        #[arg(long)]
        platform: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one registration.
    Show {
        registration: String,
        #[arg(long)]
        json: bool,
    },
    /// Print the values to send the tool vendor: issuer, client_id, deployment ids, OIDC auth
    /// endpoint, token endpoint, platform JWKS URL.
    Handoff {
        registration: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a registration and its deployment ids.
    Remove { registration: String },
    /// Add or remove deployment ids.
    #[command(subcommand)]
    Deployment(DeploymentCommand),
}

#[derive(Subcommand)]
pub enum DeploymentCommand {
    /// Record a deployment id (a course or sub-account install).
    Add {
        registration: String,
        deployment_id: String,
        /// What it is, e.g. "Biology 101".
        #[arg(long)]
        label: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a deployment id.
    Remove {
        registration: String,
        deployment_id: String,
    },
}

fn or_dash(value: Option<&str>) -> &str {
    value.unwrap_or("-")
}

fn time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn print_findings(findings: &[Finding], to_stderr: bool) -> Result<(), Error> {
    for f in findings {
        let severity = serde_json::to_value(f.severity)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let line = format!("{severity} [{}]: {}. Fix: {}", f.code, f.message, f.fix);
        if to_stderr {
            errln!("{line}");
        } else {
            outln!("{line}")?;
        }
    }
    Ok(())
}

pub fn platform(mut vault: Vault, cmd: PlatformCommand) -> Result<(), Error> {
    match cmd {
        PlatformCommand::Add(add) => {
            let preset: PlatformFamily = add.preset.parse()?;
            let issuer_given = add.issuer.is_some();
            let platform = vault.add_platform(
                NewPlatform {
                    name: add.name,
                    preset,
                    base_url: add.base_url,
                    issuer: add.issuer,
                    auth_url: add.auth_url,
                    token_url: add.token_url,
                    token_audience: add.audience,
                    jwks_url: add.jwks_url,
                    openid_configuration_url: add.openid_configuration,
                },
                Utc::now(),
            )?;
            if preset == PlatformFamily::CanvasSelfHosted && !issuer_given {
                errln!(
                    "note: the issuer is {}, self-hosted Canvas's default (lti_iss in \
                     config/security.yml); if the instance changed it, run `ltikeys platform \
                     update {} --issuer URL`",
                    platform.issuer,
                    platform.id
                );
            }
            for (field, placeholder) in platform.spec().unresolved() {
                if placeholder == ltikeys_core::platform::CLIENT_ID {
                    errln!(
                        "note: the {field} keeps {placeholder}: each registration's client_id \
                         fills it in the hand-off"
                    );
                } else {
                    errln!(
                        "note: the {field} keeps {placeholder}: put the real value in with \
                         `ltikeys platform update {} --{} URL`",
                        platform.id,
                        flag_of(field)
                    );
                }
            }
            if add.json {
                return print_json(&platform);
            }
            outln!("{}", platform.id)?;
        }
        PlatformCommand::Discover {
            platform,
            url,
            registration_token,
            accept_issuer,
            dry_run,
            json,
        } => {
            let options = DiscoverOptions {
                accept_issuer,
                dry_run,
            };
            let outcome = vault.discover_platform(
                &platform,
                url.as_deref(),
                options,
                registration_token.as_deref(),
                &HttpClient::default(),
                Utc::now(),
            )?;
            if json {
                return print_json(&outcome);
            }
            outln!("OpenID configuration: {}", outcome.url)?;
            if outcome.changes.is_empty() {
                outln!("no changes: the record already matches")?;
            }
            let width = outcome
                .changes
                .iter()
                .map(|c| c.field.len())
                .max()
                .unwrap_or(0);
            for c in &outcome.changes {
                let status = if c.applied {
                    "applied".to_string()
                } else {
                    format!(
                        "not applied: {}",
                        c.reason.as_deref().unwrap_or("held back")
                    )
                };
                outln!(
                    "{:<width$}  {} → {}  [{status}]",
                    c.field,
                    or_dash(c.old.as_deref()),
                    or_dash(c.new.as_deref()),
                )?;
            }
            let applied = outcome.changes.iter().filter(|c| c.applied).count();
            match (&outcome.platform, outcome.created) {
                (Some(p), true) => outln!("created platform {} ({})", p.name, p.id)?,
                (Some(p), false) if applied > 0 => outln!(
                    "applied {applied} of {} change(s) to {} ({})",
                    outcome.changes.len(),
                    p.name,
                    p.id
                )?,
                (Some(_), false) if !outcome.changes.is_empty() => {
                    let why = if dry_run { "dry run: " } else { "" };
                    outln!("{why}nothing applied")?
                }
                (None, _) => outln!("dry run: platform '{platform}' was not created")?,
                _ => {}
            }
            print_findings(&outcome.findings, false)?;
        }
        PlatformCommand::List { json } => {
            let platforms = vault.platforms()?;
            if json {
                return print_json(&platforms);
            }
            if platforms.is_empty() {
                outln!(
                    "No platforms yet. Add one with `ltikeys platform add NAME --preset PRESET`."
                )?;
            }
            let width = platforms
                .iter()
                .map(|p| p.name.chars().count())
                .max()
                .unwrap_or(0)
                .max(4);
            for p in platforms {
                outln!(
                    "{:<10} {:<width$}  {:<18} {}",
                    p.id,
                    p.name,
                    p.family.as_str(),
                    p.issuer
                )?;
            }
        }
        PlatformCommand::Show { platform, json } => {
            let p = vault.platform(&platform)?;
            if json {
                return print_json(&p);
            }
            let registrations = vault.registrations(None, Some(&p.id))?.len();
            show_platform(&p, registrations)?;
        }
        PlatformCommand::Presets { preset, json } => match preset {
            Some(name) => {
                let preset = name.parse::<PlatformFamily>()?.preset();
                if json {
                    return print_json(&preset);
                }
                outln!("preset:             {}", preset.family)?;
                outln!("platform:           {}", preset.label)?;
                if preset.needs_base_url {
                    outln!(
                        "base URL:           required (--base-url), e.g. {}",
                        or_dash(preset.base_url_example.as_deref())
                    )?;
                }
                outln!("issuer:             {}", or_dash(preset.issuer.as_deref()))?;
                outln!(
                    "OIDC auth URL:      {}",
                    or_dash(preset.auth_url.as_deref())
                )?;
                outln!(
                    "token URL:          {}",
                    or_dash(preset.token_url.as_deref())
                )?;
                if let Some(aud) = &preset.token_audience {
                    outln!("token audience:     {aud}")?;
                }
                outln!(
                    "platform JWKS URL:  {}",
                    or_dash(preset.jwks_url.as_deref())
                )?;
                if let Some(url) = &preset.openid_configuration_url {
                    outln!("OpenID config URL:  {url}")?;
                }
                outln!()?;
                outln!("{}", preset.note)?;
            }
            None => {
                let all = presets();
                if json {
                    return print_json(&all);
                }
                for p in all {
                    let base = if p.needs_base_url { "--base-url" } else { "" };
                    outln!("{:<19} {:<11} {}", p.family.as_str(), base, p.label)?;
                }
            }
        },
        PlatformCommand::Update(args) => {
            let update = PlatformUpdate {
                name: args.name,
                issuer: args.issuer,
                auth_url: args.auth_url,
                token_url: args.token_url,
                token_audience: args.audience,
                jwks_url: args.jwks_url,
                openid_configuration_url: args.openid_configuration,
            };
            if update.is_empty() {
                return Err(Error::invalid(
                    "platform update",
                    "nothing to change was given",
                    "pass at least one of --name, --issuer, --auth-url, --token-url, --jwks-url, \
                     --audience, --openid-configuration",
                ));
            }
            let p = vault.update_platform(&args.platform, update, Utc::now())?;
            if args.json {
                return print_json(&p);
            }
            outln!("{}", p.id)?;
        }
        PlatformCommand::Remove { platform } => {
            let p = vault.platform(&platform)?;
            vault.remove_platform(&p.id, Utc::now())?;
            errln!("removed platform {} ({})", p.name, p.id);
        }
    }
    Ok(())
}

fn flag_of(field: &str) -> &'static str {
    match field {
        "OIDC auth URL" => "auth-url",
        "token URL" => "token-url",
        _ => "jwks-url",
    }
}

fn show_platform(p: &Platform, registrations: usize) -> Result<(), Error> {
    outln!("id:                 {}", p.id)?;
    outln!("name:               {}", p.name)?;
    outln!("family:             {} ({})", p.family, p.family.label())?;
    outln!("base URL:           {}", or_dash(p.base_url.as_deref()))?;
    outln!("issuer:             {}", p.issuer)?;
    outln!("OIDC auth URL:      {}", p.auth_url)?;
    outln!("token URL:          {}", p.token_url)?;
    match &p.token_audience {
        Some(aud) => outln!("token audience:     {aud}")?,
        None => outln!("token audience:     (the token URL)")?,
    }
    outln!("platform JWKS URL:  {}", p.jwks_url)?;
    outln!(
        "OpenID config URL:  {}",
        or_dash(p.openid_configuration_url.as_deref())
    )?;
    outln!("registrations:      {registrations}")?;
    outln!("created:            {}", time(p.created_at))?;
    outln!("updated:            {}", time(p.updated_at))?;
    for (field, placeholder) in p.spec().unresolved() {
        if placeholder == ltikeys_core::platform::CLIENT_ID {
            outln!("note: the {field} holds {placeholder}, filled per registration")?;
        } else {
            outln!(
                "note: the {field} holds {placeholder}: set the real URL with \
                 `ltikeys platform update {} --{} URL`",
                p.id,
                flag_of(field)
            )?;
        }
    }
    Ok(())
}

fn show_registration(r: &Registration) -> Result<(), Error> {
    outln!("id:           {}", r.id)?;
    outln!("tool:         {} ({})", r.tool_name, r.tool_id)?;
    outln!("platform:     {} ({})", r.platform_name, r.platform_id)?;
    outln!("issuer:       {}", r.issuer)?;
    outln!("client_id:    {}", r.client_id)?;
    if r.deployments.is_empty() {
        outln!("deployments:  none yet")?;
    }
    for (i, d) in r.deployments.iter().enumerate() {
        let key = if i == 0 { "deployments:" } else { "" };
        let label = d
            .label
            .as_deref()
            .map(|l| format!("  {l}"))
            .unwrap_or_default();
        outln!(
            "{key:<13} {}  added {}{label}",
            d.deployment_id,
            time(d.added_at)
        )?;
    }
    outln!("created:      {}", time(r.created_at))?;
    outln!("updated:      {}", time(r.updated_at))
}

pub fn registration(mut vault: Vault, cmd: RegistrationCommand) -> Result<(), Error> {
    match cmd {
        RegistrationCommand::Add {
            tool,
            platform,
            client_id,
            deployment_ids,
            json,
        } => {
            let reg = vault.add_registration(
                NewRegistration {
                    tool,
                    platform,
                    client_id,
                    deployments: deployment_ids
                        .iter()
                        .map(|d| NewDeployment::new(d))
                        .collect(),
                },
                Utc::now(),
            )?;
            if json {
                return print_json(&reg);
            }
            outln!("{}", reg.id)?;
        }
        RegistrationCommand::List {
            tool,
            platform,
            json,
        } => {
            let regs = vault.registrations(tool.as_deref(), platform.as_deref())?;
            if json {
                return print_json(&regs);
            }
            if regs.is_empty() {
                outln!(
                    "No registrations yet. Add one with `ltikeys registration add --tool TOOL \
                     --platform NAME --client-id ID`."
                )?;
                return Ok(());
            }
            let w = |f: &dyn Fn(&Registration) -> usize, min: usize| {
                regs.iter().map(f).max().unwrap_or(0).max(min)
            };
            let tw = w(&|r| r.tool_name.chars().count(), 4);
            let pw = w(&|r| r.platform_name.chars().count(), 8);
            let cw = w(&|r| r.client_id.len(), 9);
            outln!(
                "{:<10} {:<tw$}  {:<pw$}  {:<cw$}  DEPLOYMENTS",
                "ID",
                "TOOL",
                "PLATFORM",
                "CLIENT_ID"
            )?;
            for r in &regs {
                outln!(
                    "{:<10} {:<tw$}  {:<pw$}  {:<cw$}  {}",
                    r.id,
                    r.tool_name,
                    r.platform_name,
                    r.client_id,
                    r.deployments.len()
                )?;
            }
        }
        RegistrationCommand::Show { registration, json } => {
            let reg = vault.registration(&registration)?;
            if json {
                return print_json(&reg);
            }
            show_registration(&reg)?;
        }
        RegistrationCommand::Handoff { registration, json } => {
            let handoff = vault.handoff(&registration)?;
            if json {
                return print_json(&handoff);
            }
            out!("{}", handoff.to_text())?;
            print_findings(&handoff.findings, true)?;
        }
        RegistrationCommand::Remove { registration } => {
            let reg = vault.registration(&registration)?;
            vault.remove_registration(&reg.id, Utc::now())?;
            errln!(
                "removed registration {} ({} on {}, client_id {})",
                reg.id,
                reg.tool_name,
                reg.platform_name,
                reg.client_id
            );
        }
        RegistrationCommand::Deployment(DeploymentCommand::Add {
            registration,
            deployment_id,
            label,
            json,
        }) => {
            let reg = vault.add_deployment(
                &registration,
                NewDeployment {
                    deployment_id,
                    label,
                },
                Utc::now(),
            )?;
            if json {
                return print_json(&reg);
            }
            errln!(
                "added deployment id to {} (now {} deployment id(s))",
                reg.id,
                reg.deployments.len()
            );
        }
        RegistrationCommand::Deployment(DeploymentCommand::Remove {
            registration,
            deployment_id,
        }) => {
            let reg = vault.remove_deployment(&registration, &deployment_id, Utc::now())?;
            errln!(
                "removed deployment id {} from {}",
                deployment_id.trim(),
                reg.id
            );
        }
    }
    Ok(())
}
