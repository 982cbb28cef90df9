//! `ltikeys registration …`: tools on platforms, their deployment ids, the vendor hand-off.

use chrono::Utc;
use clap::Subcommand;
use ltikeys_core::registration::library::KeyFiles;
use ltikeys_core::{
    Error, LibraryFormat, NewDeployment, NewRegistration, Registration, RegistrationUpdate, Vault,
};

use crate::output::{errln, out, outln, print_findings, print_json, time, To};

#[derive(Subcommand)]
pub enum RegistrationCommand {
    /// Register a tool on a platform; prints the registration's id (with --json, the new
    /// registration).
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
    },
    /// List registrations.
    List {
        /// Only this tool's (id or name).
        #[arg(long)]
        tool: Option<String>,
        /// Only this platform's (id or name).
        #[arg(long)]
        platform: Option<String>,
    },
    /// Show one registration.
    Show { registration: String },
    /// Print the values to send the tool vendor: issuer, client_id, deployment ids, OIDC auth
    /// endpoint, token endpoint, platform JWKS URL.
    Handoff { registration: String },
    /// Print the registration as a tool library reads it: pylti1.3's ToolConfJsonFile, ltijs's
    /// registerPlatform object, django-lti's fields, or the vendor hand-off.
    Export {
        registration: String,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// pylti1.3: the private key file the config names (relative to the config's folder).
        #[arg(long, default_value = "private.key")]
        private_key_file: String,
        /// pylti1.3: the public key file the config names.
        #[arg(long, default_value = "public.key")]
        public_key_file: String,
    },
    /// Change a registration's client_id, or move it to the platform it is really on (prints
    /// the registration; with --json, as JSON).
    Update {
        registration: String,
        /// The client_id the platform gave the tool.
        #[arg(long)]
        client_id: Option<String>,
        /// The platform (id or name) it is on instead; the registration takes its issuer.
        #[arg(long)]
        platform: Option<String>,
    },
    /// Remove a registration and its deployment ids.
    Remove { registration: String },
    /// Add or remove deployment ids.
    #[command(subcommand)]
    Deployment(DeploymentCommand),
}

/// What `registration export` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// pylti1.3's ToolConfJsonFile (needs a current key whose kid is its thumbprint).
    Pylti1p3,
    /// ltijs's (and LTIAAS's) platform registration object.
    Ltijs,
    /// django-lti's LtiRegistration fields and LtiDeployment rows.
    DjangoLti,
    /// The vendor hand-off, as JSON.
    Handoff,
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
    },
    /// Remove a deployment id.
    Remove {
        registration: String,
        deployment_id: String,
    },
}

fn show_registration(r: &Registration) -> Result<(), Error> {
    outln!("id:           {}", r.id)?;
    outln!("tool:         {} ({})", r.tool_name, r.tool_id)?;
    outln!("platform:     {} ({})", r.platform_name, r.platform_id)?;
    outln!("issuer:       {}", r.issuer)?;
    outln!("client_id:    {}", r.client_id)?;
    if let Some(link) = &r.canvas {
        outln!(
            "in Canvas:    account {}, registration {}",
            link.account_id,
            link.registration_id
        )?;
    }
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

pub fn run(mut vault: Vault, cmd: RegistrationCommand, json: bool) -> Result<(), Error> {
    match cmd {
        RegistrationCommand::Add {
            tool,
            platform,
            client_id,
            deployment_ids,
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
        RegistrationCommand::List { tool, platform } => {
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
            // The table is written in one go: stdout is line-buffered, and 10,000 rows written
            // one by one are 10,000 writes.
            use std::fmt::Write as _;
            let mut table = String::with_capacity((regs.len() + 1) * (tw + pw + cw + 30));
            let _ = writeln!(
                table,
                "{:<10} {:<tw$}  {:<pw$}  {:<cw$}  DEPLOYMENTS",
                "ID", "TOOL", "PLATFORM", "CLIENT_ID"
            );
            for r in &regs {
                let _ = writeln!(
                    table,
                    "{:<10} {:<tw$}  {:<pw$}  {:<cw$}  {}",
                    r.id,
                    r.tool_name,
                    r.platform_name,
                    r.client_id,
                    r.deployments.len()
                );
            }
            out!("{table}")?;
        }
        RegistrationCommand::Show { registration } => {
            let reg = vault.registration(&registration)?;
            if json {
                return print_json(&reg);
            }
            show_registration(&reg)?;
        }
        RegistrationCommand::Handoff { registration } => {
            let handoff = vault.handoff(&registration)?;
            if json {
                return print_json(&handoff);
            }
            out!("{}", handoff.to_text())?;
            print_findings(&handoff.findings, false, To::Stderr)?;
        }
        RegistrationCommand::Export {
            registration,
            format,
            private_key_file,
            public_key_file,
        } => {
            let library = match format {
                ExportFormat::Handoff => return print_json(&vault.handoff(&registration)?),
                ExportFormat::Pylti1p3 => LibraryFormat::Pylti1p3,
                ExportFormat::Ltijs => LibraryFormat::Ltijs,
                ExportFormat::DjangoLti => LibraryFormat::DjangoLti,
            };
            let files = KeyFiles {
                private_key_file,
                public_key_file,
            };
            return print_json(&vault.library_config(&registration, library, Some(&files))?);
        }
        RegistrationCommand::Update {
            registration,
            client_id,
            platform,
        } => {
            let update = RegistrationUpdate {
                client_id,
                platform,
            };
            if update.is_empty() {
                return Err(Error::invalid(
                    "registration update",
                    "nothing to change was given",
                    "pass --client-id, --platform, or both",
                ));
            }
            let reg = vault.update_registration(&registration, update, Utc::now())?;
            if json {
                return print_json(&reg);
            }
            show_registration(&reg)?;
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

/// `ltikeys dynreg serve`: the one-time loopback page of Dynamic Registration. The URL is the
/// first line on stdout; what happens goes to stderr; the registration is printed at the end.
pub fn dynreg_serve(
    mut vault: Vault,
    tool: &str,
    timeout: &str,
    yes: bool,
    json: bool,
) -> Result<(), Error> {
    use ltikeys_core::dynreg::serve::{Control, Listener, Progress};
    let secs = ltikeys_core::rotation::parse_duration("--timeout", timeout)?;
    let ttl = std::time::Duration::from_secs(u64::try_from(secs.max(1)).unwrap_or(3600));
    // Refused before listening when the tool cannot be registered this way.
    vault.dynreg_export(tool)?;
    let listener = Listener::bind(ttl, Utc::now())?;
    let control = Control::default();
    if yes {
        control.confirm();
    }
    outln!("{}", listener.url())?;
    crate::output::flush()?;
    errln!(
        "give this URL to the LMS as the tool's registration URL (Canvas: Apps → + App → \
         LTI 1.3 Dynamic Registration; Moodle: Manage tools → Tool URL); it works once, until {}",
        listener.expires_at().format("%H:%M UTC")
    );
    errln!(
        "note: Chrome asks the admin to allow \"local network access\" for the LMS page; allow \
         it. Brightspace needs an https registration URL, which this page cannot be: export the \
         Dynamic Registration configuration for the tool's server instead"
    );
    let mut progress = |p: &Progress| match p {
        Progress::Waiting { .. } => {}
        Progress::Opened { preview } => {
            errln!(
                "the LMS opened the page: {} on {}{}",
                preview.tool,
                preview.issuer,
                if yes {
                    ", registering"
                } else {
                    "; confirm in the LMS page"
                }
            );
        }
        Progress::Registering => errln!("posting the registration…"),
    };
    let done = vault.dynamic_registration(
        tool,
        listener,
        &ltikeys_core::HttpClient::default(),
        &control,
        &mut progress,
    )?;
    if json {
        return print_json(&done);
    }
    let r = &done.registration;
    outln!(
        "registered {} on {}{}: registration {}, client_id {}, deployment ids: {}",
        r.tool_name,
        r.platform_name,
        if done.platform_added {
            " (platform added)"
        } else {
            ""
        },
        r.id,
        r.client_id,
        if r.deployments.is_empty() {
            "none yet".to_string()
        } else {
            r.deployments
                .iter()
                .map(|d| d.deployment_id.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }
    )?;
    for note in &done.notes {
        errln!("note: {note}");
    }
    Ok(())
}
