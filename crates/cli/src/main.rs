//! `ltikeys`: LTI Key Manager from a terminal; one `--json` flag for every command.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};
use ltikeys_core::store::default_data_dir;
use ltikeys_core::{Error, Orphan, RepairKind, Vault};
use serde::Serialize;

use crate::output::{errln, outln, print_json};

mod bundle;
mod canvas;
mod check;
mod key;
mod output;
mod platform;
mod registration;
mod team;
mod token;
mod tool;

#[derive(Parser)]
#[command(
    name = "ltikeys",
    version,
    about = "LTI 1.3 keys, JWKS and tool records"
)]
struct Cli {
    /// Where the database lives (default: LTIKEYS_DATA_DIR, else the OS data directory).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print JSON instead of text (before or after the command; jwks, jwk and canvas export
    /// print JSON anyway).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, list and show tools.
    #[command(subcommand)]
    Tool(tool::ToolCommand),
    /// Generate, import, list, export and delete keys.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Print a tool's published JWKS: {"keys":[...]}; or find a kid in any key set.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Jwks {
        /// Tool id or name.
        #[arg(long, required = true)]
        tool: Option<String>,
        #[command(subcommand)]
        find: Option<JwksCommand>,
    },
    /// Print one public JWK.
    Jwk {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
    },
    /// Export, import and lint Canvas developer-key JSON; list placements and scopes.
    #[command(subcommand)]
    Canvas(canvas::CanvasCommand),
    /// Print a tool's LTI Dynamic Registration tool configuration (JSON).
    #[command(subcommand)]
    Dynreg(DynregCommand),
    /// Check a JWKS URL: what will make launches fail, and the fix.
    #[command(subcommand)]
    Check(check::CheckCommand),
    /// Add, discover, list and show LMS platforms (issuer and endpoints).
    #[command(subcommand)]
    Platform(platform::PlatformCommand),
    /// Register tools on platforms: client_id, deployment ids, and the admin hand-off.
    #[command(subcommand)]
    Registration(registration::RegistrationCommand),
    /// Export a registration's bundle for a colleague, or import one.
    #[command(subcommand)]
    Bundle(bundle::BundleCommand),
    /// Sign the client assertion a tool posts to a registration's token endpoint (prints the
    /// JWT; --json adds its header and claims).
    Assertion {
        /// The registration's id.
        registration: String,
        /// Add the deployment_id claim.
        #[arg(long, value_name = "ID")]
        deployment_id: Option<String>,
    },
    /// Decode a JWT, find its registration, verify its signature and check its claims. Exit 1
    /// with an error-level finding.
    Inspect {
        /// The JWT, a file holding it, or - for stdin.
        jwt: String,
        /// Do not fetch key sets (the platform's JWKS, the tool's live JWKS URL).
        #[arg(long)]
        no_fetch: bool,
    },
    /// Share tools, registrations and keys with a team through OpenBao (or HashiCorp Vault).
    #[command(subcommand)]
    Team(team::TeamCommand),
    /// Show the data directory, whether the OS keychain answers, and private keys left in the
    /// keychain without a key (orphans); finishes keychain operations that were cut short.
    Status {
        /// Remove the orphan private keys found (asks first on a terminal unless --yes).
        #[arg(long)]
        remove_orphans: bool,
        /// Do not ask before removing orphans.
        #[arg(long, requires = "remove_orphans")]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum JwksCommand {
    /// Whether a key set holds a kid, and which key it is. Exit 1 when it does not.
    Find {
        /// The kid.
        #[arg(allow_hyphen_values = true)]
        kid: String,
        /// The key set's URL.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        url: Option<String>,
        /// A file holding the key set, or - for stdin.
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DynregCommand {
    /// The OIDC client registration with the LTI tool configuration, as a tool posts it to a
    /// platform's registration endpoint.
    Export {
        /// Tool id or name.
        #[arg(long)]
        tool: String,
    },
    /// Register the tool on an LMS through a one-time page on 127.0.0.1: prints its URL (give
    /// it to the LMS as the tool's registration URL), waits, and prints the registration it
    /// recorded. Confirm in the page, or pass --yes.
    Serve {
        /// Tool id or name.
        #[arg(long)]
        tool: String,
        /// How long to wait for the LMS (platforms' registration tokens last about an hour).
        #[arg(long, default_value = "60m", value_name = "DURATION")]
        timeout: String,
        /// Register as soon as the LMS opens the page, without waiting for Confirm.
        #[arg(long)]
        yes: bool,
    },
}

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => output::finish(run(cli)),
        Err(err) => output::clap_exit(&err),
    }
}

fn open(cli_dir: Option<PathBuf>) -> Result<Vault, Error> {
    let dir = match cli_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    Vault::open(&dir)
}

/// Opens the vault and first finishes keychain operations that were cut short, saying so on
/// stderr: for the commands that use the keychain anyway.
fn open_repaired(cli_dir: Option<PathBuf>) -> Result<Vault, Error> {
    let mut vault = open(cli_dir)?;
    match vault.repair(Utc::now()) {
        Ok(repairs) => {
            for repair in &repairs {
                errln!("{}", repair_line(repair));
            }
        }
        Err(err) => errln!("warning: interrupted keychain operations were not checked: {err}"),
    }
    Ok(vault)
}

fn repair_line(repair: &ltikeys_core::Repair) -> String {
    let what = format!("kid {} of tool '{}'", repair.kid, repair.tool);
    match (&repair.error, repair.kind) {
        (None, RepairKind::GenerationUndone) => format!(
            "note: a generation of {what} had been cut short; it was undone (its private key, \
             if written, was removed from the keychain)"
        ),
        (None, RepairKind::PrivateKeyRemoved) => format!(
            "note: the private key of {what} was still in the keychain after an interrupted \
             revoke or delete; it has been removed"
        ),
        (Some(err), _) => format!(
            "warning: an interrupted keychain operation on {what} could not be finished yet \
             ({err}); it is tried again next time"
        ),
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let (data_dir, json) = (cli.data_dir, cli.json);
    match cli.command {
        Command::Tool(cmd @ tool::ToolCommand::Remove { .. }) => {
            tool::run(open_repaired(data_dir)?, cmd, json)
        }
        Command::Tool(cmd) => tool::run(open(data_dir)?, cmd, json),
        Command::Key(cmd) => key::run(open_repaired(data_dir)?, cmd, json),
        Command::Jwks {
            find: Some(JwksCommand::Find { kid, url, file }),
            ..
        } => token::find(
            &open(data_dir)?,
            &kid,
            url.as_deref(),
            file.as_deref(),
            json,
        ),
        Command::Jwks { tool, find: None } => {
            print_json(&open(data_dir)?.jwks(tool.as_deref().unwrap_or_default())?)
        }
        Command::Assertion {
            registration,
            deployment_id,
        } => token::assertion(
            &open(data_dir)?,
            &registration,
            deployment_id.as_deref(),
            json,
        ),
        Command::Inspect { jwt, no_fetch } => {
            token::inspect(&open(data_dir)?, &jwt, no_fetch, json)
        }
        Command::Jwk { tool, kid } => print_json(&open(data_dir)?.jwk(&tool, &kid)?),
        Command::Canvas(cmd) => canvas::run(data_dir, cmd, json),
        Command::Dynreg(DynregCommand::Export { tool }) => {
            print_json(&open(data_dir)?.dynreg_export(&tool)?)
        }
        Command::Dynreg(DynregCommand::Serve { tool, timeout, yes }) => {
            registration::dynreg_serve(open(data_dir)?, &tool, &timeout, yes, json)
        }
        Command::Check(cmd) => check::run(data_dir, cmd, json),
        Command::Platform(cmd) => platform::run(open(data_dir)?, cmd, json),
        Command::Registration(cmd) => registration::run(open(data_dir)?, cmd, json),
        Command::Bundle(cmd) => bundle::run(open_repaired(data_dir)?, cmd, json),
        Command::Team(cmd) => team::run(open(data_dir)?, cmd, json),
        Command::Status {
            remove_orphans,
            yes,
        } => status(open(data_dir)?, remove_orphans, yes, json),
    }
}

/// What `ltikeys status --json` prints.
#[derive(Serialize)]
struct StatusReport {
    #[serde(flatten)]
    status: ltikeys_core::AppStatus,
    /// Orphans removed by `--remove-orphans`.
    removed: Vec<Orphan>,
}

fn status(mut vault: Vault, remove_orphans: bool, yes: bool, json: bool) -> Result<(), Error> {
    let now = Utc::now();
    let mut status = vault.status(env!("CARGO_PKG_VERSION"), now)?;
    let mut removed = Vec::new();
    let found = status.orphans.clone().unwrap_or_default();
    if remove_orphans && !found.is_empty() {
        if !yes {
            confirm_orphan_removal(&found)?;
        }
        for orphan in found {
            let removal = vault.remove_orphan(&orphan, now)?;
            if let Some(reason) = removal.reason {
                return Err(Error::Keychain {
                    reason: format!("{} was not removed: {reason}", orphan_line(&orphan)),
                });
            }
            removed.push(orphan);
        }
        status.orphans = vault.orphans()?;
    }
    if json {
        return print_json(&StatusReport { status, removed });
    }
    outln!("data directory: {}", status.data_dir)?;
    match &status.keychain_message {
        None => outln!("keychain: available")?,
        Some(message) => outln!("keychain: {message}")?,
    }
    for repair in &status.repairs {
        outln!("{}", repair_line(repair))?;
    }
    for orphan in &removed {
        outln!("removed orphan private key: {}", orphan_line(orphan))?;
    }
    match &status.orphans {
        None if status.keychain_available => {
            outln!("orphan private keys: this keychain cannot list its entries")?
        }
        None => {}
        Some(list) if list.is_empty() => outln!("orphan private keys: none")?,
        Some(list) => {
            outln!(
                "orphan private keys: {} (remove them with `ltikeys status --remove-orphans`)",
                list.len()
            )?;
            for orphan in list {
                outln!("  {}", orphan_line(orphan))?;
            }
        }
    }
    Ok(())
}

fn confirm_orphan_removal(found: &[Orphan]) -> Result<(), Error> {
    let lines: Vec<String> = found.iter().map(orphan_line).collect();
    output::confirm(
        "--remove-orphans",
        &format!("{} orphan private key(s)", found.len()),
        &lines,
        &format!(
            "Remove these {} private key(s) from the keychain?",
            found.len()
        ),
    )
}

fn orphan_line(orphan: &Orphan) -> String {
    let why = if orphan.revoked {
        "its key was revoked"
    } else {
        "no key has this kid"
    };
    format!("tool '{}' kid {} ({why})", orphan.tool, orphan.kid)
}
