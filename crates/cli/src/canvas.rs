//! `ltikeys canvas …`: Canvas developer-key JSON (export, import, lint), placements and scopes.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;
use ltikeys_core::canvas;
use ltikeys_core::file::{read_capped, read_capped_from};
use ltikeys_core::lti;
use ltikeys_core::{Error, Finding, Severity};

use crate::output::{self, outln, plural, print_findings, print_json, To};

/// Which form of a tool's Canvas configuration `canvas export` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CanvasForm {
    /// The developer-key JSON.
    Paste,
    /// The registration API's form.
    Api,
}

#[derive(Subcommand)]
pub enum CanvasCommand {
    /// Print a tool's Canvas developer-key JSON (public_jwk_url when the tool has a JWKS URL,
    /// else the current key's public_jwk). Warnings go to stderr.
    Export {
        #[arg(long)]
        tool: String,
        /// `paste`: the developer-key JSON (Developer Keys → LTI Key → Paste JSON); `api`: the
        /// form Canvas's Apps page and its lti_registrations API take.
        #[arg(long, value_enum, default_value = "paste")]
        form: CanvasForm,
    },
    /// Add a tool from a Canvas JSON file (`-` for stdin); prints its id, or with --json
    /// {"tool": …, "findings": […]}. What was not imported, and every lint finding, goes to
    /// stderr: a file with lint errors still imports.
    Import {
        /// The JSON file, or `-` for stdin.
        file: PathBuf,
        /// The tool's name (default: the JSON's title).
        #[arg(long)]
        name: Option<String>,
    },
    /// Lint a Canvas JSON file (`-` for stdin). Exit status 1 when any finding is an error.
    /// --json prints {"findings": [{"code", "severity", "path", "message", "fix"}]}.
    Lint {
        /// The JSON file, or `-` for stdin.
        file: PathBuf,
    },
    /// List the placements Canvas knows, with the message types each takes.
    Placements,
    /// List the scope URIs Canvas accepts.
    Scopes,
    /// Create the tool's registration on a Canvas account through Canvas's registrations API
    /// (Canvas makes the developer key and turns it on), record it with the client_id Canvas
    /// gave and the deployments Canvas lists. The token is kept in the OS keychain.
    Register {
        #[arg(long)]
        tool: String,
        /// A Canvas platform (id or name).
        #[arg(long)]
        platform: String,
        /// The root account's id (the number after /accounts/ in Canvas's address, usually 1).
        #[arg(long)]
        account: String,
        #[command(flatten)]
        api: ApiArgs,
        /// Leave the registration off in Canvas.
        #[arg(long)]
        off: bool,
    },
    /// List a registration's deployments in Canvas and record the new ones with their
    /// context names. A registration made by hand is first found by its client_id on --account.
    Deployments {
        /// The registration's id.
        registration: String,
        /// The root account, for a registration not made through the API here.
        #[arg(long)]
        account: Option<String>,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Turn a registration on or off for its Canvas account.
    Switch {
        /// The registration's id.
        registration: String,
        #[arg(value_enum)]
        state: OnOff,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Show a registration as Canvas holds it, and where its configuration differs from the
    /// tool here. Exit status 1 when it differs.
    Status {
        /// The registration's id.
        registration: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Replace the configuration Canvas holds with the tool's configuration here.
    Update {
        /// The registration's id.
        registration: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Keep a Canvas platform's API token in the OS keychain, or remove it.
    Token {
        /// A Canvas platform (id or name).
        #[arg(long)]
        platform: String,
        /// The file holding the token (`-` for stdin).
        #[arg(long, required_unless_present = "forget", conflicts_with = "forget")]
        token_file: Option<PathBuf>,
        /// Remove the stored token.
        #[arg(long)]
        forget: bool,
    },
}

/// On or off.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum OnOff {
    /// Launchable in the account.
    On,
    /// Nothing launches.
    Off,
}

/// How a Canvas API command reaches Canvas.
#[derive(clap::Args)]
pub struct ApiArgs {
    /// A file holding an admin's Canvas access token (`-` for stdin); it is kept in the OS
    /// keychain for later commands. Without it, the stored one is used.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// The Canvas address admins sign in at (e.g. https://school.instructure.com), when the
    /// platform does not hold it yet; it is kept on the platform.
    #[arg(long)]
    canvas_url: Option<String>,
}

impl ApiArgs {
    /// Stores the token and the Canvas URL given for `platform`.
    fn apply(&self, vault: &mut ltikeys_core::Vault, platform: &str) -> Result<(), Error> {
        if let Some(url) = &self.canvas_url {
            vault.set_canvas_url(platform, url, Utc::now())?;
        }
        if let Some(file) = &self.token_file {
            let token = read_token(file)?;
            vault.set_api_token(platform, &token, Utc::now())?;
        }
        Ok(())
    }
}

/// The token in `file` (`-`: stdin), at most 8 KiB, as text. Never echoed in an error.
fn read_token(file: &Path) -> Result<zeroize::Zeroizing<String>, Error> {
    read_secret_file(
        file,
        "give a file holding only the access token Canvas showed",
    )
}

/// A secret in `file` (`-`: stdin) for `--token-file`: at most 8 KiB, text, never echoed in an
/// error; `fix` says what the file should hold.
pub(crate) fn read_secret_file(
    file: &Path,
    fix: &str,
) -> Result<zeroize::Zeroizing<String>, Error> {
    let bytes = zeroize::Zeroizing::new(if file == Path::new("-") {
        read_capped_from(
            std::io::stdin().lock(),
            Path::new("standard input"),
            8192,
            "--token-file",
            fix,
        )?
    } else {
        read_capped(file, 8192, "--token-file", fix)?
    });
    std::str::from_utf8(&bytes)
        .map(|t| zeroize::Zeroizing::new(t.to_string()))
        .map_err(|_| {
            Error::invalid(
                "--token-file",
                format!("{} is not text", file.display()),
                fix,
            )
        })
}

pub fn run(data_dir: Option<PathBuf>, cmd: CanvasCommand, json: bool) -> Result<(), Error> {
    let client = ltikeys_core::HttpClient::default;
    match cmd {
        CanvasCommand::Register {
            tool,
            platform,
            account,
            api,
            off,
        } => {
            let mut vault = crate::open(data_dir)?;
            api.apply(&mut vault, &platform)?;
            let made =
                vault.canvas_register(&tool, &platform, &account, !off, &client(), Utc::now())?;
            if json {
                return print_json(&made);
            }
            let reg = &made.registration;
            outln!(
                "registered {} on {} (Canvas registration {}, {})",
                reg.tool_name,
                reg.platform_name,
                made.canvas.id,
                made.canvas.binding.map_or("state unknown", |b| b.as_str())
            )?;
            outln!("registration {}  client_id {}", reg.id, reg.client_id)?;
            print_deployments(&made.deployments)?;
            for note in &made.notes {
                outln!("note: {note}")?;
            }
        }
        CanvasCommand::Deployments {
            registration,
            account,
            api,
        } => {
            let mut vault = crate::open(data_dir)?;
            let platform = vault.registration(&registration)?.platform_id;
            api.apply(&mut vault, &platform)?;
            if let Some(account) = account {
                vault.canvas_link(&registration, &account, &client(), Utc::now())?;
            }
            let synced = vault.canvas_deployments(&registration, &client(), Utc::now())?;
            if json {
                return print_json(&synced);
            }
            print_deployments(&synced.deployments)?;
            outln!(
                "{} recorded, {} labelled",
                plural(synced.added.len(), "new deployment id"),
                synced.labelled.len()
            )?;
        }
        CanvasCommand::Switch {
            registration,
            state,
            api,
        } => {
            let mut vault = crate::open(data_dir)?;
            let platform = vault.registration(&registration)?.platform_id;
            api.apply(&mut vault, &platform)?;
            let on = matches!(state, OnOff::On);
            let state = vault.canvas_switch(&registration, on, &client(), Utc::now())?;
            if json {
                return print_json(&serde_json::json!({ "state": state }));
            }
            outln!(
                "registration {registration} is {} in Canvas",
                state.as_str()
            )?;
        }
        CanvasCommand::Status { registration, api } => {
            let mut vault = crate::open(data_dir)?;
            let platform = vault.registration(&registration)?.platform_id;
            api.apply(&mut vault, &platform)?;
            let status = vault.canvas_status(&registration, &client())?;
            let printed = if json {
                print_json(&status)
            } else {
                print_status(&status)
            };
            output::end_with(i32::from(!status.differences.is_empty()), printed)?;
        }
        CanvasCommand::Update { registration, api } => {
            let mut vault = crate::open(data_dir)?;
            let platform = vault.registration(&registration)?.platform_id;
            api.apply(&mut vault, &platform)?;
            let status = vault.canvas_update(&registration, &client(), Utc::now())?;
            if json {
                return print_json(&status);
            }
            outln!(
                "Canvas now holds the configuration of {}",
                status.registration.tool_name
            )?;
            print_status(&status)?;
        }
        CanvasCommand::Token {
            platform,
            token_file,
            forget,
        } => {
            let mut vault = crate::open(data_dir)?;
            if forget {
                vault.forget_api_token(&platform, Utc::now())?;
                outln!("the API token of {platform} is removed from the keychain")?;
            } else if let Some(file) = token_file {
                let token = read_token(&file)?;
                vault.set_api_token(&platform, &token, Utc::now())?;
                outln!("the API token of {platform} is kept in the OS keychain")?;
            }
        }
        CanvasCommand::Export {
            tool,
            form: CanvasForm::Api,
        } => print_json(&crate::open(data_dir)?.canvas_export_api(&tool)?)?,
        CanvasCommand::Export {
            tool,
            form: CanvasForm::Paste,
        } => {
            let config = crate::open(data_dir)?.canvas_export(&tool)?;
            print_json(&config)?;
            let value = serde_json::to_value(&config).unwrap_or_default();
            let warnings: Vec<_> = canvas::lint(&value)
                .into_iter()
                .filter(|f| f.severity == Severity::Warning)
                .collect();
            print_findings(&warnings, true, To::Stderr)?;
        }
        CanvasCommand::Import { file, name } => {
            let text = read_input(&file, "canvas import")?;
            let doc = ltikeys_core::input::json(text.as_bytes()).map_err(|e| {
                Error::invalid(
                    file.display().to_string(),
                    e,
                    "give a Canvas developer-key JSON file; `ltikeys canvas lint FILE` shows \
                         what is wrong",
                )
            })?;
            let imported =
                crate::open(data_dir)?.import_canvas(&doc, name.as_deref(), Utc::now())?;
            if json {
                print_json(&imported)?;
            } else {
                outln!("{}", imported.tool.id)?;
            }
            print_findings(&imported.findings, true, To::Stderr)?;
        }
        CanvasCommand::Lint { file } => {
            let findings = canvas::lint_str(&read_input(&file, "canvas lint")?);
            let printed = print_lint(&findings, json);
            // The findings are the output; the exit status says an error is among them.
            let failed = findings.iter().any(|f| f.severity == Severity::Error);
            output::end_with(i32::from(failed), printed)?;
        }
        CanvasCommand::Placements => {
            let placements = lti::placements();
            if json {
                return print_json(&placements);
            }
            for p in placements {
                let types: Vec<_> = p.message_types.iter().map(|m| m.as_str()).collect();
                let mut notes = Vec::new();
                if let Some(flag) = &p.feature_flag {
                    notes.push(format!("feature flag {flag}"));
                }
                if p.needs_approval {
                    notes.push("Instructure approval".into());
                }
                if p.deprecated.is_some() {
                    notes.push("deprecated".into());
                }
                outln!(
                    "{:<36} {:<45} {}",
                    p.name,
                    types.join(", "),
                    notes.join("; ")
                )?;
            }
        }
        CanvasCommand::Scopes => {
            let scopes = lti::scopes();
            if json {
                return print_json(&scopes);
            }
            for s in scopes {
                let note = match s.visibility {
                    lti::ScopeVisibility::Public => String::new(),
                    lti::ScopeVisibility::FeatureFlag => {
                        format!("  (feature flag {})", s.feature_flag.unwrap_or_default())
                    }
                    lti::ScopeVisibility::Hidden => "  (undocumented)".into(),
                };
                outln!("{:<75} {}{note}", s.uri, s.label)?;
            }
        }
    }
    Ok(())
}

/// Reads the Canvas JSON of `command` (`canvas lint`) from `file`, `-` for stdin.
fn read_input(file: &Path, command: &str) -> Result<String, Error> {
    let fix = "a Canvas developer-key JSON is a few KB: check you gave the right file";
    let bytes = if file == Path::new("-") {
        read_capped_from(
            std::io::stdin().lock(),
            Path::new("standard input"),
            ltikeys_core::canvas::MAX_JSON_BYTES,
            command,
            fix,
        )?
    } else {
        read_capped(file, ltikeys_core::canvas::MAX_JSON_BYTES, command, fix)?
    };
    String::from_utf8(bytes).map_err(|_| {
        Error::invalid(
            file.display().to_string(),
            "it is not UTF-8 text",
            "give a Canvas developer-key JSON file",
        )
    })
}

fn print_deployments(
    deployments: &[ltikeys_core::canvas::registrations::CanvasDeployment],
) -> Result<(), Error> {
    if deployments.is_empty() {
        return outln!("no deployments in Canvas yet");
    }
    for d in deployments {
        let state = if d.active { "" } else { "  (deleted)" };
        outln!("{:<50} {}{state}", d.deployment_id, d.label())?;
    }
    Ok(())
}

fn print_status(status: &ltikeys_core::CanvasRegistrationStatus) -> Result<(), Error> {
    let canvas = &status.canvas;
    outln!(
        "Canvas registration {} \"{}\": client_id {}, {}",
        canvas.id,
        canvas.name,
        canvas.client_id,
        canvas.binding.map_or("state unknown", |b| b.as_str())
    )?;
    if status.differences.is_empty() {
        outln!("its configuration is the tool's")
    } else {
        outln!(
            "its configuration differs from the tool's in: {} (`ltikeys canvas update {}` sends \
             the tool's)",
            status.differences.join(", "),
            status.registration.id
        )
    }
}

fn print_lint(findings: &[Finding], json: bool) -> Result<(), Error> {
    if json {
        return print_json(&serde_json::json!({ "findings": findings }));
    }
    if findings.is_empty() {
        return outln!("no findings");
    }
    print_findings(findings, true, To::Stdout)?;
    outln!("{}", summary(findings))
}

fn summary(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{}, {}, {} info",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    )
}
