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
}

pub fn run(data_dir: Option<PathBuf>, cmd: CanvasCommand, json: bool) -> Result<(), Error> {
    match cmd {
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
            let doc: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
                .map_err(|e| {
                    Error::invalid(
                        file.display().to_string(),
                        format!("it is not valid JSON ({e})"),
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
