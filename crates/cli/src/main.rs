//! `ltikeys`: LTI Key Manager from a terminal. Every read takes `--json`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use ltikeys_core::store::default_data_dir;
use ltikeys_core::{Error, GenerateKey, KeyInfo, KeyStatus, KidScheme, NewTool, Vault};
use serde::Serialize;
use zeroize::Zeroizing;

mod canvas;
mod check;
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
    /// Show the data directory and whether the OS keychain answers.
    Status {
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
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        Error::invalid(
            "output",
            format!("could not be encoded as JSON ({e})"),
            "report this",
        )
    })?;
    println!("{text}");
    Ok(())
}

fn read_passphrase(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut bytes = Zeroizing::new(std::fs::read(path).map_err(|source| Error::Io {
        action: "reading the passphrase file",
        path: path.to_path_buf(),
        source,
    })?);
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

fn run(cli: Cli) -> Result<(), Error> {
    let data_dir = cli.data_dir;
    match cli.command {
        Command::Tool(cmd) => tool(open(data_dir)?, cmd),
        Command::Key(cmd) => key(open(data_dir)?, cmd),
        Command::Jwks { tool, .. } => print_json(&open(data_dir)?.jwks(&tool)?),
        Command::Jwk { tool, kid, .. } => print_json(&open(data_dir)?.jwk(&tool, &kid)?),
        Command::Canvas(cmd) => canvas::run(data_dir, cmd),
        Command::Check(cmd) => check::run(data_dir, cmd),
        Command::Platform(cmd) => platform::platform(open(data_dir)?, cmd),
        Command::Registration(cmd) => platform::registration(open(data_dir)?, cmd),
        Command::Status { json } => status(open(data_dir)?, json),
    }
}

fn status(vault: Vault, json: bool) -> Result<(), Error> {
    let keychain = vault.check_keychain();
    let status = ltikeys_core::AppStatus {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: vault
            .store()
            .path()
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        keychain_available: keychain.is_ok(),
        keychain_message: keychain.err().map(|e| e.to_string()),
    };
    if json {
        return print_json(&status);
    }
    println!("data directory: {}", status.data_dir);
    match status.keychain_message {
        None => println!("keychain: available"),
        Some(message) => println!("keychain: {message}"),
    }
    Ok(())
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
            println!("{}", tool.id);
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
                println!("No tools yet. Add one with `ltikeys tool add NAME`.");
            }
            for t in tools {
                println!(
                    "{:<10} {:<30} {:>2} keys  current: {}",
                    t.id,
                    t.name,
                    t.key_count,
                    t.current_kid.as_deref().unwrap_or("-")
                );
            }
        }
        ToolCommand::Show { tool, json } => {
            let tool = vault.tool(&tool)?;
            if json {
                return print_json(&tool);
            }
            let none = || "-".to_string();
            let profile = tool.clone();
            println!("id:             {}", tool.id);
            println!("name:           {}", tool.name);
            println!("description:    {}", tool.description);
            println!("domain:         {}", tool.domain.unwrap_or_else(none));
            println!("login URL:      {}", tool.login_url.unwrap_or_else(none));
            println!("launch URL:     {}", tool.launch_url.unwrap_or_else(none));
            for uri in &tool.redirect_uris {
                println!("redirect URI:   {uri}");
            }
            println!("JWKS URL:       {}", tool.jwks_url.unwrap_or_else(none));
            println!("created:        {}", tool.created_at.to_rfc3339());
            canvas::show_profile(&profile);
        }
    }
    Ok(())
}

fn print_key(info: &KeyInfo, json: bool) -> Result<(), Error> {
    if json {
        print_json(info)
    } else {
        println!("{}", info.kid);
        Ok(())
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
            println!(
                "{:<45} {:<9} {:>5}  {:<25} PRIVATE",
                "KID", "STATUS", "BITS", "CREATED"
            );
            for k in keys {
                println!(
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
                );
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
            let text =
                Zeroizing::new(std::fs::read_to_string(&pem).map_err(|source| Error::Io {
                    action: "reading the PEM file",
                    path: pem.clone(),
                    source,
                })?);
            let passphrase = passphrase_file
                .as_deref()
                .map(read_passphrase)
                .transpose()?;
            let info = vault.import_key(
                &tool,
                &text,
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
            let pem = vault.export_private(
                &tool,
                &kid,
                passphrase.as_ref().map(|p| p.as_slice()),
                Utc::now(),
            )?;
            ltikeys_core::file::write_atomic(&out, pem.as_bytes(), true, force)?;
            let how = if unencrypted {
                "unencrypted"
            } else {
                "encrypted"
            };
            eprintln!("wrote the {how} private key of {kid} to {}", out.display());
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
            vault.delete_key(&tool, &kid, Utc::now())?;
            eprintln!("deleted key {kid}");
        }
    }
    Ok(())
}
