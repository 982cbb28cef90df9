//! `ltikeys`: LTI Key Manager from a terminal. Every read takes `--json`.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use ltikeys_core::file::read_capped;
use ltikeys_core::store::default_data_dir;
use ltikeys_core::{
    Error, GenerateKey, KeyInfo, KeyStatus, KidScheme, NewTool, Orphan, RepairKind, Vault,
};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::output::{err, errln, outln, print_json};

mod canvas;
mod check;
mod output;
mod platform;
mod rotation;

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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, list and show tools.
    #[command(subcommand)]
    Tool(ToolCommand),
    /// Generate, import, list, export and delete keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Print a tool's published JWKS: {"keys":[...]}.
    Jwks {
        #[arg(long)]
        tool: String,
        /// Accepted for symmetry: the output is always JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print one public JWK.
    Jwk {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        /// Accepted for symmetry: the output is always JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export, import and lint Canvas developer-key JSON; list placements and scopes.
    #[command(subcommand)]
    Canvas(canvas::CanvasCommand),
    /// Check a JWKS URL: what will make launches fail, and the fix.
    #[command(subcommand)]
    Check(check::CheckCommand),
    /// Add, discover, list and show LMS platforms (issuer and endpoints).
    #[command(subcommand)]
    Platform(platform::PlatformCommand),
    /// Register tools on platforms: client_id, deployment ids, and the admin hand-off.
    #[command(subcommand)]
    Registration(platform::RegistrationCommand),
    /// Show the data directory, whether the OS keychain answers, and private keys left in the
    /// keychain without a key (orphans); finishes keychain operations that were cut short.
    Status {
        /// Remove the orphan private keys found (asks first on a terminal unless --yes).
        #[arg(long)]
        remove_orphans: bool,
        /// Do not ask before removing orphans.
        #[arg(long, requires = "remove_orphans")]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ToolCommand {
    /// Add a tool; prints its id.
    Add(ToolAdd),
    /// List tools.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one tool (id or name).
    Show {
        tool: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a tool's profile: URLs, privacy level, scopes, custom fields.
    Edit(canvas::ToolEdit),
    /// Add, remove and list a tool's Canvas placements.
    #[command(subcommand)]
    Placement(canvas::PlacementCommand),
    /// Show or set the rotation policy (durations such as 24h, 7d, 90d; `off` for no period).
    Policy {
        tool: String,
        /// How long a next key is published before it may sign.
        #[arg(long, value_name = "DURATION")]
        pre_publish: Option<String>,
        /// How long a previous key stays published after it stops signing.
        #[arg(long, value_name = "DURATION")]
        overlap: Option<String>,
        /// Mark the tool "rotation due" this long after its key started signing.
        #[arg(long, value_name = "DURATION")]
        rotate_every: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ToolAdd {
    name: String,
    /// Target link URI.
    #[arg(long, value_name = "URL")]
    launch_url: Option<String>,
    /// OIDC login initiation URL.
    #[arg(long, value_name = "URL")]
    login_url: Option<String>,
    /// A redirect URI (repeat for several).
    #[arg(long = "redirect-uri", value_name = "URL")]
    redirect_uris: Vec<String>,
    /// Where the tool publishes its JWKS.
    #[arg(long, value_name = "URL")]
    jwks_url: Option<String>,
    /// Host name (and port) without scheme.
    #[arg(long)]
    domain: Option<String>,
    #[arg(long, default_value = "")]
    description: String,
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Generate a key; prints its kid.
    New {
        #[arg(long)]
        tool: String,
        /// Modulus size: 2048, 3072 or 4096.
        #[arg(long, default_value_t = 2048)]
        bits: u32,
        #[arg(long, default_value = "thumbprint", value_parser = ["thumbprint", "timestamp", "uuid"])]
        kid_scheme: String,
        /// A custom kid instead of the scheme's.
        #[arg(long, allow_hyphen_values = true)]
        kid: Option<String>,
        /// Add it as the next key (published, not signing); the tool must have a current key.
        #[arg(long)]
        next: bool,
        #[arg(long)]
        json: bool,
    },
    /// Rotate: the next key signs from now on, the current key stays published as previous.
    Rotate {
        #[arg(long)]
        tool: String,
        /// Show what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Retire a previous key (unpublish it) once its overlap window is over.
    Retire {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        /// Retire it even inside its overlap window.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key: unpublished at once, never signs again.
    Revoke {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// List a tool's keys.
    List {
        #[arg(long)]
        tool: String,
        #[arg(long)]
        json: bool,
    },
    /// Import a PEM private key (PKCS#1, PKCS#8 or encrypted PKCS#8); prints its kid.
    Import {
        #[arg(long)]
        tool: String,
        #[arg(long, value_name = "FILE")]
        pem: PathBuf,
        /// The kid to file it under (default: its RFC 7638 thumbprint).
        #[arg(long, allow_hyphen_values = true)]
        kid: Option<String>,
        #[arg(long, default_value = "thumbprint", value_parser = ["thumbprint", "timestamp", "uuid"])]
        kid_scheme: String,
        /// A file holding the passphrase of an encrypted key.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Write a private key as PKCS#8 PEM, encrypted with a passphrase unless --unencrypted.
    ExportPrivate {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "unencrypted",
            required_unless_present = "unencrypted"
        )]
        passphrase_file: Option<PathBuf>,
        /// Write the key in the clear (anyone who can read the file can sign as the tool).
        #[arg(long)]
        unencrypted: bool,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Delete a key and its keychain entry.
    Delete {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
    },
}

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => output::finish(run(cli)),
        Err(err) => output::clap_exit(&err),
    }
}

/// The largest PEM file read: a PEM private key is a few KB.
const PEM_LIMIT: u64 = 1024 * 1024;
/// The largest passphrase file read.
const PASSPHRASE_LIMIT: u64 = 64 * 1024;

fn read_passphrase(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut bytes = Zeroizing::new(read_capped(
        path,
        PASSPHRASE_LIMIT,
        "--passphrase-file",
        "a passphrase file holds one passphrase: check you gave the right file",
    )?);
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    if bytes.is_empty() {
        return Err(Error::invalid(
            "--passphrase-file",
            format!("{} is empty", path.display()),
            "put the passphrase in the file",
        ));
    }
    Ok(bytes)
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
    let data_dir = cli.data_dir;
    match cli.command {
        Command::Tool(cmd) => tool(open(data_dir)?, cmd),
        Command::Key(cmd) => key(open_repaired(data_dir)?, cmd),
        Command::Jwks { tool, .. } => print_json(&open(data_dir)?.jwks(&tool)?),
        Command::Jwk { tool, kid, .. } => print_json(&open(data_dir)?.jwk(&tool, &kid)?),
        Command::Canvas(cmd) => canvas::run(data_dir, cmd),
        Command::Check(cmd) => check::run(data_dir, cmd),
        Command::Platform(cmd) => platform::platform(open(data_dir)?, cmd),
        Command::Registration(cmd) => platform::registration(open(data_dir)?, cmd),
        Command::Status {
            remove_orphans,
            yes,
            json,
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
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid(
            "--remove-orphans",
            format!("{} orphan private key(s) would be removed", found.len()),
            "run it on a terminal to confirm, or add --yes",
        ));
    }
    for orphan in found {
        errln!("  {}", orphan_line(orphan));
    }
    err!(
        "Remove these {} private key(s) from the keychain? [y/N] ",
        found.len()
    );
    let answer = output::answer()?;
    if matches!(answer.as_str(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::invalid(
            "confirmation",
            "nothing was removed",
            "answer y to remove them",
        ))
    }
}

fn orphan_line(orphan: &Orphan) -> String {
    let why = if orphan.revoked {
        "its key was revoked"
    } else {
        "no key has this kid"
    };
    format!("tool '{}' kid {} ({why})", orphan.tool, orphan.kid)
}

fn tool(mut vault: Vault, cmd: ToolCommand) -> Result<(), Error> {
    match cmd {
        ToolCommand::Add(add) => {
            let tool = vault.add_tool(
                NewTool {
                    name: add.name,
                    description: add.description,
                    domain: add.domain,
                    login_url: add.login_url,
                    launch_url: add.launch_url,
                    redirect_uris: add.redirect_uris,
                    jwks_url: add.jwks_url,
                    ..NewTool::default()
                },
                Utc::now(),
            )?;
            outln!("{}", tool.id)?;
        }
        ToolCommand::Edit(edit) => canvas::edit_tool(&mut vault, edit)?,
        ToolCommand::Placement(cmd) => canvas::placement(&mut vault, cmd)?,
        ToolCommand::Policy {
            tool,
            pre_publish,
            overlap,
            rotate_every,
            json,
        } => {
            rotation::policy(vault, &tool, pre_publish, overlap, rotate_every, json)?;
        }
        ToolCommand::List { json } => {
            let tools = vault.tools()?;
            if json {
                return print_json(&tools);
            }
            if tools.is_empty() {
                outln!("No tools yet. Add one with `ltikeys tool add NAME`.")?;
            }
            for t in tools {
                outln!(
                    "{:<10} {:<30} {:>2} keys  current: {}",
                    t.id,
                    t.name,
                    t.key_count,
                    t.current_kid.as_deref().unwrap_or("-")
                )?;
            }
        }
        ToolCommand::Show { tool, json } => {
            let tool = vault.tool(&tool)?;
            if json {
                return print_json(&tool);
            }
            let none = || "-".to_string();
            let profile = tool.clone();
            outln!("id:             {}", tool.id)?;
            outln!("name:           {}", tool.name)?;
            outln!("description:    {}", tool.description)?;
            outln!("domain:         {}", tool.domain.unwrap_or_else(none))?;
            outln!("login URL:      {}", tool.login_url.unwrap_or_else(none))?;
            outln!("launch URL:     {}", tool.launch_url.unwrap_or_else(none))?;
            for uri in &tool.redirect_uris {
                outln!("redirect URI:   {uri}")?;
            }
            outln!("JWKS URL:       {}", tool.jwks_url.unwrap_or_else(none))?;
            outln!("created:        {}", tool.created_at.to_rfc3339())?;
            canvas::show_profile(&profile)?;
        }
    }
    Ok(())
}

fn print_key(info: &KeyInfo, json: bool) -> Result<(), Error> {
    if json {
        print_json(info)
    } else {
        outln!("{}", info.kid)
    }
}

fn key(mut vault: Vault, cmd: KeyCommand) -> Result<(), Error> {
    match cmd {
        KeyCommand::New {
            tool,
            bits,
            kid_scheme,
            kid,
            next,
            json,
        } => {
            if next
                && !vault
                    .keys(&tool)?
                    .iter()
                    .any(|k| k.status == KeyStatus::Current)
            {
                return Err(Error::invalid(
                    "--next",
                    "the tool has no current key for a next key to follow",
                    "generate its first key without --next",
                ));
            }
            let request = GenerateKey {
                tool,
                bits,
                kid_scheme: kid_scheme.parse::<KidScheme>()?,
                kid,
            };
            let info = vault.generate_key(&request, Utc::now(), &mut |_| {})?;
            print_key(&info, json)?;
        }
        KeyCommand::List { tool, json } => {
            let keys = vault.keys(&tool)?;
            if json {
                return print_json(&keys);
            }
            outln!(
                "{:<45} {:<9} {:>5}  {:<25} PRIVATE",
                "KID",
                "STATUS",
                "BITS",
                "CREATED"
            )?;
            for k in keys {
                outln!(
                    "{:<45} {:<9} {:>5}  {:<25} {}",
                    k.kid,
                    k.status.as_str(),
                    k.bits,
                    k.created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    serde_json::to_value(k.private_key)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                )?;
            }
        }
        KeyCommand::Import {
            tool,
            pem,
            kid,
            kid_scheme,
            passphrase_file,
            json,
        } => {
            let bytes = Zeroizing::new(read_capped(
                &pem,
                PEM_LIMIT,
                "--pem",
                "a PEM private key is a few KB: check you gave the right file",
            )?);
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                Error::invalid(
                    "--pem",
                    format!("{} is not a text file", pem.display()),
                    "give a PEM file, the kind that starts with -----BEGIN",
                )
            })?;
            let passphrase = passphrase_file
                .as_deref()
                .map(read_passphrase)
                .transpose()?;
            let info = vault.import_key(
                &tool,
                text,
                passphrase.as_ref().map(|p| p.as_slice()),
                kid.as_deref(),
                kid_scheme.parse()?,
                Utc::now(),
            )?;
            print_key(&info, json)?;
        }
        KeyCommand::ExportPrivate {
            tool,
            kid,
            out,
            passphrase_file,
            unencrypted,
            force,
        } => {
            let passphrase = match (&passphrase_file, unencrypted) {
                (Some(path), _) => Some(read_passphrase(path)?),
                (None, true) => None,
                (None, false) => return Err(Error::invalid(
                    "--passphrase-file",
                    "no passphrase was given",
                    "pass --passphrase-file FILE, or --unencrypted to write the key in the clear",
                )),
            };
            // Before the keychain is asked for the key.
            ltikeys_core::file::check_target(&out, force)?;
            vault.export_private(
                &tool,
                &kid,
                passphrase.as_ref().map(|p| p.as_slice()),
                &out,
                force,
                Utc::now(),
            )?;
            let how = if unencrypted {
                "unencrypted"
            } else {
                "encrypted"
            };
            errln!("wrote the {how} private key of {kid} to {}", out.display());
        }
        KeyCommand::Rotate {
            tool,
            dry_run,
            json,
        } => rotation::rotate(vault, &tool, json, dry_run)?,
        KeyCommand::Retire {
            tool,
            kid,
            force,
            json,
        } => rotation::retire(vault, &tool, &kid, force, json)?,
        KeyCommand::Revoke {
            tool,
            kid,
            yes,
            json,
        } => rotation::revoke(vault, &tool, &kid, yes, json)?,
        KeyCommand::Delete { tool, kid } => {
            let removal = vault.delete_key(&tool, &kid, Utc::now())?;
            match removal.reason {
                None => errln!("deleted key {kid}"),
                Some(reason) => errln!(
                    "deleted key {kid}; warning: its private key is still in the OS keychain, \
                     because {reason}. It is removed the next time ltikeys or the app starts \
                     with the keychain available (`ltikeys status` does it now)"
                ),
            }
        }
    }
    Ok(())
}
