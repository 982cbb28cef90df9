//! `ltikeys platform …`: LMS platforms from presets or discovery, their issuer and endpoints.

use chrono::Utc;
use clap::{Args, Subcommand};
use ltikeys_core::platform::{presets, PlatformFamily};
use ltikeys_core::{
    DiscoverOptions, Error, HttpClient, NewPlatform, Platform, PlatformUpdate, Vault,
};

use crate::output::{errln, or_dash, outln, print_findings, print_json, time, To};

#[derive(Subcommand)]
pub enum PlatformCommand {
    /// Add a platform from a preset; prints its id (with --json, the new platform).
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
    },
    /// List platforms.
    List,
    /// Show one platform (id or name).
    Show { platform: String },
    /// List the presets, or show one with its note.
    Presets { preset: Option<String> },
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
}

pub fn run(mut vault: Vault, cmd: PlatformCommand, json: bool) -> Result<(), Error> {
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
                    platform.spec.issuer,
                    platform.id
                );
            }
            for (field, placeholder) in platform.spec.unresolved() {
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
            if json {
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
                    // A new issuer is held back unless asked for.
                    let flag = if c.field == "issuer" && !dry_run && !accept_issuer {
                        " (pass --accept-issuer)"
                    } else {
                        ""
                    };
                    format!(
                        "not applied: {}{flag}",
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
                (Some(p), true) => outln!("created platform {} ({})", p.spec.name, p.id)?,
                (Some(p), false) if applied > 0 => outln!(
                    "applied {applied} of {} change(s) to {} ({})",
                    outcome.changes.len(),
                    p.spec.name,
                    p.id
                )?,
                (Some(_), false) if !outcome.changes.is_empty() => {
                    let why = if dry_run { "dry run: " } else { "" };
                    outln!("{why}nothing applied")?
                }
                (None, _) => outln!("dry run: platform '{platform}' was not created")?,
                _ => {}
            }
            print_findings(&outcome.findings, false, To::Stdout)?;
        }
        PlatformCommand::List => {
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
                .map(|p| p.spec.name.chars().count())
                .max()
                .unwrap_or(0)
                .max(4);
            for p in platforms {
                outln!(
                    "{:<10} {:<width$}  {:<18} {}",
                    p.id,
                    p.spec.name,
                    p.spec.family.as_str(),
                    p.spec.issuer
                )?;
            }
        }
        PlatformCommand::Show { platform } => {
            let p = vault.platform(&platform)?;
            if json {
                return print_json(&p);
            }
            let registrations = vault.registrations(None, Some(&p.id))?.len();
            show_platform(&p, registrations)?;
        }
        PlatformCommand::Presets { preset } => match preset {
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
            if json {
                return print_json(&p);
            }
            outln!("{}", p.id)?;
        }
        PlatformCommand::Remove { platform } => {
            let p = vault.platform(&platform)?;
            vault.remove_platform(&p.id, Utc::now())?;
            errln!("removed platform {} ({})", p.spec.name, p.id);
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
    let spec = &p.spec;
    outln!("id:                 {}", p.id)?;
    outln!("name:               {}", spec.name)?;
    outln!(
        "family:             {} ({})",
        spec.family,
        spec.family.label()
    )?;
    outln!("base URL:           {}", or_dash(spec.base_url.as_deref()))?;
    outln!("issuer:             {}", spec.issuer)?;
    outln!("OIDC auth URL:      {}", spec.auth_url)?;
    outln!("token URL:          {}", spec.token_url)?;
    match &spec.token_audience {
        Some(aud) => outln!("token audience:     {aud}")?,
        None => outln!("token audience:     (the token URL)")?,
    }
    outln!("platform JWKS URL:  {}", spec.jwks_url)?;
    outln!(
        "OpenID config URL:  {}",
        or_dash(spec.openid_configuration_url.as_deref())
    )?;
    outln!("registrations:      {registrations}")?;
    outln!("created:            {}", time(p.created_at))?;
    outln!("updated:            {}", time(p.updated_at))?;
    for (field, placeholder) in spec.unresolved() {
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
