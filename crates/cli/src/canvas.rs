//! `ltikeys canvas …` (export, import and lint Canvas developer-key JSON; list placements and
//! scopes) and the tool-profile edits behind `ltikeys tool edit` and `ltikeys tool placement`.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Args, Subcommand};
use ltikeys_core::canvas;
use ltikeys_core::file::{read_capped, read_capped_from};
use ltikeys_core::lti;
use ltikeys_core::tool::validated_custom_field;
use ltikeys_core::{
    DisplayType, Error, Finding, MessageType, NewTool, Placement, PrivacyLevel, Severity, Tool,
    Vault, WindowTarget,
};

use crate::output::{self, errln, out, outln, print_json};

#[derive(Subcommand)]
pub enum CanvasCommand {
    /// Print a tool's Canvas developer-key JSON (public_jwk_url when the tool has a JWKS URL,
    /// else the current key's public_jwk). Warnings go to stderr.
    Export {
        #[arg(long)]
        tool: String,
        /// Accepted for symmetry: the output is always JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a tool from a Canvas JSON file (`-` for stdin); prints its id. What was not imported,
    /// and every lint finding, goes to stderr: a file with lint errors still imports.
    Import {
        /// The JSON file, or `-` for stdin.
        file: PathBuf,
        /// The tool's name (default: the JSON's title).
        #[arg(long)]
        name: Option<String>,
        /// Print {"tool": …, "findings": […]} instead of the id.
        #[arg(long)]
        json: bool,
    },
    /// Lint a Canvas JSON file (`-` for stdin). Exit status 1 when any finding is an error.
    Lint {
        /// The JSON file, or `-` for stdin.
        file: PathBuf,
        /// Print {"findings": [{"code", "severity", "path", "message", "fix"}]}.
        #[arg(long)]
        json: bool,
    },
    /// List the placements Canvas knows, with the message types each takes.
    Placements {
        #[arg(long)]
        json: bool,
    },
    /// List the scope URIs Canvas accepts.
    Scopes {
        #[arg(long)]
        json: bool,
    },
}

/// `ltikeys tool edit`: options change only what they name. An empty value clears a field.
#[derive(Args)]
pub struct ToolEdit {
    /// Tool id or name.
    tool: String,
    /// A new name (the Canvas title).
    #[arg(long, visible_alias = "name")]
    title: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// Host name (and port) without scheme.
    #[arg(long)]
    domain: Option<String>,
    /// OIDC login initiation URL.
    #[arg(long, value_name = "URL")]
    login_url: Option<String>,
    /// Target link URI.
    #[arg(long, value_name = "URL")]
    launch_url: Option<String>,
    /// Add a redirect URI (repeat for several).
    #[arg(long = "redirect-uri", value_name = "URL")]
    redirect_uris: Vec<String>,
    /// Remove a redirect URI (repeat for several).
    #[arg(long = "remove-redirect-uri", value_name = "URL")]
    remove_redirect_uris: Vec<String>,
    /// Where the tool publishes its JWKS (exports then use public_jwk_url).
    #[arg(long, value_name = "URL", conflicts_with = "clear_jwks_url")]
    jwks_url: Option<String>,
    /// Remove the JWKS URL (exports then embed the current key's public_jwk).
    #[arg(long)]
    clear_jwks_url: bool,
    /// The tool's icon.
    #[arg(long, value_name = "URL")]
    icon_url: Option<String>,
    /// The Canvas tool_id.
    #[arg(long, value_name = "ID")]
    canvas_tool_id: Option<String>,
    /// public, name_only, email_only or anonymous.
    #[arg(long, value_name = "LEVEL")]
    privacy_level: Option<String>,
    /// Add a scope URI (repeat for several; `ltikeys canvas scopes` lists them).
    #[arg(long = "scope", value_name = "URI")]
    scopes: Vec<String>,
    /// Remove a scope URI (repeat for several).
    #[arg(long = "remove-scope", value_name = "URI")]
    remove_scopes: Vec<String>,
    /// Set a custom field (repeat for several), e.g. canvas_user_id=$Canvas.user.id.
    #[arg(long = "custom-field", value_name = "NAME=VALUE")]
    custom_fields: Vec<String>,
    /// Remove a custom field by name (repeat for several).
    #[arg(long = "remove-custom-field", value_name = "NAME")]
    remove_custom_fields: Vec<String>,
    /// Print the changed tool as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum PlacementCommand {
    /// Add a placement to a tool.
    Add(PlacementAdd),
    /// Remove a placement from a tool.
    Remove {
        /// Tool id or name.
        tool: String,
        #[arg(long)]
        placement: String,
    },
    /// List a tool's placements.
    List {
        /// Tool id or name.
        tool: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct PlacementAdd {
    /// Tool id or name.
    tool: String,
    /// The Canvas placement, e.g. course_navigation (`ltikeys canvas placements` lists them).
    #[arg(long)]
    placement: String,
    /// LtiResourceLinkRequest or LtiDeepLinkingRequest (default: the placement's default).
    #[arg(long, value_name = "TYPE")]
    message_type: Option<String>,
    /// Link text (default: the tool's title).
    #[arg(long)]
    text: Option<String>,
    /// Launch URL for this placement (default: the tool's launch URL).
    #[arg(long, value_name = "URL")]
    target_link_uri: Option<String>,
    #[arg(long, value_name = "URL")]
    icon_url: Option<String>,
    #[arg(long, value_name = "PIXELS")]
    selection_width: Option<u32>,
    #[arg(long, value_name = "PIXELS")]
    selection_height: Option<u32>,
    #[arg(long, value_name = "PIXELS")]
    launch_width: Option<u32>,
    #[arg(long, value_name = "PIXELS")]
    launch_height: Option<u32>,
    /// default, full_width, full_width_in_context, full_width_with_nav, in_nav_context or
    /// borderless.
    #[arg(long, value_name = "TYPE")]
    display_type: Option<String>,
    /// Open in a new window (windowTarget _blank).
    #[arg(long)]
    new_window: bool,
    /// A Canvas permission the user needs (repeat for several).
    #[arg(long = "required-permission", value_name = "PERMISSION")]
    required_permissions: Vec<String>,
    /// Add it switched off.
    #[arg(long)]
    disabled: bool,
}

pub fn run(data_dir: Option<PathBuf>, cmd: CanvasCommand) -> Result<(), Error> {
    match cmd {
        CanvasCommand::Export { tool, .. } => {
            let config = super::open(data_dir)?.canvas_export(&tool)?;
            print_json(&config)?;
            let value = serde_json::to_value(&config).unwrap_or_default();
            let warnings: Vec<_> = canvas::lint(&value)
                .into_iter()
                .filter(|f| f.severity == Severity::Warning)
                .collect();
            print_findings(&warnings, true)?;
        }
        CanvasCommand::Import { file, name, json } => {
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
                super::open(data_dir)?.import_canvas(&doc, name.as_deref(), Utc::now())?;
            if json {
                print_json(&imported)?;
            } else {
                outln!("{}", imported.tool.id)?;
            }
            print_findings(&imported.findings, true)?;
        }
        CanvasCommand::Lint { file, json } => {
            let findings = canvas::lint_str(&read_input(&file, "canvas lint")?);
            let printed = print_lint(&findings, json);
            // The findings are the output; the exit status says an error is among them.
            let failed = findings.iter().any(|f| f.severity == Severity::Error);
            output::end_with(i32::from(failed), printed)?;
        }
        CanvasCommand::Placements { json } => {
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
        CanvasCommand::Scopes { json } => {
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

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn print_lint(findings: &[Finding], json: bool) -> Result<(), Error> {
    if json {
        return print_json(&serde_json::json!({ "findings": findings }));
    }
    if findings.is_empty() {
        return outln!("no findings");
    }
    print_findings(findings, false)?;
    outln!("{}", summary(findings))
}

fn print_findings(findings: &[Finding], to_stderr: bool) -> Result<(), Error> {
    for f in findings {
        let line = format!(
            "{}: {} [{}]: {}. Fix: {}",
            severity_word(f.severity),
            f.path.as_deref().unwrap_or("$"),
            f.code,
            f.message,
            f.fix
        );
        if to_stderr {
            errln!("{line}");
        } else {
            outln!("{line}")?;
        }
    }
    Ok(())
}

fn summary(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}, {} info",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    )
}

fn not_on_tool(flag: &str, what: &str, tool: &Tool) -> Error {
    Error::invalid(
        flag,
        format!("{what} is not on tool '{}'", tool.name),
        format!(
            "run `ltikeys tool show \"{}\"` to see what it has",
            tool.name
        ),
    )
}

/// `ltikeys tool edit`.
pub fn edit_tool(vault: &mut Vault, args: ToolEdit) -> Result<(), Error> {
    let tool = vault.tool(&args.tool)?;
    let mut edit = NewTool::from(&tool);
    if let Some(title) = args.title {
        edit.name = title;
    }
    if let Some(description) = args.description {
        edit.description = description;
    }
    for (slot, value) in [
        (&mut edit.domain, args.domain),
        (&mut edit.login_url, args.login_url),
        (&mut edit.launch_url, args.launch_url),
        (&mut edit.jwks_url, args.jwks_url),
        (&mut edit.icon_url, args.icon_url),
        (&mut edit.canvas_tool_id, args.canvas_tool_id),
    ] {
        if let Some(value) = value {
            *slot = Some(value);
        }
    }
    if args.clear_jwks_url {
        edit.jwks_url = None;
    }
    if let Some(level) = args.privacy_level {
        edit.privacy_level = level.parse::<PrivacyLevel>()?;
    }
    for uri in args.remove_redirect_uris {
        let before = edit.redirect_uris.len();
        edit.redirect_uris.retain(|u| *u != uri.trim());
        if edit.redirect_uris.len() == before {
            return Err(not_on_tool(
                "--remove-redirect-uri",
                &format!("redirect URI {uri}"),
                &tool,
            ));
        }
    }
    for uri in args.redirect_uris {
        if !edit.redirect_uris.iter().any(|u| *u == uri.trim()) {
            edit.redirect_uris.push(uri);
        }
    }
    for scope in args.remove_scopes {
        let before = edit.scopes.len();
        edit.scopes.retain(|s| *s != scope.trim());
        if edit.scopes.len() == before {
            return Err(not_on_tool(
                "--remove-scope",
                &format!("scope {scope}"),
                &tool,
            ));
        }
    }
    for scope in args.scopes {
        if !edit.scopes.iter().any(|s| *s == scope.trim()) {
            edit.scopes.push(scope);
        }
    }
    for name in args.remove_custom_fields {
        if edit.custom_fields.remove(name.trim()).is_none() {
            return Err(not_on_tool(
                "--remove-custom-field",
                &format!("custom field {name}"),
                &tool,
            ));
        }
    }
    for pair in args.custom_fields {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(Error::invalid(
                "--custom-field",
                format!("'{pair}' has no '='"),
                "give NAME=VALUE, e.g. canvas_user_id=$Canvas.user.id",
            ));
        };
        let (name, value) = validated_custom_field(name, value)?;
        edit.custom_fields.insert(name, value);
    }
    let changed = edit.clone().validated()?.changed_fields(&tool);
    let updated = vault.update_tool(&tool.id, edit, Utc::now())?;
    if args.json {
        return print_json(&updated);
    }
    if changed.is_empty() {
        errln!("no change to {}", updated.name);
    } else {
        errln!("updated {}: {}", updated.name, changed.join(", "));
    }
    Ok(())
}

/// `ltikeys tool placement …`.
pub fn placement(vault: &mut Vault, cmd: PlacementCommand) -> Result<(), Error> {
    match cmd {
        PlacementCommand::Add(add) => {
            let tool = vault.tool(&add.tool)?;
            let mut placement = Placement::new(&add.placement)?;
            if tool
                .placements
                .iter()
                .any(|p| p.placement == placement.placement)
            {
                return Err(Error::invalid(
                    "--placement",
                    format!(
                        "tool '{}' has {} already",
                        tool.name, placement.placement
                    ),
                    format!(
                        "remove it first with `ltikeys tool placement remove \"{}\" --placement {}`",
                        tool.name, placement.placement
                    ),
                ));
            }
            if let Some(m) = add.message_type {
                placement.message_type = m.parse::<MessageType>()?;
            }
            placement.text = add.text;
            placement.target_link_uri = add.target_link_uri;
            placement.icon_url = add.icon_url;
            placement.selection_width = add.selection_width;
            placement.selection_height = add.selection_height;
            placement.launch_width = add.launch_width;
            placement.launch_height = add.launch_height;
            placement.display_type = add
                .display_type
                .as_deref()
                .map(str::parse::<DisplayType>)
                .transpose()?;
            placement.window_target = add.new_window.then_some(WindowTarget::Blank);
            placement.required_permissions = add.required_permissions;
            placement.enabled = !add.disabled;
            let name = placement.placement.clone();
            let mut edit = NewTool::from(&tool);
            edit.placements.push(placement);
            let updated = vault.update_tool(&tool.id, edit, Utc::now())?;
            errln!("added {name} to {}", updated.name);
        }
        PlacementCommand::Remove { tool, placement } => {
            let tool = vault.tool(&tool)?;
            let mut edit = NewTool::from(&tool);
            edit.placements.retain(|p| p.placement != placement.trim());
            if edit.placements.len() == tool.placements.len() {
                return Err(not_on_tool(
                    "--placement",
                    &format!("placement {placement}"),
                    &tool,
                ));
            }
            let updated = vault.update_tool(&tool.id, edit, Utc::now())?;
            errln!("removed {} from {}", placement.trim(), updated.name);
        }
        PlacementCommand::List { tool, json } => {
            let tool = vault.tool(&tool)?;
            if json {
                return print_json(&tool.placements);
            }
            if tool.placements.is_empty() {
                outln!(
                    "No placements yet. Add one with `ltikeys tool placement add \"{}\" --placement course_navigation`.",
                    tool.name
                )?;
            }
            for p in &tool.placements {
                print_placement(p)?;
            }
        }
    }
    Ok(())
}

fn print_placement(p: &Placement) -> Result<(), Error> {
    outln!(
        "{:<36} {:<23} {:<8} {}",
        p.placement,
        p.message_type.as_str(),
        if p.enabled { "enabled" } else { "disabled" },
        p.target_link_uri.as_deref().unwrap_or("-")
    )
}

/// The profile lines of `ltikeys tool show`, after the tool's other lines.
pub fn show_profile(tool: &Tool) -> Result<(), Error> {
    outln!("privacy level:  {}", tool.privacy_level)?;
    outln!(
        "Canvas tool id: {}",
        tool.canvas_tool_id.as_deref().unwrap_or("-")
    )?;
    outln!(
        "icon URL:       {}",
        tool.icon_url.as_deref().unwrap_or("-")
    )?;
    for scope in &tool.scopes {
        outln!("scope:          {scope}")?;
    }
    for (name, value) in &tool.custom_fields {
        outln!("custom field:   {name}={value}")?;
    }
    for p in &tool.placements {
        out!("placement:      ")?;
        print_placement(p)?;
    }
    Ok(())
}
